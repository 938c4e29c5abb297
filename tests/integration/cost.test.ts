import type { EventOf } from '../../shared/kernel/events';
import type { Logger } from '../../shared/kernel/ports';
import type { TransactionRecorded } from '../../shared/transactions';
import { sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let db: TestContext['store'];
useTestPlatform((context) => ({ p, t, store: db } = context));

/** Cosmos DB operations one request costs, counted at the adapter (consumers excluded). */
async function operationsFor(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  await p.bus.idle();
  const metrics = p.platform.cosmosMetrics;
  // Consumers wait until the request is counted.
  const release = p.bus.holdDeliveries();
  metrics.reset();
  const response = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body, headers });
  const counted = { reads: metrics.reads, writes: metrics.writes, queries: metrics.queries };
  release();
  await p.bus.idle();
  return { response, counted };
}

describe('hot-path cost of ingest', () => {
  it('costs 5 operations for an identified sale of a known customer: identifier read, customer read (paperless?), id claim, create, publish mark', async () => {
    const customer = { identifiers: [{ type: 'email', value: 'known@example.com' }] };
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    const { response, counted } = await operationsFor(sale({ customer }));
    expect(response.status).toBe(201);
    expect(counted).toEqual({ reads: 2, writes: 3, queries: 0 });
  });

  it('costs 3 operations for an anonymous sale: id claim, create, publish mark', async () => {
    const { counted } = await operationsFor(sale());
    expect(counted).toEqual({ reads: 0, writes: 3, queries: 0 });
  });

  it('adds three for an Idempotency-Key: the record, a read for its etag, and its completion', async () => {
    const customer = { identifiers: [{ type: 'email', value: 'known@example.com' }] };
    const { counted } = await operationsFor(sale({ customer }), { 'Idempotency-Key': 'cost-1' });
    expect(counted).toEqual({ reads: 3, writes: 5, queries: 0 });
  });
});

describe('cost of a first purchase', () => {
  it('costs 6 operations for a new customer with one identifier: lookup, claim, customer, and the 3 of the sale', async () => {
    const { counted } = await operationsFor(sale({ customer: { identifiers: [{ type: 'email', value: 'first-time@example.com' }] } }));
    expect(counted).toEqual({ reads: 1, writes: 5, queries: 0 });
  });
});

describe('cost of the consumers, per sale line and per event', () => {
  const silent: Logger = { log: () => undefined, child: () => silent };
  const recorded = (tx: { transactionId: string }) =>
    ({ specversion: '1.0', id: `evt_${tx.transactionId}`, type: 'transaction.recorded', tenantid: t.tenantId, data: tx }) as unknown as EventOf<
      typeof TransactionRecorded
    >;
  const line = (sku: string) => ({ sku, quantity: 1, unitPrice: 1000, taxRate: 21 });

  /** Records a sale with deliveries held, so that only `consume` is counted; the real deliveries follow. */
  async function consumed(body: Record<string, unknown>, consume: (event: EventOf<typeof TransactionRecorded>) => Promise<unknown>) {
    await p.bus.idle();
    const release = p.bus.holdDeliveries();
    try {
      const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body });
      expect(r.status).toBe(201);
      const metrics = p.platform.cosmosMetrics;
      metrics.reset();
      const result = await consume(recorded(r.body));
      return { result, counted: { reads: metrics.reads, writes: metrics.writes, queries: metrics.queries }, transaction: r.body };
    } finally {
      release();
      await p.bus.idle();
    }
  }

  const onHandOf = async (sku: string) => (await p.api('GET', `/api/v1/stock/${sku}?locationIds=store-1`, { key: t.keys.admin })).body.locations[0]?.onHand;

  it('stock: a sale line costs 3 operations (level read, level replace, ledger entry): no ledger read, no announcement mark', async () => {
    const sku = `SKU-COST-${Date.now()}`;
    await p.api('POST', '/api/v1/stock/movements', {
      key: t.keys.admin,
      body: { type: 'receipt', reference: `GR-${sku}`, locationId: 'store-1', lines: [{ sku, quantity: 10 }] },
    });
    const announced = p.bus.statsOf('stock.changed').accepted;
    const stock = p.platform.services.stock;
    const one = await consumed(sale({ lines: [line(sku)], tenders: [{ type: 'card', amount: 1000 }] }), (e) => stock.handleTransaction(e, silent));
    expect(one.result).toEqual({ movements: 1 });
    expect(one.counted).toEqual({ reads: 1, writes: 2, queries: 0 });
    expect(p.bus.statsOf('stock.changed').accepted).toBe(announced + 1);
    const level = (await db.all('stock', t.tenantId)).find((d) => d.kind === 'level' && d.sku === sku);
    expect(level.eventPending).toBe(false);

    // Per line: two lines, twice the operations.
    const two = await consumed(sale({ lines: [line(sku), line(sku)], tenders: [{ type: 'card', amount: 2000 }] }), (e) => stock.handleTransaction(e, silent));
    expect(two.counted).toEqual({ reads: 2, writes: 4, queries: 0 });
    expect(await onHandOf(sku)).toBe(7);
  });

  it('stock: the first sale of a SKU where it has no level yet costs 3 too (the level is created with the sale in it)', async () => {
    const sku = `SKU-NEW-${Date.now()}`;
    const { result, counted } = await consumed(sale({ lines: [line(sku)], tenders: [{ type: 'card', amount: 1000 }] }), (e) =>
      p.platform.services.stock.handleTransaction(e, silent),
    );
    expect(result).toEqual({ movements: 1 });
    expect(counted).toEqual({ reads: 1, writes: 2, queries: 0 });
    expect(await onHandOf(sku)).toBe(-1);
  });

  it('stock: a redelivered sale line the level remembers costs 2 (level read, ledger entry found there) and moves nothing', async () => {
    const sku = `SKU-AGAIN-${Date.now()}`;
    await p.api('POST', '/api/v1/stock/movements', {
      key: t.keys.admin,
      body: { type: 'receipt', reference: `GR-${sku}`, locationId: 'store-1', lines: [{ sku, quantity: 10 }] },
    });
    const { transaction } = await consumed(sale({ lines: [line(sku)], tenders: [{ type: 'card', amount: 1000 }] }), (e) =>
      p.platform.services.stock.handleTransaction(e, silent),
    );
    const metrics = p.platform.cosmosMetrics;
    metrics.reset();
    expect(await p.platform.services.stock.handleTransaction(recorded(transaction), silent)).toEqual({ movements: 0 });
    expect({ reads: metrics.reads, writes: metrics.writes, queries: metrics.queries }).toEqual({ reads: 1, writes: 1, queries: 0 });
    expect(await onHandOf(sku)).toBe(9);
  });

  it('customer activity: one read and one replace per identified sale (the customer read is the basis of the replace)', async () => {
    const customer = { identifiers: [{ type: 'email', value: `activity-${Date.now()}@example.com` }] };
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) });
    const { result, counted, transaction } = await consumed(sale({ customer }), (e) => p.platform.services.activity.handle(e, silent));
    expect(result).toBe('applied');
    expect(counted).toEqual({ reads: 1, writes: 1, queries: 0 });
    const doc = (await db.all('customers', t.tenantId)).find((d) => d.kind === 'customer' && d.customerId === transaction.customerId);
    expect(doc.recentTransactions.map((x: { transactionId: string }) => x.transactionId)).toContain(transaction.transactionId);
  });

  it('customers: a basis that changed since it was read is read again, and the change made on top of the current version', async () => {
    const customers = p.platform.services.customers;
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'email', value: `basis-${Date.now()}@example.com` }] } }),
    });
    await p.bus.idle();
    const id = r.body.customerId as string;
    const basis = (await customers.getCustomer(t.tenantId, id))!;
    const doc = (await db.all('customers', t.tenantId)).find((d) => d.kind === 'customer' && d.customerId === id);
    await db.replace('customers', { ...doc, profile: { name: 'Changed Meanwhile' } });
    const metrics = p.platform.cosmosMetrics;
    metrics.reset();
    const updated = await customers.updateCustomer(t.tenantId, id, (c) => ({ ...c, profile: { ...c.profile, language: 'es' } }), basis);
    // The replace with the basis's version lost (one write), then the ordinary read and replace.
    expect({ reads: metrics.reads, writes: metrics.writes }).toEqual({ reads: 1, writes: 2 });
    expect(updated?.profile).toEqual({ name: 'Changed Meanwhile', language: 'es' });
    expect((await customers.getCustomer(t.tenantId, id))!.profile).toEqual({ name: 'Changed Meanwhile', language: 'es' });
  });
});
