import type { Page, CreateOutcome } from '../../kernel/ports';
import type { TransactionLocator, TransactionStore } from '../ports';
import { unionReturned, type TransactionRecord } from '../transactions';
import { DomainError } from '../../kernel/errors';
import { strip, type Documents } from '../../kernel/adapters/documents';

interface ClaimDoc extends TransactionLocator {
  id: string;
  kind: 'transaction';
}

/**
 * Transactions live in their customer's partition. A claim in `lookups` (one per transaction id)
 * makes the id unique within the tenant whatever partition the record lands in, and lets a
 * transaction be found by id alone. The document id includes the partition's customer key, so a
 * move can write the copy before deleting the original (no id clash on stores that, like the
 * local stand-in, keep ids unique across a whole tenant).
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
    return this.transactions.create({ ...transaction, id: docId(transaction), kind: 'transaction' });
  }

  async get(locator: TransactionLocator): Promise<TransactionRecord | undefined> {
    const doc = await this.transactions.read<TransactionRecord>(docId(locator), pk(locator));
    return doc && doc.tenantId === locator.tenantId && doc.customerKey === locator.customerKey ? unwrap(doc) : undefined;
  }

  async update(locator: TransactionLocator, mutate: (current: TransactionRecord) => TransactionRecord | undefined) {
    const updated = await this.transactions.update<TransactionRecord & { kind: string }>(docId(locator), pk(locator), (doc) => {
      const next = mutate(unwrap(doc));
      return next && { ...next, kind: 'transaction' };
    });
    return updated && unwrap(updated);
  }

  async markEventPublished(locator: TransactionLocator): Promise<void> {
    await this.transactions.patchAll(docId(locator), pk(locator), { '/eventPending': false, '/claimEventPending': false });
  }

  async move(
    locator: TransactionLocator,
    to: { customerKey: string; customerId: string },
    change: (tx: TransactionRecord) => TransactionRecord,
    expectFrom?: string,
  ): Promise<'moved' | 'already-there' | 'lost'> {
    const target: TransactionLocator = { ...locator, customerKey: to.customerKey };
    const source = await this.get(locator);
    if (source) {
      const copy = change({ ...source, customerKey: to.customerKey, customerId: to.customerId });
      await this.transactions.create({ ...copy, id: docId(target), kind: 'transaction' });
    }
    // The claim decides where the transaction is: switching it is the moment of the move.
    let outcome = 'moved' as 'moved' | 'already-there' | 'lost';
    const claim = claimId(locator.transactionId);
    await this.lookups.update<ClaimDoc>(claim, [locator.tenantId, claim], (doc) => {
      if (doc.customerKey === to.customerKey) {
        outcome = 'already-there';
        return undefined;
      }
      if (doc.customerKey !== (expectFrom ?? locator.customerKey)) {
        outcome = 'lost';
        return undefined;
      }
      outcome = 'moved';
      return { ...doc, customerKey: to.customerKey };
    });
    if (outcome === 'lost') {
      await this.transactions.delete(docId(target), pk(target));
      return outcome;
    }
    if (source) await this.retireOriginal(locator, target);
    return source ? 'moved' : outcome;
  }

  /**
   * Deletes the original once the copy has everything it has. A return may still have been written
   * to the original after it was copied: carry it over, and delete only an original unchanged since.
   */
  private async retireOriginal(original: TransactionLocator, copy: TransactionLocator): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const latest = await this.transactions.read<TransactionRecord>(docId(original), pk(original));
      if (!latest) return;
      await this.update(copy, (current) => {
        const returned = unionReturned(current.returned, latest.returned);
        return returned && { ...current, returned };
      });
      if (await this.transactions.deleteIfMatch(docId(original), pk(original), latest._etag)) return;
    }
    throw new DomainError('conflict', 'The transaction is changing too often to move; retry shortly');
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

  async listAllForCustomer(tenantId: string, customerKey: string): Promise<TransactionRecord[]> {
    const items = await this.transactions.queryAll<TransactionRecord>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.customerKey = @customerKey AND c.kind = "transaction"',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerKey', value: customerKey },
      ],
    );
    return items.map(unwrap);
  }

  async listUnpublished(recordedBefore: string, limit: number): Promise<TransactionRecord[]> {
    // The sweeper's query spans tenants on purpose: it is the platform's own job, not a caller's read.
    const { items } = await this.transactions.query<TransactionRecord>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.kind = "transaction" AND (c.eventPending = true OR c.claimEventPending = true) AND c.recordedAt < @before`,
      [{ name: '@before', value: recordedBefore }],
    );
    return items.map(unwrap);
  }
}

function claimId(transactionId: string): string {
  return `transaction:${transactionId}`;
}

function docId(tx: { transactionId: string; customerKey: string }): string {
  return `${tx.transactionId}|${tx.customerKey}`;
}

function pk(locator: TransactionLocator): [string, string] {
  return [locator.tenantId, locator.customerKey];
}

function unwrap(doc: TransactionRecord): TransactionRecord {
  const { id: _id, kind: _kind, ...rest } = strip<TransactionRecord & { id: string; kind: string }>(doc);
  return rest;
}
