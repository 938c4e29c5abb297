import type { BlobServiceClient } from '@azure/storage-blob';
import { BlobLinks } from '../../kernel/adapters/blob-storage';
import type { ReceiptFiles } from '../receipt-service';
import type { Clock } from '../../kernel/ports';

const CONTENT_TYPES = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', xml: 'application/xml; charset=utf-8' } as const;
/**
 * What Blob Storage lets us say about a file it serves: its exact type, how it is shown and who
 * may cache it. It has no way to send other headers (X-Content-Type-Options, Content-Security-Policy),
 * so each link also signs these three (SAS `rsct`, `rscd`, `rscc`): whatever the blob's properties
 * say, the link serves the file as this type, and nothing but the browser keeps a copy of a receipt.
 * The page carries its own Content-Security-Policy (receipt-html.ts).
 */
const CACHE_CONTROL = 'private, max-age=3600';
const TYPE_OF_EXTENSION: Record<string, string> = { ...CONTENT_TYPES, csv: 'text/csv; charset=utf-8' };
const headersFor = (name: string) => {
  const extension = name.slice(name.lastIndexOf('.') + 1);
  const contentType = TYPE_OF_EXTENSION[extension];
  return {
    contentType,
    cacheControl: CACHE_CONTROL,
    // Pages open in the browser; data files download under their own name.
    contentDisposition: extension === 'html' ? 'inline' : `attachment; filename="${name.slice(name.lastIndexOf('/') + 1)}"`,
  };
};
/**
 * Receipts as blobs under `<tenantId>/<transactionId>.<json|html|xml>` (the XML is its AEAT record),
 * inspectors' exports under `<tenantId>/exports/`, and read-only links that expire.
 * Links are signed by `BlobLinks` (a user-delegation SAS in Azure).
 */
export class BlobReceiptFiles implements ReceiptFiles {
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

  async save(tenantId: string, transactionId: string, files: { json: string; html: string; xml?: string }): Promise<void> {
    await Promise.all(
      (['json', 'html', 'xml'] as const).map((format) => {
        const content = files[format];
        return content === undefined ? undefined : this.put(`${tenantId}/${transactionId}.${format}`, content, CONTENT_TYPES[format]);
      }),
    );
  }

  link(tenantId: string, transactionId: string, format: 'html' | 'json' | 'xml', expiresOn: Date): Promise<string> {
    return this.signedLink(`${tenantId}/${transactionId}.${format}`, expiresOn);
  }

  saveExport(tenantId: string, name: string, content: string, contentType: string): Promise<void> {
    return this.put(`${tenantId}/exports/${name}`, content, contentType);
  }

  linkExport(tenantId: string, name: string, expiresOn: Date): Promise<string> {
    return this.signedLink(`${tenantId}/exports/${name}`, expiresOn);
  }

  private async put(name: string, content: string, contentType: string): Promise<void> {
    const { cacheControl, contentDisposition } = headersFor(name);
    await this.blob(name).upload(content, Buffer.byteLength(content), {
      blobHTTPHeaders: { blobContentType: contentType, blobCacheControl: cacheControl, blobContentDisposition: contentDisposition },
    });
  }

  private signedLink(name: string, expiresOn: Date): Promise<string> {
    return this.links.link(this.containerName, name, expiresOn, headersFor(name));
  }
}
