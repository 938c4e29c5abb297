import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import type { TokenCredential } from '@azure/identity';
import type { Clock, HealthProbe } from '../ports';

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

/** A user delegation key may live 7 days; ask for that and renew a day before it runs out. */
const DELEGATION_KEY_MS = 7 * 24 * 3600_000;
const RENEW_BEFORE_MS = 24 * 3600_000;

/** What a signed link makes Blob Storage send with the file (SAS `rsct`, `rscd`, `rscc`), whatever the blob's properties say. */
export interface ServedAs {
  contentType?: string;
  contentDisposition?: string;
  cacheControl?: string;
}

/**
 * Read-only links to blobs that expire. In Azure a user-delegation SAS signed with a key the managed
 * identity obtains (no account keys exist), kept and renewed here; against Azurite, whose client
 * holds the development key, a service SAS.
 */
export class BlobLinks {
  private delegationKey: { key: UserDelegationKey; expiresOn: Date } | undefined;

  constructor(
    private readonly client: BlobServiceClient,
    private readonly clock: Clock,
  ) {}

  async link(containerName: string, blobName: string, expiresOn: Date, servedAs: ServedAs = {}): Promise<string> {
    const blob = this.client.getContainerClient(containerName).getBlockBlobClient(blobName);
    const permissions = BlobSASPermissions.parse('r');
    if (this.client.credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl({ permissions, expiresOn, ...servedAs });
    const startsOn = new Date(this.clock.now().getTime() - 5 * 60_000);
    const key = await this.userDelegationKey(expiresOn);
    const sas = generateBlobSASQueryParameters(
      { containerName, blobName, permissions, startsOn, expiresOn, protocol: SASProtocol.Https, ...servedAs },
      key,
      this.client.accountName,
    );
    return `${blob.url}?${sas.toString()}`;
  }

  private async userDelegationKey(until: Date): Promise<UserDelegationKey> {
    const now = this.clock.now();
    if (!this.delegationKey || this.delegationKey.expiresOn.getTime() - RENEW_BEFORE_MS < until.getTime()) {
      const expiresOn = new Date(now.getTime() + DELEGATION_KEY_MS);
      const key = await this.client.getUserDelegationKey(new Date(now.getTime() - 5 * 60_000), expiresOn);
      this.delegationKey = { key, expiresOn };
    }
    return this.delegationKey.key;
  }
}
