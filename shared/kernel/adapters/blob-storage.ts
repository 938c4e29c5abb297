import { BlobServiceClient } from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { HealthProbe } from '../ports';

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
