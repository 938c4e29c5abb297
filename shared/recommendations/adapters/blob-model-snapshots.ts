import { gunzipSync, gzipSync } from 'node:zlib';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { ModelSnapshots, SavedModel } from '../ports';

/** One gzipped JSON blob per tenant, `{tenantId}/model.json.gz`, replaced by each rebuild. */
export class BlobModelSnapshots implements ModelSnapshots {
  constructor(
    private readonly blob: BlobServiceClient,
    private readonly container: string,
  ) {}

  private client(tenantId: string) {
    return this.blob.getContainerClient(this.container).getBlockBlobClient(`${tenantId}/model.json.gz`);
  }

  async load(tenantId: string): Promise<SavedModel | undefined> {
    try {
      const buffer = await this.client(tenantId).downloadToBuffer();
      return JSON.parse(gunzipSync(buffer).toString('utf8')) as SavedModel;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async save(tenantId: string, saved: SavedModel): Promise<void> {
    const body = gzipSync(JSON.stringify(saved));
    await this.client(tenantId).uploadData(body, { blobHTTPHeaders: { blobContentType: 'application/json', blobContentEncoding: 'gzip' } });
  }
}
