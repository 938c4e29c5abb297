import { Readable } from 'node:stream';
import type { BlobServiceClient } from '@azure/storage-blob';
import { BlobLinks } from '../../kernel/adapters/blob-storage';
import { deterministicId } from '../../kernel/ids';
import type { Clock } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';
import type { CatalogueInbox, ImportedFile, ImportedFiles } from '../catalogue-import';
import type { FeedFiles } from '../publishing';

/** ERP catalogue snapshots in one container, import reports in another; blobs are streamed, never buffered whole. */
export class BlobCatalogueInbox implements CatalogueInbox {
  constructor(
    private readonly blob: BlobServiceClient,
    private readonly snapshots: string,
    private readonly reports: string,
  ) {}

  async *list(prefix?: string): AsyncIterable<string> {
    for await (const item of this.blob.getContainerClient(this.snapshots).listBlobsFlat(prefix ? { prefix } : {})) yield item.name;
  }

  async open(name: string): Promise<AsyncIterable<Buffer>> {
    const download = await this.blob.getContainerClient(this.snapshots).getBlobClient(name).download();
    return download.readableStreamBody as AsyncIterable<Buffer>;
  }

  async writeReport(name: string, run: string, json: string, csv: string): Promise<{ json: string; csv: string }> {
    const container = this.blob.getContainerClient(this.reports);
    const names = { json: `${name}.${run}.report.json`, csv: `${name}.${run}.report.csv` };
    await container.getBlockBlobClient(names.json).uploadData(Buffer.from(json), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    await container.getBlockBlobClient(names.csv).uploadData(Buffer.from(csv), { blobHTTPHeaders: { blobContentType: 'text/csv' } });
    return names;
  }
}

/** One record per snapshot file in the `catalogue` container, created once: the claim that a file is (being) imported. */
export class CosmosImportedFiles implements ImportedFiles {
  constructor(private readonly docs: Documents) {}

  private id(file: string): string {
    return deterministicId('import', file);
  }

  claim(record: ImportedFile): Promise<'created' | 'exists'> {
    return this.docs.create({ id: this.id(record.file), ...record });
  }

  async get(tenantId: string, file: string): Promise<ImportedFile | undefined> {
    return (await this.docs.read<ImportedFile>(this.id(file), [tenantId, this.id(file)])) ?? undefined;
  }

  update(record: ImportedFile, mutate: (current: ImportedFile) => ImportedFile | undefined): Promise<ImportedFile | undefined> {
    return this.docs.update<ImportedFile>(this.id(record.file), [record.tenantId, this.id(record.file)], mutate);
  }
}

/** Feeds and parity reports as blobs, written as a stream of lines (a feed of 200,000 rows is never one string), read through signed links. */
export class BlobFeedFiles implements FeedFiles {
  private readonly links: BlobLinks;

  constructor(
    private readonly blob: BlobServiceClient,
    private readonly container: string,
    clock: Clock,
  ) {
    this.links = new BlobLinks(blob, clock);
  }

  async write(name: string, lines: Iterable<string> | AsyncIterable<string>, contentType: string): Promise<void> {
    const body = Readable.from(
      (async function* () {
        let chunk = '';
        for await (const line of lines) {
          chunk += `${line}\n`;
          if (chunk.length > 256 * 1024) {
            yield Buffer.from(chunk);
            chunk = '';
          }
        }
        if (chunk) yield Buffer.from(chunk);
      })(),
    );
    await this.blob
      .getContainerClient(this.container)
      .getBlockBlobClient(name)
      .uploadStream(body, 4 * 1024 * 1024, 2, { blobHTTPHeaders: { blobContentType: `${contentType}; charset=utf-8` } });
  }

  link(name: string, expiresOn: Date): Promise<string> {
    const file = name.slice(name.lastIndexOf('/') + 1);
    return this.links.link(this.container, name, expiresOn, { contentDisposition: `attachment; filename="${file}"`, cacheControl: 'private, max-age=300' });
  }
}
