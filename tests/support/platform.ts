import { randomBytes } from 'node:crypto';
import { startLocalPlatform, type LocalPlatform, type LocalPlatformOptions } from '../../local/platform';
import type { Clock } from '../../shared/kernel/ports';
import type { CloudEvent } from '../../shared/kernel/events';
import { storeOf } from './cosmos';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestPlatform extends LocalPlatform {
  /** A real HTTP call to the local host. */
  api<T = any>(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** A tenant with a store, a second store, a warehouse and an online shop, and keys for each role. */
  createTenant(tenantId?: string): Promise<TestTenant>;
  /** Moves the platform's clock forward (it starts at real time). */
  advanceClock(ms: number): void;
}

export interface TestTenant {
  tenantId: string;
  keys: { admin: string; pos: string; posOtherStore: string; ecommerce: string };
}

/** The platform on the shared stand-ins, in a database of its own, on a free port, timers off. */
export interface TestPlatformOptions {
  clock?: Clock;
  /** Another Cosmos DB endpoint in front of the shared stand-in (e.g. a proxy that can pause it). */
  cosmosEndpoint?: string;
  deadlines?: LocalPlatformOptions['deadlines'];
  /** Settings beside the test defaults (e.g. `WEBHOOKS_MODE: 'azure'`). */
  env?: Record<string, string>;
  /** Every log line, at debug level (e.g. to prove what is never logged). */
  logSink?: LocalPlatformOptions['logSink'];
}

export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const endpoint = process.env.TEST_COSMOS_ENDPOINT;
  if (!endpoint) throw new Error('The embedded stack is not running: run the tests through jest (global setup)');
  let offsetMs = 0;
  const local = await startLocalPlatform({
    clock: options.clock ?? { now: () => new Date(Date.now() + offsetMs) },
    port: 0,
    stack: {
      cosmosEndpoint: options.cosmosEndpoint ?? endpoint,
      blobConnectionString: process.env.TEST_BLOB_CONNECTION_STRING!,
      blobServiceUri: process.env.TEST_BLOB_SERVICE_URI!,
    },
    databaseName: `test-${randomBytes(6).toString('hex')}`,
    timers: false,
    env: { LOG_LEVEL: options.logSink ? 'debug' : (process.env.TEST_LOG_LEVEL ?? 'silent'), OUTBOX_GRACE_SECONDS: '0', ...options.env },
    logSink: options.logSink,
    bus: { retryDelayMs: () => 5 },
    checkResponses: true,
    deadlines: options.deadlines,
  });

  const api: TestPlatform['api'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers['x-api-key'] = options.key;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${local.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };

  const createTenant = async (tenantId = `t-${randomBytes(4).toString('hex')}`): Promise<TestTenant> => {
    const admin = { key: local.adminKey };
    const must = async (path: string, body: unknown) => {
      const r = await api('POST', path, { ...admin, body });
      if (r.status !== 201) throw new Error(`${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await must('/api/v1/tenants', { tenantId, name: 'Test Retail', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid', taxId: 'B12345678' });
    const location = (locationId: string, type: string) => ({ locationId, name: locationId, type, country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' });
    await must(`/api/v1/tenants/${tenantId}/locations`, location('store-1', 'store'));
    await must(`/api/v1/tenants/${tenantId}/locations`, location('store-2', 'store'));
    await must(`/api/v1/tenants/${tenantId}/locations`, location('warehouse-1', 'warehouse'));
    await must(`/api/v1/tenants/${tenantId}/locations`, location('web', 'online'));
    const key = async (body: unknown) => (await must(`/api/v1/tenants/${tenantId}/api-keys`, body)).apiKey as string;
    return {
      tenantId,
      keys: {
        admin: await key({ role: 'admin' }),
        pos: await key({ role: 'pos', locationIds: ['store-1'] }),
        posOtherStore: await key({ role: 'pos', locationIds: ['store-2'] }),
        ecommerce: await key({ role: 'ecommerce', locationIds: ['web'] }),
      },
    };
  };

  return { ...local, api, createTenant, advanceClock: (ms) => (offsetMs += ms) };
}

/** An ISO time `n` hours before now (real time, as the test platform's clock starts). */
export function hoursAgo(n: number): string {
  return new Date(Date.now() - n * 3_600_000).toISOString();
}

/** An ISO time `n` days before now. */
export function daysAgo(n: number): string {
  return hoursAgo(24 * n);
}

/** The date a receipt prints for `iso` in the test tenant's stores (Europe/Madrid), YYYY-MM-DD. */
export function storeDate(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date(iso));
}

let counter = 0;
/** A valid sale; override what the test is about. */
export function sale(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    type: 'sale',
    channel: 'store',
    locationId: 'store-1',
    terminalId: 'till-1',
    externalId: `T-${Date.now()}-${counter}-${randomBytes(3).toString('hex')}`,
    // Recent: the platform refuses sales more than 7 days old (unless imported) or ahead of its clock.
    occurredAt: hoursAgo(1),
    currency: 'EUR',
    lines: [
      { sku: 'SKU-1', quantity: 2, unitPrice: 1999, taxRate: 21, category: 'shirts' },
      { sku: 'SKU-2', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100 },
    ],
    tenders: [{ type: 'card', amount: 4398 }],
    ...overrides,
  };
}

export function onlineSale(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sale({ channel: 'online', locationId: 'web', terminalId: undefined, externalId: `WEB-${randomBytes(5).toString('hex')}`, ...overrides });
}

export interface TestContext {
  p: TestPlatform;
  t: TestTenant;
  store: ReturnType<typeof storeOf>;
}

/** Starts a platform and a tenant before the file's tests and stops them after; hands them to `use`. */
export function useTestPlatform(use: (context: TestContext) => void, options: TestPlatformOptions = {}): void {
  let context: TestContext | undefined;
  beforeAll(async () => {
    const p = await startTestPlatform(options);
    context = { p, t: await p.createTenant(), store: storeOf(p.platform) };
    use(context);
  });
  afterAll(async () => {
    context?.store.close();
    await context?.p.stop();
  });
}

/** The transaction events the platform publishes from now on (consumers' own events left out), as they were sent. */
export function captureTransactionEvents(p: TestPlatform): CloudEvent[] {
  const seen: CloudEvent[] = [];
  const original = p.bus.publish.bind(p.bus);
  jest.spyOn(p.bus, 'publish').mockImplementation(async (events) => {
    await original(events);
    seen.push(...events.filter((e) => e.type.startsWith('transaction.')));
  });
  return seen;
}
