import { randomBytes } from 'node:crypto';
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { FAILED_KEY_LIMITS } from '../../shared/tenancy';
import { startTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

/** A GET with a key, from a chosen loopback address (each address is one client to the throttle). */
function getFrom(p: TestPlatform, address: string, path: string, key: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: any }> {
  const { port } = new URL(p.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress: address, headers: { 'x-api-key': key } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const wrongKey = (tenantId: string) => `uk.${tenantId}.${randomBytes(32).toString('base64url')}`;

describe('failed API keys are throttled', () => {
  let p: TestPlatform;
  let a: TestTenant;
  let b: TestTenant;
  const metrics: Array<{ name: string; properties?: Record<string, string> }> = [];
  const events: Array<{ name: string; properties?: Record<string, string> }> = [];
  beforeAll(async () => {
    p = await startTestPlatform();
    a = await p.createTenant();
    b = await p.createTenant();
    jest.spyOn(p.platform.telemetry, 'trackMetric').mockImplementation((name, _value, properties) => void metrics.push({ name, properties }));
    jest.spyOn(p.platform.telemetry, 'trackEvent').mockImplementation((name, properties) => void events.push({ name, properties }));
  });
  afterAll(() => p.stop());

  const reads = () => p.platform.cosmosMetrics.byContainer.tenants?.reads ?? 0;

  it('per client: past the limit its unknown keys get 429 with Retry-After and cost no store read; known keys still pass', async () => {
    const path = '/api/v1/transactions/tx_x';
    expect((await getFrom(p, '127.0.0.11', path, a.keys.admin)).status).toBe(404); // a known key, now cached
    const before = reads();
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_KEY_LIMITS.perClient + 5; i += 1) statuses.push((await getFrom(p, '127.0.0.11', path, wrongKey(a.tenantId))).status);
    expect(statuses).toEqual([...Array(FAILED_KEY_LIMITS.perClient).fill(401), ...Array(5).fill(429)]);
    expect(reads() - before).toBe(FAILED_KEY_LIMITS.perClient);

    const refused = await getFrom(p, '127.0.0.11', path, wrongKey(a.tenantId));
    expect(refused.body).toMatchObject({ status: 429, code: 'authentication-throttled', category: 'too-many-requests' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Malformed keys count too, and are refused the same way.
    expect((await getFrom(p, '127.0.0.11', path, 'nonsense')).status).toBe(429);
    // The till with a good key behind the same address is not locked out.
    expect((await getFrom(p, '127.0.0.11', path, a.keys.admin)).status).toBe(404);
    // Another client is not affected.
    expect((await getFrom(p, '127.0.0.12', path, wrongKey(a.tenantId))).status).toBe(401);

    expect(metrics.filter((m) => m.name === 'auth.failed').length).toBeGreaterThanOrEqual(FAILED_KEY_LIMITS.perClient + 1);
    expect(metrics).toContainEqual({ name: 'auth.failed', properties: { cause: 'unknown', tenantId: a.tenantId } });
    expect(metrics).toContainEqual({ name: 'auth.refused', properties: { scope: 'client', tenantId: a.tenantId } });
    expect(events).toContainEqual({ name: 'auth.throttled', properties: { scope: 'client', tenantId: a.tenantId } });

    // The window passes: the client may try again.
    p.advanceClock(FAILED_KEY_LIMITS.windowMs + 1_000);
    expect((await getFrom(p, '127.0.0.11', path, wrongKey(a.tenantId))).status).toBe(401);
  });

  it('remembers a wrong key briefly: its repeats cost no store read', async () => {
    const key = wrongKey(a.tenantId);
    const before = reads();
    for (let i = 0; i < 5; i += 1) expect((await getFrom(p, '127.0.0.13', '/api/v1/transactions/tx_x', key)).status).toBe(401);
    expect(reads() - before).toBe(1);
  });

  it('per tenant prefix: many clients together get the limit of one tenant, and other tenants are not affected', async () => {
    // A till of tenant b at work before the attack.
    expect((await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', b.keys.pos)).status).toBe(404);
    const perClient = FAILED_KEY_LIMITS.perClient - 1;
    const clients = Math.ceil(FAILED_KEY_LIMITS.perTenant / perClient);
    const statuses: number[] = [];
    for (let c = 0; c < clients; c += 1) {
      for (let i = 0; i < perClient; i += 1) statuses.push((await getFrom(p, `127.0.1.${c + 1}`, '/api/v1/transactions/tx_x', wrongKey(b.tenantId))).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILED_KEY_LIMITS.perTenant);
    const fresh = await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', wrongKey(b.tenantId));
    expect(fresh.status).toBe(429);
    expect(events).toContainEqual({ name: 'auth.throttled', properties: { scope: 'tenant', tenantId: b.tenantId } });
    expect((await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', wrongKey(a.tenantId))).status).toBe(401);
    // The till keeps working; a key this instance has never seen waits for the window to pass.
    expect((await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', b.keys.pos)).status).toBe(404);
    expect((await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', b.keys.admin)).status).toBe(429);
    p.advanceClock(FAILED_KEY_LIMITS.windowMs + 1_000);
    expect((await getFrom(p, '127.0.2.1', '/api/v1/transactions/tx_x', b.keys.admin)).status).toBe(404);
  });
});

/** An HTTP proxy in front of the Cosmos DB stand-in that can stop answering, as a paused store does. */
async function pausableProxy(target: string): Promise<{ url: string; pause(): void; resume(): void; close(): Promise<void> }> {
  const to = new URL(target);
  let paused = false;
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const forward = () => {
      const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    };
    if (paused) waiting.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      waiting.splice(0).forEach((forward) => forward());
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Raw bytes to the host; resolves with what it answered (status line and headers) and how long it took. */
function rawExchange(
  p: TestPlatform,
  send: (write: (text: string, atMs?: number) => void) => void,
): Promise<{ response: string; ms: number; closed: boolean }> {
  const { port } = new URL(p.url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let response = '';
    const timers: NodeJS.Timeout[] = [];
    const write = (text: string) => void (!socket.destroyed && socket.write(text));
    socket.on('connect', () => send((text, atMs = 0) => timers.push(setTimeout(() => write(text), atMs))));
    socket.on('data', (chunk) => (response += chunk.toString()));
    const done = (closed: boolean) => {
      timers.forEach(clearTimeout);
      resolve({ response, ms: Date.now() - started, closed });
    };
    socket.on('close', () => done(true));
    socket.on('error', () => undefined);
    setTimeout(() => {
      socket.destroy();
      done(false);
    }, 8_000);
  });
}

describe('deadlines', () => {
  let p: TestPlatform;
  let t: TestTenant;
  let proxy: Awaited<ReturnType<typeof pausableProxy>>;
  beforeAll(async () => {
    proxy = await pausableProxy(process.env.TEST_COSMOS_ENDPOINT!);
    p = await startTestPlatform({ cosmosEndpoint: proxy.url, deadlines: { storeMs: 500, headersMs: 1_000, bodyMs: 1_000 } });
    t = await p.createTenant();
  });
  afterAll(async () => {
    proxy.resume();
    await p.stop();
    await proxy.close();
  });

  it('a store that stops answering makes a request answer 503 with Retry-After at the deadline, not hang', async () => {
    expect((await p.api('GET', '/api/v1/customers/c_nobody', { key: t.keys.admin })).status).toBe(404);
    proxy.pause();
    const started = Date.now();
    const r = await p.api('GET', '/api/v1/customers/c_nobody', { key: t.keys.admin });
    const ms = Date.now() - started;
    proxy.resume();
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ code: 'dependency-unavailable' });
    expect(r.body.detail).toContain('did not answer in time');
    expect(r.headers.get('retry-after')).toBe('2');
    expect(ms).toBeLessThan(2_500);
    expect((await p.api('GET', '/api/v1/customers/c_nobody', { key: t.keys.admin })).status).toBe(404);
  });

  it('a body trickled byte by byte is cut off at the body deadline (408), the connection closed', async () => {
    const body = JSON.stringify({ identifiers: [{ type: 'email', value: 'slow@example.com' }] });
    const { response, ms, closed } = await rawExchange(p, (write) => {
      write(
        `POST /api/v1/customers/identify HTTP/1.1\r\nHost: x\r\nx-api-key: ${t.keys.admin}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
      );
      // One byte every 200 ms: the whole body would take 13 s.
      [...body].forEach((byte, i) => write(byte, 200 * (i + 1)));
    });
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toContain('request-timeout');
    expect(closed).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
  });

  it('headers that never finish are cut off at the header deadline', async () => {
    const { response, ms, closed } = await rawExchange(p, (write) => write('GET /api/health HTTP/1.1\r\nHost: x\r\nx-slow: '));
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
    expect(ms).toBeLessThan(4_000);
  });

  it('a body announced larger than the host takes is refused from its Content-Length, before it is read', async () => {
    const { response, ms } = await rawExchange(p, (write) =>
      write(
        `POST /api/v1/customers/identify HTTP/1.1\r\nHost: x\r\nx-api-key: ${t.keys.admin}\r\ncontent-type: application/json\r\ncontent-length: 50000000\r\n\r\n{`,
      ),
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(ms).toBeLessThan(500);
  });
});
