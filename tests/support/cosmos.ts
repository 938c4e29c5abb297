import { CosmosClient } from '@azure/cosmos';
import type { Platform } from '../../shared/platform';

/** Direct reads of the test database, to check what was (and was not) stored. */
export function storeOf(platform: Platform) {
  const { config } = platform;
  const client = new CosmosClient({
    endpoint: config.cosmos.endpoint,
    key: config.cosmos.key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const database = client.database(config.cosmos.databaseName);
  return {
    async count(container: string, tenantId: string, kind?: string): Promise<number> {
      const { resources } = await database
        .container(container)
        .items.query<number>({
          query: `SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t${kind ? ' AND c.kind = @k' : ''}`,
          parameters: [
            { name: '@t', value: tenantId },
            { name: '@k', value: kind ?? '' },
          ],
        })
        .fetchAll();
      return resources[0] ?? 0;
    },
    async all<T = any>(container: string, tenantId: string): Promise<T[]> {
      const { resources } = await database
        .container(container)
        .items.query<T>({ query: 'SELECT * FROM c WHERE c.tenantId = @t', parameters: [{ name: '@t', value: tenantId }] })
        .fetchAll();
      return resources;
    },
    /** Overwrites a stored document, to recreate states that only a crash or a race would leave. */
    async replace(container: string, doc: { id: string; tenantId: string } & Record<string, unknown>): Promise<void> {
      await database.container(container).items.upsert(doc);
    },
    /** Deletes a stored document, to recreate the state a crash between two writes leaves. */
    async remove(container: string, doc: { id: string; tenantId: string }, partitionKey: string[]): Promise<void> {
      await database.container(container).item(doc.id, partitionKey).delete();
    },
    close: () => client.dispose(),
  };
}
