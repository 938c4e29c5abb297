import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
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
/** A user delegation key may live 7 days; ask for that and renew a day before it runs out. */
const DELEGATION_KEY_MS = 7 * 24 * 3600_000;
const RENEW_BEFORE_MS = 24 * 3600_000;

/**
 * Receipts as blobs under `<tenantId>/<transactionId>.<json|html|xml>` (the XML is its AEAT record),
 * inspectors' exports under `<tenantId>/exports/`, and read-only links that expire.
 * In Azure the link is a user-delegation SAS signed with a key the managed identity obtains (no
 * account keys exist); against Azurite, whose client holds the development key, a service SAS.
 */
export class BlobReceiptFiles implements ReceiptFiles {
  private delegationKey: { key: UserDelegationKey; expiresOn: Date } | undefined;

  constructor(
    private readonly client: BlobServiceClient,
    private readonly containerName: string,
    private readonly clock: Clock,
  ) {}

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

  private async signedLink(name: string, expiresOn: Date): Promise<string> {
    const blob = this.blob(name);
    const permissions = BlobSASPermissions.parse('r');
    const headers = headersFor(name);
    if (this.client.credential instanceof StorageSharedKeyCredential) return blob.generateSasUrl({ permissions, expiresOn, ...headers });
    const startsOn = new Date(this.clock.now().getTime() - 5 * 60_000);
    const key = await this.userDelegationKey(expiresOn);
    const sas = generateBlobSASQueryParameters(
      { containerName: blob.containerName, blobName: blob.name, permissions, startsOn, expiresOn, protocol: SASProtocol.Https, ...headers },
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
