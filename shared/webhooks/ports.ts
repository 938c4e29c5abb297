import type { Attempt, DeliveryRecord, EndpointRecord } from './webhooks';

export interface EndpointStore {
  create(record: EndpointRecord): Promise<void>;
  get(tenantId: string, endpointId: string): Promise<EndpointRecord | undefined>;
  list(tenantId: string): Promise<EndpointRecord[]>;
  /** Read, change, write with an etag check; undefined when it does not exist. */
  update(tenantId: string, endpointId: string, mutate: (current: EndpointRecord) => EndpointRecord | undefined): Promise<EndpointRecord | undefined>;
  delete(tenantId: string, endpointId: string): Promise<void>;
}

export interface DeliveryStore {
  /** `exists` when this (endpoint, event) was recorded before. */
  create(record: DeliveryRecord): Promise<'created' | 'exists'>;
  get(tenantId: string, endpointId: string, id: string): Promise<DeliveryRecord | undefined>;
  /** Takes a due delivery for one attempt: moves `due` to `leaseUntil` only if it is still `expectedDue`. */
  claim(record: DeliveryRecord, leaseUntil: number): Promise<boolean>;
  /** Appends the attempt and sets what follows it, in one write. */
  recordAttempt(record: DeliveryRecord, attempt: Attempt, next: Pick<DeliveryRecord, 'status' | 'due' | 'deliveredAt' | 'failedReason'>): Promise<void>;
  /** Makes it due again at `due` (a replay, or an endpoint turned off). */
  reschedule(
    record: Pick<DeliveryRecord, 'id' | 'tenantId' | 'endpointId'>,
    next: Pick<DeliveryRecord, 'status' | 'due' | 'failedReason' | 'replayedAfter'>,
  ): Promise<void>;
  /** Pending deliveries due at `now`, oldest first, every tenant. */
  due(now: number, limit: number): Promise<DeliveryRecord[]>;
  /** An endpoint's deliveries, newest first. */
  page(tenantId: string, endpointId: string, limit: number, continuationToken?: string): Promise<{ items: DeliveryRecord[]; continuationToken: string | null }>;
  /** An endpoint's deliveries of events in [since, until). */
  inRange(tenantId: string, endpointId: string, since: string, until: string, limit: number): Promise<DeliveryRecord[]>;
}

/** What a receiver answered, or why nothing came. */
export interface SendResult {
  status: number | null;
  error: string | null;
  latencyMs: number;
  responseExcerpt: string;
}

/** POSTs a delivery; never throws (a refusal, a timeout or a broken connection is a result too). */
export interface Sender {
  send(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult>;
}
