/**
 * The analytics rollups under load, on the local stand-ins: `npm run build && node dist/bench/analytics.js`
 * (settings: SALES, default 2,000; CONCURRENCY, default 16). Records SALES sales of the demo tenant
 * over the last six days (two stores and the web shop, three in five identified, one in ten with a
 * return), waits until every event is handled, then measures what the analytics consumer cost per
 * sale (Cosmos DB operations on its container, retries included), the largest rollup document, how
 * long each report takes over the week, how long a rebuild takes, and that the rebuild changed no
 * figure. Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { startLocalPlatform } from '../local/platform';
import { seedDemoTenant } from '../local/demo-tenant';
import { LOCAL_COSMOS_KEY } from '../local/stack';
import { CosmosClient } from '@azure/cosmos';

export interface AnalyticsBenchOptions {
  sales: number;
  concurrency: number;
}

const LOCATIONS = [
  { key: 'pos-madrid', channel: 'store', locationId: 'madrid-centro' },
  { key: 'pos-barcelona', channel: 'store', locationId: 'barcelona-diagonal' },
  { key: 'ecommerce', channel: 'online', locationId: 'web-es' },
] as const;
const CATEGORIES = ['coats', 'shoes', 'knitwear', 'accessories'];

export async function benchAnalytics({ sales: SALES, concurrency: CONCURRENCY }: AnalyticsBenchOptions): Promise<Record<string, unknown>> {
  const local = await startLocalPlatform({ port: 0, timers: false, databaseName: 'bench-analytics', env: { LOG_LEVEL: 'warn' } });
  try {
    const keys = await seedDemoTenant(local.url, local.adminKey);
    const run = randomBytes(3).toString('hex');
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const r = await fetch(`${local.url}${path}`, {
        method,
        headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<Record<string, unknown>>;
    };
    const saleOf = (i: number) => {
      const at = LOCATIONS[i % LOCATIONS.length]!;
      const price = 1000 + ((i * 7919) % 9000);
      return {
        key: keys[at.key]!,
        body: {
          type: 'sale',
          channel: at.channel,
          locationId: at.locationId,
          ...(at.channel === 'store' ? { terminalId: 'till-1' } : {}),
          externalId: `B-${run}-${i}`,
          occurredAt: new Date(Date.now() - ((i * 3_600_000) % (6 * 86_400_000)) - 60_000).toISOString(),
          currency: 'EUR',
          ...(i % 5 < 3 ? { customer: { identifiers: [{ type: 'email', value: `bench-${run}-${i % 400}@example.com` }] } } : {}),
          lines: [{ sku: `SKU-${i % 50}`, quantity: 1, unitPrice: price, taxRate: 21, category: CATEGORIES[i % CATEGORIES.length] }],
          tenders: [{ type: 'card', amount: price }],
        },
      };
    };
    const sold: Array<{ id: string; i: number }> = [];
    let next = 0;
    const ingestStarted = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SALES) {
          const i = next++;
          const { key, body } = saleOf(i);
          const tx = await call('POST', '/api/v1/transactions', key, body);
          sold.push({ id: String(tx.transactionId), i });
          if (i % 10 === 0) {
            const line = body.lines[0]!;
            await call('POST', '/api/v1/transactions', key, {
              ...body,
              type: 'return',
              externalId: `${body.externalId}-R`,
              originalTransactionId: tx.transactionId,
              tenders: body.tenders,
              lines: [line],
            });
          }
        }
      }),
    );
    await local.bus.idle();
    const ingestSeconds = (Date.now() - ingestStarted) / 1000;
    const analytics = local.platform.cosmosMetrics.byContainer.analytics ?? { reads: 0, writes: 0, queries: 0 };
    const transactions = SALES + Math.ceil(SALES / 10);

    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const query = `from=${day(-7)}&to=${day(1)}`;
    const timeOf = async (path: string) => {
      const times: number[] = [];
      for (let k = 0; k < 5; k += 1) {
        const started = performance.now();
        await call('GET', path, keys.admin!);
        times.push(performance.now() - started);
      }
      return Math.round(times.sort((a, b) => a - b)[2]!);
    };
    const reports: Record<string, number> = {};
    for (const name of ['sales', 'customers', 'top', 'coupons']) reports[name] = await timeOf(`/api/v1/analytics/${name}?${query}`);
    const before = await Promise.all(['sales', 'customers', 'top'].map((n) => call('GET', `/api/v1/analytics/${n}?${query}`, keys.admin!)));

    const rebuildStarted = Date.now();
    const rebuilt = await call('POST', '/api/v1/analytics/rebuild', keys.admin!);
    const rebuildSeconds = (Date.now() - rebuildStarted) / 1000;
    const after = await Promise.all(['sales', 'customers', 'top'].map((n) => call('GET', `/api/v1/analytics/${n}?${query}`, keys.admin!)));

    // The largest rollup: one store's day, with the transactions it applied and its customers.
    const cosmos = new CosmosClient({ endpoint: local.stack.cosmosEndpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
    const { resources } = await cosmos.database('bench-analytics').container('analytics').items.query('SELECT * FROM c').fetchAll();
    cosmos.dispose();
    const largest = resources.reduce(
      (max: { bytes: number; applied: number }, doc: { applied?: Record<string, string> }) => {
        const bytes = Buffer.byteLength(JSON.stringify(doc));
        return bytes > max.bytes ? { bytes, applied: Object.keys(doc.applied ?? {}).length } : max;
      },
      { bytes: 0, applied: 0 },
    );
    return {
      sales: SALES,
      transactions,
      concurrency: CONCURRENCY,
      ingestSeconds: Math.round(ingestSeconds * 10) / 10,
      analyticsOperationsPerTransaction: {
        reads: Math.round((analytics.reads / transactions) * 100) / 100,
        writes: Math.round((analytics.writes / transactions) * 100) / 100,
        total: Math.round(((analytics.reads + analytics.writes + analytics.queries) / transactions) * 100) / 100,
      },
      reportMilliseconds: reports,
      rebuild: { ...rebuilt, seconds: Math.round(rebuildSeconds * 10) / 10 },
      rollupDocuments: resources.length,
      largestRollup: { ...largest, bytesPerTransaction: Math.round(largest.bytes / Math.max(1, largest.applied)) },
      rebuildChangedNothing: JSON.stringify(before) === JSON.stringify(after),
      deadLetters: local.bus.deadLetters().length,
    };
  } finally {
    await local.stop();
  }
}

if (require.main === module) {
  benchAnalytics({ sales: Number(process.env.SALES ?? 2000), concurrency: Number(process.env.CONCURRENCY ?? 16) })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
