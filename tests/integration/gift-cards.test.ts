import { onlineSale, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

let counter = 0;
async function issue(amount: number, key = t.keys.admin, extra: Record<string, unknown> = {}) {
  counter += 1;
  const r = await p.api('POST', '/api/v1/gift-cards', { key, body: { amount, currency: 'EUR', reference: `issue-${Date.now()}-${counter}`, ...extra } });
  expect(r.status).toBe(201);
  return r.body as { giftCardId: string; code: string; pin: string; balance: number };
}
const redeem = (giftCardId: string, amount: number, reference: string, key = t.keys.pos) =>
  p.api('POST', `/api/v1/gift-cards/${giftCardId}/redemptions`, { key, body: { amount, reference } });

describe('gift cards across channels', () => {
  it('issues with a code and PIN shown once, and is idempotent on the reference', async () => {
    const body = { amount: 5000, currency: 'EUR', reference: 'order-77' };
    const first = await p.api('POST', '/api/v1/gift-cards', { key: t.keys.admin, body });
    expect(first.status).toBe(201);
    expect(first.body.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(first.body.pin).toMatch(/^\d{6}$/);
    const again = await p.api('POST', '/api/v1/gift-cards', { key: t.keys.admin, body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ giftCardId: first.body.giftCardId, balance: 5000 });
    expect(again.body.code).toBeUndefined();
  });

  it('is found by code and PIN, stores neither in clear, and redeems partially in both channels', async () => {
    const card = await issue(5000);
    const found = await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.pos, body: { code: card.code.toLowerCase(), pin: card.pin } });
    expect(found.body).toMatchObject({ giftCardId: card.giftCardId, balance: 5000 });

    const inStore = await redeem(card.giftCardId, 1200, 'till-1/T-1');
    expect(inStore.status).toBe(201);
    expect(inStore.body).toMatchObject({ balance: 3800, type: 'redemption', channel: 'store' });
    expect(inStore.body.operationId).toMatch(/^gcr_/);
    expect((await redeem(card.giftCardId, 1200, 'till-1/T-1')).body).toMatchObject({ operationId: inStore.body.operationId, balance: 3800 });
    expect((await redeem(card.giftCardId, 1200, 'till-1/T-1')).status).toBe(200);
    expect((await redeem(card.giftCardId, 800, 'web/W-1', t.keys.ecommerce)).body.balance).toBe(3000);

    const tooMuch = await redeem(card.giftCardId, 3001, 'till-1/T-2');
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.reason).toBe('insufficient-balance');

    const stored = JSON.stringify(await store.all('giftCards', t.tenantId));
    expect(stored).toContain(card.giftCardId);
    expect(stored).not.toContain(card.pin);
    expect(stored).not.toContain(card.code.replace(/-/g, ''));
  });

  it('refunds to the card on a return, never more than was redeemed, and reloads', async () => {
    const card = await issue(3000);
    await redeem(card.giftCardId, 2000, 'T-10');
    const refund = await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/refunds`, { key: t.keys.ecommerce, body: { amount: 500, reference: 'R-1' } });
    expect(refund.body.balance).toBe(1500);
    const tooMuch = await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/refunds`, { key: t.keys.pos, body: { amount: 1600, reference: 'R-2' } });
    expect(tooMuch.body.reason).toBe('refund-exceeds-redeemed');
    const reload = await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/reloads`, { key: t.keys.admin, body: { amount: 2500, reference: 'L-1' } });
    expect(reload.body.balance).toBe(4000);
    const history = (await p.api('GET', `/api/v1/gift-cards/${card.giftCardId}`, { key: t.keys.admin })).body.history;
    expect(history.map((h: { type: string }) => h.type)).toEqual(['issue', 'redemption', 'refund', 'reload']);
    const reused = await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/reloads`, { key: t.keys.admin, body: { amount: 1, reference: 'L-1' } });
    expect(reused.status).toBe(409);
  });

  it('refuses an expired card', async () => {
    const card = await issue(1000, t.keys.admin, { expiresAt: '2026-01-01T00:00:00Z' });
    const r = await redeem(card.giftCardId, 100, 'late');
    expect(r.body.reason).toBe('gift-card-expired');
  });

  it('stays inactive until the sale that sells it, then pays part of a store sale', async () => {
    const card = await issue(2500, t.keys.ecommerce, { activateOnSale: true });
    expect((await redeem(card.giftCardId, 100, 'early')).body.reason).toBe('gift-card-not-active');
    const bought = onlineSale({
      lines: [{ sku: 'GIFT-25', quantity: 1, unitPrice: 2500, taxRate: 0, giftCardId: card.giftCardId }],
      tenders: [{ type: 'card', amount: 2500 }],
    });
    expect((await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: bought })).status).toBe(201);
    await p.bus.idle();
    const paid = await redeem(card.giftCardId, 2000, 'T-55');
    expect(paid.status).toBe(201);
    const s = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        tenders: [
          { type: 'giftCard', amount: 2000, reference: paid.body.operationId },
          { type: 'card', amount: 2398 },
        ],
      }),
    });
    expect(s.status).toBe(201);
    expect(await p.platform.services.giftCards.balance(t.tenantId, card.giftCardId)).toEqual({ balance: 500, currency: 'EUR' });
  });
});

describe('gift cards under concurrency', () => {
  it('never goes negative with 100 parallel redemptions', async () => {
    const card = await issue(1000);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => redeem(card.giftCardId, 30, `par-${i}`, i % 2 ? t.keys.pos : t.keys.ecommerce)));
    const succeeded = results.filter((r) => r.status === 201).length;
    expect(succeeded).toBe(33);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.reason === 'insufficient-balance')).toBe(true);
    expect((await p.api('GET', `/api/v1/gift-cards/${card.giftCardId}`, { key: t.keys.admin })).body.balance).toBe(10);
  });
});

describe('enumeration throttling', () => {
  it('refuses lookups from a key after 5 failures, whatever the code, while other keys go on', async () => {
    const card = await issue(1000);
    for (let i = 0; i < 5; i += 1) {
      const miss = await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.posOtherStore, body: { code: `AAAA-BBBB-CCCC-${1000 + i}`, pin: '000000' } });
      expect(miss.status).toBe(404);
    }
    const blocked = await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.posOtherStore, body: { code: card.code, pin: card.pin } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.reason).toBe('lookup-throttled');
    const wrongPin = await p.api('POST', '/api/v1/gift-cards/lookup', {
      key: t.keys.pos,
      body: { code: card.code, pin: card.pin === '000000' ? '111111' : '000000' },
    });
    expect(wrongPin.status).toBe(404);
    expect((await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.pos, body: { code: card.code, pin: card.pin } })).status).toBe(200);
  });
});

describe('checkout-path cost of gift cards', () => {
  it('redeems in one write, looks up in 2 reads and 4 writes (each PIN check taken, then given back, per key and per card)', async () => {
    const card = await issue(1000);
    const m = p.platform.cosmosMetrics;
    m.reset();
    await redeem(card.giftCardId, 100, 'cost-1');
    expect({ reads: m.reads, writes: m.writes, queries: m.queries }).toEqual({ reads: 0, writes: 1, queries: 0 });
    m.reset();
    await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.pos, body: { code: card.code, pin: card.pin } });
    // The card's first lookup also creates its window of checks.
    expect({ reads: m.reads, writes: m.writes, queries: m.queries }).toEqual({ reads: 2, writes: 5, queries: 0 });
    m.reset();
    await p.api('POST', '/api/v1/gift-cards/lookup', { key: t.keys.pos, body: { code: card.code, pin: card.pin } });
    expect({ reads: m.reads, writes: m.writes, queries: m.queries }).toEqual({ reads: 2, writes: 4, queries: 0 });
  });
});
