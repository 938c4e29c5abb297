import { onlineSale, sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

const program = {
  name: 'Club',
  currency: 'EUR',
  earn: { pointsPerUnit: 1 },
  redemption: { pointValue: 1, minimumPoints: 0 },
};

beforeAll(async () => {
  expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program })).status).toBe(200);
});

let n = 0;
const unique = (what: string) => `${what}-${Date.now()}-${++n}`;
const record = (body: Record<string, unknown>, key = t.keys.pos) => p.api('POST', '/api/v1/transactions', { key, body });
/** The fixture's basket (43.98) paid with `tenders`; the rest by card. */
const paidWith = (tenders: Array<Record<string, unknown>>, overrides: Record<string, unknown> = {}) => {
  const claimed = tenders.reduce((sum, t) => sum + (t.amount as number), 0);
  return sale({ tenders: [...tenders, ...(claimed < 4398 ? [{ type: 'card', amount: 4398 - claimed }] : [])], ...overrides });
};

async function cardWithRedemption(amount: number, tenant: TestTenant = t) {
  const card = await p.api('POST', '/api/v1/gift-cards', { key: tenant.keys.admin, body: { amount: 5000, currency: 'EUR', reference: unique('card') } });
  expect(card.status).toBe(201);
  const redemption = await p.api('POST', `/api/v1/gift-cards/${card.body.giftCardId}/redemptions`, {
    key: tenant.keys.pos,
    body: { amount, reference: unique('pay') },
  });
  expect(redemption.status).toBe(201);
  return { giftCardId: card.body.giftCardId as string, operationId: redemption.body.operationId as string };
}

async function memberWithRedemption(points: number) {
  const customer = { identifiers: [{ type: 'email', value: `${unique('member')}@example.com` }] };
  // 43.98 earns 43 points; two sales earn 86.
  let customerId = '';
  for (let i = 0; i < 2; i += 1) customerId = (await record(onlineSale({ customer }), t.keys.ecommerce)).body.customerId;
  await p.bus.idle();
  const reference = unique('points');
  const r = await p.api('POST', `/api/v1/customers/${customerId}/loyalty/redemptions`, { key: t.keys.pos, body: { points, reference } });
  expect(r.status).toBe(201);
  return { customer, customerId, reference };
}

describe('gift card tenders name a redemption of exactly that amount, used by one sale', () => {
  it('refuses a tender without a reference, with no redemption behind it, of another amount, or of another tenant', async () => {
    const { operationId } = await cardWithRedemption(1000);
    const other = await cardWithRedemption(1000, await p.createTenant());
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'giftCard', amount: 1000 }, 'tender-reference-required'],
      [{ type: 'giftCard', amount: 1000, reference: 'gcr_nothing' }, 'tender-redemption-not-found'],
      [{ type: 'giftCard', amount: 1000, reference: operationId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, 'tender-redemption-not-found'],
      [{ type: 'giftCard', amount: 3998, reference: operationId }, 'tender-amount-mismatch'],
      [{ type: 'giftCard', amount: 1000, reference: other.operationId }, 'tender-redemption-not-found'],
    ];
    for (const [tender, reason] of cases) {
      const r = await record(paidWith([tender]));
      expect([reason, r.status, r.body.reason]).toEqual([reason, 422, reason]);
    }
    expect((await record(paidWith([{ type: 'giftCard', amount: 1000, reference: operationId }]))).status).toBe(201);
  });

  it('lets one sale use a redemption: another sale is refused, the same sale retried replays', async () => {
    const { giftCardId, operationId } = await cardWithRedemption(1000);
    const body = paidWith([{ type: 'giftCard', amount: 1000, reference: operationId }]);
    const first = await record(body);
    expect(first.status).toBe(201);
    const again = await record(body);
    expect(again.status).toBe(200);
    expect(again.body.transactionId).toBe(first.body.transactionId);
    const second = await record(paidWith([{ type: 'giftCard', amount: 1000, reference: operationId }]));
    expect(second.status).toBe(422);
    expect(second.body.reason).toBe('tender-redemption-used');
    const history = (await p.api('GET', `/api/v1/gift-cards/${giftCardId}`, { key: t.keys.admin })).body.history;
    expect(history.find((h: { operationId: string }) => h.operationId === operationId).transactionId).toBe(first.body.transactionId);
  });

  it('accepts exactly one of ten sales tendering one redemption at once', async () => {
    const { operationId } = await cardWithRedemption(2000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => record(paidWith([{ type: 'giftCard', amount: 2000, reference: operationId }]), i % 2 ? t.keys.pos : t.keys.admin)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body.reason)).toEqual(Array(9).fill('tender-redemption-used'));
  });
});

describe('points tenders name a redemption of exactly that value, used by one sale', () => {
  it('refuses a points tender with no redemption behind it, a smaller one, or on an anonymous sale', async () => {
    const { customer, reference } = await memberWithRedemption(50);
    const cases: Array<[Record<string, unknown>, Record<string, unknown>, string]> = [
      [{ type: 'points', amount: 50, reference: 'no-such-redemption' }, { customer }, 'tender-redemption-not-found'],
      [{ type: 'points', amount: 80, reference }, { customer }, 'tender-amount-mismatch'],
      [{ type: 'points', amount: 50, reference }, {}, 'tender-redemption-not-found'],
      [{ type: 'points', amount: 50 }, { customer }, 'tender-reference-required'],
    ];
    for (const [tender, overrides, reason] of cases) {
      const r = await record(paidWith([tender], overrides));
      expect([reason, r.status, r.body.reason]).toEqual([reason, 422, reason]);
    }
    expect((await record(paidWith([{ type: 'points', amount: 50, reference }], { customer }))).status).toBe(201);
  });

  it('accepts exactly one of two sales tendering one redemption at once', async () => {
    const { customer, reference } = await memberWithRedemption(40);
    const results = await Promise.all([1, 2].map(() => record(paidWith([{ type: 'points', amount: 40, reference }], { customer }))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(results.find((r) => r.status === 422)!.body.reason).toBe('tender-redemption-used');
  });

  it('keeps a claim made by a sale that stopped before it was recorded for that sale’s retry, and frees it later if never retried', async () => {
    const { customer, customerId, reference } = await memberWithRedemption(30);
    // The points are claimed, then the gift card tender is refused: nothing is recorded.
    const refused = paidWith(
      [
        { type: 'points', amount: 30, reference },
        { type: 'giftCard', amount: 100, reference: 'gcr_nothing' },
      ],
      { customer },
    );
    expect((await record(refused)).body.reason).toBe('tender-redemption-not-found');
    // Another sale cannot use the redemption; the same sale, corrected, can.
    expect((await record(paidWith([{ type: 'points', amount: 30, reference }], { customer }))).body.reason).toBe('tender-redemption-used');
    const retried = await record({
      ...refused,
      tenders: [
        { type: 'points', amount: 30, reference },
        { type: 'card', amount: 4368 },
      ],
    });
    expect(retried.status).toBe(201);

    // Never retried: the claim holds until it is 15 minutes old, then the points can be given back.
    const stuck = await memberWithRedemption(20);
    const abandoned = paidWith(
      [
        { type: 'points', amount: 20, reference: stuck.reference },
        { type: 'giftCard', amount: 100, reference: 'gcr_nothing' },
      ],
      { customer: stuck.customer },
    );
    expect((await record(abandoned)).status).toBe(422);
    const cancel = () => p.api('POST', `/api/v1/customers/${stuck.customerId}/loyalty/redemptions/${stuck.reference}/cancel`, { key: t.keys.pos });
    expect((await cancel()).body.reason).toBe('redemption-used');
    p.advanceClock(16 * 60_000);
    const freed = await cancel();
    expect(freed.status).toBe(200);
    expect(freed.body.status).toBe('cancelled');
    // A used one stays used.
    expect((await p.api('POST', `/api/v1/customers/${customerId}/loyalty/redemptions/${reference}/cancel`, { key: t.keys.pos })).body.reason).toBe(
      'redemption-used',
    );
    // The abandoned sale retried after that is refused: its points went back.
    expect(
      (
        await record({
          ...abandoned,
          tenders: [
            { type: 'points', amount: 20, reference: stuck.reference },
            { type: 'card', amount: 4378 },
          ],
        })
      ).body.reason,
    ).toBe('tender-redemption-cancelled');
  });
});
