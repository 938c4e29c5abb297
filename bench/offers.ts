/**
 * Offers on this machine: `npm run build && node dist/bench/offers.js` (also a phase of `npm run bench`, in its own process).
 * - a triggering sale's ingest response -> the coupon in the customer's wallet, p50/p95, while the
 *   benchmark's ordinary ingest load runs beside it (target p95 <= 2 s);
 * - Cosmos DB operations the offers consumer adds per sale that triggers nothing (target <= 2);
 * - qualify at concurrency 16, with the recommender's items and without (target p95 <= 25 ms).
 * Settings: BENCH_CONNECTIONS (16), BENCH_SECONDS (15), BENCH_TRIGGERS (60). Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { seedDemoTenant } from '../local/demo-tenant';
import { catalog, nextSale, random, type SaleOptions } from './data';
import { load, percentile, pool, type LoadResult } from './load';
import { startServer } from './server-process';

interface OffersFigures {
  walletLatencyMs: { samples: number; p50: number; p95: number; max: number };
  backgroundIngest: LoadResult;
  offersOperationsPerNonTriggeringSale: number;
  qualify: LoadResult;
  qualifyWithoutRecommendations: LoadResult;
}

type Api = (method: string, path: string, key: string, body?: unknown) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever each route answers

/** Runs the measurements against a running platform whose demo tenant is seeded (`keys`). */
async function benchOffers(url: string, adminKey: string, keys: Record<string, string>, options: { connections: number; seconds: number; triggers: number }) {
  const api: Api = async (method, path, key, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = response.status === 204 ? undefined : await response.json();
    if (!response.ok && response.status !== 202) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return response.status === 202 ? api(method, path, key, body) : json;
  };
  const local = (method: string, path: string) => api(method, path, adminKey);
  const run = randomBytes(3).toString('hex');
  const campaign = await api('POST', '/api/v1/campaigns', keys.admin!, {
    name: `Bench offer ${run}`,
    discount: { type: 'percentage', percent: 10 },
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2030-01-01T00:00:00Z',
  });
  const triggerSku = `OFFER-${run}`.toUpperCase();
  await api('POST', '/api/v1/offers/rules', keys.admin!, {
    name: `Bench: buy ${triggerSku}, get a coupon`,
    trigger: { type: 'sale' },
    conditions: { skus: [triggerSku] },
    actions: [{ type: 'issue-coupon', campaignId: campaign.campaignId }],
  });
  const rand = random(7);
  const saleOptions: SaleOptions = { run: `o${run}`, skus: catalog(500, rand), customers: 1000, rand, identified: 0.8, inStore: 0.7 };
  // The recommender offers only what can be sold where the basket is: the catalogue is in stock in Madrid.
  for (let start = 0; start < saleOptions.skus.length; start += 50) {
    const lines = saleOptions.skus.slice(start, start + 50).map((sku) => ({ sku: sku.sku, quantity: 1000 }));
    await api('POST', '/api/v1/stock/movements', keys.admin!, { type: 'receipt', reference: `offers-${run}-${start}`, locationId: 'madrid-centro', lines });
  }
  const ordinarySale = () => {
    const sale = nextSale(saleOptions);
    return { method: 'POST' as const, path: '/api/v1/transactions', key: keys[sale.key]!, body: sale.body };
  };

  // 1. What the offers consumer costs per sale that triggers nothing (its rules are loaded at most every few seconds).
  await local('POST', '/_local/idle');
  await local('POST', '/_local/metrics/reset');
  const ordinary = 400;
  await pool(
    Array.from({ length: ordinary }, () => ordinarySale()),
    options.connections,
    async (call) => void (await api(call.method, call.path, call.key, call.body)),
  );
  await local('POST', '/_local/idle');
  const metrics = await local('GET', '/_local/metrics');
  const offersOps = metrics.cosmos.byContainer.offers ?? { reads: 0, writes: 0, queries: 0 };
  const offersOperationsPerNonTriggeringSale = Math.round(((offersOps.reads + offersOps.writes + offersOps.queries) / ordinary) * 1000) / 1000;

  // 2. Ingest response -> coupon in the wallet, for triggering sales sent while the ordinary ingest load runs.
  const latencies: number[] = [];
  const customers: string[] = [];
  const background = load('ingest sales beside the triggering ones', url, ordinarySale, options);
  // Two at a time, spread over the load's duration.
  const spacing = Math.floor((options.seconds * 1000 * 2) / options.triggers);
  await pool(
    Array.from({ length: options.triggers }, (_, i) => i),
    2,
    async (i) => {
      await new Promise((resolve) => setTimeout(resolve, spacing / 2));
      const recorded = await api('POST', '/api/v1/transactions', keys['pos-madrid']!, {
        type: 'sale',
        channel: 'store',
        locationId: 'madrid-centro',
        terminalId: `till-offer-${i % 8}`,
        externalId: `OFFER-${run}-${i}`,
        occurredAt: new Date().toISOString(),
        currency: 'EUR',
        customer: { identifiers: [{ type: 'email', value: `offer-${i}@bench-${run}.example.com` }] },
        lines: [{ sku: triggerSku, quantity: 1, unitPrice: 2500, taxRate: 21, category: 'shirts' }],
        tenders: [{ type: 'card', amount: 2500 }],
      });
      const answered = performance.now();
      for (;;) {
        const wallet = await api('GET', `/api/v1/customers/${recorded.customerId}/coupons`, keys.admin!);
        if (wallet.items.length > 0) break;
        if (performance.now() - answered > 60_000) throw new Error('A coupon did not arrive within a minute');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      latencies.push(performance.now() - answered);
      customers.push(recorded.customerId);
    },
  );
  const backgroundIngest = await background;
  await local('POST', '/_local/idle');
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (n: number) => Math.round(n);

  // 3. What the till asks for a basket, at concurrency 16: with the recommender's 3 items, and without (`recommendations: 0`).
  const qualifyCall = (recommendations: number) => () => {
    const sku = saleOptions.skus[Math.floor(rand() * saleOptions.skus.length)]!;
    return {
      method: 'POST' as const,
      path: `/api/v1/customers/${customers[Math.floor(rand() * customers.length)]}/offers/qualify`,
      key: keys['pos-madrid']!,
      body: {
        channel: 'store',
        locationId: 'madrid-centro',
        lines: [{ sku: sku.sku, quantity: 1, unitPrice: sku.unitPrice, category: sku.category }],
        recommendations,
      },
    };
  };
  const qualify = await load('qualify (wallet coupon, points, 3 recommendations)', url, qualifyCall(3), options);
  const qualifyWithoutRecommendations = await load('qualify (wallet coupon, points; recommendations: 0)', url, qualifyCall(0), options);

  return {
    walletLatencyMs: { samples: sorted.length, p50: ms(percentile(sorted, 50)), p95: ms(percentile(sorted, 95)), max: ms(sorted[sorted.length - 1] ?? 0) },
    backgroundIngest,
    offersOperationsPerNonTriggeringSale,
    qualify,
    qualifyWithoutRecommendations,
  } satisfies OffersFigures;
}

async function main() {
  const server = await startServer();
  try {
    const keys = await seedDemoTenant(server.url, server.adminKey);
    const figures = await benchOffers(server.url, server.adminKey, keys, {
      connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
      seconds: Number(process.env.BENCH_SECONDS ?? 15),
      triggers: Number(process.env.BENCH_TRIGGERS ?? 60),
    });
    console.log(JSON.stringify(figures));
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
