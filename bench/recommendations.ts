/**
 * Recommendations under load: `npm run build && node dist/bench/recommendations.js` (settings:
 * BENCH_CONNECTIONS 16, BENCH_SECONDS 15, BENCH_CUSTOMERS 2000, BENCH_SKUS 2000, BENCH_HISTORY_SALES 3000, BENCH_MODEL_SKUS 50000).
 *
 * Starts the platform in its own process, stocks every SKU in a store and the warehouse, seeds the
 * customers and a history of sales in both channels, then measures: customer recommendations
 * (till and web shop) and basket recommendations at fixed concurrency; whether the model keeps up
 * with ingest (sales at full speed, then how long the consumers need to finish: a backlog that grew
 * would take about as long again as the ingest); and, in this process, the model's memory at
 * 50,000 SKUs. `npm run bench` runs the same phase after its own.
 */
import { CoPurchaseModel, DEFAULT_MODEL_SETTINGS } from '../shared/recommendations/co-purchase';
import { applyTransaction, emptyHistory } from '../shared/recommendations/history';
import { seedDemoTenant } from '../local/demo-tenant';
import { catalog, customerEmail, nextSale, random, type SaleOptions } from './data';
import { load, pool, type LoadResult } from './load';
import { startServer, type BenchServer } from './server-process';

export interface RecommendationBenchOptions {
  connections: number;
  seconds: number;
  customers: number;
  skus: number;
  historySales: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- seeding reads whatever each route answers
type Api = (method: string, path: string, key: string, body?: unknown) => Promise<any>;

function client(server: BenchServer): { api: Api; idle: () => Promise<void> } {
  // Seeding on a loaded machine: a 503 (the store's deadline) or 429 is retried; every call here is idempotent.
  const api: Api = async (method, path, key, body) => {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await response.json();
      if (response.ok) return json;
      if (!(response.status === 503 || response.status === 429) || attempt === 5)
        throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  };
  const idle = async () => {
    let response: Response;
    do response = await fetch(`${server.url}/_local/idle`, { method: 'POST', headers: { 'x-api-key': server.adminKey } });
    while (response.status === 202);
  };
  return { api, idle };
}

/** The load phases against a running platform whose demo tenant is seeded (`keys`). */
export async function benchRecommendations(server: BenchServer, keys: Record<string, string>, options: RecommendationBenchOptions) {
  const { api, idle } = client(server);
  const run = `r${Date.now().toString(36)}`;
  const rand = random(7);
  const skus = catalog(options.skus, rand);
  const report = (result: LoadResult) => {
    console.log(`  ${result.name}: ${result.perSecond}/s, p50 ${result.p50} ms, p95 ${result.p95} ms, failures ${JSON.stringify(result.failures)}`);
    return result;
  };

  console.log(`recommendations: stocking ${options.skus} SKUs, seeding ${options.customers} customers and ${options.historySales} sales...`);
  for (const locationId of ['madrid-centro', 'almacen-getafe']) {
    for (let start = 0; start < skus.length; start += 100) {
      const lines = skus.slice(start, start + 100).map((sku) => ({ sku: sku.sku, quantity: 100_000 }));
      await api('POST', '/api/v1/stock/movements', keys.admin!, { type: 'receipt', reference: `${run}-${locationId}-${start}`, locationId, lines });
    }
  }
  // The web ships from the warehouse and the Madrid store: the online promise is point reads there.
  await api('PUT', '/api/v1/settings/stock', keys.admin!, { onlineLocationIds: ['almacen-getafe', 'madrid-centro'], defaultSafetyStock: 0, safetyStock: {} });
  const customerIds: string[] = [];
  await pool(
    Array.from({ length: options.customers }, (_, i) => i),
    options.connections,
    async (n) => {
      customerIds[n] = (
        await api('POST', '/api/v1/customers/identify', keys.ecommerce!, { identifiers: [{ type: 'email', value: customerEmail(run, n) }] })
      ).customerId;
    },
  );
  const saleOptions: SaleOptions = { run, skus, customers: options.customers, rand, identified: 0.8, inStore: 0.7 };
  await pool(
    Array.from({ length: options.historySales }, (_, i) => i),
    options.connections,
    async () => {
      const sale = nextSale(saleOptions);
      await api('POST', '/api/v1/transactions', keys[sale.key]!, sale.body);
    },
  );
  await idle();

  const someone = () => customerIds[Math.floor(rand() * customerIds.length)]!;
  const twoSkus = () => [0, 1].map(() => skus[Math.floor(rand() * skus.length)]!.sku);
  const scenario = { connections: options.connections, seconds: options.seconds };
  const results = {
    customerAtTill: report(
      await load(
        'customer recommendations, till (store stock)',
        server.url,
        () => ({
          method: 'GET',
          path: `/api/v1/customers/${someone()}/recommendations?channel=store&locationId=madrid-centro&limit=10`,
          key: keys['pos-madrid']!,
        }),
        scenario,
      ),
    ),
    customerOnline: report(
      await load(
        'customer recommendations, web shop (online promise)',
        server.url,
        () => ({ method: 'GET', path: `/api/v1/customers/${someone()}/recommendations?channel=online&locationId=web-es&limit=10`, key: keys.ecommerce! }),
        scenario,
      ),
    ),
    basket: report(
      await load(
        'basket recommendations, till',
        server.url,
        () => ({
          method: 'POST',
          path: '/api/v1/recommendations/basket',
          key: keys['pos-madrid']!,
          body: { channel: 'store', locationId: 'madrid-centro', skus: twoSkus(), limit: 10 },
        }),
        scenario,
      ),
    ),
  };

  // Ingest at full speed, then the time the consumers (recommendations among them) need to finish.
  await idle();
  await fetch(`${server.url}/_local/metrics/reset`, { method: 'POST', headers: { 'x-api-key': server.adminKey } });
  const started = performance.now();
  const ingest = report(
    await load(
      'ingest sales (both channels, 80% identified)',
      server.url,
      () => {
        const sale = nextSale(saleOptions);
        return { method: 'POST', path: '/api/v1/transactions', key: keys[sale.key]!, body: sale.body };
      },
      scenario,
    ),
  );
  const ingestSeconds = (performance.now() - started) / 1000;
  await idle();
  const drainSeconds = (performance.now() - started) / 1000 - ingestSeconds;
  const metrics = (await (await fetch(`${server.url}/_local/metrics`, { headers: { 'x-api-key': server.adminKey } })).json()) as {
    cosmos: { byContainer: Record<string, { reads: number; writes: number; queries: number }> };
  };
  const cosmosOperationsPerSale = Object.fromEntries(
    Object.entries(metrics.cosmos.byContainer).map(([name, c]) => [name, round((c.reads + c.writes + c.queries) / Math.max(1, ingest.requests))]),
  );
  return {
    ...results,
    ingest: {
      perSecond: ingest.perSecond,
      ingestSeconds: round(ingestSeconds),
      drainSeconds: round(drainSeconds),
      drainRatio: round(drainSeconds / ingestSeconds),
      cosmosOperationsPerSale,
    },
  };
}

/** Memory of one tenant's model at `skus` SKUs (every item with a full neighbour list), and of a cached history. */
export function modelMemory(skuCount: number) {
  const rand = random(11);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const started = performance.now();
  const baskets = Array.from({ length: skuCount * 20 }, (_, b) => {
    const theme = Math.floor(rand() * (skuCount / 50));
    const lines = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => ({ sku: `SKU-${theme * 50 + Math.floor(rand() * 50)}` }));
    return { channel: 'store' as const, locationId: `store-${b % 50}`, occurredAt: new Date(Date.UTC(2026, 0, 1) + b * 60_000), lines };
  });
  const model = CoPurchaseModel.build(baskets, DEFAULT_MODEL_SETTINGS);
  const buildSeconds = (performance.now() - started) / 1000;
  baskets.length = 0;
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const snapshotBytes = Buffer.byteLength(JSON.stringify(model.snapshot()));
  // A history of 30 items, as the in-memory cache holds it.
  let history = emptyHistory('t', 'c');
  for (let i = 0; i < 30; i++) {
    history = applyTransaction(history, {
      transactionId: `tx_${i.toString().padStart(26, '0')}`,
      type: 'sale',
      channel: 'store',
      locationId: 'madrid-centro',
      occurredAt: new Date().toISOString(),
      lines: [{ sku: `SKU-${i}`, quantity: 1, description: 'A product description of typical length', category: 'shirts' }],
    })!;
  }
  const historyBytes = Buffer.byteLength(JSON.stringify(history)) * 2;
  // Learning between rebuilds, in memory: baskets of 1-4 lines as the ingest sends them.
  const learning = Array.from({ length: 100_000 }, (_, b) => ({
    channel: 'online' as const,
    locationId: 'web-es',
    occurredAt: new Date(Date.UTC(2026, 6, 1) + b * 1_000),
    lines: Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ({ sku: `SKU-${Math.floor(rand() * skuCount)}` })),
  }));
  const learnStarted = performance.now();
  for (const basket of learning) model.add(basket);
  const basketsPerSecond = Math.round(learning.length / ((performance.now() - learnStarted) / 1000));
  const fullWidth = skuCount * DEFAULT_MODEL_SETTINGS.neighbours * 8;
  return {
    skus: model.size,
    buildSeconds: round(buildSeconds),
    arraysMB: round(model.modelBytes() / 1e6),
    fullNeighbourListsMB: round(fullWidth / 1e6),
    heapDeltaMB: global.gc ? round((heapAfter - heapBefore) / 1e6) : null,
    snapshotMB: round(snapshotBytes / 1e6),
    historyKB: round(historyBytes / 1e3),
    learnBasketsPerSecond: basketsPerSecond,
  };
}

const round = (v: number) => Math.round(v * 100) / 100;

async function main() {
  const options: RecommendationBenchOptions = {
    connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
    seconds: Number(process.env.BENCH_SECONDS ?? 15),
    customers: Number(process.env.BENCH_CUSTOMERS ?? 2000),
    skus: Number(process.env.BENCH_SKUS ?? 2000),
    historySales: Number(process.env.BENCH_HISTORY_SALES ?? 3000),
  };
  const modelSkus = Number(process.env.BENCH_MODEL_SKUS ?? 50_000);
  console.log(`model memory at ${modelSkus} SKUs (this process)...`);
  const memory = modelMemory(modelSkus);
  console.log(`  ${JSON.stringify(memory)}`);
  const server = await startServer();
  try {
    const keys = await seedDemoTenant(server.url, server.adminKey);
    const figures = await benchRecommendations(server, keys, options);
    console.log(JSON.stringify({ settings: options, memory, ...figures }));
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
