/**
 * The ports the use cases need. Adapters (Cosmos DB, Service Bus, Blob Storage, the local
 * in-process bus) implement them; unit tests fake them. Nothing here imports Azure.
 */
import type { ApiKeyRecord, Location, Tenant } from '../tenancy/tenancy';
import type { CustomerRecord, IdentifierLink, MergeRecord } from '../customers/customers';
import type { TransactionRecord } from '../transactions/transactions';
import type { CloudEvent } from './events';
import type { IdempotencyRecord } from './idempotency';

/** `created` or `exists`: creates are idempotent and the store enforces uniqueness. */
export type CreateOutcome = 'created' | 'exists';

export interface Page<T> {
  items: T[];
  continuationToken: string | null;
}

export interface TenantDirectory {
  createTenant(tenant: Tenant): Promise<CreateOutcome>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  createLocation(location: Location): Promise<CreateOutcome>;
  getLocation(tenantId: string, locationId: string): Promise<Location | undefined>;
  createApiKey(key: ApiKeyRecord): Promise<CreateOutcome>;
  getApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord | undefined>;
}

export interface CustomerStore {
  findIdentifier(tenantId: string, identifierKey: string): Promise<IdentifierLink | undefined>;
  /** Claims an identifier for a customer; `exists` means someone holds it (maybe another customer). */
  claimIdentifier(link: IdentifierLink): Promise<CreateOutcome>;
  createCustomer(customer: CustomerRecord): Promise<CreateOutcome>;
  getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined>;
  /** Read-modify-write with optimistic concurrency; `mutate` may run more than once. */
  updateCustomer(
    tenantId: string,
    customerId: string,
    mutate: (current: CustomerRecord) => CustomerRecord | undefined,
  ): Promise<CustomerRecord | undefined>;
  listIdentifiers(tenantId: string, customerId: string): Promise<IdentifierLink[]>;
  /** Points an identifier at another customer, only if it still points at `fromCustomerId`. */
  moveIdentifier(tenantId: string, identifierKey: string, fromCustomerId: string, toCustomerId: string): Promise<boolean>;
  deleteIdentifier(tenantId: string, identifierKey: string): Promise<void>;
  saveMergeRecord(record: MergeRecord): Promise<void>;
  listMergeRecords(tenantId: string, survivorId: string): Promise<MergeRecord[]>;
}

/** Where a transaction lives: its partition is (tenant, customerKey). */
export interface TransactionLocator {
  tenantId: string;
  transactionId: string;
  customerKey: string;
}

export interface TransactionStore {
  /** Reserves a transaction id within the tenant; `exists` returns where the first claim put it. */
  claim(locator: TransactionLocator): Promise<{ outcome: 'created' } | { outcome: 'exists'; locator: TransactionLocator }>;
  locate(tenantId: string, transactionId: string): Promise<TransactionLocator | undefined>;
  create(transaction: TransactionRecord): Promise<CreateOutcome>;
  get(locator: TransactionLocator): Promise<TransactionRecord | undefined>;
  /** Read-modify-write with optimistic concurrency; `mutate` may run more than once. */
  update(
    locator: TransactionLocator,
    mutate: (current: TransactionRecord) => TransactionRecord | undefined,
  ): Promise<TransactionRecord | undefined>;
  markEventPublished(locator: TransactionLocator): Promise<void>;
  /**
   * Moves a transaction to another partition (a merge, or a claimed anonymous sale): copy, point
   * the claim at the copy, delete the original. Idempotent; safe to re-run after a crash.
   * `expectFrom`: only move if the claim still points at this customer key; `lost` otherwise.
   * The original is deleted only if unchanged since the copy was last reconciled with it, so a
   * return recorded on it meanwhile is carried over, never lost.
   */
  move(
    locator: TransactionLocator,
    to: { customerKey: string; customerId: string },
    change: (tx: TransactionRecord) => TransactionRecord,
    expectFrom?: string,
  ): Promise<'moved' | 'already-there' | 'lost'>;
  /** Every transaction in a customer's partition (for the 360 view, export and merges). */
  listAllForCustomer(tenantId: string, customerKey: string): Promise<TransactionRecord[]>;
  listForCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<Page<TransactionRecord>>;
  /** Transactions whose event was not confirmed as published, recorded before `recordedBefore`. */
  listUnpublished(recordedBefore: string, limit: number): Promise<TransactionRecord[]>;
}

export interface IdempotencyStore {
  create(record: IdempotencyRecord): Promise<CreateOutcome>;
  get(tenantId: string, id: string): Promise<(IdempotencyRecord & { etag: string }) | undefined>;
  /** Replaces only if unchanged since read (`etag`); false when someone else got there first. */
  replace(record: IdempotencyRecord, etag: string): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<void>;
}

export interface EventPublisher {
  /** Publishes with the event id as message id, so a republish is deduplicated downstream. */
  publish(events: CloudEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured logging; callers pass ids only, never personal data, keys or codes. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface Telemetry {
  trackEvent(name: string, properties?: Record<string, string>): void;
  trackMetric(name: string, value: number, properties?: Record<string, string>): void;
}

export interface HealthProbe {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}
