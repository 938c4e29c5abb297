import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

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
