/**
 * Time and peak memory of reconciling one ERP snapshot of ROWS rows (default 1,000,000) on the
 * local stand-ins: `npm run bench:reconcile` (settings: ROWS, LOCATIONS, STOCKED, DIFFERENT).
 *
 * The snapshot lists ROWS / LOCATIONS SKUs for each of LOCATIONS stores, as an ERP exports its
 * whole range. The platform holds stock for STOCKED SKUs per location (seeded straight into the
 * container: seeding a million levels through the stand-in would take longer than the run);
 * the ERP agrees with the platform except for DIFFERENT of them per location, and lists the
 * rest of the range at 0. Prints one JSON line with the figures.
 */
import { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient, type OperationInput } from '@azure/cosmos';
import { startLocalPlatform } from '../local/platform';
import { LOCAL_COSMOS_KEY } from '../local/stack';
import { stockModule } from '../shared/stock/module';
import { deterministicId } from '../shared/kernel/ids';
import { emptyLevel } from '../shared/stock/stock';

export interface ReconcileBenchOptions {
  rows: number;
  locations: number;
  /** Levels the platform holds per location. */
  stocked: number;
  /** Of those, how many the ERP disagrees with, per location. */
  different: number;
}

const TENANT = 'bench-retail';
const sku = (i: number) => `SKU-${String(i).padStart(7, '0')}`;
const location = (l: number) => `store-${l}`;
const stocked = (i: number) => 1 + (i % 40);

/** Runs the measurement and returns its figures (the lead's benchmark may call this). */
export async function benchReconcile({
  rows: ROWS,
  locations: LOCATIONS,
  stocked: STOCKED,
  different: DIFFERENT,
}: ReconcileBenchOptions): Promise<Record<string, unknown>> {
  const local = await startLocalPlatform({
    port: 0,
    timers: false,
    databaseName: 'bench',
    env: { LOG_LEVEL: 'warn', PLATFORM_ADMIN_KEY: 'bench-admin-key-0123456789abcdef0123' },
  });
  try {
    const admin = async (path: string, body: unknown) => {
      const r = await fetch(`${local.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': local.adminKey },
        body: JSON.stringify(body),
      });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    };
    await admin('/api/v1/tenants', { tenantId: TENANT, name: 'Bench', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' });
    for (let l = 0; l < LOCATIONS; l += 1) {
      await admin(`/api/v1/tenants/${TENANT}/locations`, {
        locationId: location(l),
        name: location(l),
        type: 'store',
        country: 'ES',
        currency: 'EUR',
        timeZone: 'Europe/Madrid',
      });
    }

    const seedStarted = Date.now();
    const config = local.platform.config;
    const cosmos = new CosmosClient({ endpoint: config.cosmos.endpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
    const container = cosmos.database(config.cosmos.databaseName).container('stock');
    const now = new Date().toISOString();
    for (let l = 0; l < LOCATIONS; l += 1) {
      for (let start = 0; start < STOCKED; start += 500) {
        const operations: OperationInput[] = [];
        for (let i = start; i < Math.min(start + 500, STOCKED); i += 1) {
          const level: Record<string, unknown> = {
            id: deterministicId('lvl', location(l), sku(i)),
            ...emptyLevel(TENANT, location(l), sku(i), now),
            onHand: stocked(i),
          };
          operations.push({ operationType: 'Create', resourceBody: level, partitionKey: [TENANT, location(l)] } as OperationInput);
        }
        await container.items.executeBulkOperations(operations);
      }
    }
    cosmos.dispose();
    const seedMs = Date.now() - seedStarted;

    const asOf = new Date(Date.now() - 60_000).toISOString();
    const name = `${TENANT}/bench-${ROWS}.csv`;
    const blob = BlobServiceClient.fromConnectionString(local.platform.config.blob.connectionString!);
    const file = blob.getContainerClient(stockModule.blobContainers.erpStockSnapshots.name).getBlockBlobClient(name);
    await file.uploadStream(Readable.from(snapshot(asOf, ROWS, LOCATIONS, STOCKED, DIFFERENT)), 4 * 1024 * 1024, 4);
    const size = (await file.getProperties()).contentLength ?? 0;

    global.gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 25);
    local.platform.cosmosMetrics.reset();
    const started = Date.now();
    const [result] = await local.platform.services.stockReconciliation.run(local.platform.logger);
    const ms = Date.now() - started;
    clearInterval(sampler);
    const mb = (n: number) => Math.round(n / 1024 / 1024);
    const { reads, writes, queries } = local.platform.cosmosMetrics;
    return {
      rows: ROWS,
      fileMB: mb(size),
      locations: LOCATIONS,
      stockedLevels: STOCKED * LOCATIONS,
      seedMs,
      reconcileMs: ms,
      rowsPerSecond: Math.round((ROWS / ms) * 1000),
      summary: { ...result?.summary, report: undefined },
      cosmos: { reads, writes, queries },
      memoryMB: { baselineRss: mb(baseline.rss), peakRss: mb(peakRss), baselineHeap: mb(baseline.heapUsed), peakHeap: mb(peakHeap) },
    };
  } finally {
    await local.stop();
  }
}

/** The snapshot, generated as it is uploaded: never whole in memory. */
function* snapshot(asOf: string, ROWS: number, LOCATIONS: number, STOCKED: number, DIFFERENT: number): Generator<string> {
  const perLocation = Math.ceil(ROWS / LOCATIONS);
  yield 'sku,location,onHand,asOf\n';
  let lines: string[] = [];
  for (let l = 0; l < LOCATIONS; l += 1) {
    for (let i = 0; i < perLocation; i += 1) {
      const onHand = i < STOCKED ? stocked(i) + (i < DIFFERENT ? 1 : 0) : 0;
      lines.push(`${sku(i)},${location(l)},${onHand},${asOf}`);
      if (lines.length === 10_000) {
        yield lines.join('\n') + '\n';
        lines = [];
      }
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

if (require.main === module) {
  const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  benchReconcile({
    rows: setting('ROWS', 1_000_000),
    locations: setting('LOCATIONS', 10),
    stocked: setting('STOCKED', 1_000),
    different: setting('DIFFERENT', 100),
  })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
