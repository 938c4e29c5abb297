import { InvocationContext } from '@azure/functions';
import type { TopicFunction } from '../../shared/edge/definition';
import { onlineSale as anyOnlineSale, sale as anySale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

const program = {
  name: 'Club',
  currency: 'EUR',
  earn: { pointsPerUnit: 1, categoryMultipliers: { shirts: 2 }, excludedSkus: ['GIFT-CARD'] },
  pendingDays: 0,
  expiryMonths: 24,
  redemption: { pointValue: 1, minimumPoints: 0 },
};

// Points earned by a sale are dated by the sale: keep the sales in the recent past.
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString();
const sale = (overrides: Record<string, unknown> = {}) => anySale({ occurredAt: yesterday(), ...overrides });
const onlineSale = (overrides: Record<string, unknown> = {}) => anyOnlineSale({ occurredAt: yesterday(), ...overrides });

let n = 0;
const member = () => ({ identifiers: [{ type: 'email', value: `member-${Date.now()}-${++n}@example.com` }] });

beforeAll(async () => {
  const r = await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program });
  expect(r.status).toBe(200);
});

async function account(customerId: string) {
  await p.bus.idle();
  const r = await p.api('GET', `/api/v1/customers/${customerId}/loyalty`, { key: t.keys.pos });
  expect(r.status).toBe(200);
  return r.body;
}

const ledger = async (customerId: string) => (await p.api('GET', `/api/v1/customers/${customerId}/loyalty/ledger?limit=100`, { key: t.keys.admin })).body.items;

describe('the program', () => {
  it('is set by admin keys only, read by any key, versioned', async () => {
    expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.pos, body: program })).status).toBe(403);
    const read = await p.api('GET', '/api/v1/loyalty/program', { key: t.keys.ecommerce });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'Club', version: expect.any(Number), earn: { rounding: 'down' } });
  });

  it('refuses a bad program naming the fields, and changes nothing', async () => {
    const before = (await p.api('GET', '/api/v1/loyalty/program', { key: t.keys.admin })).body;
    const r = await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: { ...program, earn: { pointsPerUnit: -1 }, currency: 'euro' } });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['currency', 'earn.pointsPerUnit']);
    expect((await p.api('GET', '/api/v1/loyalty/program', { key: t.keys.admin })).body.version).toBe(before.version);
  });
});

describe('accrual', () => {
  it('gives the same points for the same basket in both channels', async () => {
    const customer = member();
    const store1 = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    const web = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer }) });
    expect(web.body.customerId).toBe(store1.body.customerId);
    const entries = await ledger(store1.body.customerId);
    const earned = (txId: string) => entries.find((e: { transactionId: string }) => e.transactionId === txId).points;
    // 2 x 19.99 shirts at x2 = 79 (39.98 x 2 = 79.96, down), 4.00 other = 4.
    expect(earned(store1.body.transactionId)).toBe(83);
    expect(earned(web.body.transactionId)).toBe(83);
    expect((await account(store1.body.customerId)).spendable).toBe(166);
  });

  it('earns once for an event delivered five times and for a sale ingested twice', async () => {
    const body = sale({ customer: member() });
    const first = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body });
    const replay = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body });
    expect(replay.body.transactionId).toBe(first.body.transactionId);
    await p.bus.idle();
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'loyaltyAccrual')!;
    const { _etag, ...txDoc } = (await store.all('transactions', t.tenantId)).find(
      (d: { transactionId: string }) => d.transactionId === first.body.transactionId,
    );
    const event = {
      specversion: '1.0',
      id: `evt_${txDoc.transactionId}`,
      type: 'transaction.recorded',
      tenantid: t.tenantId,
      data: { ...txDoc, returned: {} },
    };
    await Promise.all(Array.from({ length: 5 }, () => consumer.handler(JSON.stringify(event), new InvocationContext({ functionName: 'loyaltyAccrual' }))));
    expect((await account(first.body.customerId)).spendable).toBe(83);
    expect((await ledger(first.body.customerId)).filter((e: { type: string }) => e.type === 'accrual')).toHaveLength(1);
  });

  it('earns nothing on excluded lines (a gift card) and nothing for anonymous sales', async () => {
    const customer = member();
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer, lines: [{ sku: 'GIFT-CARD', quantity: 1, unitPrice: 5000, taxRate: 0 }], tenders: [{ type: 'card', amount: 5000 }] }),
    });
    expect((await account(r.body.customerId)).spendable).toBe(0);
    const before = await store.count('loyalty', t.tenantId);
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    await p.bus.idle();
    expect(await store.count('loyalty', t.tenantId)).toBe(before);
  });
});

describe('returns', () => {
  it('reverse exactly the returned lines once, when returned in the other channel', async () => {
    const customer = member();
    const web = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer }) });
    const returnBody = sale({
      type: 'return',
      customer,
      originalTransactionId: web.body.transactionId,
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21, category: 'shirts' }],
      tenders: [{ type: 'card', amount: 1999 }],
    });
    const ret = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: returnBody });
    expect(ret.status).toBe(201);
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: returnBody });
    const summary = await account(web.body.customerId);
    // 83 earned; one shirt of two back: half of the line's 79, rounded = 40.
    expect(summary.spendable).toBe(43);
    const reversals = (await ledger(web.body.customerId)).filter((e: { type: string }) => e.type === 'reversal');
    expect(reversals).toEqual([
      expect.objectContaining({
        points: -40,
        transactionId: ret.body.transactionId,
        reference: web.body.transactionId,
        lines: [expect.objectContaining({ lineNumber: 1, quantity: 1, points: 40 })],
      }),
    ]);
  });

  it('reverse a return that arrives before the sale accrued, and the late sale event does not earn again', async () => {
    const customer = member();
    const release = p.bus.holdDeliveries();
    const saleResponse = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    // The return's event is handled first, directly, while the sale's is still held.
    const ret = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        type: 'return',
        originalTransactionId: saleResponse.body.transactionId,
        lines: [{ sku: 'SKU-2', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100 }],
        tenders: [{ type: 'card', amount: 400 }],
      }),
    });
    const { _etag, ...returnDoc } = (await store.all('transactions', t.tenantId)).find(
      (d: { transactionId: string }) => d.transactionId === ret.body.transactionId,
    );
    await p.platform.services.loyalty.handle(
      { specversion: '1.0', id: 'x', type: 'transaction.recorded', tenantid: t.tenantId, data: returnDoc } as never,
      p.platform.logger,
    );
    release();
    const summary = await account(saleResponse.body.customerId);
    expect(summary.spendable).toBe(79);
    const types = (await ledger(saleResponse.body.customerId)).map((e: { type: string; points: number }) => [e.type, e.points]).sort();
    expect(types).toEqual([
      ['accrual', 83],
      ['reversal', -4],
    ]);
  });
});

describe('redemption', () => {
  async function memberWithPoints(sales: number) {
    const customer = member();
    let customerId = '';
    for (let i = 0; i < sales; i += 1)
      customerId = (await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer }) })).body.customerId;
    await p.bus.idle();
    return { customerId, customer };
  }

  it('never debits more than the balance under 50 concurrent redemptions', async () => {
    const { customerId } = await memberWithPoints(3); // 249 points
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        p.api('POST', `/api/v1/customers/${customerId}/loyalty/redemptions`, {
          key: i % 2 ? t.keys.pos : t.keys.ecommerce,
          body: { points: 20, reference: `checkout-${i}` },
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === 201);
    expect(accepted).toHaveLength(12);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.reason === 'insufficient-points')).toBe(true);
    expect(results.filter((r) => r.status !== 201 && r.status !== 422)).toEqual([]);
    const summary = await account(customerId);
    expect(summary.spendable).toBe(9);
    expect(summary.totals.redeemed).toBe(240);
    expect((await ledger(customerId)).filter((e: { type: string }) => e.type === 'redemption')).toHaveLength(12);
  });

  it('is idempotent on the reference, refuses it for another amount, and a cancel gives the points back once', async () => {
    const { customerId } = await memberWithPoints(1); // 83 points
    const path = `/api/v1/customers/${customerId}/loyalty/redemptions`;
    const first = await p.api('POST', path, { key: t.keys.pos, body: { points: 50, reference: 'till-1-0001' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ points: 50, value: 50, currency: 'EUR', spendable: 33 });
    expect((await p.api('POST', path, { key: t.keys.pos, body: { points: 50, reference: 'till-1-0001' } })).status).toBe(200);
    const reused = await p.api('POST', path, { key: t.keys.pos, body: { points: 10, reference: 'till-1-0001' } });
    expect(reused.status).toBe(409);
    const cancel = await Promise.all([1, 2].map(() => p.api('POST', `${path}/till-1-0001/cancel`, { key: t.keys.pos })));
    expect(cancel.map((r) => r.status)).toEqual([200, 200]);
    expect((await account(customerId)).spendable).toBe(83);
    expect((await ledger(customerId)).filter((e: { type: string }) => e.type === 'redemption-cancelled')).toHaveLength(1);
  });

  it('is linked to the sale that pays with it, which then cannot be cancelled, and earns only on the rest', async () => {
    const { customerId, customer } = await memberWithPoints(1);
    await p.api('POST', `/api/v1/customers/${customerId}/loyalty/redemptions`, { key: t.keys.pos, body: { points: 80, reference: 'pay-1' } });
    const paid = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        customer,
        tenders: [
          { type: 'card', amount: 4318 },
          { type: 'points', amount: 80, reference: 'pay-1' },
        ],
      }),
    });
    expect(paid.body.customerId).toBe(customerId);
    await p.bus.idle();
    const cancel = await p.api('POST', `/api/v1/customers/${customerId}/loyalty/redemptions/pay-1/cancel`, { key: t.keys.pos });
    expect(cancel.status).toBe(422);
    expect(cancel.body.reason).toBe('redemption-used');
    const accrual = (await ledger(customerId)).find((e: { transactionId: string }) => e.transactionId === paid.body.transactionId);
    expect(accrual.points).toBe(81);
  });

  it('answers 404 for an unknown customer and 422 for a member without points', async () => {
    expect((await p.api('POST', '/api/v1/customers/cus_nobody/loyalty/redemptions', { key: t.keys.pos, body: { points: 1, reference: 'r' } })).status).toBe(
      404,
    );
    const created = await p.api('POST', '/api/v1/customers/identify', { key: t.keys.pos, body: member() });
    const r = await p.api('POST', `/api/v1/customers/${created.body.customerId}/loyalty/redemptions`, { key: t.keys.pos, body: { points: 1, reference: 'r' } });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('insufficient-points');
  });
});

describe('the customer', () => {
  it('sees the loyalty summary in the 360 view, and a merge combines both accounts without losing an entry', async () => {
    const a = member();
    const b = member();
    const first = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer: a }) });
    const second = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer: b }) });
    await p.bus.idle();
    await p.api('POST', `/api/v1/customers/${second.body.customerId}/loyalty/redemptions`, { key: t.keys.ecommerce, body: { points: 30, reference: 'web-1' } });
    const before = [...(await ledger(first.body.customerId)), ...(await ledger(second.body.customerId))].map((e: { key: string }) => e.key).sort();

    const merged = await p.api('POST', `/api/v1/customers/${first.body.customerId}/merge`, {
      key: t.keys.admin,
      body: { customerId: second.body.customerId, reason: 'same person' },
    });
    expect(merged.status).toBe(200);
    expect(merged.body.moved.loyalty).toBe(2);
    const after = await ledger(first.body.customerId);
    expect(
      after
        .map((e: { key: string }) => e.key)
        .filter((k: string) => !k.startsWith('merge:'))
        .sort(),
    ).toEqual(before);
    expect((await account(first.body.customerId)).spendable).toBe(83 + 83 - 30);
    // The merged id answers with the survivor's account; new points for it go there too.
    expect((await account(second.body.customerId)).customerId).toBe(first.body.customerId);
    const view = await p.api('GET', `/api/v1/customers/${first.body.customerId}`, { key: t.keys.pos });
    expect(view.body.loyalty).toMatchObject({ spendable: 136, pending: 0 });
  });

  it('erasure removes the account and its ledger', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer: member() }) });
    await p.bus.idle();
    expect((await store.all('loyalty', t.tenantId)).some((d: { customerId: string }) => d.customerId === r.body.customerId)).toBe(true);
    expect((await p.api('DELETE', `/api/v1/customers/${r.body.customerId}`, { key: t.keys.admin })).status).toBe(204);
    expect((await store.all('loyalty', t.tenantId)).some((d: { customerId: string }) => d.customerId === r.body.customerId)).toBe(false);
  });
});

describe('cost', () => {
  it('an accrual costs 4 Cosmos DB operations and a redemption 4 (account read, account replace, ledger entry, outbox cleared once its event is out)', async () => {
    const customer = member();
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    await p.bus.idle();
    const release = p.bus.holdDeliveries();
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    const { _etag, ...txDoc } = (await store.all('transactions', t.tenantId)).find((d: { transactionId: string }) => d.transactionId === r.body.transactionId);
    const metrics = p.platform.cosmosMetrics;
    metrics.reset();
    await p.platform.services.loyalty.handle(
      { specversion: '1.0', id: 'x', type: 'transaction.recorded', tenantid: t.tenantId, data: { ...txDoc, returned: {} } } as never,
      p.platform.logger,
    );
    expect({ reads: metrics.reads, writes: metrics.writes, queries: metrics.queries }).toEqual({ reads: 1, writes: 3, queries: 0 });
    release();
    await p.bus.idle();

    await p.api('GET', `/api/v1/customers/${r.body.customerId}/loyalty`, { key: t.keys.pos });
    const before = { reads: metrics.reads, writes: metrics.writes, queries: metrics.queries };
    const redeemed = await p.api('POST', `/api/v1/customers/${r.body.customerId}/loyalty/redemptions`, {
      key: t.keys.pos,
      body: { points: 10, reference: 'cost-1' },
    });
    expect(redeemed.status).toBe(201);
    // The API key is read through the tenant cache, which the GET above warmed.
    expect({ reads: metrics.reads - before.reads, writes: metrics.writes - before.writes, queries: metrics.queries - before.queries }).toEqual({
      reads: 1,
      writes: 3,
      queries: 0,
    });
  });
});

describe('receipts', () => {
  it('print the points the sale earns and the balance', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer: member() }) });
    await p.bus.idle();
    const receipt = await p.api('GET', `/api/v1/transactions/${r.body.transactionId}/receipt`, { key: t.keys.pos });
    expect(receipt.status).toBe(200);
    expect(JSON.stringify(receipt.body)).toContain('"loyalty":{"pointsEarned":83');
  });
});
