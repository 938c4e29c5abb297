import { randomBytes } from 'node:crypto';
import { CosmosClient } from '@azure/cosmos';
import { LOCAL_COSMOS_KEY } from '../local/stack';
import { summarize } from './load';

/**
 * The floor: the least work one sale needs, done by a bare `@azure/cosmos` client against the same
 * server at the same concurrency: one create of a document the size of a recorded sale. Nothing
 * can record sales faster than this on this machine; ingest is reported as a share of it.
 */
export async function cosmosFloor(endpoint: string, databaseName: string, sample: object, options: { connections: number; seconds: number }) {
  const client = new CosmosClient({ endpoint, key: LOCAL_COSMOS_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
  const container = client.database(databaseName).container('transactions');
  const latencies: number[] = [];
  const deadline = Date.now() + options.seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (Date.now() < deadline) {
          const id = randomBytes(12).toString('hex');
          const started = performance.now();
          await container.items.create({ ...sample, id, transactionId: id, tenantId: 'floor', customerKey: 'floor' });
          latencies.push(performance.now() - started);
        }
      }),
    );
  } finally {
    client.dispose();
  }
  return summarize('floor: bare create of one sale document', latencies, options);
}
