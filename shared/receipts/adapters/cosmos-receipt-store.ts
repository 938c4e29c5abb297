import type { Receipt } from '../receipts';
import type { ReceiptStore } from '../receipt-service';
import type { Cancellation, ChainRecord, InstallationState } from '../chain';
import type { CreateOutcome, Page } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';

type ReceiptDoc = Receipt & { id: string; kind: 'receipt' };
type InstallationDoc = InstallationState<Receipt> & { id: string; kind: 'installation' };
type CancellationDoc = Cancellation & { id: string; kind: 'cancellation' };

/**
 * Receipts, cancellations and one document per issuing installation (its series counters and
 * chain head) in `receipts` ([tenantId, id]): point reads by transaction or installation id.
 */
export class CosmosReceiptStore implements ReceiptStore {
  constructor(private readonly receipts: Documents) {}

  async getReceipt(tenantId: string, transactionId: string): Promise<Receipt | undefined> {
    const doc = await this.receipts.read<ReceiptDoc>(receiptId(transactionId), [tenantId, receiptId(transactionId)]);
    return doc && doc.tenantId === tenantId ? unwrap(doc) : undefined;
  }

  createReceipt(receipt: Receipt): Promise<CreateOutcome> {
    return this.receipts.create<ReceiptDoc>({ ...receipt, id: receiptId(receipt.transactionId), kind: 'receipt' });
  }

  async getInstallation(tenantId: string, installationId: string): Promise<(InstallationState<Receipt> & { etag: string }) | undefined> {
    const id = installationDocId(installationId);
    const doc = await this.receipts.read<InstallationDoc>(id, [tenantId, id]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, kind: _kind, _etag, ...state } = doc;
    return { ...strip<InstallationState<Receipt>>(state), etag: _etag! };
  }

  createInstallation(state: InstallationState<Receipt>): Promise<CreateOutcome> {
    return this.receipts.create<InstallationDoc>({ ...state, id: installationDocId(state.installationId), kind: 'installation' });
  }

  replaceInstallation(state: InstallationState<Receipt>, etag: string): Promise<boolean> {
    const id = installationDocId(state.installationId);
    return this.receipts.replace<InstallationDoc>({ ...state, id, kind: 'installation' }, [state.tenantId, id], etag);
  }

  storeRecord(record: ChainRecord<Receipt>): Promise<CreateOutcome> {
    return record.kind === 'receipt' ? this.createReceipt(record.receipt) : this.createCancellation(record.cancellation);
  }

  createCancellation(cancellation: Cancellation): Promise<CreateOutcome> {
    return this.receipts.create<CancellationDoc>({ ...cancellation, id: cancellationId(cancellation.transactionId), kind: 'cancellation' });
  }

  async getCancellation(tenantId: string, transactionId: string): Promise<Cancellation | undefined> {
    const id = cancellationId(transactionId);
    const doc = await this.receipts.read<CancellationDoc>(id, [tenantId, id]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, kind: _kind, ...rest } = strip<CancellationDoc>(doc);
    return rest;
  }

  async markCancelled(tenantId: string, transactionId: string, cancelled: NonNullable<Receipt['cancelled']>): Promise<Receipt | undefined> {
    const id = receiptId(transactionId);
    const updated = await this.receipts.update<ReceiptDoc>(id, [tenantId, id], (doc) => (doc.cancelled ? undefined : { ...doc, cancelled }));
    return updated && unwrap(updated);
  }

  async listChain(tenantId: string, installationId: string, limit: number, continuationToken?: string): Promise<Page<ChainRecord<Receipt>>> {
    const page = await this.receipts.query<ReceiptDoc | CancellationDoc>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.chain.installationId = @installationId ORDER BY c.chain.sequence ASC',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@installationId', value: installationId },
      ],
      { maxItemCount: limit, continuationToken },
    );
    const items = page.items.map((doc): ChainRecord<Receipt> => {
      if (doc.kind === 'receipt') return { kind: 'receipt', receipt: unwrap(doc) };
      const { id: _id, kind: _kind, ...cancellation } = strip<CancellationDoc>(doc);
      return { kind: 'cancellation', cancellation };
    });
    return { items, continuationToken: page.continuationToken };
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
    const { items } = await this.receipts.query<{ n: number }>(
      'SELECT COUNT(1) AS n FROM c WHERE c.tenantId = @tenantId AND c.kind = "receipt" AND c.customerId = @customerId',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: customerId },
      ],
    );
    return items[0]?.n ?? 0;
  }

  async setCustomer(tenantId: string, transactionId: string, customerId: string): Promise<Receipt | undefined> {
    const id = receiptId(transactionId);
    const updated = await this.receipts.update<ReceiptDoc>(id, [tenantId, id], (doc) => (doc.customerId === null ? { ...doc, customerId } : undefined));
    return updated && unwrap(updated);
  }

  async reassign(tenantId: string, fromId: string, toId: string | null): Promise<Receipt[]> {
    // An installation's head is a copy of its last record, stored again by the next one: it must agree.
    const heads = await this.receipts.queryAll<InstallationDoc>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "installation" AND c.head.kind = "receipt" AND c.head.receipt.customerId = @customerId',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: fromId },
      ],
    );
    for (const head of heads) {
      await this.receipts.update<InstallationDoc>(head.id, [tenantId, head.id], (doc) =>
        doc.head?.kind === 'receipt' && doc.head.receipt.customerId === fromId
          ? { ...doc, head: { kind: 'receipt', receipt: { ...doc.head.receipt, customerId: toId } } }
          : undefined,
      );
    }
    const changed: Receipt[] = [];
    for (const receipt of await this.listAll(tenantId, fromId)) {
      const id = receiptId(receipt.transactionId);
      const updated = await this.receipts.update<ReceiptDoc>(id, [tenantId, id], (doc) =>
        doc.customerId === fromId ? { ...doc, customerId: toId } : undefined,
      );
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

function installationDocId(installationId: string): string {
  return `installation:${installationId}`;
}

function cancellationId(transactionId: string): string {
  return `cancellation:${transactionId}`;
}

function unwrap(doc: ReceiptDoc): Receipt {
  const { id: _id, kind: _kind, ...rest } = strip<ReceiptDoc>(doc);
  return rest;
}
