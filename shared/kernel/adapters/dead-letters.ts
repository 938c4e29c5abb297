import type { BlobServiceClient } from '@azure/storage-blob';
import type { DeadLetterStore } from '../ports';

/**
 * Messages that can never be handled (they fail their event contract), kept as blobs
 * `<subscription>/<messageId>.json` with the reason, for an operator to inspect and replay.
 */
export class BlobDeadLetters implements DeadLetterStore {
  constructor(
    private readonly blob: BlobServiceClient,
    private readonly containerName: string,
  ) {}

  async put(entry: { subscription: string; messageId: string; body: unknown; reason: string }): Promise<void> {
    const text = JSON.stringify({ ...entry, deadLetteredAt: new Date().toISOString() });
    await this.blob
      .getContainerClient(this.containerName)
      .getBlockBlobClient(`${entry.subscription}/${encodeURIComponent(entry.messageId)}.json`)
      .upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
  }
}
