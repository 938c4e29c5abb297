import type { EventOf } from '../../shared/kernel/events';
import type { TransactionRecorded } from '../../shared/transactions';
import { onlineSale, sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

let n = 0;
const unique = (what: string) => `${what}-${Date.now()}-${++n}`;
const issue = (key: string, body: Record<string, unknown>) =>
  p.api('POST', '/api/v1/gift-cards', { key, body: { currency: 'EUR', reference: unique('card'), ...body } });
const reload = (giftCardId: string, key: string, amount: number) =>
  p.api('POST', `/api/v1/gift-cards/${giftCardId}/reloads`, { key, body: { amount, reference: unique('reload') } });
const card = async (giftCardId: string) => (await p.api('GET', `/api/v1/gift-cards/${giftCardId}`, { key: t.keys.admin })).body;
const record = (body: Record<string, unknown>, key = t.keys.pos) => p.api('POST', '/api/v1/transactions', { key, body });
const cardLine = (giftCardId: string, amount: number) => ({ sku: 'GIFT-CARD', quantity: 1, unitPrice: amount, taxRate: 0, giftCardId });
const sellCard = (giftCardId: string, amount: number, overrides: Record<string, unknown> = {}) =>
  sale({ lines: [cardLine(giftCardId, amount)], tenders: [{ type: 'card', amount }], ...overrides });

describe('money enters a card only through a sale line that names it, or an admin key', () => {
  it('refuses pos and ecommerce keys issuing an active card with a balance, or reloading one; admin keys may', async () => {
    for (const key of [t.keys.pos, t.keys.ecommerce]) {
      const r = await issue(key, { amount: 10_000_000_000 });
      expect(r.status).toBe(403);
      expect(r.body.reason).toBe('gift-card-issue-requires-admin');
    }
    const issued = await issue(t.keys.admin, { amount: 5000 });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ balance: 5000, status: 'active' });
    expect((await reload(issued.body.giftCardId, t.keys.ecommerce, 100)).status).toBe(403);
    expect((await reload(issued.body.giftCardId, t.keys.pos, 100)).status).toBe(403);
    expect((await reload(issued.body.giftCardId, t.keys.admin, 100)).body.balance).toBe(5100);
    expect((await card(issued.body.giftCardId)).balance).toBe(5100);
  });

  it('gives a card a till issues nothing until the sale line of its face value is recorded, then what that line was paid', async () => {
    const issued = await issue(t.keys.pos, { amount: 2500, activateOnSale: true });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ balance: 0, status: 'inactive', faceValue: 2500 });
    const id = issued.body.giftCardId as string;
    // A line of another amount, or naming no card, is refused before anything is recorded.
    expect((await record(sellCard(id, 250_000))).body.reason).toBe('gift-card-amount-mismatch');
    expect((await record(sellCard('gc_nothing', 2500))).body.reason).toBe('gift-card-not-found');
    expect((await record(sellCard(id, 2500))).status).toBe(201);
    await p.bus.idle();
    expect(await card(id)).toMatchObject({ balance: 2500, status: 'active' });
    expect((await card(id)).history.map((h: { type: string; amount: number }) => [h.type, h.amount])).toEqual([
      ['issue', 0],
      ['activation', 2500],
    ]);
  });

  it('reloads an active card from a sale line, online too, once per line however often the sale is delivered', async () => {
    const id = (await issue(t.keys.admin, { amount: 1000 })).body.giftCardId as string;
    const sold = await record(
      onlineSale({ lines: [cardLine(id, 1500)], tenders: [{ type: 'card', amount: 1500 }], externalId: unique('WEB') }),
      t.keys.ecommerce,
    );
    expect(sold.status).toBe(201);
    await p.bus.idle();
    expect((await card(id)).balance).toBe(2500);
    const event = { specversion: '1.0', id: `evt_${sold.body.transactionId}`, type: 'transaction.recorded', tenantid: t.tenantId, data: sold.body };
    await Promise.all([1, 2, 3].map(() => p.platform.services.giftCards.handle(event as unknown as EventOf<typeof TransactionRecorded>, p.platform.logger)));
    expect((await card(id)).balance).toBe(2500);
  });
});

describe('a tenant setting caps every card’s balance', () => {
  it('defaults to 1,000.00 and refuses issues, reloads, refunds and sale loads beyond it', async () => {
    const settings = await p.api('GET', '/api/v1/settings/gift-cards', { key: t.keys.admin });
    expect(settings.body).toEqual({ maxBalance: 100_000, updatedAt: null });
    expect((await p.api('GET', '/api/v1/settings/gift-cards', { key: t.keys.pos })).status).toBe(403);

    expect((await issue(t.keys.admin, { amount: 100_001 })).body.reason).toBe('gift-card-balance-cap');
    const id = (await issue(t.keys.admin, { amount: 99_000 })).body.giftCardId as string;
    expect((await reload(id, t.keys.admin, 1001)).body.reason).toBe('gift-card-balance-cap');
    expect((await reload(id, t.keys.admin, 1000)).body.balance).toBe(100_000);
    expect((await record(sellCard(id, 100))).body.reason).toBe('gift-card-balance-cap');
    // A sale that loaded a card up to the cap still replays when retried.
    const upTo = (await issue(t.keys.admin, { amount: 99_000 })).body.giftCardId as string;
    const body = sellCard(upTo, 1000);
    expect((await record(body)).status).toBe(201);
    await p.bus.idle();
    expect((await card(upTo)).balance).toBe(100_000);
    expect((await record(body)).status).toBe(200);
    // Spent, then refunded: a refund may not pass the cap either (it cannot here, it gives back what was spent).
    await p.api('POST', `/api/v1/gift-cards/${id}/redemptions`, { key: t.keys.pos, body: { amount: 500, reference: unique('pay') } });
    await reload(id, t.keys.admin, 500);
    const refund = await p.api('POST', `/api/v1/gift-cards/${id}/refunds`, { key: t.keys.pos, body: { amount: 500, reference: unique('refund') } });
    expect(refund.body.reason).toBe('gift-card-balance-cap');
    expect((await card(id)).balance).toBe(100_000);
  });

  it('is set by admin keys, and binds from then on', async () => {
    const put = await p.api('PUT', '/api/v1/settings/gift-cards', { key: t.keys.admin, body: { maxBalance: 5000 } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ maxBalance: 5000, updatedAt: expect.any(String) });
    expect((await p.api('PUT', '/api/v1/settings/gift-cards', { key: t.keys.pos, body: { maxBalance: 10 ** 9 } })).status).toBe(403);
    expect((await issue(t.keys.admin, { amount: 5001 })).body.reason).toBe('gift-card-balance-cap');
    expect((await issue(t.keys.pos, { amount: 5001, activateOnSale: true })).body.reason).toBe('gift-card-balance-cap');
    expect((await issue(t.keys.admin, { amount: 5000 })).status).toBe(201);
    await p.api('PUT', '/api/v1/settings/gift-cards', { key: t.keys.admin, body: { maxBalance: 100_000 } });
  });
});
