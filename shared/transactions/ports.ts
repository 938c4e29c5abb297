import type { CreateOutcome, Page } from '../kernel/ports';
import type { TransactionRecord } from './transactions';

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
  update(locator: TransactionLocator, mutate: (current: TransactionRecord) => TransactionRecord | undefined): Promise<TransactionRecord | undefined>;
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
