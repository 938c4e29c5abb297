import type { BlobServiceClient } from '@azure/storage-blob';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { BlobLinks } from '../../kernel/adapters/blob-storage';
import type { Clock } from '../../kernel/ports';
import type { ExportFiles } from '../ports';

/**
 * Member exports as CSV blobs under `<tenantId>/<segmentId>/<exportId>.csv`, read through links
 * that expire: a user-delegation SAS from the managed identity in Azure, a service SAS against
 * Azurite (whose client holds the development key).
 */
export class BlobMemberExports implements ExportFiles {
  private readonly links: BlobLinks;

  constructor(
    private readonly client: BlobServiceClient,
    private readonly containerName: string,
    clock: Clock,
  ) {
    this.links = new BlobLinks(client, clock);
  }

  private blob(name: string) {
    return this.client.getContainerClient(this.containerName).getBlockBlobClient(name);
  }

  async save(tenantId: string, name: string, rows: string[][]): Promise<void> {
    const csv = stringify(rows);
    await this.blob(`${tenantId}/${name}`).upload(csv, Buffer.byteLength(csv), {
      blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8', blobCacheControl: 'private, no-store' },
    });
  }

  link(tenantId: string, name: string, expiresOn: Date): Promise<string> {
    const contentDisposition = `attachment; filename="${name.slice(name.lastIndexOf('/') + 1)}"`;
    return this.links.link(this.containerName, `${tenantId}/${name}`, expiresOn, { contentDisposition });
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
