import { DomainError } from './errors';
import { IdempotentRequests, requestFingerprint } from './idempotency';
import { FakeClock, FakeIdempotencyStore } from '../../tests/support/fakes';

const scope = { tenantId: 't1', keyId: 'key_1' };

function setup() {
  const store = new FakeIdempotencyStore();
  const clock = new FakeClock();
  return { store, clock, requests: new IdempotentRequests(store, clock) };
}

describe('IdempotentRequests', () => {
  it('runs once and replays the stored response', async () => {
    const { requests } = setup();
    let runs = 0;
    const execute = async () => ({ status: 201, body: { n: ++runs } });
    const first = await requests.run(scope, 'k', 'h', execute);
    const again = await requests.run(scope, 'k', 'h', execute);
    expect(first).toEqual({ status: 201, body: { n: 1 }, replayed: false });
    expect(again).toEqual({ status: 201, body: { n: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another payload', async () => {
    const { requests } = setup();
    await requests.run(scope, 'k', 'h1', async () => ({ status: 201 }));
    await expect(requests.run(scope, 'k', 'h2', async () => ({ status: 201 }))).rejects.toMatchObject({ code: 'idempotency-key-reused' });
  });

  it('refuses a repeat while the first is running, and lets one take over an abandoned key', async () => {
    const { requests, clock } = setup();
    let release!: () => void;
    const slow = requests.run(scope, 'k', 'h', () => new Promise((resolve) => (release = () => resolve({ status: 201 }))));
    await new Promise((r) => setTimeout(r, 5));
    await expect(requests.run(scope, 'k', 'h', async () => ({ status: 201 }))).rejects.toMatchObject({ code: 'idempotency-request-in-flight' });
    clock.advance(61_000);
    const takeover = await requests.run(scope, 'k', 'h', async () => ({ status: 201, body: 'second' }));
    expect(takeover.replayed).toBe(false);
    release();
    await slow;
  });

  it('forgets server errors and thrown errors so the retry runs again', async () => {
    const { requests, store } = setup();
    await requests.run(scope, 'k', 'h', async () => ({ status: 503 }));
    expect(store.records.size).toBe(0);
    await expect(requests.run(scope, 'k2', 'h', async () => Promise.reject(new DomainError('conflict', 'x')))).rejects.toBeInstanceOf(DomainError);
    expect(store.records.size).toBe(0);
    expect((await requests.run(scope, 'k', 'h', async () => ({ status: 201 }))).replayed).toBe(false);
  });

  it('stops replaying after the retention period', async () => {
    const { requests, clock } = setup();
    await requests.run(scope, 'k', 'h', async () => ({ status: 201, body: 1 }));
    clock.advance(24 * 3600 * 1000 + 1);
    expect(await requests.run(scope, 'k', 'h2', async () => ({ status: 201, body: 2 }))).toEqual({ status: 201, body: 2, replayed: false });
  });
});

describe('requestFingerprint', () => {
  it('ignores key order and spacing but not values', () => {
    expect(requestFingerprint('POST', 'r', { a: 1, b: [1, { c: 2, d: 3 }] })).toBe(requestFingerprint('POST', 'r', { b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(requestFingerprint('POST', 'r', { a: 1 })).not.toBe(requestFingerprint('POST', 'r', { a: 2 }));
    expect(requestFingerprint('POST', 'r', { a: 1 })).not.toBe(requestFingerprint('POST', 'other', { a: 1 }));
  });
});
