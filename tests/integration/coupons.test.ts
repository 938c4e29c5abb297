import { onlineSale, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

/** Real time, moved forward when a test needs a hold to expire. */
const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context), { clock });

const lines = [
  { sku: 'SKU-1', quantity: 2, unitPrice: 1999, category: 'shirts' },
  { sku: 'SKU-2', quantity: 1, unitPrice: 500, category: 'socks' },
];
const inStore = (codes: string[], extra: Record<string, unknown> = {}) => ({ codes, channel: 'store', locationId: 'store-1', lines, ...extra });
const online = (codes: string[], extra: Record<string, unknown> = {}) => ({ codes, channel: 'online', locationId: 'web', lines, ...extra });

let counter = 0;
async function campaign(overrides: Record<string, unknown> = {}) {
  counter += 1;
  const r = await p.api('POST', '/api/v1/campaigns', {
    key: t.keys.admin,
    body: {
      name: `Campaign ${counter}`,
      discount: { type: 'percentage', percent: 10 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
      ...overrides,
    },
  });
  expect(r.status).toBe(201);
  return r.body;
}
async function publicCampaign(overrides: Record<string, unknown> = {}) {
  const code = `PROMO-${Date.now().toString(36)}-${++counter}`.toUpperCase();
  return { ...(await campaign({ publicCode: code, ...overrides })), code };
}
async function uniqueCodes(campaignId: string, count: number): Promise<string[]> {
  const r = await p.api('POST', `/api/v1/campaigns/${campaignId}/codes`, { key: t.keys.admin, body: { count } });
  expect(r.status).toBe(201);
  return r.body.codes;
}
const validate = (body: unknown, key = t.keys.pos) => p.api('POST', '/api/v1/coupons/validate', { key, body });
const hold = (body: unknown, key = t.keys.pos) => p.api('POST', '/api/v1/coupons/holds', { key, body });
const reasonOf = async (body: unknown, key = t.keys.pos) => (await validate(body, key)).body.results[0].reason;
async function customer(email: string): Promise<string> {
  const r = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.ecommerce, body: { identifiers: [{ type: 'email', value: email }] } });
  return r.body.customerId;
}

describe('validation reasons', () => {
  it('explains every refusal with a stable reason code, and consumes nothing', async () => {
    expect(await reasonOf(inStore(['NO-SUCH-CODE']))).toBe('unknown');
    expect(await reasonOf(inStore([(await publicCampaign({ validFrom: '2029-01-01T00:00:00Z' })).code]))).toBe('not-yet-valid');
    expect(await reasonOf(inStore([(await publicCampaign({ validFrom: '2020-01-01T00:00:00Z', validTo: '2021-01-01T00:00:00Z' })).code]))).toBe('expired');
    expect(await reasonOf(inStore([(await publicCampaign({ channels: ['online'] })).code]))).toBe('channel-not-allowed');
    expect(await reasonOf(inStore([(await publicCampaign({ locationIds: ['store-2'] })).code]))).toBe('location-not-allowed');
    expect(await reasonOf(inStore([(await publicCampaign({ minimumBasket: 5000 })).code]))).toBe('minimum-not-reached');
    expect(await reasonOf(inStore([(await publicCampaign({ eligible: { skus: ['SKU-9'] } })).code]))).toBe('no-eligible-items');
    expect(await reasonOf(inStore([(await publicCampaign({ excluded: { categories: ['shirts', 'socks'] } })).code]))).toBe('no-eligible-items');

    const single = await publicCampaign({ budget: { redemptions: 1 } });
    expect((await validate(inStore([single.code]))).body.results[0].valid).toBe(true);
    expect((await validate(inStore([single.code]))).body.results[0].valid).toBe(true);
    expect((await hold(inStore([single.code]))).status).toBe(201);
    expect(await reasonOf(inStore([single.code]))).toBe('budget-exhausted');

    const perCustomer = await publicCampaign({ perCustomerLimit: 1 });
    const ana = await customer('ana.limit@example.com');
    expect(await reasonOf(inStore([perCustomer.code]))).toBe('customer-required');
    expect((await hold(inStore([perCustomer.code], { customerId: ana }))).status).toBe(201);
    expect(await reasonOf(inStore([perCustomer.code], { customerId: ana }))).toBe('customer-limit-reached');
    expect((await validate(inStore([perCustomer.code], { customerId: await customer('bea.limit@example.com') }))).body.results[0].valid).toBe(true);

    const [unique] = await uniqueCodes((await campaign()).campaignId, 1);
    expect((await hold(inStore([unique!]))).status).toBe(201);
    expect(await reasonOf(inStore([unique!]))).toBe('already-redeemed');

    const a = await publicCampaign();
    const b = await publicCampaign();
    const both = await validate(inStore([a.code, b.code]));
    expect(both.body.results.map((r: { valid: boolean; reason?: string }) => r.reason ?? 'ok')).toEqual(['ok', 'not-stackable']);
  });

  it('refuses a hold with 422 and the reason, and a code with a wrong signature as unknown', async () => {
    const expired = await publicCampaign({ validTo: '2026-02-01T00:00:00Z' });
    const r = await hold(inStore([expired.code]));
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('expired');
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const forged = code!.slice(0, -1) + (code!.endsWith('A') ? 'B' : 'A');
    expect(await reasonOf(inStore([forged]))).toBe('unknown');
  });

  it('gives the discount per line, leaves excluded items alone, and reads codes leniently', async () => {
    const c = await publicCampaign({ discount: { type: 'percentage', percent: 10 }, excluded: { skus: ['SKU-2'] } });
    const r = await validate(inStore([c.code.toLowerCase().replace(/0/g, 'o')]));
    expect(r.body.results[0]).toMatchObject({ valid: true, discount: 400, lines: [{ lineNumber: 1, discount: 400 }] });
    const fixedPrice = await publicCampaign({ discount: { type: 'fixedPrice', price: 1500 }, eligible: { categories: ['shirts'] } });
    expect((await validate(inStore([fixedPrice.code]))).body.results[0].discount).toBe(998);
  });
});

describe('stacking', () => {
  it('combines stackable coupons on what is left of each line, and refuses a non-stackable one beside them', async () => {
    const tenPercent = await publicCampaign({ stackable: true });
    const fiveEuros = await publicCampaign({ stackable: true, discount: { type: 'fixedAmount', amount: 500 } });
    const alone = await publicCampaign();
    const r = await validate(inStore([tenPercent.code, fiveEuros.code, alone.code]));
    expect(r.body.results.map((x: { valid: boolean }) => x.valid)).toEqual([true, true, false]);
    expect(r.body.results[2].reason).toBe('not-stackable');
    expect(r.body.results[0].discount).toBe(450);
    expect(r.body.results[1].discount).toBe(500);
    expect(r.body.discount).toBe(950);
  });
});

describe('limits under concurrency', () => {
  it('lets exactly one of 50 parallel holds of a single-use code succeed', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const results = await Promise.all(Array.from({ length: 50 }, () => hold(inStore([code!]))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.reason === 'already-redeemed')).toBe(true);
    expect(results.filter((r) => r.status === 422)).toHaveLength(49);
  });

  it('gives exactly N successes for a budget of N redemptions across channels', async () => {
    const c = await publicCampaign({ budget: { redemptions: 7 } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? hold(inStore([c.code])) : hold(online([c.code]), t.keys.ecommerce))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(7);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.reason === 'budget-exhausted')).toBe(true);
    expect((await p.api('GET', `/api/v1/campaigns/${c.campaignId}`, { key: t.keys.admin })).body.redemptions).toBe(7);
  });

  it('never gives more than an amount budget', async () => {
    const c = await publicCampaign({ discount: { type: 'fixedAmount', amount: 1000 }, budget: { amount: 5000 } });
    const results = await Promise.all(Array.from({ length: 20 }, () => hold(inStore([c.code]))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect((await p.api('GET', `/api/v1/campaigns/${c.campaignId}`, { key: t.keys.admin })).body.discountGiven).toBe(5000);
  });
});

describe('holds: release, expiry, confirmation', () => {
  afterEach(() => (clock.offset = 0));

  it('gives the use back on release', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const held = await hold(inStore([code!]));
    expect(held.body).toMatchObject({ status: 'active', discount: 450 });
    const released = await p.api('DELETE', `/api/v1/coupons/holds/${held.body.holdId}`, { key: t.keys.pos });
    expect(released.body.status).toBe('released');
    expect((await validate(inStore([code!]))).body.results[0].valid).toBe(true);
    expect((await p.api('DELETE', `/api/v1/coupons/holds/${held.body.holdId}`, { key: t.keys.pos })).status).toBe(422);
  });

  it('treats an expired hold as released when read, and the sweeper gives its use back', async () => {
    const c = await campaign({ budget: { redemptions: 1 } });
    const [code] = await uniqueCodes(c.campaignId, 1);
    const held = await hold(inStore([code!]));
    expect(await reasonOf(inStore([code!]))).toBe('already-redeemed');

    clock.offset = 11 * 60_000;
    expect((await validate(inStore([code!]))).body.results[0].valid).toBe(true);
    expect((await p.api('GET', `/api/v1/coupons/holds/${held.body.holdId}`, { key: t.keys.pos })).body).toMatchObject({
      status: 'released',
      reason: 'hold-expired',
    });

    await p.platform.services.coupons.sweep(p.platform.logger);
    clock.offset = 0;
    expect((await validate(inStore([code!]))).body.results[0].valid).toBe(true);
    expect((await p.api('GET', `/api/v1/campaigns/${c.campaignId}`, { key: t.keys.admin })).body.redemptions).toBe(0);
  });

  it('lets a new checkout take a use an expired hold still occupies, before the sweeper runs', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    expect((await hold(inStore([code!]))).status).toBe(201);
    clock.offset = 11 * 60_000;
    expect((await hold(inStore([code!]))).status).toBe(201);
    expect((await hold(inStore([code!]))).status).toBe(422);
  });

  it('records a sale whose expired hold was taken by another checkout, without counting the use twice', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const first = await hold(inStore([code!]));
    clock.offset = 11 * 60_000;
    expect((await hold(inStore([code!]))).status).toBe(201);
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ couponHoldId: first.body.holdId, coupons: [code] }) });
    await p.bus.idle();
    const records = await p.api('GET', `/api/v1/transactions/${s.body.transactionId}/coupons`, { key: t.keys.admin });
    expect(records.body.items).toEqual([expect.objectContaining({ holdId: first.body.holdId, status: 'confirmed', reason: 'hold-expired' })]);
    expect(await reasonOf(inStore([code!]))).toBe('already-redeemed');
  });

  it('finishes a confirmation a crash interrupted, on the next sweep', async () => {
    const c = await campaign({ budget: { redemptions: 3 } });
    const [code] = await uniqueCodes(c.campaignId, 1);
    const held = await hold(inStore([code!]));
    const stored = (await store.all('coupons', t.tenantId)).find((d) => d.id === `hold:${held.body.holdId}`);
    // The hold says confirmed, but the process stopped before the counters followed.
    await store.replace('coupons', { ...stored, status: 'confirmed', settled: false, updatedAt: '2026-01-01T00:00:00.000Z' });
    await p.platform.services.coupons.sweep(p.platform.logger);
    const counters = (await store.all('coupons', t.tenantId)).filter(
      (d) => d.id === `campaign:${c.campaignId.slice(4).toUpperCase()}` || d.id === `code:${code!.replace(/-/g, '')}`,
    );
    expect(counters.map((d) => [d.used, Object.keys(d.pending).length])).toEqual([
      [1, 0],
      [1, 0],
    ]);
  });

  it('is confirmed by the sale that carries it, which then cannot be released', async () => {
    const c = await campaign({ budget: { redemptions: 5 } });
    const [code] = await uniqueCodes(c.campaignId, 1);
    const held = await hold(inStore([code!]));
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ couponHoldId: held.body.holdId, coupons: [code] }) });
    expect(s.status).toBe(201);
    await p.bus.idle();
    const after = await p.api('GET', `/api/v1/coupons/holds/${held.body.holdId}`, { key: t.keys.pos });
    expect(after.body).toMatchObject({ status: 'confirmed', transactionId: s.body.transactionId });
    expect((await p.api('DELETE', `/api/v1/coupons/holds/${held.body.holdId}`, { key: t.keys.pos })).status).toBe(422);
    clock.offset = 60 * 60_000;
    await p.platform.services.coupons.sweep(p.platform.logger);
    expect((await p.api('GET', `/api/v1/campaigns/${c.campaignId}`, { key: t.keys.admin })).body.redemptions).toBe(1);
    expect(await reasonOf(inStore([code!]))).toBe('already-redeemed');
  });
});

describe('personal coupons across channels', () => {
  it('issues a personal coupon online that the customer redeems in store, refused a second time online', async () => {
    const ana = await customer('ana.personal@example.com');
    const c = await campaign({ name: 'Welcome back', discount: { type: 'fixedAmount', amount: 500 } });
    const issued = await p.api('POST', `/api/v1/campaigns/${c.campaignId}/codes`, { key: t.keys.admin, body: { customerId: ana } });
    expect(issued.status).toBe(201);
    const [code] = issued.body.codes;

    const wallet = await p.api('GET', `/api/v1/customers/${ana}/coupons`, { key: t.keys.ecommerce });
    expect(wallet.body.items).toEqual([expect.objectContaining({ code, name: 'Welcome back', usesLeft: 1 })]);
    const view = await p.api('GET', `/api/v1/customers/${ana}`, { key: t.keys.pos });
    expect(view.body.coupons).toEqual([expect.objectContaining({ code, usesLeft: 1 })]);

    expect(await reasonOf(inStore([code], { customerId: await customer('someone.else@example.com') }))).toBe('not-this-customer');
    const held = await hold(inStore([code], { customerId: ana }));
    expect(held.status).toBe(201);
    const body = sale({ couponHoldId: held.body.holdId, coupons: [code], customer: { identifiers: [{ type: 'email', value: 'ana.personal@example.com' }] } });
    expect((await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body })).status).toBe(201);
    await p.bus.idle();

    expect(await reasonOf(online([code], { customerId: ana }), t.keys.ecommerce)).toBe('already-redeemed');
    expect((await p.api('GET', `/api/v1/customers/${ana}/coupons`, { key: t.keys.ecommerce })).body.items[0].usesLeft).toBe(0);
  });
});

describe('personal coupons follow the customer', () => {
  it('moves them to the survivor of a merge, where the 360 view and export show them', async () => {
    const [kept, merged] = [await customer('kept.wallet@example.com'), await customer('merged.wallet@example.com')];
    const c = await campaign({ name: 'Birthday' });
    const issued = await p.api('POST', `/api/v1/campaigns/${c.campaignId}/codes`, { key: t.keys.admin, body: { customerId: merged } });
    expect((await p.api('POST', `/api/v1/customers/${kept}/merge`, { key: t.keys.admin, body: { customerId: merged, reason: 'same person' } })).status).toBe(
      200,
    );
    const view = await p.api('GET', `/api/v1/customers/${kept}`, { key: t.keys.admin });
    expect(view.body.coupons).toEqual([expect.objectContaining({ code: issued.body.codes[0], name: 'Birthday' })]);
    const exported = await p.api('GET', `/api/v1/customers/${kept}/export`, { key: t.keys.admin });
    expect(exported.body.coupons).toHaveLength(1);
  });
});

describe('codes sent with an offline sale', () => {
  it('redeems them when the sale is recorded, and records why when it cannot', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const first = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ coupons: [code] }) });
    const second = await p.api('POST', '/api/v1/transactions', { key: t.keys.posOtherStore, body: sale({ locationId: 'store-2', coupons: [code] }) });
    await p.bus.idle();
    const redeemed = await p.api('GET', `/api/v1/transactions/${first.body.transactionId}/coupons`, { key: t.keys.admin });
    expect(redeemed.body.items).toEqual([expect.objectContaining({ status: 'confirmed', transactionId: first.body.transactionId })]);
    const refused = await p.api('GET', `/api/v1/transactions/${second.body.transactionId}/coupons`, { key: t.keys.admin });
    expect(refused.body.items).toEqual([expect.objectContaining({ status: 'refused', reason: 'already-redeemed' })]);
  });

  it('redeems once however often the event is delivered', async () => {
    const c = await publicCampaign({ budget: { redemptions: 10 } });
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ coupons: [c.code] }) });
    await p.bus.idle();
    const event = { specversion: '1.0', id: `evt_${s.body.transactionId}`, type: 'transaction.recorded', tenantid: t.tenantId, data: s.body };
    for (let i = 0; i < 3; i += 1) await p.platform.services.coupons.handle(event as never, p.platform.logger);
    expect((await p.api('GET', `/api/v1/campaigns/${c.campaignId}`, { key: t.keys.admin })).body.redemptions).toBe(1);
  });
});

describe('returns', () => {
  it('restores the use when the sale is returned in full, not on a partial return', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ coupons: [code] }) });
    await p.bus.idle();
    const giveBack = (sku: string, quantity: number, unitPrice: number, discount = 0) =>
      onlineSale({
        type: 'return',
        originalTransactionId: s.body.transactionId,
        lines: [{ sku, quantity, unitPrice, taxRate: 21, discount }],
        tenders: [{ type: 'card', amount: quantity * unitPrice - discount }],
      });
    await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: giveBack('SKU-1', 2, 1999) });
    await p.bus.idle();
    expect(await reasonOf(online([code!]), t.keys.ecommerce)).toBe('already-redeemed');
    await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: giveBack('SKU-2', 1, 500, 100) });
    await p.bus.idle();
    expect((await validate(online([code!]), t.keys.ecommerce)).body.results[0].valid).toBe(true);
  });
});

describe('a return whose event comes before its sale’s', () => {
  it('is redelivered until the sale has redeemed its coupons, then restores the use', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 1);
    await p.bus.idle();
    const release = p.bus.holdDeliveries();
    const s = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ coupons: [code], lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21 }], tenders: [{ type: 'card', amount: 1999 }] }),
    });
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        type: 'return',
        originalTransactionId: s.body.transactionId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21 }],
        tenders: [{ type: 'card', amount: 1999 }],
      }),
    });
    const event = (data: unknown) => ({ specversion: '1.0', id: 'evt', type: 'transaction.recorded', tenantid: t.tenantId, data }) as never;
    // The subscription's deliveries are held: hand the events over in the wrong order, as a redelivery would.
    await expect(p.platform.services.coupons.handle(event(r.body), p.platform.logger)).rejects.toThrow('not redeemed yet');
    expect(await p.platform.services.coupons.handle(event(s.body), p.platform.logger)).toBe('confirmed');
    expect(await p.platform.services.coupons.handle(event(r.body), p.platform.logger)).toBe('restored');
    release();
    await p.bus.idle();
    expect((await validate(inStore([code!]))).body.results[0].valid).toBe(true);
    expect((await p.api('GET', `/api/v1/transactions/${s.body.transactionId}/coupons`, { key: t.keys.admin })).body.items[0].status).toBe('restored');
  });
});

describe('checkout-path cost', () => {
  async function count(call: () => Promise<unknown>) {
    await p.bus.idle();
    const m = p.platform.cosmosMetrics;
    m.reset();
    await call();
    return { reads: m.reads, writes: m.writes, queries: m.queries };
  }

  it('validates a public code in 2 point reads and holds it in 2 reads and 2 writes', async () => {
    const c = await publicCampaign({ budget: { redemptions: 100 } });
    expect(await count(() => validate(inStore([c.code])))).toEqual({ reads: 2, writes: 0, queries: 0 });
    expect(await count(() => hold(inStore([c.code])))).toEqual({ reads: 2, writes: 2, queries: 0 });
  });

  it('validates a unique code in 2 point reads and holds it in 2 reads and 2 writes (3 with a campaign budget)', async () => {
    const [code] = await uniqueCodes((await campaign()).campaignId, 2);
    expect(await count(() => validate(inStore([code!])))).toEqual({ reads: 2, writes: 0, queries: 0 });
    expect(await count(() => hold(inStore([code!])))).toEqual({ reads: 2, writes: 2, queries: 0 });
    const [budgeted] = await uniqueCodes((await campaign({ budget: { redemptions: 10 } })).campaignId, 1);
    expect(await count(() => hold(inStore([budgeted!])))).toEqual({ reads: 2, writes: 3, queries: 0 });
  });

  it('generates 100,000 unique codes in one call, with one write', async () => {
    const c = await campaign();
    const m = p.platform.cosmosMetrics;
    m.reset();
    const codes = await uniqueCodes(c.campaignId, 100_000);
    expect(m.writes).toBe(1);
    expect(new Set(codes).size).toBe(100_000);
    expect(codes.every((code) => /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/.test(code))).toBe(true);
    expect((await validate(inStore([codes[99_999]!]))).body.results[0].valid).toBe(true);
  });
});
