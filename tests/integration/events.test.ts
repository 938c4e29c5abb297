import { InvocationContext } from '@azure/functions';
import { TransactionRecorded } from '../../shared/transactions/transactions';
import { createEvent } from '../../shared/kernel/events';
const TRANSACTION_RECORDED = TransactionRecorded.type;
import type { TopicFunction } from '../../shared/edge/definition';
import { captureTransactionEvents, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

const customerDoc = async (tenantId: string, customerId: string) =>
  (await store.all('customers', tenantId)).find((d: { customerId: string }) => d.customerId === customerId);

const captureEvents = () => captureTransactionEvents(p);

afterEach(() => jest.restoreAllMocks());

describe('transaction.recorded', () => {
  it('is a CloudEvents 1.0 event that the customer-activity consumer applies', async () => {
    const events = captureEvents();
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'loyaltyCard', value: '1234 5678' }] } }),
    });
    await p.bus.idle();
    expect(events).toEqual([
      expect.objectContaining({
        specversion: '1.0',
        id: `evt_${r.body.transactionId}`,
        type: 'transaction.recorded',
        source: `/tenants/${t.tenantId}/locations/store-1`,
        subject: `transactions/${r.body.transactionId}`,
        tenantid: t.tenantId,
        datacontenttype: 'application/json',
        time: expect.any(String),
        data: expect.objectContaining({ transactionId: r.body.transactionId, customerId: r.body.customerId }),
      }),
    ]);
    const customer = await customerDoc(t.tenantId, r.body.customerId);
    expect(customer.recentTransactions.map((x: { transactionId: string }) => x.transactionId)).toEqual([r.body.transactionId]);
    expect(customer.channels).toEqual(['store']);
  });

  it('still goes out when the publish fails after the write: the sweeper resends it', async () => {
    p.bus.failNextPublishes(1);
    const before = p.bus.statsOf(TRANSACTION_RECORDED).accepted;
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'email', value: 'late@example.com' }] } }),
    });
    expect(r.status).toBe(201);
    expect(p.bus.statsOf(TRANSACTION_RECORDED).accepted).toBe(before);
    const pending = (await store.all('transactions', t.tenantId)).find((d: { transactionId: string }) => d.transactionId === r.body.transactionId);
    expect(pending.eventPending).toBe(true);

    await p.host.runTimer('outboxSweeper');
    await p.bus.idle();
    expect(p.bus.statsOf(TRANSACTION_RECORDED).accepted).toBe(before + 1);
    const sent = (await store.all('transactions', t.tenantId)).find((d: { transactionId: string }) => d.transactionId === r.body.transactionId);
    expect(sent.eventPending).toBe(false);
    const customer = await customerDoc(t.tenantId, r.body.customerId);
    expect(customer.recentTransactions[0].transactionId).toBe(r.body.transactionId);

    // Nothing left to resend: a second sweep publishes nothing.
    await p.host.runTimer('outboxSweeper');
    expect(p.bus.statsOf(TRANSACTION_RECORDED).accepted).toBe(before + 1);
  });

  it('is not published twice by a sweep that runs while nothing is pending', async () => {
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    await p.bus.idle();
    const before = p.bus.statsOf(TRANSACTION_RECORDED).offered;
    await p.host.runTimer('outboxSweeper');
    expect(p.bus.statsOf(TRANSACTION_RECORDED).offered).toBe(before);
  });

  it('is deduplicated on its id by the bus within the window', async () => {
    const events = captureEvents();
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    const accepted = p.bus.statsOf(TRANSACTION_RECORDED).accepted;
    await p.bus.publish(events as never);
    expect(p.bus.statsOf(TRANSACTION_RECORDED).accepted).toBe(accepted);
  });
});

describe('consumers', () => {
  it('act once on an event delivered twice', async () => {
    const events = captureEvents();
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'email', value: 'twice@example.com' }] } }),
    });
    await p.bus.idle();
    const before = await customerDoc(t.tenantId, r.body.customerId);
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'customerActivity')!;
    // A redelivery, as the trigger would hand it over after the duplicate-detection window.
    await consumer.handler(JSON.stringify(events[0]), new InvocationContext({ functionName: 'customerActivity' }));
    await consumer.handler(Buffer.from(JSON.stringify(events[0])), new InvocationContext({ functionName: 'customerActivity' }));
    const after = await customerDoc(t.tenantId, r.body.customerId);
    expect(after.recentTransactions).toHaveLength(1);
    expect(after._etag).toBe(before._etag);
  });

  it('keep only the newest transactions, whatever the order of delivery', async () => {
    const identifiers = { identifiers: [{ type: 'email', value: 'many@example.com' }] };
    const days = [5, 1, 12, 3, 9, 7, 11, 2, 10, 4, 8, 6];
    for (const day of days) {
      // September is past the offline window: an admin import.
      await p.api('POST', '/api/v1/transactions', {
        key: t.keys.admin,
        body: sale({ occurredAt: `2026-09-${String(day).padStart(2, '0')}T10:00:00+02:00`, customer: identifiers, import: true }),
      });
    }
    await p.bus.idle();
    const all = await store.all('customers', t.tenantId);
    const customer = all.find((c: { recentTransactions: Array<{ occurredAt: string }> }) => c.recentTransactions.length === 10);
    expect(customer.recentTransactions.map((x: { occurredAt: string }) => Number(x.occurredAt.slice(8, 10)))).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
  });

  it('end in the dead-letter store when they keep failing, after the max delivery count', async () => {
    // A well-formed event that the store refuses every time (a document id may not contain '/').
    const recorded = (
      await p.api('POST', '/api/v1/transactions', {
        key: t.keys.pos,
        body: sale({ customer: { identifiers: [{ type: 'email', value: 'poison@example.com' }] } }),
      })
    ).body;
    await p.bus.idle();
    const { receipt: _receipt, ...data } = recorded;
    await p.bus.publish([
      createEvent(TransactionRecorded, {
        id: 'evt_poison',
        source: '/tests',
        subject: 'poison',
        time: new Date().toISOString(),
        tenantid: t.tenantId,
        data: { ...data, transactionId: 'tx/poison', customerId: 'c/poison' },
      }),
    ]);
    await p.bus.idle();
    const listed = await p.api('GET', '/_local/dead-letters', { key: p.adminKey });
    expect(listed.status).toBe(200);
    const poison = listed.body.deadLetters.find((d: { messageId: string }) => d.messageId === 'evt_poison');
    expect(poison).toMatchObject({ subscription: 'customer-activity', deliveryCount: 10 });
    expect((await p.api('GET', '/_local/dead-letters', { key: t.keys.admin })).status).toBe(401);
  });

  it('never see an event that fails its contract: it goes to the dead-letter store at once, with the reason', async () => {
    await p.bus.publish([{ specversion: '1.0', id: 'evt_malformed', type: 'transaction.recorded', tenantid: t.tenantId, identified: true } as never]);
    await p.bus.idle();
    const listed = await p.api('GET', '/_local/dead-letters', { key: p.adminKey });
    const malformed = listed.body.deadLetters.filter((d: { messageId: string }) => d.messageId === 'evt_malformed');
    // Every subscription its routing reaches refuses it on the first delivery; no handler ran, nothing was retried.
    expect(malformed.map((d: { subscription: string }) => d.subscription).sort()).toEqual([
      'analytics',
      'customer-activity',
      'loyalty',
      'offers',
      'receipts',
      'recommendations',
      'segments',
    ]);
    for (const d of malformed) {
      expect(d.deliveryCount).toBe(1);
      expect(d.reason).toMatch(/^not a CloudEvent: source .*|transaction\.recorded data does not match its schema/);
    }
  });
});
