/**
 * Webhook delivery under the benchmark's ingest load, on this machine: `npm run build && node
 * dist/bench/webhooks.js` (settings: BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_ENDPOINTS). The
 * platform runs in this process with the local stand-ins; a receiver on loopback (node:http)
 * answers 204 and notes when each message arrived. Sales are driven at a fixed concurrency, as in
 * `npm run bench`'s ingest phase, with ENDPOINTS endpoints subscribed to `transaction.recorded`.
 * Prints one JSON line: deliveries per second, the added Cosmos DB operations per delivered
 * message (the `webhooks` container's), and the latency from the event (the sale recorded) to the
 * receiver, p50/p95/p99.
 */
import { createServer } from 'node:http';
import { CosmosClient } from '@azure/cosmos';
import type { AddressInfo } from 'node:net';
import { seedDemoTenant } from '../local/demo-tenant';
import { startLocalPlatform } from '../local/platform';
import { LOCAL_COSMOS_KEY } from '../local/stack';
import { catalog, nextSale, random } from './data';
import { load, percentile } from './load';

export async function benchWebhooks(options: { connections: number; seconds: number; endpoints: number }): Promise<Record<string, unknown>> {
  const latencies: number[] = [];
  let received = 0;
  const messages = new Set<string>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = Date.now();
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { timestamp: string };
      latencies.push(arrived - Date.parse(event.timestamp));
      received += 1;
      messages.add(`${req.url} ${String(req.headers['webhook-id'])}`);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const local = await startLocalPlatform({
    port: 0,
    timers: false,
    databaseName: 'bench-webhooks',
    env: { LOG_LEVEL: 'warn', PLATFORM_ADMIN_KEY: 'bench-admin-key-0123456789abcdef0123', WEBHOOKS_MODE: 'local' },
  });
  try {
    const keys = await seedDemoTenant(local.url, local.adminKey);
    const { port } = receiver.address() as AddressInfo;
    for (let i = 0; i < options.endpoints; i += 1) {
      const r = await fetch(`${local.url}/api/v1/webhooks/endpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': keys.admin! },
        body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks/${i}`, eventTypes: ['transaction.recorded'] }),
      });
      if (r.status !== 201) throw new Error(`registering an endpoint answered ${r.status}`);
    }
    const rand = random(19);
    const skus = catalog(500, rand);
    const run = Date.now().toString(36);
    local.platform.cosmosMetrics.reset();
    const started = Date.now();
    const ingest = await load(
      'sales with webhooks',
      local.url,
      () => {
        const { key, body } = nextSale({ run, skus, customers: 1000, rand, identified: 0.7, inStore: 0.8 });
        return { method: 'POST', path: '/api/v1/transactions', key: keys[key]!, body };
      },
      options,
    );
    await local.bus.idle();
    while (local.platform.services.webhooks.pending > 0) await new Promise((r) => setTimeout(r, 20));
    const seconds = (Date.now() - started) / 1000;
    const webhooks = local.platform.cosmosMetrics.byContainer.webhooks ?? { reads: 0, writes: 0, queries: 0 };
    const sorted = [...latencies].sort((a, b) => a - b);
    // The part the webhooks module owns: from the consumer's record to the receiver's answer (the rest is the bus's queue).
    const { config } = local.platform;
    const cosmos = new CosmosClient({ endpoint: config.cosmos.endpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
    const { resources } = await cosmos
      .database(config.cosmos.databaseName)
      .container('webhooks')
      .items.query<{ createdAt: string; first: { at: string; latencyMs: number } }>(
        "SELECT c.createdAt, c.attempts[0] AS first FROM c WHERE c.kind = 'delivery'",
      )
      .fetchAll();
    cosmos.dispose();
    const own = resources.map((d) => Date.parse(d.first.at) + d.first.latencyMs - Date.parse(d.createdAt)).sort((a, b) => a - b);
    const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
    return {
      connections: options.connections,
      endpoints: options.endpoints,
      sales: ingest.requests,
      salesPerSecond: ingest.perSecond,
      saleFailures: ingest.failures,
      salesP95Ms: ingest.p95,
      delivered: received,
      // Sales still in flight when the load stopped are recorded too: each counts once per endpoint.
      duplicates: received - messages.size,
      deliveriesPerSecond: round(received / seconds, 1),
      secondsUntilAllDelivered: round(seconds, 1),
      cosmosOperationsPerDelivery: round((webhooks.reads + webhooks.writes + webhooks.queries) / Math.max(1, received)),
      cosmosByKindPerDelivery: {
        reads: round(webhooks.reads / Math.max(1, received)),
        writes: round(webhooks.writes / Math.max(1, received)),
        queries: round(webhooks.queries / Math.max(1, received)),
      },
      eventToReceiverMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
      recordedToAnsweredMs: { p50: percentile(own, 50), p95: percentile(own, 95), p99: percentile(own, 99) },
    };
  } finally {
    await local.stop();
    receiver.close();
  }
}

if (require.main === module) {
  benchWebhooks({
    connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
    seconds: Number(process.env.BENCH_SECONDS ?? 15),
    endpoints: Number(process.env.BENCH_ENDPOINTS ?? 2),
  })
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
