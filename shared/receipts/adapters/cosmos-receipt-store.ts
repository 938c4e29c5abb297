import type { Receipt } from '../receipts';
import type { ReceiptStore, SeriesState } from '../receipt-service';
import type { CreateOutcome, Page } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';

type ReceiptDoc = Receipt & { id: string; kind: 'receipt' };
type SeriesDoc = SeriesState & { id: string; kind: 'series' };

/** Receipts and series heads in `receipts` ([tenantId, id]): point reads by transaction or series id. */
export class CosmosReceiptStore implements ReceiptStore {
  constructor(private readonly receipts: Documents) {}

  async getReceipt(tenantId: string, transactionId: string): Promise<Receipt | undefined> {
    const doc = await this.receipts.read<ReceiptDoc>(receiptId(transactionId), [tenantId, receiptId(transactionId)]);
    return doc && doc.tenantId === tenantId ? unwrap(doc) : undefined;
  }

  createReceipt(receipt: Receipt): Promise<CreateOutcome> {
    return this.receipts.create<ReceiptDoc>({ ...receipt, id: receiptId(receipt.transactionId), kind: 'receipt' });
  }

  async getSeries(tenantId: string, seriesId: string): Promise<(SeriesState & { etag: string }) | undefined> {
    const doc = await this.receipts.read<SeriesDoc>(seriesDocId(seriesId), [tenantId, seriesDocId(seriesId)]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    return { tenantId: doc.tenantId, seriesId: doc.seriesId, head: doc.head, etag: doc._etag };
  }

  createSeries(state: SeriesState): Promise<CreateOutcome> {
    return this.receipts.create<SeriesDoc>({ ...state, id: seriesDocId(state.seriesId), kind: 'series' });
  }

  replaceSeries(state: SeriesState, etag: string): Promise<boolean> {
    const id = seriesDocId(state.seriesId);
    return this.receipts.replace<SeriesDoc>({ ...state, id, kind: 'series' }, [state.tenantId, id], etag);
  }

  async listSeries(tenantId: string, seriesId: string): Promise<Receipt[]> {
    const docs = await this.receipts.queryAll<ReceiptDoc>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "receipt" AND c.seriesId = @seriesId ORDER BY c["number"] ASC',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@seriesId', value: seriesId },
      ],
    );
    return docs.map(unwrap);
  }

  async listForCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<Page<Receipt>> {
    const page = await this.receipts.query<ReceiptDoc>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "receipt" AND c.customerId = @customerId ORDER BY c.occurredAt DESC',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: customerId },
      ],
      { maxItemCount: limit, continuationToken },
    );
    return { items: page.items.map(unwrap), continuationToken: page.continuationToken };
  }

  async countForCustomer(tenantId: string, customerId: string): Promise<number> {
    const { items } = await this.receipts.query<{ n: number }>('SELECT COUNT(1) AS n FROM c WHERE c.tenantId = @tenantId AND c.kind = "receipt" AND c.customerId = @customerId', [
      { name: '@tenantId', value: tenantId },
      { name: '@customerId', value: customerId },
    ]);
    return items[0]?.n ?? 0;
  }

  async setCustomer(tenantId: string, transactionId: string, customerId: string): Promise<Receipt | undefined> {
    const id = receiptId(transactionId);
    const updated = await this.receipts.update<ReceiptDoc>(id, [tenantId, id], (doc) => (doc.customerId === null ? { ...doc, customerId } : undefined));
    return updated && unwrap(updated);
  }

  async reassign(tenantId: string, fromId: string, toId: string | null): Promise<Receipt[]> {
    // A series head is a copy of its last receipt, stored again by the next sale: it must agree.
    const heads = await this.receipts.queryAll<SeriesDoc>('SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "series" AND c.head.customerId = @customerId', [
      { name: '@tenantId', value: tenantId },
      { name: '@customerId', value: fromId },
    ]);
    for (const head of heads) {
      await this.receipts.update<SeriesDoc>(head.id, [tenantId, head.id], (doc) =>
        doc.head?.customerId === fromId ? { ...doc, head: { ...doc.head, customerId: toId } } : undefined,
      );
    }
    const changed: Receipt[] = [];
    for (const receipt of await this.listAll(tenantId, fromId)) {
      const id = receiptId(receipt.transactionId);
      const updated = await this.receipts.update<ReceiptDoc>(id, [tenantId, id], (doc) => (doc.customerId === fromId ? { ...doc, customerId: toId } : undefined));
      if (updated && updated.customerId === toId) changed.push(unwrap(updated));
    }
    return changed;
  }

  private listAll(tenantId: string, customerId: string): Promise<ReceiptDoc[]> {
    return this.receipts.queryAll<ReceiptDoc>('SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "receipt" AND c.customerId = @customerId', [
      { name: '@tenantId', value: tenantId },
      { name: '@customerId', value: customerId },
    ]);
  }
}

function receiptId(transactionId: string): string {
  return `receipt:${transactionId}`;
}

function seriesDocId(seriesId: string): string {
  return `series:${seriesId}`;
}

function unwrap(doc: ReceiptDoc): Receipt {
  const { id: _id, kind: _kind, ...rest } = strip<ReceiptDoc>(doc);
  return rest;
}
