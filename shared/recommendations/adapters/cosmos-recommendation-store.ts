import { deterministicId } from '../../kernel/ids';
import type { Documents } from '../../kernel/adapters/documents';
import { emptyHistory, type PurchaseHistory } from '../history';
import type { Conversion, RecommendationSettings, RecommendationStore, StoredBasket } from '../ports';

/** Tenant-wide documents (settings, the tenant marker, served counts) share one partition. */
const TENANT_WIDE = '*';
/** A customer who buys in several tills at once races on her history: each lost race costs one read. */
const HISTORY_ATTEMPTS = 50;

type BasketDoc = StoredBasket & { id: string; kind: 'basket'; partition: string };
type HistoryDoc = PurchaseHistory & { kind: 'history'; partition: string };

/**
 * The `recommendations` container, partitioned by tenant and then by customer (histories), month
 * (baskets: no logical partition outgrows 20 GB) or '*' (tenant-wide). Ids are hashes, unique
 * within the tenant.
 */
export class CosmosRecommendationStore implements RecommendationStore {
  constructor(private readonly docs: Documents) {}

  private historyId = (customerId: string) => deterministicId('rh', customerId);
  private basketId = (transactionId: string) => deterministicId('rb', transactionId);

  async getHistory(tenantId: string, customerId: string): Promise<PurchaseHistory | undefined> {
    const doc = await this.docs.read<HistoryDoc>(this.historyId(customerId), [tenantId, customerId]);
    return doc ? { tenantId, customerId, items: doc.items, applied: doc.applied } : undefined;
  }

  async updateHistory(tenantId: string, customerId: string, mutate: (current: PurchaseHistory) => PurchaseHistory | undefined): Promise<void> {
    const id = this.historyId(customerId);
    const key = [tenantId, customerId];
    const asDoc = (h: PurchaseHistory): HistoryDoc => ({ ...h, kind: 'history', partition: customerId });
    const change = (doc: HistoryDoc) => {
      const next = mutate({ tenantId, customerId, items: doc.items, applied: doc.applied });
      return next && asDoc(next);
    };
    if (await this.docs.update<HistoryDoc>(id, key, change, HISTORY_ATTEMPTS)) return;
    const created = mutate(emptyHistory(tenantId, customerId));
    if (!created || (await this.docs.create({ id, ...asDoc(created) })) === 'created') return;
    await this.docs.update<HistoryDoc>(id, key, change, HISTORY_ATTEMPTS);
  }

  async deleteHistory(tenantId: string, customerId: string): Promise<void> {
    await this.docs.delete(this.historyId(customerId), [tenantId, customerId]);
  }

  async saveBasket(basket: StoredBasket): Promise<'created' | 'exists'> {
    return this.docs.create<BasketDoc>({ id: this.basketId(basket.transactionId), ...basket, kind: 'basket', partition: monthOf(basket.occurredAt) });
  }

  private async findBasket(tenantId: string, transactionId: string): Promise<BasketDoc | undefined> {
    const [doc] = await this.docs.queryAll<BasketDoc>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'basket' AND c.id = @id", [
      { name: '@t', value: tenantId },
      { name: '@id', value: this.basketId(transactionId) },
    ]);
    return doc;
  }

  async setBasketCustomer(tenantId: string, transactionId: string, customerId: string | null): Promise<void> {
    const doc = await this.findBasket(tenantId, transactionId);
    if (!doc || doc.customerId === customerId) return;
    await this.docs.patchAll(this.basketId(transactionId), [tenantId, doc.partition], { '/customerId': customerId });
  }

  async *basketsSince(tenantId: string, since: string): AsyncIterable<StoredBasket[]> {
    let continuationToken: string | undefined;
    do {
      const page = await this.docs.query<BasketDoc>(
        "SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'basket' AND c.occurredAt >= @since",
        [
          { name: '@t', value: tenantId },
          { name: '@since', value: since },
        ],
        { maxItemCount: 5_000, continuationToken },
      );
      yield page.items.map(toBasket);
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
  }

  async basketsStoredSince(tenantId: string, storedSince: string): Promise<StoredBasket[]> {
    const docs = await this.docs.queryAll<BasketDoc>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'basket' AND c.storedAt >= @s ORDER BY c.storedAt", [
      { name: '@t', value: tenantId },
      { name: '@s', value: storedSince },
    ]);
    return docs.map(toBasket);
  }

  async basketIdsOf(tenantId: string, customerId: string): Promise<string[]> {
    const docs = await this.docs.queryAll<{ transactionId: string }>(
      "SELECT c.transactionId FROM c WHERE c.tenantId = @t AND c.kind = 'basket' AND c.customerId = @c",
      [
        { name: '@t', value: tenantId },
        { name: '@c', value: customerId },
      ],
    );
    return docs.map((d) => d.transactionId);
  }

  async deleteBasket(tenantId: string, transactionId: string): Promise<void> {
    const doc = await this.findBasket(tenantId, transactionId);
    if (doc) await this.docs.delete(doc.id, [tenantId, doc.partition]);
  }

  async tenants(): Promise<string[]> {
    const docs = await this.docs.queryAll<{ tenantId: string }>("SELECT c.tenantId FROM c WHERE c.kind = 'tenant'", []);
    return docs.map((d) => d.tenantId);
  }

  async markTenant(tenantId: string): Promise<void> {
    await this.docs.upsert({ id: 'tenant', tenantId, partition: TENANT_WIDE, kind: 'tenant' });
  }

  async saveConversion(conversion: Conversion): Promise<'created' | 'exists'> {
    const id = deterministicId('rc', conversion.transactionId, String(conversion.lineNumber));
    return this.docs.create({ id, ...conversion, kind: 'conversion', partition: monthOf(conversion.occurredAt) });
  }

  conversionsBetween(tenantId: string, from: string, to: string): Promise<Conversion[]> {
    return this.docs.queryAll<Conversion>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'conversion' AND c.occurredAt >= @f AND c.occurredAt < @to", [
      { name: '@t', value: tenantId },
      { name: '@f', value: from },
      { name: '@to', value: to },
    ]);
  }

  async addServed(tenantId: string, day: string, counts: Record<string, number>): Promise<void> {
    const id = deterministicId('rs', day);
    const key = [tenantId, TENANT_WIDE];
    const operations = Object.entries(counts).map(([kind, n]) => ({ op: 'incr' as const, path: `/counts/${kind}`, value: n }));
    const patched = await this.docs.patchIf(id, key, undefined, operations);
    if (patched.outcome === 'applied') return;
    if ((await this.docs.create({ id, tenantId, partition: TENANT_WIDE, kind: 'served', day, counts })) === 'exists')
      await this.docs.patchIf(id, key, undefined, operations);
  }

  async servedBetween(tenantId: string, fromDay: string, toDay: string): Promise<Record<string, number>> {
    const docs = await this.docs.queryAll<{ counts: Record<string, number> }>(
      "SELECT c.counts FROM c WHERE c.tenantId = @t AND c.kind = 'served' AND c.day >= @f AND c.day <= @to",
      [
        { name: '@t', value: tenantId },
        { name: '@f', value: fromDay },
        { name: '@to', value: toDay },
      ],
    );
    const total: Record<string, number> = {};
    for (const { counts } of docs) for (const [kind, n] of Object.entries(counts)) total[kind] = (total[kind] ?? 0) + n;
    return total;
  }

  async getSettings(tenantId: string): Promise<RecommendationSettings | undefined> {
    const doc = await this.docs.read<RecommendationSettings>('settings', [tenantId, TENANT_WIDE]);
    return doc ? { repeatPurchaseCategories: doc.repeatPurchaseCategories } : undefined;
  }

  async saveSettings(tenantId: string, settings: RecommendationSettings): Promise<void> {
    await this.docs.upsert({ id: 'settings', tenantId, partition: TENANT_WIDE, kind: 'settings', ...settings });
  }
}

const monthOf = (iso: string) => `m:${new Date(iso).toISOString().slice(0, 7)}`;

function toBasket({ id: _id, kind: _kind, partition: _partition, ...basket }: BasketDoc): StoredBasket {
  return basket;
}
