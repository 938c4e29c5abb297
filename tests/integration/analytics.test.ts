import { InvocationContext } from '@azure/functions';
import type { TopicFunction } from '../../shared/edge/definition';
import type { CloudEvent } from '../../shared/kernel/events';
import {
  captureTransactionEvents,
  hoursAgo,
  onlineSale,
  sale,
  storeDate,
  useTestPlatform,
  type TestContext,
  type TestPlatform,
  type TestTenant,
} from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

afterEach(() => jest.restoreAllMocks());

const range = `from=${storeDate(hoursAgo(24 * 10))}&to=${storeDate(hoursAgo(-24))}`;
const report = async (name: string, key = t.keys.admin) => {
  const r = await p.api('GET', `/api/v1/analytics/${name}?${range}`, { key });
  expect(r.status).toBe(200);
  return r.body;
};
const snapshot = async () => ({
  sales: await report('sales'),
  customers: await report('customers'),
  top: await report('top'),
  coupons: await report('coupons'),
});
/** The stored rollups, without what the store adds. */
const rollups = async () =>
  (await store.all('analytics', t.tenantId))
    .map(({ _etag, _ts, _rid, _self, _attachments, ...doc }) => doc)
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));

const ana = { identifiers: [{ type: 'email', value: 'ana.analytics@example.com' }] };
const bea = { identifiers: [{ type: 'loyaltyCard', value: 'CARD-ANALYTICS-1' }] };

describe('analytics rollups', () => {
  let events: CloudEvent[];
  let anonymous: { externalId: string; transactionId: string; occurredAt: string };

  beforeAll(async () => {
    events = captureTransactionEvents(p);
    const record = async (key: string, body: Record<string, unknown>) => {
      const r = await p.api('POST', '/api/v1/transactions', { key, body });
      expect(r.status).toBe(201);
      return r.body;
    };
    // Ana buys in both channels and returns one shirt; Bea buys twice in store; one sale is anonymous.
    const first = await record(t.keys.pos, sale({ customer: ana }));
    await record(
      t.keys.ecommerce,
      onlineSale({
        customer: ana,
        lines: [{ sku: 'SKU-9', quantity: 1, unitPrice: 2500, taxRate: 21, category: 'shoes' }],
        tenders: [{ type: 'card', amount: 2500 }],
      }),
    );
    await record(t.keys.pos, sale({ customer: bea }));
    await record(t.keys.pos, sale({ customer: bea }));
    const anon = sale();
    const recorded = await record(t.keys.pos, anon);
    anonymous = { externalId: String(anon.externalId), transactionId: recorded.transactionId, occurredAt: String(anon.occurredAt) };
    await record(t.keys.pos, {
      ...sale(),
      type: 'return',
      originalTransactionId: first.transactionId,
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21, category: 'shirts' }],
      tenders: [{ type: 'card', amount: 1999 }],
    });
    await p.bus.idle();
  });

  it('report sales and returns per channel, identified share, omnichannel and repeat customers, top families', async () => {
    const sales = await report('sales');
    expect(sales.currency).toBe('EUR');
    expect(sales.totals).toEqual([
      { channel: 'store', sales: 4, salesNet: 4 * 4398, returns: 1, returnsNet: 1999, net: 4 * 4398 - 1999, units: 12, identifiedSales: 3, couponSales: 0 },
      { channel: 'online', sales: 1, salesNet: 2500, returns: 0, returnsNet: 0, net: 2500, units: 1, identifiedSales: 1, couponSales: 0 },
    ]);
    const customers = await report('customers');
    expect(customers).toMatchObject({
      sales: 5,
      identifiedSales: 4,
      identifiedShare: 0.8,
      customers: 2,
      omnichannel: { customers: 1, spend: 4398 + 2500 - 1999, averageSpend: 4398 + 2500 - 1999 },
      storeOnly: { customers: 1, spend: 2 * 4398, averageSpend: 2 * 4398 },
      onlineOnly: { customers: 0, spend: 0, averageSpend: 0 },
      repeatCustomers: 2,
      repeatRate: 1,
    });
    const top = await report('top');
    expect(top.families).toEqual([
      { key: 'shirts', units: 7, net: 4 * 3998 - 1999 },
      { key: 'shoes', units: 1, net: 2500 },
      { key: 'uncategorised', units: 4, net: 4 * 400 },
    ]);
    expect(top.products[0]).toEqual({ key: 'SKU-1', units: 7, net: 4 * 3998 - 1999 });
  });

  it('stay exact when every event is delivered five more times', async () => {
    const before = await snapshot();
    const stored = await store.all('analytics', t.tenantId);
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'analyticsRollups')!;
    for (let i = 0; i < 5; i += 1) {
      await Promise.all(events.map((e) => consumer.handler(JSON.stringify(e), new InvocationContext({ functionName: 'analyticsRollups' }))));
    }
    expect(await snapshot()).toEqual(before);
    // Nothing was even written again.
    expect((await store.all('analytics', t.tenantId)).map((d) => d._etag).sort()).toEqual(stored.map((d) => d._etag).sort());
  });

  it('count a claimed anonymous sale as identified, once', async () => {
    const customerId = (
      await p.api('POST', '/api/v1/customers/identify', { key: t.keys.admin, body: { identifiers: [{ type: 'email', value: 'claimer@example.com' }] } })
    ).body.customerId;
    const claim = await p.api('POST', `/api/v1/customers/${customerId}/claims`, {
      key: t.keys.pos,
      body: { locationId: 'store-1', externalId: anonymous.externalId, date: storeDate(anonymous.occurredAt), total: 4398 },
    });
    expect(claim.status).toBe(201);
    await p.bus.idle();
    const customers = await report('customers');
    expect(customers).toMatchObject({ sales: 5, identifiedSales: 5, identifiedShare: 1, customers: 3 });
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'analyticsRollups')!;
    const claimed = events.find((e) => e.type === 'transaction.claimed')!;
    for (let i = 0; i < 5; i += 1) await consumer.handler(JSON.stringify(claimed), new InvocationContext({ functionName: 'analyticsRollups' }));
    expect(await report('customers')).toEqual(customers);
  });

  it('count twenty concurrent sales of one store exactly', async () => {
    const before = (await report('sales')).totals[0];
    await Promise.all(Array.from({ length: 20 }, () => p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() })));
    await p.bus.idle();
    const after = (await report('sales')).totals[0];
    expect(after.sales - before.sales).toBe(20);
    expect(after.salesNet - before.salesNet).toBe(20 * 4398);
  });

  it('rebuilt from the transactions, equal the incremental rollups', async () => {
    const incremental = await rollups();
    const before = await snapshot();
    const r = await p.api('POST', '/api/v1/analytics/rebuild', { key: t.keys.admin });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ tenantId: t.tenantId, transactions: 26, rollups: incremental.length, removed: 0 });
    expect(await rollups()).toEqual(incremental);
    expect(await snapshot()).toEqual(before);
  });

  it('export each report as CSV', async () => {
    const r = await fetch(`${p.url}/api/v1/analytics/csv?report=sales&${range}`, { headers: { 'x-api-key': t.keys.admin } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await r.text()).trim().split('\r\n');
    expect(lines[0]).toBe('day,channel,sales,salesNet,returns,returnsNet,net,units,identifiedSales,couponSales,currency');
    expect(lines.slice(1).every((line) => line.split(',').length === 11)).toBe(true);
    const families = await fetch(`${p.url}/api/v1/analytics/csv?report=families&${range}`, { headers: { 'x-api-key': t.keys.admin } });
    expect((await families.text()).split('\r\n')[1]).toMatch(/^shirts,/);
  });

  it('are for admin keys, and refuse a bad range naming the field', async () => {
    expect((await p.api('GET', `/api/v1/analytics/sales?${range}`, { key: t.keys.pos })).status).toBe(403);
    const bad = await p.api('GET', '/api/v1/analytics/sales?from=2026-11-10&to=2026-11-01', { key: t.keys.admin });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'query.to', message: 'must not be before from' }]);
    expect((await p.api('GET', '/api/v1/analytics/sales?from=yesterday&to=2026-11-01', { key: t.keys.admin })).body.errors[0].field).toBe('query.from');
  });
});

describe('the caller', () => {
  it("is told its key's role and locations and its tenant's locale", async () => {
    const me = await p.api('GET', '/api/v1/me', { key: t.keys.pos });
    expect(me.body).toEqual({
      keyId: expect.any(String),
      role: 'pos',
      locationIds: ['store-1'],
      tenant: { tenantId: t.tenantId, name: 'Test Retail', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
    });
    expect((await p.api('GET', '/api/v1/me', { key: 'uk.nobody.wrong' })).status).toBe(401);
  });
});

describe('customer search', () => {
  it('finds a customer by email, loyalty card or id; masked for a POS key', async () => {
    const id = (
      await p.api('POST', '/api/v1/customers/identify', {
        key: t.keys.admin,
        body: {
          identifiers: [
            { type: 'email', value: 'Search.Me@example.com' },
            { type: 'loyaltyCard', value: 'SRCH 0001' },
          ],
          profile: { name: 'Lucía Pérez García' },
        },
      })
    ).body.customerId;
    const search = (body: unknown, key = t.keys.admin) => p.api('POST', '/api/v1/customers/search', { key, body });

    const byEmail = await search({ query: ' search.me@EXAMPLE.com ' });
    expect(byEmail.body.items).toEqual([
      expect.objectContaining({
        customerId: id,
        matchedBy: 'email',
        name: 'Lucía Pérez García',
        identifiers: expect.arrayContaining([{ type: 'email', value: 'search.me@example.com' }]),
      }),
    ]);
    expect((await search({ query: 'srch-0001' })).body.items).toEqual([expect.objectContaining({ customerId: id, matchedBy: 'loyaltyCard' })]);
    expect((await search({ query: id })).body.items).toEqual([expect.objectContaining({ customerId: id, matchedBy: 'customerId' })]);

    const masked = await search({ query: 'search.me@example.com' }, t.keys.pos);
    expect(masked.body.items[0].name).toBe('Lucía');
    expect(masked.body.items[0].identifiers).toEqual(expect.arrayContaining([{ type: 'email', value: 's***@example.com' }]));
    expect(JSON.stringify(masked.body)).not.toContain('search.me@');

    expect((await search({ query: 'nobody@example.com' })).body.items).toEqual([]);
    expect((await search({ query: '' })).body.errors[0].field).toBe('query');
  });
});
