import type { SqlParameter } from '@azure/cosmos';
import { deterministicId } from '../../kernel/ids';
import type { FieldIssue } from '../../kernel/errors';
import type { Page } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';
import type { CatalogueStore, StoreOutcome } from '../catalogue';
import type { CatalogueDocument, CatalogueSettings, PriceEntry, Product, Relations, Variant } from '../model';

const SETTINGS_ID = 'catalogue-settings';
/** Per bulk call: the SDK splits it into requests of 100 anyway. */
const BULK = 500;
/** Pages of whole-catalogue reads: Cosmos DB caps a page at 4 MB anyway, and fewer pages are fewer round trips. */
const PAGE = 10_000;
/** What the feeds read of products and variants: everything but the search tokens, their largest part. */
const PRODUCT_FIELDS = [
  'tenantId',
  'kind',
  'productId',
  'name',
  'brand',
  'description',
  'families',
  'familyPath',
  'attributes',
  'images',
  'status',
  'version',
  'updatedAt',
];
const VARIANT_FIELDS = ['tenantId', 'kind', 'productId', 'sku', 'gtin', 'options', 'images', 'status', 'version', 'updatedAt'];
const select = (fields: string[]) => fields.map((f) => `c.${f}`).join(', ');

export function documentId(doc: CatalogueDocument): string {
  if (doc.kind === 'product') return productId(doc.productId);
  if (doc.kind === 'variant') return variantId(doc.sku);
  return priceId(doc.priceListId, doc.sku, doc.locationId);
}
const productId = (id: string) => deterministicId('prd', id);
const variantId = (sku: string) => deterministicId('var', sku);
const priceId = (list: string, sku: string, locationId: string | null) => deterministicId('prc', list, locationId ?? '*', sku);
const relationsId = (id: string) => deterministicId('rel', id);

type Stored<T> = T & { id: string };

/**
 * The `catalogue` container, partitioned by tenant and document id: every document is a point
 * read by an id derived from what names it (product id, SKU, price list + location + SKU); lists
 * (a family, a product's variants, a price list) are queries within the tenant.
 */
export class CosmosCatalogueStore implements CatalogueStore {
  constructor(private readonly docs: Documents) {}

  private async read<T extends { tenantId: string }>(tenantId: string, id: string): Promise<T | undefined> {
    const doc = await this.docs.read<Stored<T>>(id, [tenantId, id]);
    // The tenant predicate is checked here too, not only through the partition key.
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, ...rest } = strip<Stored<T>>(doc);
    return rest as unknown as T;
  }

  getSettings(tenantId: string): Promise<CatalogueSettings | undefined> {
    return this.read<CatalogueSettings>(tenantId, SETTINGS_ID);
  }

  async saveSettings(settings: CatalogueSettings): Promise<void> {
    await this.docs.upsert({ id: SETTINGS_ID, ...settings });
  }

  async tenantsWithCatalogue(): Promise<string[]> {
    // Across tenants on purpose: the publisher is the platform's own job.
    const rows = await this.docs.queryAll<{ tenantId: string }>("SELECT c.tenantId FROM c WHERE c.kind = 'settings' AND c.id = @id", [
      { name: '@id', value: SETTINGS_ID },
    ]);
    return rows.map((r) => r.tenantId);
  }

  async applyVersioned<T extends CatalogueDocument>(docs: T[], refuse?: (current: T, next: T) => FieldIssue | undefined): Promise<StoreOutcome[]> {
    const outcomes: StoreOutcome[] = [];
    for (let start = 0; start < docs.length; start += BULK) {
      const chunk = docs.slice(start, start + BULK);
      const stored = chunk.map((doc) => ({ ...doc, id: documentId(doc) }));
      const created = await this.docs.createMany(stored, (doc) => [doc.tenantId, doc.id]);
      // Already there (or twice in this chunk): compare versions, one document at a time.
      for (let n = 0; n < chunk.length; n += 1) outcomes.push(created[n] === 'created' ? 'created' : await this.replaceIfNewer(stored[n]!, refuse));
    }
    return outcomes;
  }

  private async replaceIfNewer<T extends CatalogueDocument>(next: Stored<T>, refuse?: (current: T, next: T) => FieldIssue | undefined): Promise<StoreOutcome> {
    let outcome: StoreOutcome = 'unchanged';
    const updated = await this.docs.update<Stored<T>>(next.id, [next.tenantId, next.id], (current) => {
      if (current.version >= next.version) {
        outcome = current.version === next.version ? 'unchanged' : 'stale';
        return undefined;
      }
      const refused = refuse?.(current, next);
      if (refused) {
        outcome = { refused };
        return undefined;
      }
      outcome = 'updated';
      return next;
    });
    // Deleted between the create and the read (never by the platform): create it again.
    if (!updated) return (await this.docs.create(next)) === 'created' ? 'created' : this.replaceIfNewer(next, refuse);
    return outcome;
  }

  getProduct(tenantId: string, id: string): Promise<Product | undefined> {
    return this.read<Product>(tenantId, productId(id));
  }

  getVariant(tenantId: string, sku: string): Promise<Variant | undefined> {
    return this.read<Variant>(tenantId, variantId(sku));
  }

  getPrice(tenantId: string, priceListId: string, sku: string, locationId: string | null): Promise<PriceEntry | undefined> {
    return this.read<PriceEntry>(tenantId, priceId(priceListId, sku, locationId));
  }

  async existingProducts(tenantId: string, productIds: string[]): Promise<Set<string>> {
    // Point reads, a few at a time: a read costs the same whatever the catalogue's size.
    const found = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < productIds.length) {
        const id = productIds[next++]!;
        if (await this.getProduct(tenantId, id)) found.add(id);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return found;
  }

  variantsOf(tenantId: string, id: string): Promise<Variant[]> {
    return this.docs.queryAll<Variant>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'variant' AND c.productId = @p", [
      { name: '@t', value: tenantId },
      { name: '@p', value: id },
    ]);
  }

  productsInFamily(tenantId: string, familyId: string, limit: number, continuationToken?: string): Promise<Page<Product>> {
    return this.docs.query<Product>(
      "SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'product' AND ARRAY_CONTAINS(c.familyPath, @f)",
      [
        { name: '@t', value: tenantId },
        { name: '@f', value: familyId },
      ],
      { maxItemCount: limit, continuationToken },
    );
  }

  async search(tenantId: string, tokens: string[], limit: number): Promise<{ products: Product[]; variants: Variant[] }> {
    // Each token is an array-membership test, which Cosmos DB answers from its index: the cost
    // follows the matches, not the size of the catalogue.
    const where = tokens.map((_, i) => `ARRAY_CONTAINS(c.tokens, @w${i})`).join(' AND ');
    const parameters: SqlParameter[] = [{ name: '@t', value: tenantId }, ...tokens.map((value, i) => ({ name: `@w${i}`, value }))];
    const [products, variants] = await Promise.all([
      this.docs.query<Product>(`SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.tenantId = @t AND c.kind = 'product' AND ${where}`, parameters),
      this.docs.query<Variant>(`SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.tenantId = @t AND c.kind = 'variant' AND ${where}`, parameters),
    ]);
    return { products: products.items, variants: variants.items };
  }

  getRelations(tenantId: string, id: string): Promise<Relations | undefined> {
    return this.read<Relations>(tenantId, relationsId(id));
  }

  async updateRelations(tenantId: string, id: string, mutate: (current: Relations) => Relations | undefined): Promise<Relations | undefined> {
    const docId = relationsId(id);
    for (;;) {
      const updated = await this.docs.update<Stored<Relations>>(docId, [tenantId, docId], (current) => {
        const next = mutate(current);
        return next && { ...next, id: docId };
      });
      if (updated) return updated;
      const empty: Relations = { kind: 'relations', tenantId, productId: id, byType: {} };
      const created = mutate(empty);
      if (!created) return empty;
      if ((await this.docs.create({ ...created, id: docId })) === 'created') return created;
    }
  }

  allProducts(tenantId: string): AsyncIterable<Product[]> {
    return this.pages<Product>(`SELECT ${select(PRODUCT_FIELDS)} FROM c WHERE c.tenantId = @t AND c.kind = 'product'`, [{ name: '@t', value: tenantId }]);
  }

  allVariants(tenantId: string): AsyncIterable<Variant[]> {
    return this.pages<Variant>(`SELECT ${select(VARIANT_FIELDS)} FROM c WHERE c.tenantId = @t AND c.kind = 'variant'`, [{ name: '@t', value: tenantId }]);
  }

  pricesOf(tenantId: string, priceListId: string): AsyncIterable<PriceEntry[]> {
    return this.pages<PriceEntry>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'price' AND c.priceListId = @l", [
      { name: '@t', value: tenantId },
      { name: '@l', value: priceListId },
    ]);
  }

  private async *pages<T>(query: string, parameters: SqlParameter[]): AsyncIterable<T[]> {
    let continuationToken: string | undefined;
    do {
      const page = await this.docs.query<T>(query, parameters, { maxItemCount: PAGE, continuationToken });
      yield page.items;
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
  }
}
