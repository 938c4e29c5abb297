import { InvocationContext } from '@azure/functions';
import type { CloudEvent } from '../../shared/kernel/events';
import type { TopicFunction } from '../../shared/edge/definition';
import { onlineSale, sale, storeDate, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

afterEach(() => jest.restoreAllMocks());

const record = async (body: Record<string, unknown>, key = t.keys.pos) => {
  const r = await p.api('POST', '/api/v1/transactions', { key, body });
  expect(r.status).toBe(201);
  return r.body;
};
const who = (email: string) => ({ identifiers: [{ type: 'email', value: email }] });
const traitsOf = async (customerId: string, key = t.keys.admin) => {
  const r = await p.api('GET', `/api/v1/customers/${customerId}/traits`, { key });
  expect(r.status).toBe(200);
  return r.body.traits;
};
const createSegment = async (name: string, definition: unknown, key = t.keys.admin) => {
  const r = await p.api('POST', '/api/v1/segments', { key, body: { name, definition } });
  expect(r.status).toBe(201);
  return r.body as { segmentId: string };
};

/**
 * What the bus accepted (after duplicate detection): the membership events and the transaction
 * events; the first `failSegmentPublishes` publishes of membership events fail, as a broker outage would.
 */
function capture(options: { failSegmentPublishes?: number } = {}) {
  const segmentEvents: CloudEvent[] = [];
  const transactionEvents: CloudEvent[] = [];
  let failures = options.failSegmentPublishes ?? 0;
  const isSegment = (e: CloudEvent) => e.type.startsWith('customer.segment.');
  const original = p.bus.publish.bind(p.bus);
  jest.spyOn(p.bus, 'publish').mockImplementation(async (events) => {
    if (failures > 0 && events.some(isSegment)) {
      failures -= 1;
      throw new Error('The message broker is unavailable');
    }
    await original(events);
    for (const e of events) {
      if (e.type === 'transaction.recorded') transactionEvents.push(e);
      if (isSegment(e) && !segmentEvents.some((x) => x.id === e.id)) segmentEvents.push(e);
    }
  });
  return { segmentEvents, transactionEvents };
}
const captureSegmentEvents = () => capture().segmentEvents;

const OMNICHANNEL = {
  all: [
    { trait: 'lastStorePurchaseAt', operator: 'withinLastDays', value: 90 },
    { trait: 'lastOnlinePurchaseAt', operator: 'withinLastDays', value: 90 },
  ],
};

describe('traits', () => {
  it('counts sales and returns of both channels with exact values', async () => {
    const customer = who('traits@example.com');
    // Store: 2 x 19.99 shirts + 1 x 5.00 with 1.00 off = 43.98.
    const storeSale = await record(sale({ customer, occurredAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }));
    // Online: 1 x 30.00 shoes + 1 x 12.00 shirts = 42.00.
    const webSale = await record(
      onlineSale({
        customer,
        lines: [
          { sku: 'SHOE-1', quantity: 1, unitPrice: 3000, taxRate: 21, category: 'shoes' },
          { sku: 'SKU-9', quantity: 1, unitPrice: 1200, taxRate: 21, category: 'shirts' },
        ],
        tenders: [{ type: 'card', amount: 4200 }],
      }),
      t.keys.ecommerce,
    );
    // One shirt taken back in store: 19.99 refunded.
    await record(
      sale({
        customer,
        type: 'return',
        originalTransactionId: storeSale.transactionId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21, category: 'shirts' }],
        tenders: [{ type: 'cash', amount: 1999 }],
      }),
    );
    await p.bus.idle();
    const traits = await traitsOf(storeSale.customerId);
    expect(traits).toMatchObject({
      firstPurchaseAt: new Date(storeSale.occurredAt).toISOString(),
      lastPurchaseAt: new Date(webSale.occurredAt).toISOString(),
      lastStorePurchaseAt: new Date(storeSale.occurredAt).toISOString(),
      lastOnlinePurchaseAt: new Date(webSale.occurredAt).toISOString(),
      daysSinceLastPurchase: expect.any(Number),
      orders: 2,
      totalSpend: 4398 + 4200 - 1999,
      orders30d: 2,
      orders90d: 2,
      orders365d: 2,
      spend30d: 6599,
      spend90d: 6599,
      spend365d: 6599,
      channels30d: ['store', 'online'],
      channels90d: ['store', 'online'],
      averageTicket: 4299,
      averageTicketStore: 4398,
      averageTicketOnline: 4200,
      storeSpendShare: 0.5115,
      preferredChannel: 'store',
      preferredStore: 'store-1',
      returns: 1,
      refunded: 1999,
      returnRate: 0.2325,
      families: ['shirts', 'shoes'],
      categories: ['shirts', 'shoes'],
      brands: [],
      spendByCategory: { shirts: 3998 + 1200 - 1999, shoes: 3000 },
      unitsByCategory: { shirts: 2, shoes: 1 },
      spendByFamily: { shirts: 3199, shoes: 3000 },
      unitsByFamily: { shirts: 2, shoes: 1 },
      loyaltyTier: null,
      consents: [],
      age: null,
      daysUntilBirthday: null,
      birthdayThisMonth: false,
    });
    expect([0, 1]).toContain(traits.daysSinceLastPurchase);
  });

  it('takes the profile and consents: age, gender, postal code, country, birthday (hidden or cut for a till)', async () => {
    const now = new Date();
    const birth = new Date(Date.UTC(now.getUTCFullYear() - 30, now.getUTCMonth(), now.getUTCDate()));
    const identified = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.admin,
      body: {
        identifiers: [{ type: 'email', value: 'profile@example.com' }],
        profile: { birthDate: birth.toISOString().slice(0, 10), gender: 'female', postalCode: '28013', country: 'ES' },
        consents: [{ purpose: 'marketingEmail', granted: true }],
      },
    });
    await record(sale({ customer: who('profile@example.com') }));
    await p.bus.idle();
    expect(await traitsOf(identified.body.customerId)).toMatchObject({
      age: 30,
      gender: 'female',
      postalCode: '28013',
      country: 'ES',
      consents: ['marketingEmail'],
      daysUntilBirthday: 0,
      birthdayThisMonth: true,
    });
    expect(await traitsOf(identified.body.customerId, t.keys.pos)).toMatchObject({
      postalCode: '28***',
      age: null,
      gender: null,
      daysUntilBirthday: null,
      birthdayThisMonth: true,
    });
    const view = await p.api('GET', `/api/v1/customers/${identified.body.customerId}`, { key: t.keys.admin });
    expect(view.body.traits).toMatchObject({ orders: 1, age: 30 });
  });

  it('counts an event delivered twice once', async () => {
    const { transactionEvents: events } = capture();
    const r = await record(sale({ customer: who('twice-traits@example.com') }));
    await p.bus.idle();
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'segmentTraits')!;
    const before = (await store.all('traits', t.tenantId)).find((d) => d.customerId === r.customerId);
    await consumer.handler(JSON.stringify(events[0]), new InvocationContext({ functionName: 'segmentTraits' }));
    const after = (await store.all('traits', t.tenantId)).find((d) => d.customerId === r.customerId);
    expect(after._etag).toBe(before._etag);
    expect((await traitsOf(r.customerId)).orders).toBe(1);
  });

  it('costs three Cosmos DB operations per identified sale: the customer, the traits document and its replace', async () => {
    const { transactionEvents } = capture();
    await record(sale({ customer: who('cost@example.com') }));
    await p.bus.idle();
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'segmentTraits')!;
    const metrics = p.platform.cosmosMetrics;
    const before = { reads: metrics.reads, writes: metrics.writes, queries: metrics.queries };
    // Another sale of the same customer, handed to the consumer alone.
    const next = { ...transactionEvents[0]!, id: 'evt_cost_2', data: { ...(transactionEvents[0]!.data as object), transactionId: 'tx_cost_2' } };
    await consumer.handler(JSON.stringify(next), new InvocationContext({ functionName: 'segmentTraits' }));
    expect({ reads: metrics.reads - before.reads, writes: metrics.writes - before.writes, queries: metrics.queries - before.queries }).toEqual({
      reads: 2,
      writes: 1,
      queries: 0,
    });
  });

  it('counts an anonymous store ticket once it is claimed, and enters the customer then', async () => {
    const segment = await createSegment('Omnichannel (claims)', OMNICHANNEL);
    const ticket = await record(sale());
    const web = await record(onlineSale({ customer: who('claims-traits@example.com') }), t.keys.ecommerce);
    await p.bus.idle();
    expect((await traitsOf(web.customerId)).channels90d).toEqual(['online']);
    const events = captureSegmentEvents();
    const claim = await p.api('POST', `/api/v1/customers/${web.customerId}/claims`, {
      key: t.keys.ecommerce,
      body: { locationId: 'store-1', externalId: ticket.externalId, date: storeDate(ticket.occurredAt), total: ticket.totals.net },
    });
    expect(claim.status).toBe(201);
    await p.bus.idle();
    expect(await traitsOf(web.customerId)).toMatchObject({ orders: 2, channels90d: ['store', 'online'], preferredStore: 'store-1' });
    expect(events.map((e) => e.type)).toEqual(['customer.segment.entered']);
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });

  it('combines two customers on a merge and re-evaluates the survivor', async () => {
    const segment = await createSegment('Omnichannel (merge)', OMNICHANNEL);
    const a = await record(sale({ customer: who('merge-a@example.com') }));
    const b = await record(onlineSale({ customer: who('merge-b@example.com') }), t.keys.ecommerce);
    await p.bus.idle();
    const events = captureSegmentEvents();
    const merged = await p.api('POST', `/api/v1/customers/${a.customerId}/merge`, {
      key: t.keys.admin,
      body: { customerId: b.customerId, reason: 'same person' },
    });
    expect(merged.status).toBe(200);
    expect(await traitsOf(a.customerId)).toMatchObject({ orders: 2, totalSpend: 8796, channels90d: ['store', 'online'], averageTicket: 4398 });
    expect((await store.all('traits', t.tenantId)).some((d) => d.customerId === b.customerId)).toBe(false);
    expect(events.map((e) => [e.type, (e.data as { customerId: string }).customerId])).toEqual([['customer.segment.entered', a.customerId]]);
    expect((await p.api('GET', `/api/v1/customers/${a.customerId}/segments`, { key: t.keys.pos })).body.items).toEqual([
      expect.objectContaining({ segmentId: segment.segmentId, name: 'Omnichannel (merge)' }),
    ]);
    // A second merge call changes nothing.
    await p.api('POST', `/api/v1/customers/${a.customerId}/merge`, { key: t.keys.admin, body: { customerId: b.customerId, reason: 'same person' } });
    expect((await traitsOf(a.customerId)).orders).toBe(2);
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });
});

describe('segment definitions', () => {
  it('serves the traits, their types and operators', async () => {
    const r = await p.api('GET', '/api/v1/segments/fields', { key: t.keys.ecommerce });
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.traits.map((f: { name: string }) => [f.name, f]));
    expect(byName.daysSinceLastPurchase).toMatchObject({ type: 'number', operators: expect.arrayContaining(['between', 'greaterThan']) });
    expect(byName.lastPurchaseAt.operators).toContain('withinLastDays');
    expect(byName.families.operators).toContain('contains');
    expect(byName.spendByBrand).toMatchObject({ type: 'map', key: 'brand' });
    expect(r.body.groups).toEqual(['all', 'any', 'not']);
  });

  it('refuses an invalid definition naming every wrong node', async () => {
    const r = await p.api('POST', '/api/v1/segments', {
      key: t.keys.admin,
      body: {
        name: 'Broken',
        definition: {
          all: [
            { trait: 'shoeSize', operator: 'equals', value: 42 },
            {
              any: [
                { trait: 'orders90d', operator: 'contains', value: 'x' },
                { trait: 'orders', operator: 'between', value: [5, 1] },
              ],
            },
            { not: { trait: 'spendByFamily', operator: 'greaterThan', value: 10 } },
            { any: [] },
            { trait: 'lastPurchaseAt', operator: 'withinLastDays', value: 'ninety' },
          ],
        },
      },
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'definition.all.0.trait',
      'definition.all.1.any.0.operator',
      'definition.all.1.any.1.value',
      'definition.all.2.not.key',
      'definition.all.3.any',
      'definition.all.4.value',
    ]);
    expect((await p.api('GET', '/api/v1/segments', { key: t.keys.admin })).body.items.some((s: { name: string }) => s.name === 'Broken')).toBe(false);
  });

  it('lets only admin keys manage segments, and answers 404 for another tenant’s segment', async () => {
    expect((await p.api('POST', '/api/v1/segments', { key: t.keys.pos, body: { name: 'x', definition: OMNICHANNEL } })).status).toBe(403);
    const segment = await createSegment('Ours', OMNICHANNEL);
    const other = await p.createTenant();
    for (const [method, path] of [
      ['GET', `/api/v1/segments/${segment.segmentId}`],
      ['GET', `/api/v1/segments/${segment.segmentId}/members`],
      ['GET', `/api/v1/segments/${segment.segmentId}/sizes`],
      ['DELETE', `/api/v1/segments/${segment.segmentId}`],
    ]) {
      expect([path, (await p.api(method!, path!, { key: other.keys.admin })).status]).toEqual([path, 404]);
    }
    const put = await p.api('PUT', `/api/v1/segments/${segment.segmentId}`, { key: other.keys.admin, body: { name: 'Theirs', definition: OMNICHANNEL } });
    expect(put.status).toBe(404);
    expect((await p.api('GET', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin })).body.name).toBe('Ours');
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });
});

describe('membership in real time', () => {
  it('enters once when 20 sales of one customer land at once, and not again when each is delivered twice', async () => {
    const segment = await createSegment('Omnichannel shoppers', OMNICHANNEL);
    const customer = who('rush@example.com');
    const first = await record(onlineSale({ customer }), t.keys.ecommerce);
    await p.bus.idle();
    const { segmentEvents: events, transactionEvents: delivered } = capture();
    const sales = await Promise.all(Array.from({ length: 20 }, () => p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer }) })));
    expect(sales.map((r) => r.status)).toEqual(Array(20).fill(201));
    await p.bus.idle();
    // Every sale delivered again, as the trigger would after the duplicate-detection window.
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'segmentTraits')!;
    await Promise.all(delivered.map((e) => consumer.handler(JSON.stringify(e), new InvocationContext({ functionName: 'segmentTraits' }))));
    await p.bus.idle();
    expect(events.map((e) => [e.type, (e.data as { segmentId: string }).segmentId, (e.data as { customerId: string }).customerId])).toEqual([
      ['customer.segment.entered', segment.segmentId, first.customerId],
    ]);
    expect(events[0]).toMatchObject({ segmentid: segment.segmentId, data: { segmentName: 'Omnichannel shoppers' }, subject: `customers/${first.customerId}` });
    expect((await traitsOf(first.customerId)).orders).toBe(21);
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });

  it('leaves once when the traits stop qualifying', async () => {
    const segment = await createSegment('One order only', { trait: 'orders', operator: 'equals', value: 1 });
    const customer = who('one-order@example.com');
    const events = captureSegmentEvents();
    const first = await record(sale({ customer }));
    await p.bus.idle();
    expect(events.map((e) => e.type)).toEqual(['customer.segment.entered']);
    await record(sale({ customer }));
    await p.bus.idle();
    expect(events.map((e) => e.type)).toEqual(['customer.segment.entered', 'customer.segment.left']);
    expect((await store.all('traits', t.tenantId)).find((d) => d.customerId === first.customerId).eventPending).toBe(false);
    const members = await p.api('GET', `/api/v1/segments/${segment.segmentId}/members`, { key: t.keys.admin });
    expect(members.body.items).toEqual([]);
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });

  it('keeps the event in the outbox when the publish fails and the sweeper sends it', async () => {
    const segment = await createSegment('Big basket', { trait: 'averageTicket', operator: 'greaterThanOrEqual', value: 100_000 });
    // The membership event's first publish fails, after the traits were written.
    const { segmentEvents: events } = capture({ failSegmentPublishes: 1 });
    const customer = who('outbox@example.com');
    const big = { lines: [{ sku: 'TV', quantity: 1, unitPrice: 150_000, taxRate: 21 }], tenders: [{ type: 'card', amount: 150_000 }] };
    const r = await record(sale({ customer, ...big }));
    await p.bus.idle();
    expect(events).toEqual([]);
    expect((await store.all('traits', t.tenantId)).find((d) => d.customerId === r.customerId)).toMatchObject({
      eventPending: true,
      segmentIds: [segment.segmentId],
    });
    await p.host.runTimer('segmentOutbox');
    expect(events.map((e) => e.type)).toEqual(['customer.segment.entered']);
    expect((await store.all('traits', t.tenantId)).find((d) => d.customerId === r.customerId)).toMatchObject({ eventPending: false, outbox: [] });
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });
});

describe('the api other capabilities use', () => {
  it('answers isMember, exists, customersMatching and traits.get', async () => {
    const { segments, traits } = p.platform.services;
    const segment = await createSegment('Coat buyers', { trait: 'categories', operator: 'contains', value: 'coats' });
    const coat = { lines: [{ sku: 'COAT', quantity: 1, unitPrice: 9000, taxRate: 21, category: 'coats' }], tenders: [{ type: 'card', amount: 9000 }] };
    const buyer = await record(sale({ customer: who('api-coat@example.com'), ...coat }));
    const other = await record(sale({ customer: who('api-other@example.com') }));
    await p.bus.idle();
    expect(await segments.isMember(t.tenantId, segment.segmentId, buyer.customerId)).toBe(true);
    expect(await segments.isMember(t.tenantId, segment.segmentId, other.customerId)).toBe(false);
    expect(await segments.exists(t.tenantId, segment.segmentId)).toBe(true);
    expect(await segments.exists('another-tenant', segment.segmentId)).toBe(false);
    const matching: string[] = [];
    for await (const id of segments.customersMatching(t.tenantId, { trait: 'spendByCategory', key: 'coats', operator: 'greaterThanOrEqual', value: 9000 })) {
      matching.push(id);
    }
    expect(matching).toEqual([buyer.customerId]);
    await expect(async () => {
      for await (const id of segments.customersMatching(t.tenantId, { trait: 'nope', operator: 'equals', value: 1 })) matching.push(id);
    }).rejects.toMatchObject({ code: 'validation-failed' });
    expect(await traits.get(t.tenantId, buyer.customerId)).toMatchObject({ orders: 1, daysSinceLastPurchase: expect.any(Number), daysUntilBirthday: null });
    expect(await traits.get(t.tenantId, 'c_nobody')).toBeUndefined();
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
    expect(await segments.exists(t.tenantId, segment.segmentId)).toBe(false);
    expect(await segments.isMember(t.tenantId, segment.segmentId, buyer.customerId)).toBe(false);
    expect((await p.api('GET', `/api/v1/customers/${buyer.customerId}/segments`, { key: t.keys.pos })).body.items).toEqual([]);
  });
});

describe('erasure', () => {
  it('leaves no trace in traits, memberships or member exports', async () => {
    const segment = await createSegment('Shirt buyers', { trait: 'categories', operator: 'contains', value: 'shirts' });
    const keep = await record(sale({ customer: who('keep@example.com') }));
    const gone = await record(sale({ customer: who('gone@example.com') }));
    await p.bus.idle();
    const exported = await p.api('POST', `/api/v1/segments/${segment.segmentId}/exports`, { key: t.keys.admin, body: {} });
    expect(exported.status).toBe(201);
    const before = await (await fetch(exported.body.url)).text();
    expect(before).toContain(gone.customerId);
    expect(before).toContain('g***@example.com');
    expect(before).not.toContain('gone@example.com');

    const events = captureSegmentEvents();
    expect((await p.api('DELETE', `/api/v1/customers/${gone.customerId}`, { key: t.keys.admin })).status).toBe(204);
    expect((await store.all('traits', t.tenantId)).some((d) => d.customerId === gone.customerId)).toBe(false);
    const members = (await p.api('GET', `/api/v1/segments/${segment.segmentId}/members`, { key: t.keys.admin })).body.items.map(
      (m: { customerId: string }) => m.customerId,
    );
    expect(members).toContain(keep.customerId);
    expect(members).not.toContain(gone.customerId);
    expect(events.map((e) => [e.type, (e.data as { customerId: string }).customerId])).toEqual([['customer.segment.left', gone.customerId]]);
    const after = await (await fetch(exported.body.url)).text();
    expect(after).toContain(keep.customerId);
    expect(after).not.toContain(gone.customerId);
    // A later redelivery of the erased customer's sale writes nothing back.
    expect((await p.api('GET', `/api/v1/customers/${gone.customerId}/traits`, { key: t.keys.admin })).status).toBe(410);
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });

  it('exports unmasked identifiers only to an admin who gives a reason', async () => {
    const segment = await createSegment('Everyone who bought', { trait: 'orders', operator: 'greaterThan', value: 0 });
    await record(sale({ customer: who('full@example.com') }));
    await p.bus.idle();
    await p.host.runTimer('segmentBackfill');
    const noReason = await p.api('POST', `/api/v1/segments/${segment.segmentId}/exports`, { key: t.keys.admin, body: { unmasked: true } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: expect.any(String) }]);
    const full = await p.api('POST', `/api/v1/segments/${segment.segmentId}/exports`, {
      key: t.keys.admin,
      body: { unmasked: true, reason: 'Mailing for the spring campaign, ticket MKT-12' },
    });
    expect(full.body).toMatchObject({ masked: false });
    expect(await (await fetch(full.body.url)).text()).toContain('full@example.com');
    const log = (await store.all('segments', t.tenantId)).find((d) => d.kind === 'exportLog' && d.exportId === full.body.exportId);
    expect(log).toMatchObject({ unmasked: true, reason: 'Mailing for the spring campaign, ticket MKT-12' });
    await p.api('DELETE', `/api/v1/segments/${segment.segmentId}`, { key: t.keys.admin });
  });
});
