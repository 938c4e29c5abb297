import { createHash } from 'node:crypto';
import { onlineSale, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';
import { startLoyalty, tokenOf } from '../support/wallet';

const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
const logs: string[] = [];
useTestPlatform((context) => ({ p, t, store } = context), { clock, logSink: (_level, line) => logs.push(line) });

let n = 0;
async function customer(extra: Record<string, unknown> = {}): Promise<string> {
  n += 1;
  const email = `wallet-${Date.now()}-${n}@example.com`;
  const r = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.pos, body: { identifiers: [{ type: 'email', value: email }], ...extra } });
  expect(r.status).toBe(201);
  return r.body.customerId;
}

async function mint(customerId: string, body: Record<string, unknown> = {}, key = t.keys.admin) {
  return p.api('POST', `/api/v1/customers/${customerId}/wallet-links`, { key, body });
}

const wallet = (token: string, path = '', init: { method?: string; body?: unknown } = {}) =>
  p.api(init.method ?? 'GET', `/api/v1/wallet${path}`, { headers: { authorization: `Bearer ${token}` }, body: init.body });

beforeAll(async () => {
  await startLoyalty(p, t);
});

describe('wallet links', () => {
  it('mints a link whose token opens her wallet and only hers; the token is stored hashed', async () => {
    const ana = await customer({ profile: { name: 'Ana García' } });
    const r = await mint(ana);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ customerId: ana, purpose: 'link', url: expect.stringMatching(/\/wallet\/#t=wt\./), expiresAt: expect.any(String) });
    expect(Date.parse(r.body.expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const token = tokenOf(r.body.url);

    const view = await wallet(token);
    expect(view.status).toBe(200);
    expect(view.body.customer).toEqual({ firstName: 'Ana' });
    expect(view.body.brand).toMatchObject({ name: 'Test Retail', language: 'es' });
    expect(view.body.card.number).toMatch(/^9\d{15}$/);

    // Only the hash is stored: no document holds the secret.
    const secret = token.split('.')[2]!;
    const docs = await store.all('wallet', t.tenantId);
    expect(JSON.stringify(docs)).not.toContain(secret);
    expect(docs.map((d: any) => d.id)).toContain(`token:${createHash('sha256').update(secret).digest('hex')}`);
  });

  it('generates her loyalty card once, through the customers module, so a till identifies her with it', async () => {
    const bea = await customer();
    const token = tokenOf((await mint(bea)).body.url);
    const [first, second] = await Promise.all([wallet(token), wallet(token)]);
    expect(first.body.card.number).toBe(second.body.card.number);
    const identified = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.pos,
      body: { identifiers: [{ type: 'loyaltyCard', value: first.body.card.number }] },
    });
    expect(identified.status).toBe(200);
    expect(identified.body.customerId).toBe(bea);
    const view = await p.api('GET', `/api/v1/customers/${bea}`, { key: t.keys.admin });
    expect(view.body.identifiers.filter((i: any) => i.type === 'loyaltyCard')).toEqual([expect.objectContaining({ value: first.body.card.number })]);
  });

  it('web shop keys mint short sign-in links only; POS keys mint nothing', async () => {
    const cid = await customer();
    const signIn = await mint(cid, { purpose: 'signIn' }, t.keys.ecommerce);
    expect(signIn.status).toBe(201);
    expect(Date.parse(signIn.body.expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    expect((await mint(cid, { purpose: 'link' }, t.keys.ecommerce)).body.reason).toBe('wallet-link-purpose-not-allowed');
    expect((await mint(cid, {}, t.keys.pos)).status).toBe(403);
    expect((await mint(cid, { purpose: 'forever' })).body.errors[0].field).toBe('purpose');
    expect((await mint('c_nobody')).status).toBe(404);
  });

  it('refuses tampered, expired, revoked and foreign tokens alike, and API keys never open a wallet', async () => {
    const cid = await customer();
    const token = tokenOf((await mint(cid)).body.url);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const otherTenant = token.replace(`wt.${t.tenantId}.`, 'wt.other-tenant.');
    for (const bad of [tampered, otherTenant, 'wt.x', '']) {
      const r = await wallet(bad);
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await p.api('GET', '/api/v1/wallet', { key: t.keys.admin })).status).toBe(401);

    const signIn = tokenOf((await mint(cid, { purpose: 'signIn' })).body.url);
    expect((await wallet(signIn)).status).toBe(200);
    clock.offset += 16 * 60_000;
    try {
      expect((await wallet(signIn)).status).toBe(401);
      expect((await wallet(token)).status).toBe(200);
    } finally {
      clock.offset -= 16 * 60_000;
    }

    expect((await p.api('DELETE', `/api/v1/customers/${cid}/wallet-links`, { key: t.keys.admin })).status).toBe(204);
    expect((await wallet(token)).status).toBe(401);
    // A link minted after the revocation works.
    expect((await wallet(tokenOf((await mint(cid)).body.url))).status).toBe(200);
  });

  it('revokes on merge (the merged id’s links open nothing) and on erasure', async () => {
    const survivor = await customer();
    const merged = await customer();
    const mergedToken = tokenOf((await mint(merged)).body.url);
    const survivorToken = tokenOf((await mint(survivor)).body.url);
    const r = await p.api('POST', `/api/v1/customers/${survivor}/merge`, { key: t.keys.admin, body: { customerId: merged, reason: 'same person' } });
    expect(r.status).toBe(200);
    expect((await wallet(mergedToken)).status).toBe(401);
    expect((await wallet(survivorToken)).status).toBe(200);
    // Minting for the merged id makes a link to the survivor.
    expect((await mint(merged)).body.customerId).toBe(survivor);

    expect((await p.api('DELETE', `/api/v1/customers/${survivor}`, { key: t.keys.admin })).status).toBe(204);
    expect((await wallet(survivorToken)).status).toBe(401);
    expect((await mint(survivor)).status).toBe(410);
  });
});

describe('what the wallet shows', () => {
  it('shows points, coupons, gift cards and receipts from both channels, matching the API', async () => {
    const email = `lucia-${Date.now()}@example.com`;
    const identifiers = [{ type: 'email', value: email }];
    const store1 = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer: { identifiers } }) });
    const card = await p.api('POST', '/api/v1/gift-cards', {
      key: t.keys.ecommerce,
      body: { amount: 2500, currency: 'EUR', activateOnSale: true, reference: `wallet-${Date.now()}` },
    });
    expect(card.status).toBe(201);
    const giftLine = { sku: 'GIFT-25', quantity: 1, unitPrice: 2500, taxRate: 0, giftCardId: card.body.giftCardId };
    const bought = onlineSale({ customer: { identifiers }, lines: [giftLine], tenders: [{ type: 'card', amount: 2500 }] });
    const web = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: bought });
    expect([store1.status, web.status]).toEqual([201, 201]);
    const cid = store1.body.customerId;
    const campaign = await p.api('POST', '/api/v1/campaigns', {
      key: t.keys.admin,
      body: { name: 'Bienvenida', discount: { type: 'percentage', percent: 10 }, validFrom: '2026-01-01T00:00:00Z', validTo: '2030-01-01T00:00:00Z' },
    });
    const issued = await p.api('POST', `/api/v1/campaigns/${campaign.body.campaignId}/codes`, { key: t.keys.admin, body: { customerId: cid } });
    await p.bus.idle();

    const view = (await wallet(tokenOf((await mint(cid)).body.url))).body;
    const loyalty = (await p.api('GET', `/api/v1/customers/${cid}/loyalty`, { key: t.keys.admin })).body;
    expect(view.loyalty.spendable).toBe(loyalty.spendable);
    expect(view.loyalty.spendableValue).toBe(loyalty.spendableValue);
    expect(view.loyalty.spendable).toBeGreaterThan(0);
    expect(view.benefits).toEqual([
      expect.objectContaining({
        source: 'coupons',
        code: issued.body.codes[0],
        title: 'Bienvenida',
        channels: ['store', 'online'],
        usesLeft: 1,
        qrSvg: expect.stringContaining('<svg'),
      }),
    ]);
    expect(view.giftCards).toEqual([{ giftCardId: card.body.giftCardId, relation: 'bought', balance: 2500, currency: 'EUR' }]);
    expect(view.receipts.map((r: any) => r.channel).sort()).toEqual(['online', 'store']);
    for (const receipt of view.receipts) expect((await fetch(receipt.url)).status).toBe(200);
    expect(view.consents.map((c: any) => c.purpose)).toEqual(['marketingEmail', 'marketingSms', 'marketingPush', 'paperlessReceipts']);
  });

  it('records consent changes with source `wallet`, seen in the 360 view', async () => {
    const cid = await customer();
    const token = tokenOf((await mint(cid)).body.url);
    const r = await wallet(token, '/consents', { method: 'PUT', body: { consents: [{ purpose: 'marketingEmail', granted: true }] } });
    expect(r.status).toBe(200);
    expect(r.body.consents[0]).toMatchObject({ purpose: 'marketingEmail', granted: true });
    const view = await p.api('GET', `/api/v1/customers/${cid}`, { key: t.keys.admin });
    expect(view.body.consents.marketingEmail).toMatchObject({ granted: true, history: [expect.objectContaining({ granted: true, source: 'wallet' })] });
    const bad = await wallet(token, '/consents', { method: 'PUT', body: { consents: [{ purpose: 'telepathy', granted: true }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('consents.0.purpose');
  });

  it('records her requests for a copy and for erasure once each, for the retailer, with the policy text', async () => {
    expect(
      (
        await p.api('PUT', '/api/v1/settings/wallet', {
          key: t.keys.admin,
          body: { privacyPolicy: 'Respondemos en 30 días.', colours: { brand: '#7a1f3d', background: '#ffffff' } },
        })
      ).status,
    ).toBe(200);
    const cid = await customer();
    const token = tokenOf((await mint(cid)).body.url);
    const first = await wallet(token, '/data-requests', { method: 'POST', body: { type: 'export' } });
    const again = await wallet(token, '/data-requests', { method: 'POST', body: { type: 'export' } });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
    expect((await wallet(token, '/data-requests', { method: 'POST', body: { type: 'erasure' } })).status).toBe(201);
    const listed = await p.api('GET', '/api/v1/wallet/data-requests', { key: t.keys.admin });
    expect(
      listed.body.items
        .filter((r: any) => r.customerId === cid)
        .map((r: any) => r.type)
        .sort(),
    ).toEqual(['erasure', 'export']);
    expect((await p.api('GET', '/api/v1/wallet/data-requests', { key: t.keys.pos })).status).toBe(403);
    const view = (await wallet(token)).body;
    expect(view.brand.privacyPolicy).toBe('Respondemos en 30 días.');
    // Links open the page where the tenant says it is served (its own domain on the static host).
    const custom = {
      privacyPolicy: 'Respondemos en 30 días.',
      colours: { brand: '#7a1f3d', background: '#ffffff' },
      pageUrl: 'https://wallet.example.com/wallet/',
    };
    expect((await p.api('PUT', '/api/v1/settings/wallet', { key: t.keys.admin, body: custom })).status).toBe(200);
    expect((await mint(cid)).body.url).toMatch(/^https:\/\/wallet\.example\.com\/wallet\/#t=wt\./);
    const insecure = await p.api('PUT', '/api/v1/settings/wallet', { key: t.keys.admin, body: { pageUrl: 'http://wallet.example.com/wallet/' } });
    expect(insecure.body.errors[0].field).toBe('pageUrl');
    expect(view.brand.colours.brand).toBe('#7a1f3d');
    expect(view.requests).toHaveLength(2);
    expect((await p.api('DELETE', `/api/v1/customers/${cid}`, { key: t.keys.admin })).status).toBe(204);
    const after = await p.api('GET', '/api/v1/wallet/data-requests', { key: t.keys.admin });
    expect(after.body.items.filter((r: any) => r.customerId === cid).every((r: any) => r.completedAt !== null)).toBe(true);
  });

  it('never shows another tenant’s or another customer’s data', async () => {
    const other = await p.createTenant();
    const mine = await customer();
    const token = tokenOf((await mint(mine)).body.url);
    const theirs = await p.api('POST', '/api/v1/customers/identify', {
      key: other.keys.pos,
      body: { identifiers: [{ type: 'email', value: 'x@example.com' }] },
    });
    const theirToken = tokenOf((await p.api('POST', `/api/v1/customers/${theirs.body.customerId}/wallet-links`, { key: other.keys.admin, body: {} })).body.url);
    const a = (await wallet(token)).body;
    const b = (await wallet(theirToken)).body;
    expect(a.card.number).not.toBe(b.card.number);
    expect(JSON.stringify(a)).not.toContain(theirs.body.customerId);
    // Minting with my key for their customer finds nobody.
    expect((await mint(theirs.body.customerId)).status).toBe(404);
    // Their secret under my tenant's name opens nothing.
    expect((await wallet(theirToken.replace(`wt.${other.tenantId}.`, `wt.${t.tenantId}.`))).status).toBe(401);
  });

  it('never writes a token to the logs', () => {
    expect(logs.length).toBeGreaterThan(50);
    expect(logs.join('\n')).not.toMatch(/wt\.[a-z0-9-]+\.[A-Za-z0-9_-]{20,}/);
  });
});

describe('the wallet page is served with a Content-Security-Policy', () => {
  it('serves the page, its script, worker and manifest under /wallet/ with the headers', async () => {
    const page = await fetch(`${p.url}/wallet/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).not.toMatch(/<script>|\son\w+=|style=/i);
    const script = await fetch(`${p.url}/wallet/wallet.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.arrayBuffer()).byteLength).toBeLessThan(100 * 1024);
    expect((await fetch(`${p.url}/wallet/sw.js`)).status).toBe(200);
    expect(((await (await fetch(`${p.url}/wallet/manifest.webmanifest`)).json()) as { start_url: string }).start_url).toBe('/wallet/');
    expect((await fetch(`${p.url}/wallet/nothing`)).status).toBe(404);
  });
});

describe('token attempts', () => {
  // Last: every request here comes from this machine's address, which the throttle then refuses.
  it('throttles a client that keeps sending wrong tokens (429 with Retry-After), without reading the store', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.77' };
    let last = 0;
    for (let i = 0; i < 21; i += 1) {
      last = (await p.api('GET', '/api/v1/wallet', { headers: { ...headers, authorization: `Bearer wt.${t.tenantId}.${'A'.repeat(43)}` } })).status;
    }
    expect(last).toBe(429);
    const r = await p.api('GET', '/api/v1/wallet', { headers: { ...headers, authorization: 'Bearer nothing' } });
    expect(r.status).toBe(429);
    expect(r.body.code ?? r.body.reason).toBeDefined();
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
