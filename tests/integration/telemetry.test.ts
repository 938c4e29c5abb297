/**
 * Telemetry end to end, with an in-memory exporter in place of Azure Monitor: one sale is one trace
 * from the till's HTTP call through the bus to every consumer (and what they publish), the outbox
 * sweeper's resent events carry its trace, the metrics are recorded, nothing personal is in spans,
 * metrics or logs, and with telemetry off the request path makes no telemetry call and costs the
 * same Cosmos DB operations.
 */
import { randomBytes } from 'node:crypto';
import { metrics, SpanKind } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { startLocalPlatform, type LocalPlatform } from '../../local/platform';
import { ATTRIBUTES, METRICS, PlatformTelemetry } from '../../shared/kernel/telemetry';
import { TransactionRecorded } from '../../shared/transactions/transactions';
import { sale } from '../support/platform';

// The SDK a deployment registers (Azure Monitor), with in-memory exporters; before any platform is built.
const spans = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).register();
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const reader = new TestReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

interface Harness {
  local: LocalPlatform;
  logs: string[];
  api(method: string, path: string, options?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>;
  pos: string;
  tenantId: string;
}

/** The platform on the shared stand-ins with the test's SDK (`telemetry`) or with telemetry off. */
async function start(telemetry: boolean): Promise<Harness> {
  const logs: string[] = [];
  const local = await startLocalPlatform({
    port: 0,
    stack: {
      cosmosEndpoint: process.env.TEST_COSMOS_ENDPOINT!,
      blobConnectionString: process.env.TEST_BLOB_CONNECTION_STRING!,
      blobServiceUri: process.env.TEST_BLOB_SERVICE_URI!,
    },
    databaseName: `test-${randomBytes(6).toString('hex')}`,
    timers: false,
    env: { LOG_LEVEL: 'debug', OUTBOX_GRACE_SECONDS: '0' },
    bus: { retryDelayMs: () => 5 },
    logSink: (_level, line) => logs.push(line),
    telemetry: { active: telemetry, exporters: telemetry ? ['in-memory'] : [] },
  });
  const api: Harness['api'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers, ...(options.key ? { 'x-api-key': options.key } : {}) };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${local.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const tenantId = `t-${randomBytes(4).toString('hex')}`;
  const must = async (path: string, body: unknown) => {
    const r = await api('POST', path, { key: local.adminKey, body });
    if (r.status !== 201) throw new Error(`${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must('/api/v1/tenants', { tenantId, name: 'Test Retail', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid', taxId: 'B12345678' });
  await must(`/api/v1/tenants/${tenantId}/locations`, {
    locationId: 'store-1',
    name: 'Store 1',
    type: 'store',
    country: 'ES',
    currency: 'EUR',
    timeZone: 'Europe/Madrid',
  });
  const pos = (await must(`/api/v1/tenants/${tenantId}/api-keys`, { role: 'pos', locationIds: ['store-1'] })).apiKey as string;
  return { local, logs, api, pos, tenantId };
}

const PERSONAL = { email: 'lucia.fernandez.pii@example.com', phone: '+34 600 111 222', card: 'LOYAL-987654321' };
const identified = () =>
  sale({
    customer: {
      identifiers: [
        { type: 'email', value: PERSONAL.email },
        { type: 'phone', value: PERSONAL.phone },
        { type: 'loyaltyCard', value: PERSONAL.card },
      ],
    },
  });

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const inTrace = (traceId: string) => spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const newTraceparent = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });

/** Every span of the trace hangs from `root`: each one's parent is in the trace, up to it. */
function expectOneTree(trace: ReadableSpan[], root: ReadableSpan): void {
  const byId = new Map(trace.map((s) => [idOf(s), s]));
  for (const span of trace) {
    let at: ReadableSpan | undefined = span;
    const path = [span.name];
    while (at && at !== root) {
      at = byId.get(parentOf(at) ?? '');
      path.push(at?.name ?? '(missing parent)');
    }
    expect({ span: span.name, reachesRoot: at === root, path }).toEqual({ span: span.name, reachesRoot: true, path: expect.any(Array) });
  }
}

async function collected() {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
}
async function points(name: string): Promise<Array<DataPoint<number | Histogram>>> {
  return ((await collected()).find((m) => m.descriptor.name === name)?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
}
const total = (list: Array<DataPoint<number | Histogram>>, where: Record<string, unknown>) =>
  list
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : p.value.count), 0);

describe('telemetry on', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start(true);
  });
  afterAll(async () => {
    await h?.local.stop();
  });

  it('makes one sale one trace: the HTTP request, the publish and every consumer, continuing the caller’s traceparent', async () => {
    const caller = newTraceparent();
    const r = await h.api('POST', '/api/v1/transactions', {
      key: h.pos,
      body: identified(),
      headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` },
    });
    expect(r.status).toBe(201);
    await h.local.bus.idle();

    const trace = inTrace(caller.traceId);
    const server = trace.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server).toMatchObject({
      name: 'POST /api/v1/transactions',
      attributes: expect.objectContaining({ 'http.response.status_code': 201, [ATTRIBUTES.tenantId]: h.tenantId }),
    });
    expect(parentOf(server)).toBe(caller.spanId);

    const eventId = `evt_${r.body.transactionId}`;
    const send = trace.find((s) => s.kind === SpanKind.PRODUCER && s.attributes[ATTRIBUTES.eventId] === eventId)!;
    expect(send).toMatchObject({ name: 'send events', attributes: expect.objectContaining({ [ATTRIBUTES.eventType]: TransactionRecorded.type }) });
    expect(parentOf(send)).toBe(idOf(server));

    // Every consumer whose subscription took the event: a consumer span per delivery, child of the publish.
    const consumers = trace.filter((s) => s.kind === SpanKind.CONSUMER && s.attributes[ATTRIBUTES.eventId] === eventId);
    const subscriptions = consumers.map((s) => s.attributes[ATTRIBUTES.subscription]).sort();
    expect(subscriptions).toEqual(expect.arrayContaining(['customer-activity', 'loyalty', 'receipts', 'stock']));
    for (const consumer of consumers) expect({ consumer: consumer.name, parent: parentOf(consumer) }).toEqual({ consumer: consumer.name, parent: idOf(send) });
    // What the consumers publish in turn (receipt.issued, stock.changed) stays in the trace, under them.
    const nested = trace.filter((s) => s.kind === SpanKind.PRODUCER && s !== send);
    expect(nested.length).toBeGreaterThan(0);
    for (const span of nested) expect(consumers.map(idOf)).toContain(parentOf(span));
    expectOneTree(trace, server);
    // No delivery of the sale's event ran outside the trace.
    const everywhere = spans.getFinishedSpans().filter((s) => s.attributes[ATTRIBUTES.eventId] === eventId);
    expect(everywhere.every((s) => s.spanContext().traceId === caller.traceId)).toBe(true);
  });

  it('starts a trace when the caller sends none, and puts its trace id on the log lines', async () => {
    const r = await h.api('POST', '/api/v1/transactions', { key: h.pos, body: sale() });
    await h.local.bus.idle();
    const send = spans.getFinishedSpans().find((s) => s.attributes[ATTRIBUTES.eventId] === `evt_${r.body.transactionId}` && s.kind === SpanKind.PRODUCER)!;
    const trace = inTrace(send.spanContext().traceId);
    const server = trace.find((s) => s.kind === SpanKind.SERVER)!;
    expect(parentOf(server)).toBeUndefined();
    expect(trace.filter((s) => s.kind === SpanKind.CONSUMER).length).toBeGreaterThanOrEqual(2);
    expectOneTree(trace, server);
    const traceId = send.spanContext().traceId;
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.traceId === traceId);
    expect(lines.map((l) => l.function)).toEqual(expect.arrayContaining(['recordTransaction', 'receiptIssuer']));
  });

  it('carries the trace of the outbox sweeper to the consumers of the events it resends', async () => {
    h.local.bus.failNextPublishes(1);
    const r = await h.api('POST', '/api/v1/transactions', { key: h.pos, body: sale() });
    expect(r.status).toBe(201);
    await h.local.host.runTimer('outboxSweeper');
    await h.local.bus.idle();
    const eventId = `evt_${r.body.transactionId}`;
    const sends = spans.getFinishedSpans().filter((s) => s.kind === SpanKind.PRODUCER && s.attributes[ATTRIBUTES.eventId] === eventId);
    // The failed publish in the request's trace, the resend in the sweeper's: both findable by the event id.
    expect(sends).toHaveLength(2);
    const resend = sends.find((s) => s.status.code === 0)!;
    const trace = inTrace(resend.spanContext().traceId);
    const timer = trace.find((s) => s.name === 'timer outboxSweeper')!;
    expect(timer).toBeDefined();
    expect(parentOf(resend)).toBe(idOf(timer));
    const consumers = trace.filter((s) => s.kind === SpanKind.CONSUMER && s.attributes[ATTRIBUTES.eventId] === eventId);
    expect(consumers.length).toBeGreaterThanOrEqual(2);
    for (const consumer of consumers) expect(parentOf(consumer)).toBe(idOf(resend));
    expectOneTree(trace, timer);
  });

  it('records sales per channel, consumer lag, retries, dead letters and Cosmos DB operations per kind', async () => {
    const before = {
      sales: total(await points(METRICS.eventsPublished), { type: TransactionRecorded.type, channel: 'store', txtype: 'sale' }),
      retries: total(await points(METRICS.consumerRetries), { [ATTRIBUTES.subscription]: 'customer-activity' }),
      reads: total(await points(METRICS.cosmosOperations), { kind: 'reads' }),
    };
    // One transient failure of the customer-activity consumer: the bus redelivers it.
    jest.spyOn(h.local.platform.services.activity, 'handle').mockRejectedValueOnce(new Error('transient'));
    await h.api('POST', '/api/v1/transactions', { key: h.pos, body: identified() });
    // A message that fails its contract, straight onto the bus.
    await h.local.bus.publish([
      {
        specversion: '1.0',
        id: `evt_bad_${randomBytes(4).toString('hex')}`,
        source: '/x',
        type: TransactionRecorded.type,
        subject: 'x',
        time: new Date().toISOString(),
        datacontenttype: 'application/json',
        tenantid: h.tenantId,
        data: { nothing: true },
        identified: true,
      },
    ]);
    await h.local.bus.idle();
    jest.restoreAllMocks();

    expect(total(await points(METRICS.eventsPublished), { type: TransactionRecorded.type, channel: 'store', txtype: 'sale' })).toBe(before.sales + 1);
    expect(total(await points(METRICS.consumerRetries), { [ATTRIBUTES.subscription]: 'customer-activity' })).toBe(before.retries + 1);
    expect(total(await points(METRICS.deadLetters), { reason: 'contract', [ATTRIBUTES.subscription]: 'customer-activity' })).toBeGreaterThanOrEqual(1);
    const lag = await points(METRICS.consumerLag);
    expect(lag.map((p) => p.attributes[ATTRIBUTES.subscription])).toEqual(expect.arrayContaining(['customer-activity', 'loyalty', 'receipts', 'stock']));
    for (const p of lag) expect((p.value as Histogram).min).toBeGreaterThanOrEqual(0);
    expect(total(await points(METRICS.cosmosOperations), { kind: 'reads' })).toBeGreaterThan(before.reads);
    const kinds = new Set((await points(METRICS.cosmosOperations)).map((p) => p.attributes.kind));
    expect([...kinds].sort()).toEqual(['queries', 'reads', 'writes']);
  });

  it('puts nothing personal in spans, metrics or logs', async () => {
    await h.api('POST', '/api/v1/transactions', { key: h.pos, body: identified() });
    await h.local.bus.idle();
    const exported = JSON.stringify({
      spans: spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, links: s.links, status: s.status })),
      metrics: (await collected()).map((m) => ({ name: m.descriptor.name, attributes: m.dataPoints.map((p) => p.attributes) })),
      logs: h.logs,
    });
    expect(exported.length).toBeGreaterThan(1000);
    for (const value of [PERSONAL.email, PERSONAL.phone.replace(/ /g, ''), PERSONAL.phone, PERSONAL.card, h.pos]) expect(exported).not.toContain(value);
    expect(exported).not.toMatch(/lucia|600111222|987654321/i);
  });

  it('counts the API’s 429s as throttled requests', async () => {
    const before = total(await points(METRICS.throttled), { source: 'http' });
    let status = 0;
    for (let i = 0; i < 40 && status !== 429; i += 1) status = (await h.api('GET', '/api/v1/transactions/none', { key: `uk.${h.tenantId}.wrong${i}` })).status;
    expect(status).toBe(429);
    expect(total(await points(METRICS.throttled), { source: 'http', [ATTRIBUTES.function]: 'getTransaction' })).toBe(before + 1);
  });
});

describe('telemetry off', () => {
  it('makes no telemetry call on the request path, and a sale costs the same Cosmos DB operations as with it on', async () => {
    const off = await start(false);
    const on = await start(true);
    try {
      const spansBefore = spans.getFinishedSpans().length;
      const inSpan = jest.spyOn(PlatformTelemetry.prototype, 'inSpan');
      const cost = async (h: Harness) => {
        h.local.platform.cosmosMetrics.reset();
        // The request path alone first (consumers held), then with every consumer.
        const release = h.local.bus.holdDeliveries();
        const r = await h.api('POST', '/api/v1/transactions', { key: h.pos, body: identified() });
        expect(r.status).toBe(201);
        const counts = () => {
          const { reads, writes, queries } = h.local.platform.cosmosMetrics;
          return { reads, writes, queries };
        };
        const requestPath = counts();
        release();
        await h.local.bus.idle();
        return { requestPath, withConsumers: counts() };
      };
      const withoutTelemetry = await cost(off);
      expect(inSpan).not.toHaveBeenCalled();
      expect(spans.getFinishedSpans().length).toBe(spansBefore);
      expect(off.local.platform.cosmosMetrics.telemetry).toBeUndefined();
      expect(off.logs.some((l) => l.includes('traceId'))).toBe(false);
      const withTelemetry = await cost(on);
      expect(inSpan).toHaveBeenCalled();
      expect(withTelemetry).toEqual(withoutTelemetry);
    } finally {
      jest.restoreAllMocks();
      await off.local.stop();
      await on.local.stop();
    }
  });
});
