import { TransactionRecorded } from '../../shared/transactions/transactions';
const TRANSACTION_RECORDED = TransactionRecorded.type;
import { sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

const post = (body: unknown, headers: Record<string, string> = {}, key = t.keys.pos) => p.api('POST', '/api/v1/transactions', { key, body, headers });

describe('Idempotency-Key', () => {
  it('replays the first response for a repeat with the same key and body', async () => {
    const body = sale();
    const first = await post(body, { 'Idempotency-Key': 'k-replay' });
    const again = await post(body, { 'Idempotency-Key': 'k-replay' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
  });

  it('answers 422 when the same key comes with a different body, and stores nothing new', async () => {
    const before = await store.count('transactions', t.tenantId);
    await post(sale(), { 'Idempotency-Key': 'k-changed' });
    const changed = await post(sale(), { 'Idempotency-Key': 'k-changed' });
    expect(changed.status).toBe(422);
    expect(changed.body.code).toBe('idempotency-key-reused');
    expect(changed.headers.get('content-type')).toContain('application/problem+json');
    expect(await store.count('transactions', t.tenantId)).toBe(before + 1);
  });

  it('answers 409 to a repeat that arrives while the first is still in flight', async () => {
    const body = sale();
    const release = p.bus.holdPublishes();
    const first = post(body, { 'Idempotency-Key': 'k-inflight' });
    // The first request is now parked at its publish, after its write.
    await new Promise((r) => setTimeout(r, 150));
    const concurrent = await post(body, { 'Idempotency-Key': 'k-inflight' });
    release();
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.code).toBe('idempotency-request-in-flight');
    expect((await first).status).toBe(201);
    const later = await post(body, { 'Idempotency-Key': 'k-inflight' });
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
  });

  it('scopes keys to the API key: another key with the same Idempotency-Key is a new request', async () => {
    const mine = await post(sale(), { 'Idempotency-Key': 'k-scope' });
    const theirs = await post(sale({ locationId: 'store-2' }), { 'Idempotency-Key': 'k-scope' }, t.keys.posOtherStore);
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.transactionId).not.toBe(mine.body.transactionId);
  });

  it('does not keep a key whose request failed validation, so the corrected request goes through', async () => {
    const bad = await post({ ...sale(), tenders: [] }, { 'Idempotency-Key': 'k-fix' });
    expect(bad.status).toBe(400);
    expect((await post(sale(), { 'Idempotency-Key': 'k-fix' })).status).toBe(201);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const r = await post(sale(), { 'Idempotency-Key': 'x'.repeat(300) });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('header Idempotency-Key');
  });
});

describe('duplicates without a key', () => {
  it('answers a resent ticket with the transaction already recorded', async () => {
    const body = sale({ customer: { identifiers: [{ type: 'email', value: 'dup@example.com' }] } });
    const first = await post(body);
    const again = await post(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.transactionId).toBe(first.body.transactionId);
  });

  it('turns 20 concurrent identical POSTs into exactly one transaction, one customer and one event', async () => {
    const tenant = await p.createTenant();
    await p.bus.idle();
    const before = p.bus.statsOf(TRANSACTION_RECORDED);
    const body = sale({
      customer: {
        identifiers: [
          { type: 'email', value: 'rush@example.com' },
          { type: 'phone', value: '+34 600 111 222' },
        ],
      },
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => post(body, {}, tenant.keys.pos)));
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.customerId)).size).toBe(1);
    await p.bus.idle();
    expect(await store.count('transactions', tenant.tenantId)).toBe(1);
    expect(await store.count('customers', tenant.tenantId)).toBe(1);
    expect(p.bus.statsOf(TRANSACTION_RECORDED).offered - before.offered).toBe(1);
  });

  it('turns 20 concurrent POSTs with one Idempotency-Key into one transaction', async () => {
    const tenant = await p.createTenant();
    const body = sale();
    const results = await Promise.all(Array.from({ length: 20 }, () => post(body, { 'Idempotency-Key': 'k-rush' }, tenant.keys.pos)));
    expect(results.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(await store.count('transactions', tenant.tenantId)).toBe(1);
  });
});
