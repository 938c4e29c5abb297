/**
 * Segments on this machine (`npm run build && node dist/bench/segments.js`, also a phase of `npm run bench`):
 * 1. entry latency: the time from the ingest response of a customer's qualifying store sale to the
 *    `customer.segment.entered` event, while the benchmark's ingest load runs beside it;
 * 2. backfill and preview over a growing number of customers' traits (BENCH_SEGMENT_CUSTOMERS, up to 100,000), with
 *    what they asked of Cosmos DB, and the RU/time estimate for 10 million customers in Azure.
 * The platform runs in this process (the probe listens on its bus); the stand-ins run in their own.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoTenant } from '../local/demo-tenant';
import { startLocalPlatform } from '../local/platform';
import { on, type CloudEvent } from '../shared/kernel/events';
import { applyTransaction, deriveTraits, emptyTraits, evaluate, SegmentEntered, type Rule, type TraitsState } from '../shared/segments';
import type { Principal } from '../shared/tenancy';
import type { TransactionView } from '../shared/transactions';
import { catalog, nextSale, random, type Sku } from './data';
import { load, percentile, pool } from './load';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** Customers with traits at each point of the curve (comma-separated; 0 for the latency alone); the curve stops early past MAX_SECONDS. */
const SIZES = (process.env.BENCH_SEGMENT_CUSTOMERS ?? '10000,25000,50000,100000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const MAX_SECONDS = Number(process.env.BENCH_SEGMENT_MAX_SECONDS ?? 600);
const round = (n: number) => Math.round(n * 10) / 10;
const EVALUATED = Number(process.env.BENCH_SEGMENT_EVALUATED ?? 100_000);

/** A plausible customer: 1-4 sales over the last 400 days, 70% in store, counted as the consumer counts them. */
function syntheticTraits(tenantId: string, customerId: string, rand: () => number, skus: Sku[], now: Date): TraitsState {
  let state = emptyTraits(tenantId, customerId);
  const orders = 1 + Math.floor(rand() * 4);
  for (let o = 0; o < orders; o += 1) {
    const channel = rand() < 0.7 ? 'store' : 'online';
    const sku = skus[Math.floor(rand() * skus.length)]!;
    const tx = {
      transactionId: `tx_${customerId}_${o}`,
      type: 'sale',
      channel,
      locationId: channel === 'store' ? 'madrid-centro' : 'web-es',
      occurredAt: new Date(now.getTime() - Math.floor(rand() * 400) * 86_400_000).toISOString(),
      totals: { gross: sku.unitPrice, discount: 0, net: sku.unitPrice, items: 1 },
      lines: [{ sku: sku.sku, quantity: 1, unitPrice: sku.unitPrice, taxRate: 21, discount: 0, lineNumber: 1, total: sku.unitPrice, category: sku.category }],
    } as unknown as TransactionView;
    state = applyTransaction(state, tx, now) ?? state;
  }
  return state;
}
/** Probe customers at once: each buys online, then in store, and waits for her entry. */
const PROBE_LOOPS = 4;

/** Assumptions of the Azure estimate (stated in the README): RU per document read by a query, per document written. */
const RU_PER_QUERIED_KB = 0.5;
const RU_PER_WRITE = 10;

export interface SegmentBench {
  latency: {
    probes: number;
    /** From the store sale's ingest response to the entered event (0 when the event came first). */
    p50: number;
    p95: number;
    max: number;
    /** Entered before the till even had its response. */
    beforeResponse: number;
    /** From sending the store sale: the till's whole wait plus the entry. */
    fromRequestP95: number;
    missed: number;
    ingestPerSecond: number;
    ingestP95: number;
  };
  evaluation: { customers: number; seconds: number; members: number; microsecondsPerCustomer: number };
  curve: Array<{
    customers: number;
    seedSeconds: number;
    previewSeconds: number;
    previewCount: number;
    backfillSeconds: number;
    backfill: { processed: number; matched: number; queries: number; reads: number; writes: number };
  }>;
  estimate10M: null | { averageDocumentBytes: number; previewRU: number; backfillRU: number; previewMinutesAt10kRUs: number; backfillMinutesAt10kRUs: number };
}

export async function benchSegments(): Promise<SegmentBench> {
  // The stand-in answers a paged query by evaluating the whole container each time: give its calls time (Azure serves a page from the index).
  const local = await startLocalPlatform({ port: 0, timers: false, env: { ...process.env, LOG_LEVEL: 'silent' }, deadlines: { storeMs: 600_000 } });
  // Stopped from outside (Ctrl-C, a kill): the stand-ins it started stop with it.
  const stop = () => void local.stop().finally(() => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const keys = await seedDemoTenant(local.url, local.adminKey);
    const tenantId = 'demo-retail';
    const api = async (method: string, path: string, key: string, body?: unknown) => {
      const response = await fetch(`${local.url}${path}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const omnichannel = {
      all: [
        { trait: 'lastStorePurchaseAt', operator: 'withinLastDays', value: 90 },
        { trait: 'lastOnlinePurchaseAt', operator: 'withinLastDays', value: 90 },
      ],
    };
    const segment = (await api('POST', '/api/v1/segments', keys.admin!, { name: 'Omnichannel shoppers', definition: omnichannel })) as { segmentId: string };

    // 1. Entry latency under the ingest load.
    const entered = new Map<string, number>();
    local.bus.subscribe('bench-segment-entries', [on(SegmentEntered)], async (message) => {
      const event = message as CloudEvent<{ customerId: string }>;
      if (!entered.has(event.data.customerId)) entered.set(event.data.customerId, performance.now());
    });
    const run = Date.now().toString(36);
    const rand = random(7);
    const skus = catalog(500, rand);
    const saleOptions = { run, skus, customers: 2000, rand, identified: 0.8, inStore: 0.7 };
    const sale = (channel: 'store' | 'online', email: string, n: number) => ({
      type: 'sale',
      channel,
      locationId: channel === 'store' ? 'madrid-centro' : 'web-es',
      ...(channel === 'store' ? { terminalId: 'till-probe' } : {}),
      externalId: `P-${run}-${channel}-${n}`,
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      currency: 'EUR',
      customer: { identifiers: [{ type: 'email', value: email }] },
      lines: [{ sku: 'SKU-00001', quantity: 1, unitPrice: 1000, taxRate: 21 }],
      tenders: [{ type: 'card', amount: 1000 }],
    });
    const probes: Array<{ customerId: string; sentAt: number; respondedAt: number }> = [];
    let probing = true;
    let nextProbe = 0;
    const probeLoop = async () => {
      while (probing) {
        const n = nextProbe++;
        const email = `probe-${n}@bench-${run}.example.com`;
        await api('POST', '/api/v1/transactions', keys.ecommerce!, sale('online', email, n));
        const sentAt = performance.now();
        const recorded = (await api('POST', '/api/v1/transactions', keys['pos-madrid']!, sale('store', email, n))) as { customerId: string };
        probes.push({ customerId: recorded.customerId, sentAt, respondedAt: performance.now() });
      }
    };
    const prober = Promise.all(Array.from({ length: PROBE_LOOPS }, probeLoop));
    const ingest = await load(
      'ingest sales beside the probes',
      local.url,
      () => {
        const next = nextSale(saleOptions);
        return { method: 'POST', path: '/api/v1/transactions', key: keys[next.key]!, body: next.body };
      },
      { connections: CONNECTIONS, seconds: SECONDS },
    );
    probing = false;
    await prober;
    await local.bus.idle();
    const seen = probes.filter((p) => entered.has(p.customerId));
    const latencies = seen.map((p) => Math.max(0, entered.get(p.customerId)! - p.respondedAt)).sort((a, b) => a - b);
    const fromRequest = seen.map((p) => entered.get(p.customerId)! - p.sentAt).sort((a, b) => a - b);
    const latency = {
      probes: probes.length,
      p50: Math.round(percentile(latencies, 50)),
      p95: Math.round(percentile(latencies, 95)),
      max: Math.round(latencies[latencies.length - 1] ?? 0),
      beforeResponse: seen.filter((p) => entered.get(p.customerId)! <= p.respondedAt).length,
      fromRequestP95: Math.round(percentile(fromRequest, 95)),
      missed: probes.length - latencies.length,
      ingestPerSecond: ingest.perSecond,
      ingestP95: ingest.p95,
    };
    console.log(
      `  entry latency after the ingest response: ${latency.probes} probes, p50 ${latency.p50} ms, p95 ${latency.p95} ms, max ${latency.max} ms (${latency.beforeResponse} entered before the response; from the request, p95 ${latency.fromRequestP95} ms; ingest ${ingest.perSecond}/s beside)`,
    );

    // 2. The evaluation alone, without the store: EVALUATED customers' traits derived and tested in memory.
    const evalRand = random(13);
    const states = Array.from({ length: EVALUATED }, (_, i) => syntheticTraits(tenantId, `c_eval_${i}`, evalRand, skus, new Date()));
    const evaluationStarted = performance.now();
    const at = new Date();
    const members = states.filter((state) => evaluate(omnichannel as Rule, deriveTraits(state, at), at)).length;
    const evaluationSeconds = (performance.now() - evaluationStarted) / 1000;
    const evaluation = {
      customers: EVALUATED,
      seconds: round(evaluationSeconds),
      members,
      microsecondsPerCustomer: Math.round((evaluationSeconds * 1e6) / EVALUATED),
    };
    console.log(
      `  evaluation in memory: ${EVALUATED} customers in ${evaluation.seconds} s (${evaluation.microsecondsPerCustomer} µs each), ${members} members`,
    );

    // 3. Scale: traits for a growing number of customers, written through the traits service (a read and a create each);
    // at each size a preview and a full backfill of the segment (an edit restarts it).
    const { traits, segments } = local.platform.services;
    const headOffice: Principal = { tenantId, keyId: 'bench', role: 'admin', locationIds: [] };
    const seedRand = random(11);
    const now = new Date();
    let bytes = 0;
    let sampled = 0;
    let seeded = 0;
    const curve: SegmentBench['curve'] = [];
    for (const size of SIZES) {
      const seedStarted = performance.now();
      await pool(
        Array.from({ length: size - seeded }, (_, k) => seeded + k),
        32,
        async (i) => {
          const customerId = `c_bench_${run}_${i}`;
          const state = syntheticTraits(tenantId, customerId, seedRand, skus, now);
          const { doc } = await traits.change(tenantId, customerId, (current) => ({ ...current, ...state }));
          if (i % 500 === 0) {
            bytes += Buffer.byteLength(JSON.stringify(doc));
            sampled += 1;
          }
        },
      );
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      seeded = size;

      const previewStarted = performance.now();
      // The use case itself: at this size on the stand-in it outlasts an HTTP request's time limit (see the README).
      const preview = await segments.preview(headOffice, omnichannel);
      const previewSeconds = (performance.now() - previewStarted) / 1000;

      const edited = await api('PUT', `/api/v1/segments/${segment.segmentId}`, keys.admin!, { name: 'Omnichannel shoppers', definition: omnichannel });
      if ((edited.backfill as { status: string }).status !== 'pending') throw new Error('the edit did not restart the backfill');
      const metrics = local.platform.cosmosMetrics;
      metrics.reset();
      const backfillStarted = performance.now();
      const done = await segments.backfill(tenantId, segment.segmentId, local.platform.logger);
      const backfillSeconds = (performance.now() - backfillStarted) / 1000;
      const point = {
        customers: size,
        seedSeconds: round(seedSeconds),
        previewSeconds: round(previewSeconds),
        previewCount: preview.count,
        backfillSeconds: round(backfillSeconds),
        backfill: { processed: done?.processed ?? 0, matched: done?.matched ?? 0, queries: metrics.queries, reads: metrics.reads, writes: metrics.writes },
      };
      curve.push(point);
      console.log(
        `  ${size} customers: seeded in ${point.seedSeconds} s; preview ${point.previewSeconds} s (${preview.count} match); backfill ${point.backfillSeconds} s (${point.backfill.processed} evaluated, ${metrics.queries} queries, ${metrics.reads} reads, ${metrics.writes} writes)`,
      );
      if (previewSeconds + backfillSeconds > MAX_SECONDS) {
        console.log(`  stopping the curve: preview and backfill took over ${MAX_SECONDS} s at ${size} customers on the stand-in`);
        break;
      }
    }

    // Azure, 10 million customers: every document read once by the paged query; writes only for the members that change.
    const last = curve[curve.length - 1];
    if (!last) return { latency, evaluation, curve, estimate10M: null };
    const averageDocumentBytes = Math.round(bytes / Math.max(1, sampled));
    const scaleUp = 10_000_000 / last.customers;
    const previewRU = Math.round(10_000_000 * (averageDocumentBytes / 1024) * RU_PER_QUERIED_KB);
    const backfillRU = previewRU + Math.round(last.backfill.writes * scaleUp * RU_PER_WRITE + last.backfill.reads * scaleUp);
    const estimate10M = {
      averageDocumentBytes,
      previewRU,
      backfillRU,
      previewMinutesAt10kRUs: Math.round(previewRU / 10_000 / 6) / 10,
      backfillMinutesAt10kRUs: Math.round(backfillRU / 10_000 / 6) / 10,
    };
    return { latency, evaluation, curve, estimate10M };
  } finally {
    await local.stop();
  }
}

async function main() {
  console.log(`unifica segments benchmark: ${CONNECTIONS} connections, ${SECONDS} s of ingest, customers for backfill and preview: ${SIZES.join(', ')}`);
  const result = await benchSegments();
  const out = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'segments.json'), `${JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2)}\n`);
  // The last line is the result, as `npm run bench` reads it.
  console.log(JSON.stringify(result));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
