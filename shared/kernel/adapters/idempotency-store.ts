import type { IdempotencyRecord, IdempotencyStore } from '../idempotency';
import type { CreateOutcome } from '../ports';
import { strip, type Documents } from './documents';

export class CosmosIdempotencyStore implements IdempotencyStore {
  constructor(private readonly docs: Documents) {}

  create(record: IdempotencyRecord): Promise<CreateOutcome> {
    return this.docs.create({ ...record });
  }
  async get(tenantId: string, id: string) {
    const doc = await this.docs.read<IdempotencyRecord>(id, [tenantId, id]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    return { ...strip<IdempotencyRecord>(doc), etag: doc._etag };
  }
  replace(record: IdempotencyRecord, etag: string): Promise<boolean> {
    return this.docs.replace({ ...record }, [record.tenantId, record.id], etag);
  }
  delete(tenantId: string, id: string): Promise<void> {
    return this.docs.delete(id, [tenantId, id]);
  }
}
