import { Readable } from 'node:stream';
import type { BlobServiceClient } from '@azure/storage-blob';
import { BlobLinks } from '../../kernel/adapters/blob-storage';
import { deterministicId } from '../../kernel/ids';
import type { Clock } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';
import type { ImportedFile, ImportedFiles } from '../catalogue-import';
import type { FeedFiles } from '../publishing';

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
