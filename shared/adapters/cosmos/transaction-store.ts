import type { Page, TransactionLocator, TransactionStore, CreateOutcome } from '../../domain/ports';
import type { TransactionRecord } from '../../domain/transactions';
import { DomainError } from '../../domain/errors';
import { strip, type Documents } from './documents';

interface ClaimDoc extends TransactionLocator {
  id: string;
  kind: 'transaction';
}

/**
 * Transactions live in their customer's partition. A claim in `lookups` (one per transaction id)
 * makes the id unique within the tenant whatever partition the record lands in, and lets a
 * transaction be found by id alone.
 */
export class CosmosTransactionStore implements TransactionStore {
  constructor(
    private readonly transactions: Documents,
    private readonly lookups: Documents,
  ) {}

  async claim(locator: TransactionLocator) {
    const id = claimId(locator.transactionId);
    const outcome = await this.lookups.create<ClaimDoc>({ ...locator, id, kind: 'transaction' });
    if (outcome === 'created') return { outcome: 'created' as const };
    const existing = await this.locate(locator.tenantId, locator.transactionId);
    if (!existing) throw new DomainError('conflict', 'The transaction is being recorded; retry shortly');
    return { outcome: 'exists' as const, locator: existing };
  }

  async locate(tenantId: string, transactionId: string): Promise<TransactionLocator | undefined> {
    const id = claimId(transactionId);
    const doc = await this.lookups.read<ClaimDoc>(id, [tenantId, id]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    return { tenantId: doc.tenantId, transactionId: doc.transactionId, customerKey: doc.customerKey };
  }

  create(transaction: TransactionRecord): Promise<CreateOutcome> {
    return this.transactions.create({ ...transaction, id: transaction.transactionId, kind: 'transaction' });
  }

  async get(locator: TransactionLocator): Promise<TransactionRecord | undefined> {
    const doc = await this.transactions.read<TransactionRecord>(locator.transactionId, [locator.tenantId, locator.customerKey]);
    return doc && doc.tenantId === locator.tenantId ? unwrap(doc) : undefined;
  }

  async update(locator: TransactionLocator, mutate: (current: TransactionRecord) => TransactionRecord | undefined) {
    const updated = await this.transactions.update<TransactionRecord & { kind: string }>(
      locator.transactionId,
      [locator.tenantId, locator.customerKey],
      (doc) => {
        const next = mutate(unwrap(doc));
        return next && { ...next, kind: 'transaction' };
      },
    );
    return updated && unwrap(updated);
  }

  markEventPublished(locator: TransactionLocator): Promise<void> {
    return this.transactions.patch(locator.transactionId, [locator.tenantId, locator.customerKey], '/eventPending', false);
  }

  async listForCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<Page<TransactionRecord>> {
    const page = await this.transactions.query<TransactionRecord>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.customerKey = @customerId AND c.kind = "transaction" ORDER BY c.occurredAt DESC',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: customerId },
      ],
      { maxItemCount: limit, continuationToken },
    );
    return { items: page.items.map(unwrap), continuationToken: page.continuationToken };
  }

  async listUnpublished(recordedBefore: string, limit: number): Promise<TransactionRecord[]> {
    // The sweeper's query spans tenants on purpose: it is the platform's own job, not a caller's read.
    const { items } = await this.transactions.query<TransactionRecord>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.kind = "transaction" AND c.eventPending = true AND c.recordedAt < @before`,
      [{ name: '@before', value: recordedBefore }],
    );
    return items.map(unwrap);
  }
}

function claimId(transactionId: string): string {
  return `transaction:${transactionId}`;
}

function unwrap(doc: TransactionRecord): TransactionRecord {
  const { id: _id, kind: _kind, ...rest } = strip<TransactionRecord & { id: string; kind: string }>(doc);
  return rest;
}
