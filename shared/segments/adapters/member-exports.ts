import { BlobSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential, type BlobServiceClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Clock } from '../../kernel/ports';
import type { ExportFiles } from '../ports';

/**
 * Member exports as CSV blobs under `<tenantId>/<segmentId>/<exportId>.csv`, read through links
 * that expire: a user-delegation SAS from the managed identity in Azure, a service SAS against
 * Azurite (whose client holds the development key).
 */
export class BlobMemberExports implements ExportFiles {
  constructor(
    private readonly client: BlobServiceClient,
    private readonly containerName: string,
    private readonly clock: Clock,
  ) {}

  private blob(name: string) {
    return this.client.getContainerClient(this.containerName).getBlockBlobClient(name);
  }

  async save(tenantId: string, name: string, rows: string[][]): Promise<void> {
    const csv = stringify(rows);
    await this.blob(`${tenantId}/${name}`).upload(csv, Buffer.byteLength(csv), {
      blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8', blobCacheControl: 'private, no-store' },
    });
  }

  async link(tenantId: string, name: string, expiresOn: Date): Promise<string> {
    const blob = this.blob(`${tenantId}/${name}`);
    const permissions = BlobSASPermissions.parse('r');
    const contentDisposition = `attachment; filename="${name.slice(name.lastIndexOf('/') + 1)}"`;
    if (this.client.credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl({ permissions, expiresOn, contentDisposition });
    const startsOn = new Date(this.clock.now().getTime() - 5 * 60_000);
    const key = await this.client.getUserDelegationKey(startsOn, expiresOn);
    const sas = generateBlobSASQueryParameters(
      { containerName: blob.containerName, blobName: blob.name, permissions, startsOn, expiresOn, protocol: SASProtocol.Https, contentDisposition },
      key,
      this.client.accountName,
    );
    return `${blob.url}?${sas.toString()}`;
  }

  /** Erasure: every export of the tenant rewritten without the customer's rows (first column). */
  async scrub(tenantId: string, customerId: string): Promise<number> {
    let rewritten = 0;
    for await (const item of this.client.getContainerClient(this.containerName).listBlobsFlat({ prefix: `${tenantId}/` })) {
      const blob = this.blob(item.name);
      const rows = parse((await blob.downloadToBuffer()).toString('utf8')) as string[][];
      const kept = rows.filter((row) => row[0] !== customerId);
      if (kept.length === rows.length) continue;
      const csv = stringify(kept);
      await blob.upload(csv, Buffer.byteLength(csv), {
        blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8', blobCacheControl: 'private, no-store' },
      });
      rewritten += 1;
    }
    return rewritten;
  }
}
