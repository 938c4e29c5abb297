import type { CreateOutcome, Page } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';
import type { TraitsDocument } from '../membership';
import type { SegmentRecord, SegmentStore, TraitsStore } from '../ports';
import type { RfmThresholds } from '../traits';

type Stored<T> = T & { id: string; kind: string };
const withoutId = <T>(doc: Stored<T>): T => {
  const { id: _id, kind: _kind, ...rest } = strip<Stored<T>>(doc);
  return rest as T;
};

/** One traits document per customer in `traits` ([tenantId, customerId]), id = the customer id. */
export class CosmosTraitsStore implements TraitsStore {
  constructor(private readonly traits: Documents) {}

  async read(tenantId: string, customerId: string): Promise<{ doc: TraitsDocument; etag: string } | undefined> {
    const doc = await this.traits.read<Stored<TraitsDocument>>(customerId, [tenantId, customerId]);
    if (!doc || doc.tenantId !== tenantId || doc.kind !== 'traits') return undefined;
    return { doc: withoutId(doc), etag: doc._etag };
  }

  create(doc: TraitsDocument): Promise<CreateOutcome> {
    return this.traits.create({ ...doc, id: doc.customerId, kind: 'traits' });
  }

  replace(doc: TraitsDocument, etag: string): Promise<boolean> {
    return this.traits.replace({ ...doc, id: doc.customerId, kind: 'traits' }, [doc.tenantId, doc.customerId], etag);
  }

  async clearOutbox(tenantId: string, customerId: string, outboxseq: number): Promise<void> {
    // Only if no event was added since: a writer that added more publishes (and clears) them itself.
    // An etag-checked replace (point operations), not a conditional patch: the stand-in answers those with a query over the container.
    await this.traits.update<Stored<TraitsDocument>>(customerId, [tenantId, customerId], (current) =>
      current.outboxseq === outboxseq && current.eventPending ? { ...current, outbox: [], eventPending: false } : undefined,
    );
  }

  delete(tenantId: string, customerId: string): Promise<void> {
    return this.traits.delete(customerId, [tenantId, customerId]);
  }

  async page(tenantId: string, size: number, continuationToken?: string): Promise<Page<TraitsDocument>> {
    const page = await this.traits.query<Stored<TraitsDocument>>(
      'SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "traits"',
      [{ name: '@t', value: tenantId }],
      {
        maxItemCount: size,
        continuationToken,
      },
    );
    return { items: page.items.map(withoutId), continuationToken: page.continuationToken };
  }

  async pageAll(size: number, continuationToken?: string): Promise<Page<TraitsDocument>> {
    // The daily review spans tenants on purpose: it is the platform's own job, not a caller's read.
    const page = await this.traits.query<Stored<TraitsDocument>>('SELECT * FROM c WHERE c.kind = "traits"', [], { maxItemCount: size, continuationToken });
    return { items: page.items.map(withoutId), continuationToken: page.continuationToken };
  }

  async members(tenantId: string, segmentId: string, limit: number, continuationToken?: string): Promise<Page<{ customerId: string; since: string | null }>> {
    const page = await this.traits.query<Pick<TraitsDocument, 'customerId' | 'memberships'>>(
      'SELECT c.customerId, c.memberships FROM c WHERE c.tenantId = @t AND c.kind = "traits" AND ARRAY_CONTAINS(c.segmentIds, @s)',
      [
        { name: '@t', value: tenantId },
        { name: '@s', value: segmentId },
      ],
      { maxItemCount: limit, continuationToken },
    );
    return {
      items: page.items.map((m) => ({ customerId: m.customerId, since: m.memberships[segmentId]?.since ?? null })),
      continuationToken: page.continuationToken,
    };
  }

  async count(tenantId: string, segmentId: string): Promise<number> {
    const { items } = await this.traits.query<{ n: number }>(
      'SELECT COUNT(1) AS n FROM c WHERE c.tenantId = @t AND c.kind = "traits" AND ARRAY_CONTAINS(c.segmentIds, @s)',
      [
        { name: '@t', value: tenantId },
        { name: '@s', value: segmentId },
      ],
    );
    return items[0]?.n ?? 0;
  }

  async pending(before: string, limit: number): Promise<TraitsDocument[]> {
    const { items } = await this.traits.query<Stored<TraitsDocument>>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.kind = "traits" AND c.eventPending = true AND c.updatedAt < @before`,
      [{ name: '@before', value: before }],
    );
    return items.map(withoutId);
  }
}

/** Segments, their daily sizes, the tenant's RFM cut points and the export log in `segments` ([tenantId, id]). */
export class CosmosSegmentStore implements SegmentStore {
  constructor(private readonly segments: Documents) {}

  async get(tenantId: string, segmentId: string): Promise<{ segment: SegmentRecord; etag: string } | undefined> {
    const doc = await this.segments.read<Stored<SegmentRecord>>(segmentId, [tenantId, segmentId]);
    if (!doc || doc.tenantId !== tenantId || doc.kind !== 'segment') return undefined;
    return { segment: withoutId(doc), etag: doc._etag };
  }

  create(segment: SegmentRecord): Promise<CreateOutcome> {
    return this.segments.create({ ...segment, id: segment.segmentId, kind: 'segment' });
  }

  replace(segment: SegmentRecord, etag: string): Promise<boolean> {
    return this.segments.replace({ ...segment, id: segment.segmentId, kind: 'segment' }, [segment.tenantId, segment.segmentId], etag);
  }

  delete(tenantId: string, segmentId: string): Promise<void> {
    return this.segments.delete(segmentId, [tenantId, segmentId]);
  }

  async list(tenantId: string): Promise<SegmentRecord[]> {
    const items = await this.segments.queryAll<Stored<SegmentRecord>>('SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "segment" ORDER BY c.createdAt', [
      { name: '@t', value: tenantId },
    ]);
    return items.map(withoutId);
  }

  async backfillsDue(now: string, limit: number): Promise<SegmentRecord[]> {
    // The backfill timer spans tenants on purpose: it is the platform's own job.
    const { items } = await this.segments.query<Stored<SegmentRecord>>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.kind = "segment" AND c.backfill.status != "done" AND (c.backfill.leaseUntil = null OR c.backfill.leaseUntil < @now)`,
      [{ name: '@now', value: now }],
    );
    return items.map(withoutId);
  }

  async saveSize(tenantId: string, segmentId: string, day: string, size: number): Promise<void> {
    await this.segments.upsert({ id: `size:${segmentId}:${day}`, kind: 'size', tenantId, segmentId, day, size });
  }

  async sizeHistory(tenantId: string, segmentId: string): Promise<Array<{ day: string; size: number }>> {
    const items = await this.segments.queryAll<{ day: string; size: number }>(
      'SELECT c.day, c.size FROM c WHERE c.tenantId = @t AND c.kind = "size" AND c.segmentId = @s ORDER BY c.day',
      [
        { name: '@t', value: tenantId },
        { name: '@s', value: segmentId },
      ],
    );
    return items.map(({ day, size }) => ({ day, size }));
  }

  async saveRfm(tenantId: string, thresholds: RfmThresholds): Promise<void> {
    await this.segments.upsert({ id: 'rfm', kind: 'rfm', tenantId, ...thresholds });
  }

  async getRfm(tenantId: string): Promise<RfmThresholds | undefined> {
    const doc = await this.segments.read<Stored<RfmThresholds & { tenantId: string }>>('rfm', [tenantId, 'rfm']);
    if (!doc || doc.tenantId !== tenantId || doc.kind !== 'rfm') return undefined;
    return { recency: doc.recency, frequency: doc.frequency, monetary: doc.monetary };
  }

  async logExport(entry: {
    tenantId: string;
    segmentId: string;
    exportId: string;
    keyId: string;
    unmasked: boolean;
    reason: string | null;
    at: string;
  }): Promise<void> {
    await this.segments.create({ ...entry, id: `export:${entry.exportId}`, kind: 'exportLog' });
  }
}
