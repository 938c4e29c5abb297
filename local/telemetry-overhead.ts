/**
 * Micro-benchmark: what telemetry adds to the edge. An HTTP request through `endpoint()` and a
 * delivery through `eventConsumer()`, with handlers that answer at once (no store, no network), so
 * only the wrappers are measured, in ns per call.
 *
 *   npm run build && node dist/local/telemetry-overhead.js off|on [dist]
 *
 * `off`: as deployed without a connection string. `on`: an OpenTelemetry SDK registered, spans
 * batched to an exporter that discards them. `dist`: another build's dist/ folder (e.g. a checkout of
 * an earlier commit) to measure its `off` path with the same code.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- modules come from the dist folder named on the command line */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type * as Functions from '@azure/functions';
import type * as Endpoint from '../shared/edge/endpoint';
import type * as Consumer from '../shared/edge/consumer';
import type * as Events from '../shared/kernel/events';
import type * as LoggerModule from '../shared/kernel/adapters/logger';
import type * as Telemetry from '../shared/kernel/telemetry';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';

const mode = process.argv[2] === 'on' ? 'on' : 'off';
const root = resolve(process.argv[3] ?? join(__dirname, '..'));
const load = <T>(path: string) => require(join(root, path)) as T;

const { HttpRequest, InvocationContext } = require('@azure/functions') as typeof Functions;
const { endpoint } = load<typeof Endpoint>('shared/edge/endpoint.js');
const { eventConsumer } = load<typeof Consumer>('shared/edge/consumer.js');
const { defineEvent, on } = load<typeof Events>('shared/kernel/events.js');
const { createLogger } = load<typeof LoggerModule>('shared/kernel/adapters/logger.js');

let telemetry: Telemetry.PlatformTelemetry | undefined;
if (mode === 'on') {
  const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNode;
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const discard: TraceBase.SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => undefined };
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }).register();
  const { PlatformTelemetry } = load<typeof Telemetry>('shared/kernel/telemetry.js');
  telemetry = new PlatformTelemetry(true, { now: () => new Date() });
}

const logger = createLogger(() => undefined, 'silent');
const edge = { logger, platformAdminKey: 'k'.repeat(40), authenticate: async () => undefined, telemetry } as unknown as Endpoint.EdgeKit;
const route = endpoint(edge, {
  name: 'bench',
  method: 'GET',
  route: 'bench',
  summary: 'bench',
  tags: [],
  auth: 'none',
  responses: { 200: { description: 'ok' } },
  handle: async () => ({ status: 200 }),
});
const Happened = defineEvent('bench.happened', z.object({ n: z.number() }));
const consumer = eventConsumer('benchConsumer', { subscription: 'bench', accepts: [on(Happened)], description: 'bench' }, async () => undefined, {
  logger,
  deadLetters: { put: async () => undefined },
  telemetry,
} as Parameters<typeof eventConsumer>[3]);
const request = new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/bench', headers: {} });
const context = new InvocationContext({
  invocationId: 'bench',
  functionName: 'bench',
  triggerMetadata: { deliveryCount: 1, messageId: 'm', applicationProperties: {} },
});
const message = {
  specversion: '1.0',
  id: 'evt_1',
  source: '/bench',
  type: 'bench.happened',
  subject: 's',
  time: new Date().toISOString(),
  tenantid: 't',
  data: { n: 1 },
};

async function measure(run: () => Promise<unknown>, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i += 1) await run();
  return ((performance.now() - start) * 1e6) / calls;
}

async function main(): Promise<void> {
  const cases = { httpRequest: () => route.handler(request, context), consumerDelivery: () => consumer.handler(message, context) };
  const result: Record<string, number> = {};
  for (const [name, run] of Object.entries(cases)) {
    await measure(run, 20_000); // warm-up
    const rounds: number[] = [];
    for (let r = 0; r < 7; r += 1) rounds.push(await measure(run, 50_000));
    result[`${name}NsPerCall`] = Math.round(rounds.sort((a, b) => a - b)[3]!);
  }
  console.log(JSON.stringify({ mode, root, node: process.versions.node, ...result }));
}

void main();
