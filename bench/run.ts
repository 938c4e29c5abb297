/**
 * `npm run bench`: a retailer's day on this machine. Starts the platform in its own process, seeds
 * a tenant, drives each scenario with autocannon at a fixed concurrency, and prints the figures
 * beside the floor measured in the same run. Results go to bench/results/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { seedDemoTenant } from '../local/demo-tenant';
import { catalog, customerEmail, nextSale, random, type SaleOptions } from './data';
import { cosmosFloor } from './floor';
import { benchAnalytics } from './analytics';
import { load, pool, type LoadResult } from './load';
import { startServer } from './server-process';
import { benchRecommendations } from './recommendations';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2000);
const SKUS = Number(process.env.BENCH_SKUS ?? 2000);

async function main() {
  const started = Date.now();
  const server = await startServer();
  const local = async (method: string, path: string) => {
    let response: Response;
    // /_local/idle answers 202 while the consumers are still busy after a minute: ask again.
    do response = await fetch(`${server.url}${path}`, { method, headers: { 'x-api-key': server.adminKey } });
    while (response.status === 202);
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
    return response.status === 204 ? undefined : response.json();
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- seeding reads whatever each route answers
  const api = async (method: string, path: string, key: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  try {
    console.log(`unifica benchmark: ${CONNECTIONS} connections, ${SECONDS} s per scenario, ${CUSTOMERS} customers, ${SKUS} SKUs`);
    const run = Date.now().toString(36);
    const keys = await seedDemoTenant(server.url, server.adminKey);
    const rand = random(42);
    const skus = catalog(SKUS, rand);
    const saleOptions: SaleOptions = { run, skus, customers: CUSTOMERS, rand, identified: 0.8, inStore: 0.7 };

    console.log('seeding customers...');
    await pool(
      Array.from({ length: CUSTOMERS }, (_, i) => i),
      CONNECTIONS,
      async (n) => void (await api('POST', '/api/v1/customers/identify', keys.ecommerce!, { identifiers: [{ type: 'email', value: customerEmail(run, n) }] })),
    );

    console.log('seeding campaigns and gift cards...');
    const campaign = await api('POST', '/api/v1/campaigns', keys.admin!, {
      name: 'Bench 10%',
      discount: { type: 'percentage', percent: 10 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
      publicCode: `BENCH${run}`.slice(0, 32),
    });
    const uniqueCampaign = await api('POST', '/api/v1/campaigns', keys.admin!, {
      name: 'Bench unique 5 EUR',
      discount: { type: 'fixedAmount', amount: 500 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
    });
    const uniqueCodes: string[] = (await api('POST', `/api/v1/campaigns/${uniqueCampaign.campaignId}/codes`, keys.admin!, { count: 100_000 })).codes;
    const giftCards: string[] = [];
    await pool(
      Array.from({ length: 200 }, (_, i) => i),
      CONNECTIONS,
      async (i) => {
        giftCards.push(
          // Admin keys issue cards with a balance, up to the tenant's cap (default 1,000.00).
          (await api('POST', '/api/v1/gift-cards', keys.admin!, { amount: 100_000, currency: 'EUR', reference: `bench-${run}-${i}` })).giftCardId,
        );
      },
    );
    // Sales that pay with a gift card carry a redemption made at checkout, as a till would.
    const giftCardTenders: Array<{ reference: string; amount: number }> = [];
    await pool(
      Array.from({ length: 300 }, (_, i) => i),
      CONNECTIONS,
      async (i) => {
        const done = await api('POST', `/api/v1/gift-cards/${giftCards[i % giftCards.length]}/redemptions`, keys['pos-madrid']!, {
          amount: 500,
          reference: `bench-sale-${run}-${i}`,
        });
        giftCardTenders.push({ reference: done.operationId, amount: 500 });
      },
    );
    for (const locationId of ['madrid-centro', 'almacen-getafe']) {
      for (let start = 0; start < Math.min(SKUS, 1000); start += 50) {
        const lines = skus.slice(start, start + 50).map((sku) => ({ sku: sku.sku, quantity: 100 }));
        await api('POST', '/api/v1/stock/movements', keys.admin!, { type: 'receipt', reference: `bench-${run}-${locationId}-${start}`, locationId, lines });
      }
    }
    saleOptions.publicCode = campaign.publicCode ?? `BENCH${run}`.slice(0, 32);
    saleOptions.giftCardTenders = giftCardTenders;

    const results: LoadResult[] = [];
    const report = (result: LoadResult) => {
      results.push(result);
      console.log(`  ${result.name}: ${result.perSecond}/s, p95 ${result.p95} ms`);
    };

    console.log('checkout path...');
    report(
      await load(
        'identify a customer',
        server.url,
        () => ({
          method: 'POST',
          path: '/api/v1/customers/identify',
          key: keys['pos-madrid']!,
          body: { identifiers: [{ type: 'email', value: customerEmail(run, Math.floor(rand() * CUSTOMERS)) }] },
        }),
        { connections: CONNECTIONS, seconds: SECONDS },
      ),
    );

    const basket = () => {
      const lines = [0, 1].map(() => {
        const sku = skus[Math.floor(rand() * skus.length)]!;
        return { sku: sku.sku, quantity: 1, unitPrice: sku.unitPrice, category: sku.category };
      });
      return { channel: 'store', locationId: 'madrid-centro', lines };
    };
    report(
      await load(
        'coupon validate (public code)',
        server.url,
        () => ({ method: 'POST', path: '/api/v1/coupons/validate', key: keys['pos-madrid']!, body: { codes: [saleOptions.publicCode], ...basket() } }),
        {
          connections: CONNECTIONS,
          seconds: SECONDS,
        },
      ),
    );
    let nextCode = 0;
    report(
      await load(
        'coupon hold (unique code)',
        server.url,
        () => ({
          method: 'POST',
          path: '/api/v1/coupons/holds',
          key: keys['pos-madrid']!,
          body: { codes: [uniqueCodes[nextCode++ % uniqueCodes.length]], ...basket() },
        }),
        {
          connections: CONNECTIONS,
          seconds: SECONDS,
        },
      ),
    );
    let redemption = 0;
    report(
      await load(
        'gift card redemption',
        server.url,
        () => {
          redemption += 1;
          return {
            method: 'POST',
            path: `/api/v1/gift-cards/${giftCards[redemption % giftCards.length]}/redemptions`,
            key: keys['pos-madrid']!,
            body: { amount: 100, reference: `bench-${run}-r${redemption}` },
          };
        },
        { connections: CONNECTIONS, seconds: SECONDS },
      ),
    );

    report(
      await load(
        'stock availability (2 locations)',
        server.url,
        () => ({
          method: 'GET',
          path: `/api/v1/stock/${skus[Math.floor(rand() * Math.min(SKUS, 1000))]!.sku}?locationIds=madrid-centro,almacen-getafe`,
          key: keys.ecommerce!,
        }),
        {
          connections: CONNECTIONS,
          seconds: SECONDS,
        },
      ),
    );

    console.log('ingest...');
    await local('POST', '/_local/idle');
    await local('POST', '/_local/metrics/reset');
    const before = (await local('GET', '/_local/metrics')) as Metrics;
    const ingestStarted = performance.now();
    const ingest = await load(
      'ingest sales (mixed channels, 80% identified)',
      server.url,
      () => {
        const sale = nextSale(saleOptions);
        return { method: 'POST', path: '/api/v1/transactions', key: keys[sale.key]!, body: sale.body };
      },
      { connections: CONNECTIONS, seconds: SECONDS },
    );
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    report(ingest);
    await local('POST', '/_local/idle');
    const drainSeconds = (performance.now() - ingestStarted) / 1000;
    const after = (await local('GET', '/_local/metrics')) as Metrics;
    const sales = ingest.requests - Object.values(ingest.failures).reduce((a, b) => a + b, 0);

    // The request path alone: the same load with consumers paused, so only the request's own work
    // runs and counts; the consumers then catch up before the next measurement.
    await local('POST', '/_local/bus/hold');
    await local('POST', '/_local/metrics/reset');
    const requestPath = await load(
      'ingest sales, consumers paused (request path alone)',
      server.url,
      () => {
        const sale = nextSale(saleOptions);
        return { method: 'POST', path: '/api/v1/transactions', key: keys[sale.key]!, body: sale.body };
      },
      { connections: CONNECTIONS, seconds: SECONDS },
    );
    report(requestPath);
    const hot = (await local('GET', '/_local/metrics')) as Metrics;
    const sample = Math.max(1, requestPath.requests);
    await local('POST', '/_local/bus/release');
    await local('POST', '/_local/idle');

    console.log('floor...');
    const sampleSale = await api(
      'GET',
      `/api/v1/customers/${(await api('POST', '/api/v1/customers/identify', keys.admin!, { identifiers: [{ type: 'email', value: customerEmail(run, 1) }] })).customerId}/transactions?limit=1`,
      keys.admin!,
    );
    const floor = await cosmosFloor(server.cosmosEndpoint, 'unifica', sampleSale.items[0] ?? {}, { connections: CONNECTIONS, seconds: SECONDS });
    report(floor);

    console.log('recommendations...');
    const recommendations = process.env.BENCH_SKIP_RECOMMENDATIONS
      ? null
      : await benchRecommendations(server, keys, {
          connections: CONNECTIONS,
          seconds: SECONDS,
          customers: CUSTOMERS,
          skus: SKUS,
          historySales: 3000,
        });

    console.log('reconciling a 1,000,000-row ERP snapshot (its own process)...');
    const reconciliation = process.env.BENCH_SKIP_RECONCILE ? null : await phaseInChild('reconcile.js', ['--expose-gc']);
    console.log('segments: entry latency beside the ingest load, backfill and preview (its own process)...');
    const segments = process.env.BENCH_SKIP_SEGMENTS ? null : await phaseInChild('segments.js');
    console.log('offers: sale -> coupon in the wallet beside the ingest load, qualify (its own process)...');
    const offers = process.env.BENCH_SKIP_OFFERS ? null : await phaseInChild('offers.js');
    console.log('catalogue: import of 100,000 variants with prices, reads, feeds (its own process)...');
    const catalogue = process.env.BENCH_SKIP_CATALOGUE ? null : await phaseInChild('catalogue.js', ['--expose-gc']);
    console.log('webhooks at the ingest load (its own process)...');
    const webhooks = process.env.BENCH_SKIP_WEBHOOKS ? null : await phaseInChild('webhooks.js');

    console.log('analytics rollups: 2,000 sales, reports and a rebuild (their own platform)...');
    const analytics = process.env.BENCH_SKIP_ANALYTICS ? null : await benchAnalytics({ sales: 2000, concurrency: 16 });

    const ops = (m: Metrics) => m.cosmos.reads + m.cosmos.writes + m.cosmos.queries;
    const summary = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      settings: { connections: CONNECTIONS, secondsPerScenario: SECONDS, customers: CUSTOMERS, skus: SKUS },
      scenarios: results,
      ingest: {
        sales,
        perSecond: ingest.perSecond,
        floorPerSecond: floor.perSecond,
        shareOfFloor: Math.round((ingest.perSecond / floor.perSecond) * 1000) / 1000,
        requestPathPerSecond: requestPath.perSecond,
        requestPathShareOfFloor: Math.round((requestPath.perSecond / floor.perSecond) * 1000) / 1000,
        endToEndSeconds: Math.round(drainSeconds * 10) / 10,
        ingestSeconds: Math.round(ingestSeconds * 10) / 10,
        drainRatio: Math.round((drainSeconds / ingestSeconds) * 100) / 100,
        deadLetters: after.bus.deadLetters,
        // The request itself, plus every delivery to a consumer: what the Functions host would execute.
        functionExecutionsPerSale: Math.round((1 + (after.bus.delivered - before.bus.delivered) / Math.max(1, sales)) * 100) / 100,
        eventsPerSale: Math.round(((after.bus.accepted - before.bus.accepted) / Math.max(1, sales)) * 100) / 100,
        cosmosOperationsPerSaleHotPath: Math.round((ops(hot) / sample) * 100) / 100,
        cosmosOperationsPerSaleTotal: Math.round(((ops(after) - ops(before)) / Math.max(1, sales)) * 100) / 100,
        operationsPerSaleByContainer: Object.fromEntries(
          Object.entries(after.cosmos.byContainer).map(([name, c]) => [name, Math.round(((c.reads + c.writes + c.queries) / Math.max(1, sales)) * 100) / 100]),
        ),
        requestChargePerSale: after.cosmos.requestCharge > 0 ? Math.round((after.cosmos.requestCharge / Math.max(1, sales)) * 10) / 10 : null,
      },
      offers,
      recommendations,
      reconciliation,
      catalogue,
      segments,
      analytics,
      webhooks,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    print(summary);
    const dir = join(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`\nwritten to bench/results/latest.json`);
  } finally {
    await server.stop();
  }
}

/** A phase (bench/reconcile.js, bench/segments.js) in a process of its own, so its peak memory is its own; its last line is its JSON. */
async function phaseInChild(script: string, flags: string[] = []): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [...flags, join(__dirname, script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the ${script} benchmark exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
}

interface Metrics {
  cosmos: {
    reads: number;
    writes: number;
    queries: number;
    requestCharge: number;
    byContainer: Record<string, { reads: number; writes: number; queries: number }>;
  };
  bus: { offered: number; accepted: number; delivered: number; deadLetters: number };
}

function print(summary: {
  scenarios: LoadResult[];
  ingest: Record<string, unknown>;
  machine: Record<string, unknown>;
  reconciliation: Record<string, unknown> | null;
  offers: Record<string, unknown> | null;
}) {
  console.log(`\n| scenario | req/s | p50 ms | p95 ms | p99 ms | failures |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | --- |`);
  for (const r of summary.scenarios) {
    const failures =
      Object.entries(r.failures)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none';
    console.log(`| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} | ${failures} |`);
  }
  const i = summary.ingest;
  console.log(`\ningest: ${i.perSecond} sales/s = ${Math.round(Number(i.shareOfFloor) * 100)}% of the floor (${i.floorPerSecond}/s)`);
  console.log(
    `request path alone (consumers paused): ${i.requestPathPerSecond} sales/s = ${Math.round(Number(i.requestPathShareOfFloor) * 100)}% of the floor`,
  );
  console.log(
    `end to end: every consumer done ${i.endToEndSeconds} s after ingest started (ingest phase ${i.ingestSeconds} s, ratio ${i.drainRatio}); dead letters: ${i.deadLetters}`,
  );
  console.log(
    `Cosmos DB operations per sale: ${i.cosmosOperationsPerSaleHotPath} on the request path, ${i.cosmosOperationsPerSaleTotal} in total with consumers${i.requestChargePerSale ? `; ${i.requestChargePerSale} RU per sale` : ' (the stand-in reports no request charge)'}`,
  );
  console.log(
    `Functions executions per sale: ${i.functionExecutionsPerSale} (the request and each consumer delivery; ${i.eventsPerSale} events published per sale)`,
  );
  console.log(`Cosmos DB operations per sale by container: ${JSON.stringify(i.operationsPerSaleByContainer)}`);
  if (summary.offers) console.log(`offers: ${JSON.stringify(summary.offers)}`);
  if (summary.reconciliation) console.log(`ERP reconciliation: ${JSON.stringify(summary.reconciliation)}`);
  console.log(`machine: ${JSON.stringify(summary.machine)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
