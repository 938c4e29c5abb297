/**
 * The catalogue on the local stand-ins: `npm run build && node --expose-gc dist/bench/catalogue.js`
 * (settings: VARIANTS, FEED_SKUS, FEED_STORES, SECONDS). Prints one JSON line with the figures.
 *
 * 1. The Merchant Center feeds of a tenant with FEED_SKUS SKUs in FEED_STORES stores, each store
 *    holding half the range (stock levels seeded straight into the container, as the
 *    reconciliation benchmark does): time and memory.
 * 2. Import of a snapshot of VARIANTS variants (10 per product) with a store and an online price
 *    each, for another tenant: time and peak memory of the import run (products, variants, prices).
 * 3. Price resolution and product-by-SKU through HTTP at concurrency 16: p50/p95/p99.
 */
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient, type OperationInput } from '@azure/cosmos';
import { startLocalPlatform, type LocalPlatform } from '../local/platform';
import { LOCAL_COSMOS_KEY } from '../local/stack';
import { catalogueModule } from '../shared/catalogue/module';
import { deterministicId } from '../shared/kernel/ids';
import { emptyLevel } from '../shared/stock/stock';
import { load, type LoadResult } from './load';

export interface CatalogueBenchOptions {
  variants: number;
  feedSkus: number;
  feedStores: number;
  seconds: number;
}

const IMPORT_TENANT = 'bench-catalogue';
const FEED_TENANT = 'bench-feeds';
const PER_PRODUCT = 10;
const sku = (i: number) => `SKU-${String(i).padStart(7, '0')}`;
const productOf = (i: number) => `P-${String(Math.floor(i / PER_PRODUCT)).padStart(6, '0')}`;
const store = (l: number) => `store-${String(l).padStart(2, '0')}`;
const mb = (n: number) => Math.round(n / 1024 / 1024);

/** Peak RSS and heap while `run` runs, above what the process held before it. */
async function measured<T>(run: () => Promise<T>): Promise<{ result: T; ms: number; memoryMB: Record<string, number> }> {
  global.gc?.();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 25);
  const started = Date.now();
  const result = await run();
  const ms = Date.now() - started;
  clearInterval(sampler);
  return { result, ms, memoryMB: { baselineRss: mb(baseline.rss), peakRss: mb(peakRss), baselineHeap: mb(baseline.heapUsed), peakHeap: mb(peakHeap) } };
}

/** Lines joined into chunks as they are uploaded: never the whole file in memory. */
function* chunks(header: string, count: number, row: (i: number) => string): Generator<string> {
  yield `${header}\n`;
  let lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    lines.push(row(i));
    if (lines.length === 10_000) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

async function setUpTenant(local: LocalPlatform, tenantId: string, stores: number): Promise<string> {
  const call = async (method: string, path: string, key: string, body: unknown) => {
    const r = await fetch(`${local.url}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  await call('POST', '/api/v1/tenants', local.adminKey, { tenantId, name: 'Bench', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' });
  for (let l = 0; l < stores; l += 1) {
    const location = { locationId: store(l), name: store(l), type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' };
    await call('POST', `/api/v1/tenants/${tenantId}/locations`, local.adminKey, location);
  }
  const key = (await call('POST', `/api/v1/tenants/${tenantId}/api-keys`, local.adminKey, { role: 'admin' })).apiKey as string;
  await call('PUT', '/api/v1/catalogue/settings', key, {
    families: [
      { familyId: 'women', name: 'Women', parentId: null },
      { familyId: 'women-footwear', name: 'Footwear', parentId: 'women' },
      { familyId: 'women-boots', name: 'Boots', parentId: 'women-footwear' },
    ],
    attributes: [{ code: 'material', type: 'enum', values: ['leather', 'wool'] }],
    priceLists: [
      { priceListId: 'es-store', name: 'Stores', channel: 'store', country: 'ES', currency: 'EUR' },
      { priceListId: 'es-online', name: 'Web', channel: 'online', country: 'ES', currency: 'EUR' },
    ],
    publishing: { productUrlTemplate: 'https://shop.example/p/{productId}?sku={sku}' },
  });
  return key;
}

/** Products, variants and prices of `count` SKUs dropped in the inbox, then imported. */
async function dropSnapshot(local: LocalPlatform, tenantId: string, count: number): Promise<void> {
  const blob = BlobServiceClient.fromConnectionString(local.platform.config.blob.connectionString!);
  const inbox = blob.getContainerClient(catalogueModule.blobContainers.erpCatalogueSnapshots.name);
  const upload = (name: string, lines: Iterable<string>) =>
    inbox.getBlockBlobClient(`${tenantId}/${name}`).uploadStream(Readable.from(lines), 4 * 1024 * 1024, 4);
  await upload(
    'products-bench.csv',
    chunks('productId,version,name,brand,families,images,attr.material', Math.ceil(count / PER_PRODUCT), (p) => {
      const id = productOf(p * PER_PRODUCT);
      return `${id},1,Chelsea boot ${p},Bench Brand,women-boots,https://img.example/${id}.jpg,leather`;
    }),
  );
  await upload(
    'variants-bench.csv',
    chunks('productId,sku,version,size,colour', count, (i) => `${productOf(i)},${sku(i)},1,${36 + (i % PER_PRODUCT)},black`),
  );
  await upload(
    'prices-bench.csv',
    chunks(
      'priceListId,sku,currency,amount,version',
      count * 2,
      (i) => `${i % 2 === 0 ? 'es-store' : 'es-online'},${sku(Math.floor(i / 2))},EUR,${9900 + (i % 7) * 100},1`,
    ),
  );
}

export async function benchCatalogue({
  variants: VARIANTS,
  feedSkus: FEED_SKUS,
  feedStores: FEED_STORES,
  seconds: SECONDS,
}: CatalogueBenchOptions): Promise<Record<string, unknown>> {
  const local = await startLocalPlatform({
    port: 0,
    timers: false,
    databaseName: 'bench',
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', PLATFORM_ADMIN_KEY: 'bench-admin-key-0123456789abcdef0123' },
    // The stand-in answers each page of a query by scanning its whole container (Cosmos DB reads its
    // index): on a busy machine a page of the feeds' paged reads can pass the 5 s request deadline.
    deadlines: { storeMs: 600_000 },
  });
  try {
    const { catalogueImport, cataloguePublishing } = local.platform.services;
    const metrics = local.platform.cosmosMetrics;
    const ops = () => ({ reads: metrics.reads, writes: metrics.writes, queries: metrics.queries });

    // 1. Feeds of FEED_SKUS SKUs in FEED_STORES stores, first: the local stand-in answers a query by
    // scanning the whole container, so the large import's documents would slow it (Cosmos DB would not).
    await setUpTenant(local, FEED_TENANT, FEED_STORES);
    await dropSnapshot(local, FEED_TENANT, FEED_SKUS);
    await catalogueImport.run(local.platform.logger, FEED_TENANT);
    const config = local.platform.config;
    const cosmos = new CosmosClient({ endpoint: config.cosmos.endpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = cosmos.database(config.cosmos.databaseName).container('stock');
    const now = new Date().toISOString();
    for (let l = 0; l < FEED_STORES; l += 1) {
      const operations: OperationInput[] = [];
      for (let i = 0; i < FEED_SKUS; i += 1) {
        // A store holds about half the range; the feed still lists every SKU in every store.
        if ((i + l) % 2 === 1) continue;
        const level: Record<string, unknown> = {
          id: deterministicId('lvl', store(l), sku(i)),
          ...emptyLevel(FEED_TENANT, store(l), sku(i), now),
          onHand: (i + l) % 5,
        };
        operations.push({ operationType: 'Create', resourceBody: level, partitionKey: [FEED_TENANT, store(l)] } as OperationInput);
      }
      for (let start = 0; start < operations.length; start += 400) {
        await Promise.all([0, 100, 200, 300].map((offset) => container.items.bulk(operations.slice(start + offset, start + offset + 100))));
      }
    }
    cosmos.dispose();
    metrics.reset();
    const feeds = await measured(() => cataloguePublishing.publish(FEED_TENANT, 'ES'));
    const country = feeds.result.countries[0]!;
    const feedOperations = ops();

    // 2. Import.
    const key = await setUpTenant(local, IMPORT_TENANT, 4);
    await dropSnapshot(local, IMPORT_TENANT, VARIANTS);
    metrics.reset();
    const imported = await measured(() => catalogueImport.run(local.platform.logger, IMPORT_TENANT));
    const importFigures = {
      variants: VARIANTS,
      products: Math.ceil(VARIANTS / PER_PRODUCT),
      priceRows: VARIANTS * 2,
      ms: imported.ms,
      rowsPerSecond: Math.round(((VARIANTS * 3.1) / imported.ms) * 1000),
      files: imported.result.map((f) => ({ file: f.file.split('/')[1], rows: f.summary.rows, created: f.summary.created, badRows: f.summary.badRows })),
      cosmos: ops(),
      memoryMB: imported.memoryMB,
    };

    // 3. Reads at concurrency 16.
    let n = 0;
    const next = () => sku((n = (n * 7919 + 13) % VARIANTS));
    const reads: LoadResult[] = [];
    // Untimed first: compiled code and the tenant's cached settings and locations, as in a warm instance.
    await load('warm-up', local.url, () => ({ method: 'GET', path: `/api/v1/catalogue/prices/${next()}?locationId=${store(n % 4)}`, key }), {
      connections: 16,
      seconds: 2,
    });
    reads.push(
      await load('price resolution', local.url, () => ({ method: 'GET', path: `/api/v1/catalogue/prices/${next()}?locationId=${store(n % 4)}`, key }), {
        connections: 16,
        seconds: SECONDS,
      }),
    );
    reads.push(
      await load('product by SKU', local.url, () => ({ method: 'GET', path: `/api/v1/catalogue/skus/${next()}`, key }), { connections: 16, seconds: SECONDS }),
    );

    return {
      import: importFigures,
      reads: reads.map((r) => ({
        name: r.name,
        connections: r.connections,
        requests: r.requests,
        perSecond: r.perSecond,
        p50: r.p50,
        p95: r.p95,
        p99: r.p99,
        failures: r.failures,
      })),
      feeds: {
        skus: FEED_SKUS,
        stores: FEED_STORES,
        productRows: country.files.find((f) => f.kind === 'products')!.rows,
        localInventoryRows: country.files.find((f) => f.kind === 'local-inventory')!.rows,
        ms: feeds.ms,
        cosmos: feedOperations,
        memoryMB: feeds.memoryMB,
      },
    };
  } finally {
    await local.stop();
  }
}

if (require.main === module) {
  const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  benchCatalogue({
    variants: setting('VARIANTS', 100_000),
    feedSkus: setting('FEED_SKUS', 10_000),
    feedStores: setting('FEED_STORES', 20),
    seconds: setting('SECONDS', 10),
  })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
