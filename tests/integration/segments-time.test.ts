import type { CloudEvent } from '../../shared/kernel/events';
import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

afterEach(() => jest.restoreAllMocks());

const DAY = 86_400_000;
const record = async (body: Record<string, unknown>, key = t.keys.pos) => {
  const r = await p.api('POST', '/api/v1/transactions', { key, body });
  expect(r.status).toBe(201);
  return r.body;
};
const who = (email: string) => ({ identifiers: [{ type: 'email', value: email }] });
const segment = async (id: string) => (await p.api('GET', `/api/v1/segments/${id}`, { key: t.keys.admin })).body;
const allMembers = async (id: string) => {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = (await p.api('GET', `/api/v1/segments/${id}/members?limit=2${token ? `&continuationToken=${token}` : ''}`, { key: t.keys.admin })).body;
    ids.push(...page.items.map((m: { customerId: string }) => m.customerId));
    token = page.continuationToken ?? undefined;
  } while (token);
  return ids.sort();
};

describe('backfill', () => {
  it('resumes where a crashed run stopped, restarts cleanly after an edit, and ends with what the preview counts', async () => {
    // Seven customers; the ones with a big basket (over 50.00) are the segment.
    const big = { lines: [{ sku: 'COAT', quantity: 1, unitPrice: 8000, taxRate: 21, category: 'coats' }], tenders: [{ type: 'card', amount: 8000 }] };
    const customers: string[] = [];
    for (let i = 0; i < 7; i += 1) customers.push((await record(sale({ customer: who(`backfill-${i}@example.com`), ...(i % 2 === 0 ? big : {}) }))).customerId);
    await p.bus.idle();
    const bigSpenders = { trait: 'averageTicket', operator: 'greaterThan', value: 5000 };
    const preview = await p.api('POST', '/api/v1/segments/preview', { key: t.keys.admin, body: { definition: bigSpenders } });
    expect(preview.body.count).toBe(4);

    const created = (await p.api('POST', '/api/v1/segments', { key: t.keys.admin, body: { name: 'Big baskets', definition: bigSpenders } })).body;
    expect(created.backfill).toMatchObject({ status: 'pending', processed: 0 });
    const { segments } = p.platform.services;
    // One page of two, then the run stops as a crashed one would: its lease still held.
    await segments.backfill(t.tenantId, created.segmentId, p.platform.logger, { maxPages: 1, pageSize: 2 });
    expect((await segment(created.segmentId)).backfill).toMatchObject({ status: 'running', processed: 2 });
    await p.host.runTimer('segmentBackfill');
    expect((await segment(created.segmentId)).backfill).toMatchObject({ status: 'running', processed: 2 });
    // Past the lease, the next run resumes from the saved page.
    p.advanceClock(3 * 60_000);
    await segments.runBackfills(p.platform.logger, { pageSize: 2 });
    expect((await segment(created.segmentId)).backfill).toMatchObject({ status: 'done', processed: 7, matched: 4 });
    expect(await allMembers(created.segmentId)).toEqual(preview.body.sample.map((s: { customerId: string }) => s.customerId).sort());
    expect((await segment(created.segmentId)).size).toBe(4);

    // An edit while a run is under way: the run stops at its next save, the new version starts over.
    await segments.backfill(t.tenantId, created.segmentId, p.platform.logger, { maxPages: 1, pageSize: 2 });
    const smaller = {
      all: [bigSpenders, { trait: 'categories', operator: 'contains', value: 'coats' }, { not: { trait: 'orders', operator: 'greaterThan', value: 1 } }],
    };
    const edited = await p.api('PUT', `/api/v1/segments/${created.segmentId}`, { key: t.keys.admin, body: { name: 'Big coat baskets', definition: smaller } });
    expect(edited.body).toMatchObject({ version: 2, backfill: { status: 'pending', version: 2, processed: 0 } });
    await p.host.runTimer('segmentBackfill');
    expect((await segment(created.segmentId)).backfill).toMatchObject({ status: 'done', version: 2, processed: 7, matched: 4 });
    const again = await p.api('POST', '/api/v1/segments/preview', { key: t.keys.pos, body: { definition: smaller } });
    expect(again.body.count).toBe(4);
    expect(again.body.sample[0]).not.toHaveProperty('age');
  });
});

describe('time', () => {
  it('moves the rolling windows with the clock, and the daily review lets customers leave and records sizes', async () => {
    const created = (
      await p.api('POST', '/api/v1/segments', {
        key: t.keys.admin,
        body: { name: 'Bought this month', definition: { trait: 'orders30d', operator: 'greaterThanOrEqual', value: 1 } },
      })
    ).body;
    const r = await record(sale({ customer: who('window@example.com') }));
    await p.bus.idle();
    const traits = async () => (await p.api('GET', `/api/v1/customers/${r.customerId}/traits`, { key: t.keys.admin })).body.traits;
    expect(await traits()).toMatchObject({ orders30d: 1, orders90d: 1, spend30d: 4398 });
    expect(await allMembers(created.segmentId)).toContain(r.customerId);

    const seen: CloudEvent[] = [];
    const original = p.bus.publish.bind(p.bus);
    jest.spyOn(p.bus, 'publish').mockImplementation(async (events) => {
      await original(events);
      seen.push(...events.filter((e) => e.type.startsWith('customer.segment.')));
    });
    p.advanceClock(30 * DAY);
    expect(await traits()).toMatchObject({ orders30d: 0, spend30d: 0, orders90d: 1, spend90d: 4398, orders365d: 1, daysSinceLastPurchase: 30 });
    await p.host.runTimer('segmentDaily');
    expect(seen.map((e) => [e.type, (e.data as { customerId: string }).customerId])).toEqual([['customer.segment.left', r.customerId]]);
    expect(await allMembers(created.segmentId)).not.toContain(r.customerId);
    const day = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
    const sizes = (await p.api('GET', `/api/v1/segments/${created.segmentId}/sizes`, { key: t.keys.admin })).body.items;
    expect(sizes).toContainEqual({ day, size: expect.any(Number) });
    // RFM cut points were computed: every customer with a purchase has scores.
    expect(await traits()).toMatchObject({ rfmRecency: expect.any(Number), rfmFrequency: expect.any(Number), rfmMonetary: expect.any(Number) });

    p.advanceClock(336 * DAY);
    expect(await traits()).toMatchObject({ orders90d: 0, orders365d: 0, spend365d: 0, orders: 1, totalSpend: 4398 });
    // A second review at the same state changes nobody.
    seen.length = 0;
    await p.host.runTimer('segmentDaily');
    expect(seen).toEqual([]);
  });
});
