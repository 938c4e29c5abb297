import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { TopicFunction } from '../../shared/edge/definition';
import type { CloudEvent } from '../../shared/kernel/events';
import { normalizeCode } from '../../shared/coupons';
import { onlineSale, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

/** Real time, moved forward when a test needs days to pass. */
const clock = { offset: 0, now: () => new Date(Date.now() + clock.offset) };
let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context), { clock });

const DAY = 86_400_000;
const program = {
  name: 'Club',
  currency: 'EUR',
  earn: { pointsPerUnit: 1 },
  pendingDays: 0,
  redemption: { pointValue: 5, minimumPoints: 0 },
  tiers: {
    basis: 'spend',
    levels: [
      { code: 'bronze', name: 'Bronze', threshold: 0 },
      { code: 'silver', name: 'Silver', threshold: 100_000 },
    ],
  },
};

// Each test in a tenant of its own: rules act on every sale of their tenant.
beforeEach(async () => {
  t = await p.createTenant();
  expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program })).status).toBe(200);
});
afterEach(() => jest.restoreAllMocks());

const now = () => clock.now().toISOString();
const email = () => ({ identifiers: [{ type: 'email', value: `offers-${randomBytes(5).toString('hex')}@example.com` }] });

async function campaign(overrides: Record<string, unknown> = {}): Promise<string> {
  const r = await p.api('POST', '/api/v1/campaigns', {
    key: t.keys.admin,
    body: { name: 'Welcome', discount: { type: 'percentage', percent: 10 }, validFrom: '2026-01-01T00:00:00Z', validTo: '2030-01-01T00:00:00Z', ...overrides },
  });
  expect(r.status).toBe(201);
  return r.body.campaignId;
}

async function rule(body: Record<string, unknown>, key = t.keys.admin) {
  const r = await p.api('POST', '/api/v1/offers/rules', { key, body: { name: 'A rule', ...body } });
  expect(r.status).toBe(201);
  return r.body;
}

/** A store sale by a customer, happening now on the platform's clock. */
async function buy(customer: unknown, overrides: Record<string, unknown> = {}, key = t.keys.pos) {
  const body = (key === t.keys.ecommerce ? onlineSale : sale)({ customer, occurredAt: now(), ...overrides });
  const r = await p.api('POST', '/api/v1/transactions', { key, body });
  expect(r.status).toBe(201);
  return r.body;
}

async function wallet(customerId: string) {
  await p.bus.idle();
  const r = await p.api('GET', `/api/v1/customers/${customerId}/coupons`, { key: t.keys.admin });
  expect(r.status).toBe(200);
  return r.body.items as Array<{ code: string; campaignId: string; usesLeft: number }>;
}

const report = async (ruleId: string) => {
  await p.bus.idle();
  return (await p.api('GET', `/api/v1/offers/rules/${ruleId}/report`, { key: t.keys.admin })).body;
};

/** The events of this type published from now on (every type, for ''). */
function capture(type: string): CloudEvent[] {
  const seen: CloudEvent[] = [];
  const original = p.bus.publish.bind(p.bus);
  jest.spyOn(p.bus, 'publish').mockImplementation(async (events) => {
    await original(events);
    seen.push(...events.filter((e) => type === '' || e.type === type));
  });
  return seen;
}

const lines = [
  { sku: 'SKU-1', quantity: 2, unitPrice: 1999, category: 'shirts' },
  { sku: 'SKU-2', quantity: 1, unitPrice: 500, category: 'socks' },
];

describe('first purchase -> welcome coupon, in both channels', () => {
  it('issues a personal coupon on the first store purchase only; redeemed online, it is then refused in store', async () => {
    const welcome = await campaign();
    const r = await rule({ trigger: { type: 'first-purchase' }, actions: [{ type: 'issue-coupon', campaignId: welcome }], cap: { type: 'once' } });
    const customer = email();
    const first = await buy(customer);
    const items = await wallet(first.customerId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ campaignId: welcome, usesLeft: 1, source: `rule:${r.ruleId}` });
    await buy(customer);
    expect(await wallet(first.customerId)).toHaveLength(1);

    const code = items[0]!.code;
    const online = { codes: [code], customerId: first.customerId, channel: 'online', locationId: 'web', lines };
    const held = await p.api('POST', '/api/v1/coupons/holds', { key: t.keys.ecommerce, body: online });
    expect(held.status).toBe(201);
    await buy(customer, { couponHoldId: held.body.holdId }, t.keys.ecommerce);
    await p.bus.idle();

    const inStore = await p.api('POST', '/api/v1/coupons/validate', { key: t.keys.pos, body: { ...online, channel: 'store', locationId: 'store-1' } });
    expect(inStore.body.results[0]).toMatchObject({ valid: false, reason: 'already-redeemed' });
    expect(await report(r.ruleId)).toMatchObject({ triggered: 1, acted: 1, capped: 0, couponsIssued: 1, couponsRedeemed: { store: 0, online: 1 } });
  });

  it('shows the benefit and why it was issued in the 360 view', async () => {
    const welcome = await campaign();
    await rule({ trigger: { type: 'first-purchase' }, actions: [{ type: 'issue-coupon', campaignId: welcome }] });
    const first = await buy(email());
    await p.bus.idle();
    const view = await p.api('GET', `/api/v1/customers/${first.customerId}`, { key: t.keys.admin });
    expect(view.status).toBe(200);
    const offer = view.body.offers.find((o: { benefits: Array<{ campaignId?: string }> }) => o.benefits.some((b) => b.campaignId === welcome));
    expect(offer.why).toBe(`first-purchase on transaction ${first.transactionId}`);
  });
});

describe('sale conditions', () => {
  it('acts only when basket total, SKU, category, channel and location all hold', async () => {
    const c = await campaign();
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { minimumBasket: 4000, skus: ['SKU-1'], families: ['shirts'], channels: ['store'], locationIds: ['store-1'] },
      actions: [{ type: 'issue-coupon', campaignId: c }],
    });
    const small = await buy(email(), {
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21, category: 'shirts' }],
      tenders: [{ type: 'card', amount: 1999 }],
    });
    const otherSku = await buy(email(), {
      lines: [{ sku: 'SKU-9', quantity: 3, unitPrice: 1999, taxRate: 21, category: 'shirts' }],
      tenders: [{ type: 'card', amount: 5997 }],
    });
    const online = await buy(email(), {}, t.keys.ecommerce);
    const otherStore = await buy(email(), { locationId: 'store-2' }, t.keys.posOtherStore);
    const good = await buy(email());
    for (const tx of [small, otherSku, online, otherStore]) expect(await wallet(tx.customerId)).toHaveLength(0);
    expect(await wallet(good.customerId)).toHaveLength(1);
    expect((await report(r.ruleId)).acted).toBe(1);
  });
});

describe('bonus points', () => {
  it('awards bonus points as a ledger entry of their own kind, and takes them back when the sale is returned in full', async () => {
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { skus: ['SKU-BONUS'] },
      actions: [{ type: 'award-points', points: 500, reverseOnReturn: true }],
    });
    const line = { sku: 'SKU-BONUS', quantity: 1, unitPrice: 1000, taxRate: 21 };
    const bought = await buy(email(), { lines: [line], tenders: [{ type: 'card', amount: 1000 }] });
    await p.bus.idle();
    const ledger = async () => (await p.api('GET', `/api/v1/customers/${bought.customerId}/loyalty/ledger?limit=100`, { key: t.keys.admin })).body.items;
    expect((await ledger()).filter((e: { type: string }) => e.type === 'bonus')).toEqual([expect.objectContaining({ points: 500, reference: r.ruleId })]);
    const balance = async () => (await p.api('GET', `/api/v1/customers/${bought.customerId}/loyalty`, { key: t.keys.pos })).body.spendable;
    expect(await balance()).toBe(510);

    const ret = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ type: 'return', occurredAt: now(), originalTransactionId: bought.transactionId, lines: [line], tenders: [{ type: 'card', amount: 1000 }] }),
    });
    expect(ret.status).toBe(201);
    await p.bus.idle();
    expect((await ledger()).filter((e: { type: string }) => e.type === 'bonus-reversal')).toEqual([expect.objectContaining({ points: -500 })]);
    expect(await balance()).toBe(0);
    expect((await report(r.ruleId)).pointsAwarded).toBe(0);
  });

  it('a return trigger acts on returns', async () => {
    const c = await campaign();
    await rule({ trigger: { type: 'return' }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const bought = await buy(email());
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        type: 'return',
        occurredAt: now(),
        originalTransactionId: bought.transactionId,
        lines: [{ sku: 'SKU-2', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100 }],
        tenders: [{ type: 'card', amount: 400 }],
      }),
    });
    expect(r.status).toBe(201);
    expect((await wallet(bought.customerId)).map((i) => i.campaignId)).toContain(c);
  });
});

describe('loyalty triggers', () => {
  it('acts when the tier changes and when the points balance crosses a threshold, once each', async () => {
    const silver = await campaign({ name: 'Silver welcome' });
    const tier = await rule({ trigger: { type: 'tier-changed', toTier: 'silver' }, actions: [{ type: 'issue-coupon', campaignId: silver }] });
    const threshold = await rule({ trigger: { type: 'points-threshold', threshold: 1500 }, actions: [{ type: 'award-points', points: 100 }] });
    const events = capture('loyalty.points.changed');
    const customer = email();
    const big = { lines: [{ sku: 'SKU-TV', quantity: 1, unitPrice: 120_000, taxRate: 21 }], tenders: [{ type: 'card', amount: 120_000 }] };
    const bought = await buy(customer, big);
    await buy(customer, big);
    await p.bus.idle();
    expect((await wallet(bought.customerId)).filter((i) => i.campaignId === silver)).toHaveLength(1);
    expect(await report(tier.ruleId)).toMatchObject({ acted: 1 });
    expect(await report(threshold.ruleId)).toMatchObject({ acted: 1, pointsAwarded: 100 });
    const mine = events.filter((e) => (e.data as { customerId: string }).customerId === bought.customerId);
    expect(mine[0]).toMatchObject({ tierchanged: true, data: { spendable: 1200, pending: 0, tier: 'silver', previousTier: null, change: 1200 } });
  });
});

describe('api events', () => {
  it('acts on a retailer event once per event id', async () => {
    const c = await campaign();
    await rule({ trigger: { type: 'api-event', name: 'app.installed' }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const who = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.ecommerce, body: email() });
    const send = () =>
      p.api('POST', '/api/v1/offers/events', { key: t.keys.ecommerce, body: { eventId: 'install-1', name: 'app.installed', customerId: who.body.customerId } });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.status).toBe(200);
    expect(a.body.activations[0]).toMatchObject({ status: 'acted' });
    expect(b.body.activations[0].activationId).toBe(a.body.activations[0].activationId);
    expect(await wallet(who.body.customerId)).toHaveLength(1);
  });
});

describe('exactly once', () => {
  it('acts once per sale under 5x redelivery of 20 concurrent sales', async () => {
    const c = await campaign();
    const r = await rule({ trigger: { type: 'sale' }, conditions: { skus: ['SKU-ONCE'] }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const events = capture('transaction.recorded');
    const line = { sku: 'SKU-ONCE', quantity: 1, unitPrice: 1000, taxRate: 21 };
    const sales = await Promise.all(Array.from({ length: 20 }, () => buy(email(), { lines: [line], tenders: [{ type: 'card', amount: 1000 }] })));
    await p.bus.idle();
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'offerTriggers')!;
    // Five more deliveries of every sale's event, all at once; a delivery that fails (the stand-in overloaded) is delivered again, as Service Bus would.
    const deliver = async (event: CloudEvent, attempt = 1): Promise<unknown> =>
      consumer.handler(JSON.stringify(event), new InvocationContext({ functionName: 'offerTriggers' })).catch((error: unknown) => {
        if (attempt >= 10) throw error;
        return deliver(event, attempt + 1);
      });
    await Promise.all(events.flatMap((e) => Array.from({ length: 5 }, () => deliver(e))));
    for (const s of sales) expect(await wallet(s.customerId)).toHaveLength(1);
    expect(await report(r.ruleId)).toMatchObject({ triggered: 20, acted: 20, couponsIssued: 20 });
  });

  it('a once-per-customer cap gives one benefit for 20 concurrent sales of one customer', async () => {
    const c = await campaign();
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { skus: ['SKU-CAP'] },
      actions: [{ type: 'issue-coupon', campaignId: c }],
      cap: { type: 'once' },
    });
    const customer = email();
    const line = { sku: 'SKU-CAP', quantity: 1, unitPrice: 1000, taxRate: 21 };
    const first = await buy(customer, { lines: [line], tenders: [{ type: 'card', amount: 1000 }] });
    await Promise.all(Array.from({ length: 19 }, () => buy(customer, { lines: [line], tenders: [{ type: 'card', amount: 1000 }] })));
    expect(await wallet(first.customerId)).toHaveLength(1);
    expect(await report(r.ruleId)).toMatchObject({ triggered: 20, acted: 1, capped: 19, cappedBy: { frequencyCap: 19, budget: 0 } });
  });

  it('a budget of N acts exactly N times under concurrency', async () => {
    const c = await campaign();
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { skus: ['SKU-BUDGET'] },
      actions: [{ type: 'issue-coupon', campaignId: c }],
      budget: { activations: 5 },
    });
    const line = { sku: 'SKU-BUDGET', quantity: 1, unitPrice: 1000, taxRate: 21 };
    await Promise.all(Array.from({ length: 20 }, () => buy(email(), { lines: [line], tenders: [{ type: 'card', amount: 1000 }] })));
    expect(await report(r.ruleId)).toMatchObject({
      triggered: 20,
      acted: 5,
      capped: 15,
      cappedBy: { budget: 15 },
      couponsIssued: 5,
      budget: { activations: 5, used: 5 },
    });
  });
});

describe('frequency caps across days', () => {
  it('acts at most once every 7 days for a customer', async () => {
    const c = await campaign();
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { skus: ['SKU-WEEK'] },
      actions: [{ type: 'issue-coupon', campaignId: c }],
      cap: { type: 'every', days: 7 },
    });
    const customer = email();
    const line = { lines: [{ sku: 'SKU-WEEK', quantity: 1, unitPrice: 1000, taxRate: 21 }], tenders: [{ type: 'card', amount: 1000 }] };
    const first = await buy(customer, line);
    await p.bus.idle();
    clock.offset += 3 * DAY;
    await buy(customer, line);
    expect(await wallet(first.customerId)).toHaveLength(1);
    clock.offset += 5 * DAY;
    await buy(customer, line);
    expect(await wallet(first.customerId)).toHaveLength(2);
    expect(await report(r.ruleId)).toMatchObject({ triggered: 3, acted: 2, cappedBy: { frequencyCap: 1 } });
  });
});

describe('notify', () => {
  it('publishes offer.issued only through the channels the customer consented to', async () => {
    const c = await campaign();
    await rule({
      trigger: { type: 'api-event', name: 'review.written' },
      actions: [
        { type: 'issue-coupon', campaignId: c },
        { type: 'notify', purposes: ['marketingEmail', 'marketingSms'], message: 'Thanks!' },
      ],
    });
    const issued = capture('offer.issued');
    const consenting = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.admin,
      body: { ...email(), consents: [{ purpose: 'marketingEmail', granted: true }] },
    });
    const silent = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.admin, body: email() });
    for (const who of [consenting, silent]) {
      const r = await p.api('POST', '/api/v1/offers/events', {
        key: t.keys.admin,
        body: { eventId: `review-${who.body.customerId}`, name: 'review.written', customerId: who.body.customerId },
      });
      expect(r.status).toBe(200);
    }
    await p.bus.idle();
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      ruleid: expect.any(String),
      data: { customerId: consenting.body.customerId, purposes: ['marketingEmail'], message: 'Thanks!' },
    });
    expect((issued[0]!.data as { benefits: Array<{ type: string }> }).benefits).toEqual([expect.objectContaining({ type: 'coupon', campaignId: c })]);
    // The silent customer still gets the coupon; only the message is withheld.
    expect(await wallet(silent.body.customerId)).toHaveLength(1);
  });
});

describe('versions and pausing', () => {
  it('applies the version in force at the event time, and a paused rule acts on nothing', async () => {
    const a = await campaign({ name: 'A' });
    const b = await campaign({ name: 'B' });
    const body = { name: 'Versioned', trigger: { type: 'sale' }, conditions: { skus: ['SKU-V'] }, actions: [{ type: 'issue-coupon', campaignId: a }] };
    const r = await rule(body);
    const line = { lines: [{ sku: 'SKU-V', quantity: 1, unitPrice: 1000, taxRate: 21 }], tenders: [{ type: 'card', amount: 1000 }] };
    const before = now();
    const first = await buy(email(), line);
    expect((await wallet(first.customerId))[0]!.campaignId).toBe(a);

    const edited = await p.api('PUT', `/api/v1/offers/rules/${r.ruleId}`, {
      key: t.keys.admin,
      body: { ...body, actions: [{ type: 'issue-coupon', campaignId: b }] },
    });
    expect(edited.body).toMatchObject({ version: 2, versions: [{ version: 1 }, { version: 2 }] });
    const second = await buy(email(), line);
    expect((await wallet(second.customerId))[0]!.campaignId).toBe(b);
    const asBefore = await p.api('POST', `/api/v1/offers/rules/${r.ruleId}/simulate`, {
      key: t.keys.admin,
      body: {
        customerId: second.customerId,
        at: before,
        event: { type: 'sale', channel: 'store', locationId: 'store-1', lines: [{ sku: 'SKU-V', quantity: 1, unitPrice: 1000 }] },
      },
    });
    expect(asBefore.body).toMatchObject({ version: 1, wouldAct: true });

    expect((await p.api('POST', `/api/v1/offers/rules/${r.ruleId}/pause`, { key: t.keys.admin })).body).toMatchObject({ version: 3, active: false });
    const third = await buy(email(), line);
    expect(await wallet(third.customerId)).toHaveLength(0);
    expect((await p.api('POST', `/api/v1/offers/rules/${r.ruleId}/resume`, { key: t.keys.admin })).body).toMatchObject({ version: 4, active: true });
  });
});

describe('qualify', () => {
  it('gives the wallet coupons and promotions that apply with the same discounts as validate, and points; consumes nothing', async () => {
    const personal = await campaign({ discount: { type: 'fixedAmount', amount: 700 } });
    const promo = `SPRING-${randomBytes(3).toString('hex')}`.toUpperCase();
    await campaign({ name: 'Spring', publicCode: promo, discount: { type: 'percentage', percent: 15 }, eligible: { categories: ['shirts'] } });
    await campaign({ name: 'Not here', publicCode: `${promo}-X`, channels: ['online'] });
    await rule({ trigger: { type: 'first-purchase' }, actions: [{ type: 'issue-coupon', campaignId: personal }] });
    const bought = await buy(email());
    const [item] = await wallet(bought.customerId);
    const basket = { channel: 'store', locationId: 'store-1', lines };
    const q = await p.api('POST', `/api/v1/customers/${bought.customerId}/offers/qualify`, { key: t.keys.pos, body: basket });
    expect(q.status).toBe(200);
    for (const code of [item!.code, promo]) {
      const v = await p.api('POST', '/api/v1/coupons/validate', { key: t.keys.pos, body: { ...basket, codes: [code], customerId: bought.customerId } });
      const offered = q.body.coupons.find((c: { code: string }) => normalizeCode(c.code) === normalizeCode(code));
      expect(offered).toMatchObject({ valid: true, discount: v.body.results[0].discount, lines: v.body.results[0].lines });
    }
    expect(q.body.coupons.map((c: { name: string }) => c.name)).not.toContain('Not here');
    expect(q.body.points).toMatchObject({ spendable: 43, redeemable: 43, value: 215, currency: 'EUR' });
    expect(q.body.recommendations.length).toBeLessThanOrEqual(3);
    expect((await wallet(bought.customerId))[0]!.usesLeft).toBe(1);
  });
});

describe('simulate', () => {
  it('explains a capped rule: conditions held, actions that would run, the cap that stops it', async () => {
    const c = await campaign();
    const r = await rule({
      trigger: { type: 'sale' },
      conditions: { minimumBasket: 1000 },
      actions: [{ type: 'issue-coupon', campaignId: c }, { type: 'notify' }],
      cap: { type: 'once' },
    });
    const bought = await buy(email());
    await p.bus.idle();
    const s = await p.api('POST', `/api/v1/offers/rules/${r.ruleId}/simulate`, {
      key: t.keys.admin,
      body: {
        customerId: bought.customerId,
        event: { type: 'sale', channel: 'store', locationId: 'store-1', lines: [{ sku: 'X', quantity: 1, unitPrice: 5000 }] },
      },
    });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      inForce: true,
      triggerFires: true,
      conditions: [{ condition: 'minimumBasket', held: true, detail: 'basket 5000, minimum 1000' }],
      actions: [
        { type: 'issue-coupon', wouldRun: false },
        { type: 'notify', wouldRun: false, detail: 'no marketing consent for the channels asked' },
      ],
      stoppedBy: 'frequency-cap',
      wouldAct: false,
    });
    expect(await report(r.ruleId)).toMatchObject({ acted: 1 });
  });
});

describe('bad input and tenancy', () => {
  it('refuses bad rules naming the field, and saves nothing', async () => {
    const count = async () => (await p.api('GET', '/api/v1/offers/rules', { key: t.keys.admin })).body.items.length;
    const before = await count();
    const c = await campaign();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ trigger: { type: 'sale' }, actions: [{ type: 'issue-coupon', campaignId: 'cmp_zzzzz' }] }, 400, 'actions.0.campaignId'],
      [{ trigger: { type: 'points-threshold' }, actions: [{ type: 'notify' }] }, 400, 'trigger.threshold'],
      [{ trigger: { type: 'sale' }, actions: [{ type: 'notify' }], validFrom: '2027-01-01T00:00:00Z', validTo: '2026-12-01T00:00:00Z' }, 400, 'validTo'],
      [{ trigger: { type: 'sale' }, actions: [{ type: 'notify' }], cap: { type: 'every', days: 0 } }, 400, 'cap.days'],
      [{ trigger: { type: 'sale' }, actions: [{ type: 'notify' }], budget: { activations: 0 } }, 400, 'budget.activations'],
      [{ trigger: { type: 'api-event', name: 'x' }, conditions: { minimumBasket: 10 }, actions: [{ type: 'notify' }] }, 400, 'conditions.minimumBasket'],
      [{ trigger: { type: 'segment-entered', segmentId: 'no-such-segment' }, actions: [{ type: 'issue-coupon', campaignId: c }] }, 400, 'trigger.segmentId'],
      [{ trigger: { type: 'sale' }, conditions: { segmentIds: ['no-such-segment'] }, actions: [{ type: 'notify' }] }, 400, 'conditions.segmentIds.0'],
      [{ trigger: { type: 'birthday' }, actions: [{ type: 'notify' }] }, 400, 'trigger.daysBefore'],
    ];
    for (const [body, status, field] of cases) {
      const r = await p.api('POST', '/api/v1/offers/rules', { key: t.keys.admin, body: { name: 'Bad', ...body } });
      expect({ status: r.status, type: r.headers.get('content-type') }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const segmentCampaign = await p.api('POST', '/api/v1/campaigns', {
      key: t.keys.admin,
      body: {
        name: 'VIP',
        discount: { type: 'percentage', percent: 5 },
        validFrom: '2026-01-01T00:00:00Z',
        validTo: '2030-01-01T00:00:00Z',
        segments: ['no-such-segment'],
      },
    });
    expect(segmentCampaign.status).toBe(400);
    expect(segmentCampaign.body).toMatchObject({ errors: [{ field: 'segments.0' }] });
    expect(await count()).toBe(before);
  });

  it("answers 404 for another tenant's rule", async () => {
    const c = await campaign();
    const r = await rule({ trigger: { type: 'sale' }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const other = await p.createTenant();
    for (const [method, path] of [
      ['GET', `/api/v1/offers/rules/${r.ruleId}`],
      ['GET', `/api/v1/offers/rules/${r.ruleId}/report`],
      ['POST', `/api/v1/offers/rules/${r.ruleId}/pause`],
    ] as const) {
      expect((await p.api(method, path, { key: other.keys.admin })).status).toBe(404);
    }
    const put = await p.api('PUT', `/api/v1/offers/rules/${r.ruleId}`, {
      key: other.keys.admin,
      body: { name: 'x', trigger: { type: 'sale' }, actions: [{ type: 'notify' }] },
    });
    expect(put.status).toBe(404);
    expect((await p.api('GET', '/api/v1/offers/rules', { key: other.keys.admin })).body.items).toEqual([]);
    expect((await p.api('GET', '/api/v1/offers/rules', { key: t.keys.pos })).status).toBe(403);
  });
});

describe('events of coupons and loyalty', () => {
  it('publishes coupon.issued for a personal code and coupon.redeemed when a sale redeems it', async () => {
    const issued = capture('coupon.issued');
    const c = await campaign();
    const customer = email();
    const who = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.ecommerce, body: customer });
    const codes = await p.api('POST', `/api/v1/campaigns/${c}/codes`, { key: t.keys.admin, body: { customerId: who.body.customerId } });
    expect(issued).toEqual([expect.objectContaining({ campaignid: c, data: expect.objectContaining({ code: codes.body.codes[0], source: 'api' }) })]);
    jest.restoreAllMocks();
    const redeemed = capture('coupon.redeemed');
    // A till that was offline sends the code with the sale.
    await buy(customer, { coupons: [codes.body.codes[0]] });
    await p.bus.idle();
    expect(redeemed).toEqual([expect.objectContaining({ channel: 'store', data: expect.objectContaining({ campaignId: c, channel: 'store' }) })]);
    const docs = await store.all('coupons', t.tenantId);
    expect(docs.filter((d: { eventPending?: boolean }) => d.eventPending)).toEqual([]);
  });
});

describe('cost', () => {
  const silent = { log: () => undefined, child: () => silent };

  it('a sale that triggers nothing costs at most 2 Cosmos DB operations: the rules (cached a few seconds) and the first-purchase check', async () => {
    const c = await campaign();
    await rule({ trigger: { type: 'sale' }, conditions: { skus: ['SKU-NEVER'] }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    await rule({ trigger: { type: 'first-purchase' }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const customer = email();
    await buy(customer);
    await p.bus.idle();
    const events = capture('transaction.recorded');
    await buy(customer);
    await p.bus.idle();
    const metrics = p.platform.cosmosMetrics;
    const count = async () => {
      metrics.reset();
      expect(await p.platform.services.offers.handleTransaction(events[0] as never, silent)).toBe(0);
      return { reads: metrics.reads, writes: metrics.writes, queries: metrics.queries };
    };
    const first = await count();
    expect(first.reads + first.writes + first.queries).toBeLessThanOrEqual(2);
    expect(first.writes).toBe(0);
    expect(await count()).toEqual({ reads: 0, writes: 0, queries: 1 });
  });
});

describe('a failed publish loses nothing', () => {
  it('resends coupon.issued, loyalty.points.changed and offer.issued from their outboxes', async () => {
    const c = await campaign();
    await rule({
      trigger: { type: 'api-event', name: 'newsletter.joined' },
      actions: [{ type: 'issue-coupon', campaignId: c }, { type: 'award-points', points: 50 }, { type: 'notify' }],
    });
    const who = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.admin,
      body: { ...email(), consents: [{ purpose: 'marketingEmail', granted: true }] },
    });
    const published = capture('');
    p.bus.failNextPublishes(3);
    const r = await p.api('POST', '/api/v1/offers/events', {
      key: t.keys.admin,
      body: { eventId: 'joined-1', name: 'newsletter.joined', customerId: who.body.customerId },
    });
    expect(r.body.activations[0]).toMatchObject({ status: 'acted' });
    const count = (type: string) => published.filter((e) => e.type === type).length;
    const types = ['coupon.issued', 'loyalty.points.changed', 'offer.issued'];
    expect(types.map(count)).toEqual([0, 0, 0]);
    clock.offset += 61_000;
    for (const timer of ['couponHoldSweeper', 'loyaltyMaintenance', 'offersOutboxSweeper']) await p.host.runTimer(timer);
    await p.bus.idle();
    expect(types.map(count)).toEqual([1, 1, 1]);
    expect(await wallet(who.body.customerId)).toHaveLength(1);
  });
});

describe('with segments', () => {
  async function segment(definition: unknown): Promise<string> {
    const r = await p.api('POST', '/api/v1/segments', { key: t.keys.admin, body: { name: `Segment ${randomBytes(3).toString('hex')}`, definition } });
    expect(r.status).toBe(201);
    return r.body.segmentId;
  }
  const twoOrders = { all: [{ trait: 'orders', operator: 'greaterThanOrEqual', value: 2 }] };

  it('acts when a customer enters a segment, on the segment event', async () => {
    const regulars = await segment(twoOrders);
    const c = await campaign({ name: 'Regulars' });
    const r = await rule({ trigger: { type: 'segment-entered', segmentId: regulars }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const customer = email();
    const first = await buy(customer);
    expect(await wallet(first.customerId)).toHaveLength(0);
    await buy(customer, {}, t.keys.ecommerce);
    expect((await wallet(first.customerId)).map((i) => i.campaignId)).toEqual([c]);
    expect(await report(r.ruleId)).toMatchObject({ triggered: 1, acted: 1 });
  });

  it('refuses a segment-restricted code to a customer outside the segment with not-in-segment, in both channels', async () => {
    const regulars = await segment(twoOrders);
    const code = `REG-${randomBytes(3).toString('hex')}`.toUpperCase();
    await campaign({ name: 'Regulars only', publicCode: code, segments: [regulars] });
    const customer = email();
    const once = await buy(customer);
    await p.bus.idle();
    const check = (key: string, channel: string, locationId: string) =>
      p.api('POST', '/api/v1/coupons/validate', { key, body: { codes: [code], customerId: once.customerId, channel, locationId, lines } });
    for (const [key, channel, locationId] of [
      [t.keys.pos, 'store', 'store-1'],
      [t.keys.ecommerce, 'online', 'web'],
    ] as const) {
      expect((await check(key, channel, locationId)).body.results[0]).toMatchObject({ valid: false, reason: 'not-in-segment' });
    }
    await buy(customer);
    await p.bus.idle();
    expect((await check(t.keys.pos, 'store', 'store-1')).body.results[0]).toMatchObject({ valid: true });
    expect((await check(t.keys.ecommerce, 'online', 'web')).body.results[0]).toMatchObject({ valid: true });
  });

  it('acts N days before a birthday and after N days without a purchase, from the daily timer, once', async () => {
    const c = await campaign({ name: 'Birthday' });
    const birthday = await rule({ trigger: { type: 'birthday', daysBefore: 1 }, actions: [{ type: 'issue-coupon', campaignId: c }] });
    const lapsed = await rule({ trigger: { type: 'lapsed', days: 2 }, actions: [{ type: 'award-points', points: 200 }] });
    const inThreeDays = new Date(clock.now().getTime() + 3 * DAY).toISOString().slice(5, 10);
    const customer = email();
    await p.api('POST', '/api/v1/customers/identify', { key: t.keys.admin, body: { ...customer, profile: { birthDate: `1990-${inThreeDays}` } } });
    const bought = await buy(customer);
    await p.bus.idle();
    // Two days on: the birthday is a day away and the last purchase two days back.
    clock.offset += 2 * DAY;
    await p.host.runTimer('offersDaily');
    await p.host.runTimer('offersDaily');
    expect(await report(lapsed.ruleId)).toMatchObject({ acted: 1, pointsAwarded: 200 });
    expect(await report(birthday.ruleId)).toMatchObject({ acted: 1, couponsIssued: 1 });
    expect(await wallet(bought.customerId)).toHaveLength(1);
  });
});

describe('qualify with the recommender', () => {
  it('adds up to 3 items that go with the basket, each with why', async () => {
    await p.api('POST', '/api/v1/stock/movements', {
      key: t.keys.admin,
      body: { type: 'receipt', reference: `GR-${randomBytes(3).toString('hex')}`, locationId: 'store-1', lines: [{ sku: 'SKU-SOCKS', quantity: 20 }] },
    });
    const pair = [
      { sku: 'SKU-BOOTS', quantity: 1, unitPrice: 8000, taxRate: 21 },
      { sku: 'SKU-SOCKS', quantity: 1, unitPrice: 1000, taxRate: 21 },
    ];
    for (let i = 0; i < 3; i += 1) await buy(undefined, { lines: pair, tenders: [{ type: 'card', amount: 9000 }] });
    const bought = await buy(email());
    await p.bus.idle();
    const q = await p.api('POST', `/api/v1/customers/${bought.customerId}/offers/qualify`, {
      key: t.keys.pos,
      body: { channel: 'store', locationId: 'store-1', lines: [{ sku: 'SKU-BOOTS', quantity: 1, unitPrice: 8000 }] },
    });
    expect(q.status).toBe(200);
    expect(q.body.recommendations[0]).toMatchObject({ sku: 'SKU-SOCKS', explanation: expect.any(String) });
  });
});
