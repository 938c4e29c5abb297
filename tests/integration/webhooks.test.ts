import { Webhook } from 'standardwebhooks';
import { createEvent } from '../../shared/kernel/events';
import { TransactionRecorded } from '../../shared/transactions';
import { hasValidSignature } from '../../shared/webhooks';
import { eventually, startReceiver, type Received } from '../support/receiver';
import { sale, startTestPlatform, useTestPlatform, type TestContext, type TestPlatform } from '../support/platform';

const TIMEOUT_MS = 600;
let c: TestContext;
useTestPlatform((context) => (c = context), { env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });

const silent = { log: () => undefined, child: () => silent };
const services = () => c.p.platform.services;
/** Every consumer done and every attempt they started finished. */
async function settled(p: TestPlatform = c.p): Promise<void> {
  await p.bus.idle();
  await eventually(() => expect(p.platform.services.webhooks.pending).toBe(0));
}
async function register(url: string, key = c.t.keys.admin, p: TestPlatform = c.p, eventTypes = ['transaction.recorded']) {
  const r = await p.api('POST', '/api/v1/webhooks/endpoints', { key, body: { url, eventTypes, description: 'test receiver' } });
  expect(r.status).toBe(201);
  return r.body as { endpointId: string; secret: string };
}
async function recordSale(key = c.t.keys.pos, p: TestPlatform = c.p) {
  const r = await p.api('POST', '/api/v1/transactions', { key, body: sale() });
  expect(r.status).toBe(201);
  return r.body as { transactionId: string };
}
const messageOf = (endpointId: string, transactionId: string) =>
  c.p.api('GET', `/api/v1/webhooks/endpoints/${endpointId}/messages/evt_${transactionId}`, { key: c.t.keys.admin });
const signedWith = (secret: string, r: Received) =>
  hasValidSignature(secret, String(r.headers['webhook-signature']), String(r.headers['webhook-id']), Number(r.headers['webhook-timestamp']), r.body);

describe('webhook endpoints', () => {
  it('are for admin keys only; the secret is shown at creation and never again', async () => {
    const receiver = await startReceiver();
    try {
      const refused = await c.p.api('POST', '/api/v1/webhooks/endpoints', { key: c.t.keys.pos, body: { url: receiver.url, eventTypes: ['stock.changed'] } });
      expect(refused.status).toBe(403);
      const created = await register(receiver.url);
      expect(created.secret).toMatch(/^whsec_/);
      const read = await c.p.api('GET', `/api/v1/webhooks/endpoints/${created.endpointId}`, { key: c.t.keys.admin });
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain(created.secret.slice(6));
      expect(read.body).toMatchObject({ url: receiver.url, eventTypes: ['transaction.recorded'], enabled: true, disabledReason: null });
      const listed = await c.p.api('GET', '/api/v1/webhooks/endpoints', { key: c.t.keys.admin });
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');
      // Stored sealed: the secret is nowhere in the database either.
      const docs = await c.store.all('webhooks', c.t.tenantId);
      expect(JSON.stringify(docs)).not.toContain(created.secret.slice(6));
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${created.endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('refuses unknown event types and plain http beyond loopback, naming the field', async () => {
    const unknown = await c.p.api('POST', '/api/v1/webhooks/endpoints', {
      key: c.t.keys.admin,
      body: { url: 'https://hooks.example.com/x', eventTypes: ['order.shipped'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('eventTypes.0');
    const http = await c.p.api('POST', '/api/v1/webhooks/endpoints', {
      key: c.t.keys.admin,
      body: { url: 'http://hooks.example.com/x', eventTypes: ['transaction.recorded'] },
    });
    expect(http.status).toBe(400);
    expect(http.body.errors).toEqual([{ field: 'url', message: expect.stringContaining('https') }]);
  });

  it('documents every deliverable event type with its payload schema', async () => {
    const r = await c.p.api('GET', '/api/v1/webhooks/event-types', { key: c.t.keys.admin });
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { type: string }) => i.type)).toEqual([
      'transaction.recorded',
      'transaction.claimed',
      'receipt.issued',
      'stock.changed',
      'loyalty.points.changed',
      'coupon.issued',
      'coupon.redeemed',
      'customer.segment.entered',
      'customer.segment.left',
      'offer.issued',
    ]);
    expect(r.body.items[0].dataSchema).toMatchObject({ $schema: expect.stringContaining('json-schema.org') });
    expect(JSON.stringify(r.body.items[0].dataSchema)).toContain('"transactionId"');
  });
});

describe('webhook delivery', () => {
  it('retries a receiver that fails twice: delivered once, three attempts logged, each signed', async () => {
    const receiver = await startReceiver((n, res) => {
      res.statusCode = n <= 2 ? 500 : 204;
      res.end(n <= 2 ? 'temporarily broken' : undefined);
    });
    try {
      const { endpointId, secret } = await register(receiver.url);
      const { transactionId } = await recordSale();
      await settled();
      expect(receiver.requests).toHaveLength(1);
      // The first request, checked with the specification's own library as a receiver would.
      const first = receiver.requests[0]!;
      const payload = new Webhook(secret).verify(first.body, first.headers as Record<string, string>) as Record<string, unknown>;
      expect(payload).toMatchObject({ id: `evt_${transactionId}`, type: 'transaction.recorded', version: 1, tenantId: c.t.tenantId });
      expect((payload.data as { transactionId: string }).transactionId).toBe(transactionId);

      // Not due yet: nothing happens.
      await services().webhooks.deliverDue(silent);
      expect(receiver.requests).toHaveLength(1);
      c.p.advanceClock(10_000);
      await services().webhooks.deliverDue(silent);
      expect(receiver.requests).toHaveLength(2);
      c.p.advanceClock(10 * 60_000);
      await services().webhooks.deliverDue(silent);
      expect(receiver.requests).toHaveLength(3);
      c.p.advanceClock(24 * 3_600_000);
      await services().webhooks.deliverDue(silent);
      expect(receiver.requests).toHaveLength(3);

      expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([`evt_${transactionId}`]));
      expect(receiver.requests.every((r) => signedWith(secret, r) && r.body === first.body)).toBe(true);
      const log = await messageOf(endpointId, transactionId);
      expect(log.status).toBe(200);
      expect(log.body).toMatchObject({ status: 'delivered', attemptCount: 3, lastStatus: 204, nextAttemptAt: null });
      expect(log.body.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 204]);
      expect(log.body.attempts[0].responseExcerpt).toBe('temporarily broken');
      const page = await c.p.api('GET', `/api/v1/webhooks/endpoints/${endpointId}/messages`, { key: c.t.keys.admin });
      expect(page.body.items).toEqual([expect.objectContaining({ eventId: `evt_${transactionId}`, status: 'delivered' })]);
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('keeps only an excerpt of a large response', async () => {
    const receiver = await startReceiver((_n, res) => res.end('x'.repeat(100_000)));
    try {
      const { endpointId } = await register(receiver.url);
      const { transactionId } = await recordSale();
      await settled();
      const log = await messageOf(endpointId, transactionId);
      expect(log.body.attempts[0].responseExcerpt).toHaveLength(512);
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('times out a hanging endpoint and retries it, while other endpoints and tenants get theirs at once', async () => {
    const hanging = await startReceiver(() => undefined);
    const fast = await startReceiver();
    const otherTenantReceiver = await startReceiver();
    try {
      const slow = await register(hanging.url);
      const quick = await register(fast.url);
      const other = await c.p.createTenant();
      await register(otherTenantReceiver.url, other.keys.admin);
      const { transactionId } = await recordSale();
      await recordSale(other.keys.pos);
      await eventually(() => expect(fast.requests).toHaveLength(1));
      await eventually(() => expect(otherTenantReceiver.requests).toHaveLength(1));
      // The hanging endpoint holds its request open, and its attempt has not even ended yet.
      expect(hanging.requests).toHaveLength(1);
      expect((await messageOf(slow.endpointId, transactionId)).body.attemptCount).toBe(0);
      expect((await messageOf(quick.endpointId, transactionId)).body.status).toBe('delivered');

      await settled();
      const timedOut = (await messageOf(slow.endpointId, transactionId)).body;
      expect(timedOut).toMatchObject({ status: 'pending', attemptCount: 1, lastStatus: null });
      expect(timedOut.attempts[0].error).toBe(`timed out after ${TIMEOUT_MS} ms`);
      c.p.advanceClock(10_000);
      await services().webhooks.deliverDue(silent);
      expect(hanging.requests).toHaveLength(2);
      expect((await messageOf(slow.endpointId, transactionId)).body.attemptCount).toBe(2);
      expect(fast.requests).toHaveLength(1);
      for (const id of [slow.endpointId, quick.endpointId]) await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${id}`, { key: c.t.keys.admin });
    } finally {
      await Promise.all([hanging.stop(), fast.stop(), otherTenantReceiver.stop()]);
    }
  });

  it('records one delivery per endpoint and event, however often the event arrives', async () => {
    const receiver = await startReceiver();
    try {
      const { endpointId } = await register(receiver.url);
      const { transactionId } = await recordSale();
      await settled();
      const view = (await c.p.api('GET', `/api/v1/transactions/${transactionId}`, { key: c.t.keys.admin })).body;
      const event = createEvent(TransactionRecorded, {
        id: `evt_${transactionId}`,
        source: `/tenants/${c.t.tenantId}/locations/store-1`,
        subject: `transactions/${transactionId}`,
        time: view.recordedAt,
        tenantid: c.t.tenantId,
        data: view,
      });
      for (let i = 0; i < 3; i += 1) expect(await services().webhooks.handle(event, silent)).toEqual({ recorded: 0 });
      await settled();
      expect(receiver.requests).toHaveLength(1);

      // An endpoint registered since: five deliveries of the event at once record and send it once.
      const late = await register(receiver.url);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => services().webhooks.handle(event, silent)));
      expect(outcomes.reduce((n, o) => n + o.recorded, 0)).toBe(1);
      await settled();
      expect(receiver.requests).toHaveLength(2);
      expect((await messageOf(late.endpointId, transactionId)).body).toMatchObject({ status: 'delivered', attemptCount: 1 });
      for (const id of [endpointId, late.endpointId]) await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${id}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('replays one message, and every message of a time range', async () => {
    const receiver = await startReceiver();
    try {
      const { endpointId } = await register(receiver.url);
      const from = new Date(Date.now() - 60_000).toISOString();
      const sales = [await recordSale(), await recordSale()];
      await settled();
      expect(receiver.requests).toHaveLength(2);

      const one = await c.p.api('POST', `/api/v1/webhooks/endpoints/${endpointId}/messages/evt_${sales[0]!.transactionId}/replay`, { key: c.t.keys.admin });
      expect(one.status).toBe(202);
      await settled();
      expect(receiver.requests).toHaveLength(3);
      expect(receiver.requests[2]!.headers['webhook-id']).toBe(`evt_${sales[0]!.transactionId}`);
      expect((await messageOf(endpointId, sales[0]!.transactionId)).body).toMatchObject({ status: 'delivered', attemptCount: 2 });

      const range = await c.p.api('POST', `/api/v1/webhooks/endpoints/${endpointId}/replay`, {
        key: c.t.keys.admin,
        body: { since: from, until: new Date(Date.now() + 3_600_000 * 72).toISOString() },
      });
      expect(range.status).toBe(202);
      expect(range.body).toEqual({ replayed: 2 });
      await services().webhooks.deliverDue(silent);
      expect(receiver.requests).toHaveLength(5);
      expect(new Set(receiver.requests.slice(3).map((r) => r.headers['webhook-id']))).toEqual(new Set(sales.map((s) => `evt_${s.transactionId}`)));

      const missing = await c.p.api('POST', `/api/v1/webhooks/endpoints/${endpointId}/messages/evt_nothing/replay`, { key: c.t.keys.admin });
      expect(missing.status).toBe(404);
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('signs with both secrets during a rotation, then with the new one only', async () => {
    const receiver = await startReceiver();
    try {
      const { endpointId, secret: oldSecret } = await register(receiver.url);
      const rotated = await c.p.api('POST', `/api/v1/webhooks/endpoints/${endpointId}/secret/rotate`, { key: c.t.keys.admin, body: { graceHours: 2 } });
      expect(rotated.status).toBe(200);
      const newSecret = rotated.body.secret as string;
      expect(newSecret).not.toBe(oldSecret);
      expect(rotated.body.secretRotationEndsAt).not.toBeNull();

      await recordSale();
      await settled();
      const during = receiver.requests[0]!;
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(signedWith(oldSecret, during)).toBe(true);
      expect(signedWith(newSecret, during)).toBe(true);

      c.p.advanceClock(3 * 3_600_000);
      await recordSale();
      await settled();
      const after = receiver.requests[1]!;
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(signedWith(newSecret, after)).toBe(true);
      expect(signedWith(oldSecret, after)).toBe(false);
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });

  it('disables an endpoint that fails every attempt for about 24 hours, with the reason', async () => {
    const receiver = await startReceiver((_n, res) => {
      res.statusCode = 503;
      res.end();
    });
    try {
      const { endpointId } = await register(receiver.url);
      const { transactionId } = await recordSale();
      await settled();
      for (let i = 0; i < 10; i += 1) {
        c.p.advanceClock(10 * 3_600_000);
        await services().webhooks.deliverDue(silent);
      }
      const log = (await messageOf(endpointId, transactionId)).body;
      expect(log).toMatchObject({ status: 'failed', attemptCount: 8, nextAttemptAt: null });
      expect(log.failedReason).toContain('HTTP 503');
      const endpoint = await c.p.api('GET', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
      expect(endpoint.body.enabled).toBe(false);
      expect(endpoint.body.disabledReason).toMatch(/every attempt .* failed over about 24 hours/);

      // A disabled endpoint gets nothing new, and cannot be replayed until enabled.
      await recordSale();
      await settled();
      expect(receiver.requests).toHaveLength(8);
      const replay = await c.p.api('POST', `/api/v1/webhooks/endpoints/${endpointId}/messages/evt_${transactionId}/replay`, { key: c.t.keys.admin });
      expect(replay.status).toBe(422);
      const enabled = await c.p.api('PATCH', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin, body: { enabled: true } });
      expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
      await c.p.api('DELETE', `/api/v1/webhooks/endpoints/${endpointId}`, { key: c.t.keys.admin });
    } finally {
      await receiver.stop();
    }
  });
});

describe('webhook targets in Azure mode', () => {
  let azure: TestPlatform;
  let admin: string;
  beforeAll(async () => {
    azure = await startTestPlatform({ env: { WEBHOOKS_MODE: 'azure' } });
    admin = (await azure.createTenant()).keys.admin;
  });
  afterAll(() => azure.stop());

  it.each([
    ['a private address', 'https://10.20.30.40/hooks', 'private'],
    ['a private address in IPv6 form', 'https://[::ffff:192.168.0.10]/hooks', 'private'],
    ['a unique-local IPv6 address', 'https://[fd12:3456::1]/hooks', 'uniqueLocal'],
    ['loopback', 'https://127.0.0.1:8443/hooks', 'loopback'],
    ['the link-local metadata service', 'https://169.254.169.254/metadata/instance', 'link-local'],
    ["Azure's platform address", 'https://168.63.129.16/', 'metadata'],
    ['a hostname resolving to loopback', 'https://localhost:8443/hooks', 'resolves to a forbidden address'],
    ['plain http', 'http://hooks.example.com/', 'https'],
  ])('refuses %s', async (_what, url, why) => {
    const r = await azure.api('POST', '/api/v1/webhooks/endpoints', { key: admin, body: { url, eventTypes: ['transaction.recorded'] } });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'url', message: expect.stringContaining(why) }]);
  });

  it('refuses a hostname resolving to a forbidden address at delivery time too', async () => {
    const { HttpSender } = await import('../../shared/webhooks/adapters/http-sender');
    let connected = false;
    const sender = new HttpSender('azure', (_host, callback) => {
      connected = true;
      callback(null, [{ address: '10.0.0.7', family: 4 }]);
    });
    const result = await sender.send('https://rebound.example.com/hooks', {}, '{}', 1_000);
    expect(connected).toBe(true);
    expect(result).toMatchObject({ status: null, error: expect.stringMatching(/refused: host rebound.example.com resolves to 10.0.0.7 is a private address/) });
    sender.close();
  });
});
