import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { HealthProbe } from '../ports';
import { BLOB_CONTAINERS } from './blob-containers';

/** Blob Storage with managed identity in Azure, or a connection string for Azurite locally. */
export function createBlobServiceClient(settings: { serviceUri?: string; connectionString?: string }, credential: TokenCredential): BlobServiceClient {
  if (settings.connectionString) return BlobServiceClient.fromConnectionString(settings.connectionString);
  return new BlobServiceClient(settings.serviceUri!, credential);
}

export function blobHealthProbe(client: BlobServiceClient): HealthProbe {
  return {
    name: 'blobStorage',
    check: async () => {
      await client.getProperties();
      return { ok: true };
    },
  };
}

/** Local stack and tests: creates the containers that the Bicep storage module creates in Azure. */
export async function ensureBlobContainers(connectionString: string): Promise<void> {
  const client = BlobServiceClient.fromConnectionString(connectionString);
  for (const { name } of Object.values(BLOB_CONTAINERS)) await client.getContainerClient(name).createIfNotExists();
}
