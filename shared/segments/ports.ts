import type { CreateOutcome, Page } from '../kernel/ports';
import type { TraitsDocument } from './membership';
import type { Rule } from './rules';
import type { RfmThresholds } from './traits';

export interface BackfillState {
  status: 'pending' | 'running' | 'done';
  /** The definition version this backfill evaluates; an edit starts a new one. */
  version: number;
  /** Where the next page starts (the traits query's continuation); null before the first page and when done. */
  continuationToken: string | null;
  processed: number;
  matched: number;
  /** A runner holds the job until then; past it (a crash), the next run resumes from the saved page. */
  leaseUntil: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface SegmentRecord {
  tenantId: string;
  segmentId: string;
  name: string;
  description: string | null;
  definition: Rule;
  version: number;
  createdAt: string;
  updatedAt: string;
  backfill: BackfillState;
}

export interface SegmentStore {
  get(tenantId: string, segmentId: string): Promise<{ segment: SegmentRecord; etag: string } | undefined>;
  create(segment: SegmentRecord): Promise<CreateOutcome>;
  /** False when the segment changed since it was read (or is gone). */
  replace(segment: SegmentRecord, etag: string): Promise<boolean>;
  delete(tenantId: string, segmentId: string): Promise<void>;
  list(tenantId: string): Promise<SegmentRecord[]>;
  /** Backfills not done whose lease is free at `now`, across tenants (the timer's own work). */
  backfillsDue(now: string, limit: number): Promise<SegmentRecord[]>;
  saveSize(tenantId: string, segmentId: string, day: string, size: number): Promise<void>;
  sizeHistory(tenantId: string, segmentId: string): Promise<Array<{ day: string; size: number }>>;
  saveRfm(tenantId: string, thresholds: RfmThresholds): Promise<void>;
  getRfm(tenantId: string): Promise<RfmThresholds | undefined>;
  logExport(entry: {
    tenantId: string;
    segmentId: string;
    exportId: string;
    keyId: string;
    unmasked: boolean;
    reason: string | null;
    at: string;
  }): Promise<void>;
}

export interface TraitsStore {
  read(tenantId: string, customerId: string): Promise<{ doc: TraitsDocument; etag: string } | undefined>;
  create(doc: TraitsDocument): Promise<CreateOutcome>;
  replace(doc: TraitsDocument, etag: string): Promise<boolean>;
  /** Empties the outbox if no event was added since `outboxseq`. */
  clearOutbox(tenantId: string, customerId: string, outboxseq: number): Promise<void>;
  delete(tenantId: string, customerId: string): Promise<void>;
  /** One page of a tenant's traits documents. */
  page(tenantId: string, size: number, continuationToken?: string): Promise<Page<TraitsDocument>>;
  /** One page of every tenant's traits documents (the daily timer). */
  pageAll(size: number, continuationToken?: string): Promise<Page<TraitsDocument>>;
  members(tenantId: string, segmentId: string, limit: number, continuationToken?: string): Promise<Page<{ customerId: string; since: string | null }>>;
  count(tenantId: string, segmentId: string): Promise<number>;
  /** Documents whose outbox was not confirmed published, written before `before`. */
  pending(before: string, limit: number): Promise<TraitsDocument[]>;
}

/** Where member exports are written, and signed links to them. */
export interface ExportFiles {
  save(tenantId: string, name: string, rows: string[][]): Promise<void>;
  link(tenantId: string, name: string, expiresOn: Date): Promise<string>;
  /** Rewrites every export of the tenant without the rows of one customer (erasure). */
  scrub(tenantId: string, customerId: string): Promise<number>;
}
