import type { BlobServiceClient } from '@azure/storage-blob';
import type { SnapshotInbox } from '../snapshot-files';

/** ERP snapshots in one container, their reports in another; blobs are streamed, never buffered whole. */
export class BlobSnapshotInbox implements SnapshotInbox {
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
