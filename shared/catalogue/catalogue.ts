import { z } from 'zod';
import { invalid, notFound, type FieldIssue } from '../kernel/errors';
import type { Clock, Page } from '../kernel/ports';
import type { Principal, TenancyService } from '../tenancy';
import {
  attributeIssues,
  CatalogueItem,
  type CatalogueSettingsInput,
  familyClosure,
  searchTokens,
  settingsChangeIssues,
  words,
  type CatalogueDocument,
  type CatalogueSettings,
  type Channel,
  type PriceEntry,
  type Product,
  type ProductItem,
  type RelationType,
  type Relations,
  type Variant,
  RELATION_TYPES,
} from './model';
import { listFor, resolvePrice, type ResolvedPrice } from './pricing';

/** What storing a versioned item did: `unchanged` for the same version again, `stale` for an older one (ignored). */
export type StoreOutcome = 'created' | 'updated' | 'unchanged' | 'stale' | { refused: FieldIssue };

export interface CatalogueStore {
  getSettings(tenantId: string): Promise<CatalogueSettings | undefined>;
  saveSettings(settings: CatalogueSettings): Promise<void>;
  /** Tenants that have a catalogue (settings saved), across the platform: the publisher's list. */
  tenantsWithCatalogue(): Promise<string[]>;
  /**
   * Writes each document unless the stored one has the same or a newer version; `refuse` may veto
   * replacing what is stored (a SKU of another product). New documents are created in bulk.
   */
  applyVersioned<T extends CatalogueDocument>(docs: T[], refuse?: (current: T, next: T) => FieldIssue | undefined): Promise<StoreOutcome[]>;
  getProduct(tenantId: string, productId: string): Promise<Product | undefined>;
  getVariant(tenantId: string, sku: string): Promise<Variant | undefined>;
  getPrice(tenantId: string, priceListId: string, sku: string, locationId: string | null): Promise<PriceEntry | undefined>;
  /** Which of these products exist. */
  existingProducts(tenantId: string, productIds: string[]): Promise<Set<string>>;
  variantsOf(tenantId: string, productId: string): Promise<Variant[]>;
  productsInFamily(tenantId: string, familyId: string, limit: number, continuationToken?: string): Promise<Page<Product>>;
  /** Products and variants holding every token, at most `limit` of each. */
  search(tenantId: string, tokens: string[], limit: number): Promise<{ products: Product[]; variants: Variant[] }>;
  getRelations(tenantId: string, productId: string): Promise<Relations | undefined>;
  /** Read-modify-write with the etag; a missing document is created from `mutate(empty)`. */
  updateRelations(tenantId: string, productId: string, mutate: (current: Relations) => Relations | undefined): Promise<Relations | undefined>;
  /** Every product and variant, page by page, without their search tokens. */
  allProducts(tenantId: string): AsyncIterable<Array<Omit<Product, 'tokens'>>>;
  allVariants(tenantId: string): AsyncIterable<Array<Omit<Variant, 'tokens'>>>;
  pricesOf(tenantId: string, priceListId: string): AsyncIterable<PriceEntry[]>;
}

export const ItemResultSchema = z
  .object({
    index: z.number().int().describe('Position in the batch (or line of a snapshot file)'),
    type: z.enum(['product', 'variant', 'price', 'relations']).nullable(),
    key: z.string().nullable().describe('productId, SKU, or price list/location/SKU'),
    outcome: z.enum(['created', 'updated', 'unchanged', 'stale', 'rejected']).describe('`stale`: an older version than the one stored, ignored'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Why it was rejected, per field'),
  })
  .meta({ id: 'CatalogueItemResult' });
export type ItemResult = z.output<typeof ItemResultSchema>;

export const UpsertResultSchema = z
  .object({
    results: z.array(ItemResultSchema),
    summary: z.record(z.enum(['created', 'updated', 'unchanged', 'stale', 'rejected']), z.number().int()),
  })
  .meta({ id: 'CatalogueUpsertResult' });
export type UpsertResult = z.output<typeof UpsertResultSchema>;

export const CatalogueSettingsViewSchema = z
  .object({
    families: z.array(z.object({ familyId: z.string(), name: z.string(), parentId: z.string().nullable() })),
    attributes: z.array(
      z.object({
        code: z.string(),
        name: z.string().optional(),
        type: z.enum(['text', 'number', 'enum', 'boolean']),
        values: z.array(z.string()).optional(),
        required: z.boolean(),
      }),
    ),
    priceLists: z.array(
      z.object({ priceListId: z.string(), name: z.string(), channel: z.enum(['store', 'online']), country: z.string(), currency: z.string() }),
    ),
    parity: z.object({ priceTolerancePercent: z.number(), priceToleranceMinor: z.number().int(), availabilityToleranceUnits: z.number().int() }),
    publishing: z.object({ productUrlTemplate: z.string(), pickupMethod: z.string(), pickupSla: z.string() }).optional(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CatalogueSettings' });

export function settingsView({ kind: _k, tenantId: _t, ...view }: CatalogueSettings): z.output<typeof CatalogueSettingsViewSchema> {
  return view;
}

const VariantViewSchema = z.object({
  sku: z.string(),
  gtin: z.string().nullable(),
  options: z.record(z.string(), z.string()),
  images: z.array(z.string()),
  status: z.enum(['active', 'discontinued']),
  version: z.number().int(),
});
export const ProductSummarySchema = z
  .object({
    productId: z.string(),
    name: z.string(),
    brand: z.string().nullable(),
    description: z.string().nullable(),
    families: z.array(z.string()).describe('The leaf families it is placed in'),
    familyPath: z.array(z.string()).describe('Every family on its paths, root to leaf'),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    images: z.array(z.string()),
    status: z.enum(['active', 'discontinued']),
    version: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'ProductSummary' });
export const ProductViewSchema = ProductSummarySchema.extend({
  variants: z.array(VariantViewSchema),
  relations: z.array(z.object({ type: z.enum(RELATION_TYPES), related: z.array(z.string()) })).describe('Typed, each list in order'),
}).meta({ id: 'Product' });
export type ProductView = z.output<typeof ProductViewSchema>;
export const SkuViewSchema = ProductSummarySchema.extend({
  sku: z.string(),
  variant: VariantViewSchema,
  relations: z.array(z.object({ type: z.enum(RELATION_TYPES), related: z.array(z.string()) })).describe('Typed, each list in order'),
}).meta({ id: 'SkuProduct' });
export type SkuView = z.output<typeof SkuViewSchema>;
export const ProductPageSchema = z
  .object({ items: z.array(ProductSummarySchema), continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page') })
  .meta({ id: 'ProductPage' });
export const SearchResultSchema = z
  .object({ items: z.array(ProductSummarySchema.extend({ matchedSkus: z.array(z.string()) })) })
  .meta({ id: 'ProductSearchResult' });
export type FamilyNode = { familyId: string; name: string; children: FamilyNode[] };
const FamilyNodeSchema: z.ZodType<FamilyNode> = z.lazy(() => z.object({ familyId: z.string(), name: z.string(), children: z.array(FamilyNodeSchema) }));
export const FamilyTreeSchema = z.object({ roots: z.array(FamilyNodeSchema) }).meta({ id: 'FamilyTree' });

const SETTINGS_TTL_MS = 30_000;

function summary(p: Product): z.output<typeof ProductSummarySchema> {
  return {
    productId: p.productId,
    name: p.name,
    brand: p.brand,
    description: p.description,
    families: p.families,
    familyPath: p.familyPath,
    attributes: p.attributes,
    images: p.images,
    status: p.status,
    version: p.version,
    updatedAt: p.updatedAt,
  };
}

/**
 * The tenant's connected copy of the ERP's catalogue: settings (families, attributes, price lists),
 * products, variants, prices and relations, each applied only when newer than what is stored.
 */
export class CatalogueService {
  private readonly settingsCache = new Map<string, { value: Promise<CatalogueSettings | undefined>; until: number }>();

  constructor(
    private readonly store: CatalogueStore,
    private readonly tenancy: TenancyService,
    private readonly clock: Clock,
  ) {}

  // ---- settings ----

  /** The settings, from a cache of SETTINGS_TTL_MS (they change rarely and every sale's enrichment asks). */
  async cachedSettings(tenantId: string): Promise<CatalogueSettings | undefined> {
    const hit = this.settingsCache.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.value;
    // The read itself is shared: a hundred sales arriving at once make one read, not a hundred.
    const value = this.store.getSettings(tenantId);
    if (this.settingsCache.size > 10_000) this.settingsCache.clear();
    this.settingsCache.set(tenantId, { value, until: Date.now() + SETTINGS_TTL_MS });
    value.catch(() => this.settingsCache.delete(tenantId));
    return value;
  }

  async settings(tenantId: string): Promise<CatalogueSettings> {
    const settings = await this.store.getSettings(tenantId);
    if (!settings) throw notFound('The catalogue settings');
    return settings;
  }

  async saveSettings(tenantId: string, input: CatalogueSettingsInput): Promise<CatalogueSettings> {
    const issues = settingsChangeIssues(await this.store.getSettings(tenantId), input);
    if (issues.length > 0) throw invalid(issues);
    const settings: CatalogueSettings = { kind: 'settings', tenantId, ...input, updatedAt: this.clock.now().toISOString() };
    await this.store.saveSettings(settings);
    this.settingsCache.set(tenantId, { value: Promise.resolve(settings), until: Date.now() + SETTINGS_TTL_MS });
    return settings;
  }

  // ---- incremental upserts ----

  /**
   * Applies a batch: each item is checked on its own (its shape, then families, attributes, price
   * list, location, the products it names) and stored only when newer than what is stored. A bad
   * item is reported with its fields and changes nothing; the others apply. `knownProducts`
   * remembers products seen to exist across the batches of one import.
   */
  async upsert(tenantId: string, raw: readonly unknown[], options: { indexes?: number[]; knownProducts?: Set<string> } = {}): Promise<UpsertResult> {
    const now = this.clock.now().toISOString();
    const settings = await this.store.getSettings(tenantId);
    const results: ItemResult[] = raw.map((_, i) => ({ index: options.indexes?.[i] ?? i, type: null, key: null, outcome: 'rejected' }));
    const reject = (i: number, errors: FieldIssue[]) => Object.assign(results[i]!, { outcome: 'rejected', errors });
    const parsed: Array<{ i: number; item: CatalogueItem }> = [];
    raw.forEach((value, i) => {
      const type = (value as { type?: unknown })?.type;
      if (typeof type === 'string') results[i]!.type = (['product', 'variant', 'price', 'relations'].includes(type) ? type : null) as ItemResult['type'];
      const result = CatalogueItem.safeParse(value);
      results[i]!.key = rawKeyOf(value);
      if (!result.success) {
        reject(
          i,
          result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(item)', message: issue.message })),
        );
        return;
      }
      results[i]!.key = keyOf(result.data);
      if (!settings) reject(i, [{ field: '(item)', message: 'the catalogue has no settings yet (families, attributes, price lists): save them first' }]);
      else parsed.push({ i, item: result.data });
    });
    if (!settings) return withSummary(results);

    // The products items name: in this batch, known from earlier batches, or stored.
    const known = options.knownProducts ?? new Set<string>();
    for (const { item } of parsed) if (item.type === 'product' && productIssues(settings, item).length === 0) known.add(item.productId);
    const named = new Set<string>();
    for (const { item } of parsed) {
      if (item.type === 'variant' || item.type === 'relations') named.add(item.productId);
      if (item.type === 'relations') item.related.forEach((p) => named.add(p));
    }
    const unknown = [...named].filter((p) => !known.has(p));
    for (const p of await this.store.existingProducts(tenantId, unknown)) known.add(p);

    const docs: { products: Product[]; variants: Variant[]; prices: PriceEntry[] } = { products: [], variants: [], prices: [] };
    const slots: { products: number[]; variants: number[]; prices: number[] } = { products: [], variants: [], prices: [] };
    const relations: Array<{ i: number; item: Extract<CatalogueItem, { type: 'relations' }> }> = [];
    for (const { i, item } of parsed) {
      const issues = await this.itemIssues(tenantId, settings, item, known);
      if (issues.length > 0) {
        reject(i, issues);
        continue;
      }
      if (item.type === 'product') {
        docs.products.push(productDoc(tenantId, settings, item, now));
        slots.products.push(i);
      } else if (item.type === 'variant') {
        const { type: _t, ...v } = item;
        docs.variants.push({ kind: 'variant', tenantId, ...v, gtin: v.gtin ?? null, tokens: searchTokens(v.sku), updatedAt: now });
        slots.variants.push(i);
      } else if (item.type === 'price') {
        const { type: _t, ...p } = item;
        docs.prices.push({ kind: 'price', tenantId, ...p, locationId: p.locationId ?? null, sale: p.sale ?? null, updatedAt: now });
        slots.prices.push(i);
      } else relations.push({ i, item });
    }

    const record = (indexes: number[], outcomes: StoreOutcome[]) =>
      outcomes.forEach((outcome, n) => {
        if (typeof outcome === 'string') results[indexes[n]!]!.outcome = outcome;
        else reject(indexes[n]!, [outcome.refused]);
      });
    record(slots.products, await this.store.applyVersioned(docs.products));
    record(
      slots.variants,
      await this.store.applyVersioned(docs.variants, (current, next) =>
        current.productId !== next.productId ? { field: 'sku', message: `belongs to product ${current.productId}` } : undefined,
      ),
    );
    record(slots.prices, await this.store.applyVersioned(docs.prices));
    for (const { i, item } of relations) results[i]!.outcome = await this.applyRelations(tenantId, item, now);
    return withSummary(results);
  }

  private async itemIssues(tenantId: string, settings: CatalogueSettings, item: CatalogueItem, known: Set<string>): Promise<FieldIssue[]> {
    switch (item.type) {
      case 'product':
        return productIssues(settings, item);
      case 'variant':
        return known.has(item.productId) ? [] : [{ field: 'productId', message: `product ${item.productId} does not exist` }];
      case 'relations':
        return [
          ...(known.has(item.productId) ? [] : [{ field: 'productId', message: `product ${item.productId} does not exist` }]),
          ...item.related.flatMap((p, n) => (known.has(p) ? [] : [{ field: `related.${n}`, message: `product ${p} does not exist` }])),
        ];
      case 'price': {
        const list = settings.priceLists.find((l) => l.priceListId === item.priceListId);
        if (!list) return [{ field: 'priceListId', message: `price list ${item.priceListId} does not exist` }];
        const issues: FieldIssue[] = [];
        if (item.currency !== list.currency) issues.push({ field: 'currency', message: `price list ${list.priceListId} is in ${list.currency}` });
        if (item.locationId) {
          const location = await this.tenancy.getLocation(tenantId, item.locationId);
          if (!location) issues.push({ field: 'locationId', message: `location ${item.locationId} does not exist` });
          else if (location.country !== list.country) issues.push({ field: 'locationId', message: `location ${item.locationId} is not in ${list.country}` });
        }
        return issues;
      }
    }
  }

  private async applyRelations(tenantId: string, item: Extract<CatalogueItem, { type: 'relations' }>, now: string): Promise<ItemResult['outcome']> {
    let outcome: ItemResult['outcome'] = 'unchanged';
    await this.store.updateRelations(tenantId, item.productId, (current) => {
      const stored = current.byType[item.relation];
      if (stored && stored.version >= item.version) {
        outcome = stored.version === item.version ? 'unchanged' : 'stale';
        return undefined;
      }
      outcome = stored ? 'updated' : 'created';
      return { ...current, byType: { ...current.byType, [item.relation]: { related: item.related, version: item.version, updatedAt: now } } };
    });
    return outcome;
  }

  // ---- reads ----

  async product(tenantId: string, productId: string): Promise<ProductView> {
    const product = await this.store.getProduct(tenantId, productId);
    if (!product) throw notFound(`Product ${productId}`);
    return this.view(product);
  }

  /** The product of a SKU with that variant and the product's relations: three point reads (the last two at once), no query. */
  async productBySkuView(tenantId: string, sku: string): Promise<SkuView> {
    const variant = await this.store.getVariant(tenantId, sku);
    const [product, relations] = variant
      ? await Promise.all([this.store.getProduct(tenantId, variant.productId), this.relationsOf(tenantId, variant.productId)])
      : [undefined, []];
    if (!product) throw notFound(`SKU ${sku}`);
    return { ...summary(product), sku, variant: variantView(variant!), relations };
  }

  /** The product and variant of a SKU (two point reads), or undefined when the catalogue does not know it. */
  async productBySku(tenantId: string, sku: string): Promise<{ product: Product; variant: Variant } | undefined> {
    const variant = await this.store.getVariant(tenantId, sku);
    const product = variant && (await this.store.getProduct(tenantId, variant.productId));
    return product ? { product, variant: variant! } : undefined;
  }

  /** Related products, typed, each list in its order (recommendations use it). */
  async relationsOf(tenantId: string, productId: string): Promise<Array<{ type: RelationType; related: string[] }>> {
    const relations = await this.store.getRelations(tenantId, productId);
    return RELATION_TYPES.flatMap((type) => {
      const list = relations?.byType[type];
      return list && list.related.length > 0 ? [{ type, related: list.related }] : [];
    });
  }

  private async view(product: Product): Promise<ProductView> {
    const [variants, relations] = await Promise.all([
      this.store.variantsOf(product.tenantId, product.productId),
      this.relationsOf(product.tenantId, product.productId),
    ]);
    return {
      ...summary(product),
      variants: variants.sort((a, b) => a.sku.localeCompare(b.sku)).map(variantView),
      relations,
    };
  }

  async inFamily(tenantId: string, familyId: string, limit: number, continuationToken?: string): Promise<z.output<typeof ProductPageSchema>> {
    const settings = await this.cachedSettings(tenantId);
    if (!settings?.families.some((f) => f.familyId === familyId)) throw notFound(`Family ${familyId}`);
    const page = await this.store.productsInFamily(tenantId, familyId, limit, continuationToken);
    return { items: page.items.map(summary), continuationToken: page.continuationToken };
  }

  /** Products whose name, brand, id or one of whose SKUs hold every word of `text` (words may be cut short: "chel boo"). */
  async search(tenantId: string, text: string, limit: number): Promise<z.output<typeof SearchResultSchema>> {
    const tokens = [...new Set(words(text).map((w) => w.slice(0, 20)))].slice(0, 8);
    if (tokens.length === 0) throw invalid([{ field: 'q', message: 'must hold a letter or a digit' }]);
    const { products, variants } = await this.store.search(tenantId, tokens, limit);
    const found = new Map(products.map((p) => [p.productId, { product: p, skus: [] as string[] }]));
    const missing = [...new Set(variants.map((v) => v.productId))].filter((p) => !found.has(p)).slice(0, limit);
    for (const p of await Promise.all(missing.map((id) => this.store.getProduct(tenantId, id)))) if (p) found.set(p.productId, { product: p, skus: [] });
    for (const v of variants) found.get(v.productId)?.skus.push(v.sku);
    return { items: [...found.values()].slice(0, limit).map(({ product, skus }) => ({ ...summary(product), matchedSkus: skus.sort() })) };
  }

  async familyTree(tenantId: string): Promise<{ roots: FamilyNode[] }> {
    const settings = await this.settings(tenantId);
    const nodes = new Map(settings.families.map((f) => [f.familyId, { familyId: f.familyId, name: f.name, children: [] as FamilyNode[] }]));
    const roots: FamilyNode[] = [];
    for (const f of settings.families) (f.parentId === null ? roots : nodes.get(f.parentId)!.children).push(nodes.get(f.familyId)!);
    return { roots };
  }

  // ---- prices ----

  /** The price of a SKU for a channel at a location and moment (see `resolvePrice` for the precedence). */
  async price(principal: Principal, sku: string, context: { locationId: string; channel?: Channel; at?: Date }): Promise<ResolvedPrice> {
    const { tenantId } = principal;
    const location = await this.tenancy.getLocation(tenantId, context.locationId);
    if (!location) throw invalid([{ field: 'locationId', message: `location ${context.locationId} does not exist` }]);
    const channel = context.channel ?? (location.type === 'online' ? 'online' : 'store');
    const list = listFor((await this.cachedSettings(tenantId))?.priceLists ?? [], channel, location.country, location.currency);
    if (!list) throw notFound(`A ${channel} price list for ${location.country} in ${location.currency}`);
    const [listEntry, locationEntry] = await Promise.all([
      this.store.getPrice(tenantId, list.priceListId, sku, null),
      this.store.getPrice(tenantId, list.priceListId, sku, location.locationId),
    ]);
    const resolved = resolvePrice(list, { list: listEntry, location: locationEntry }, context.at ?? this.clock.now());
    if (!resolved) throw notFound(`A price of ${sku} in ${list.priceListId}`);
    return resolved;
  }
}

/** The key of an item that may not be valid, for its result: what it names, as far as it can be read. */
function rawKeyOf(value: unknown): string | null {
  const v = (value ?? {}) as Record<string, unknown>;
  const text = (x: unknown) => (typeof x === 'string' ? x : undefined);
  if (v.type === 'price') return `${text(v.priceListId) ?? '?'}/${text(v.locationId) ?? '*'}/${text(v.sku) ?? '?'}`;
  return text(v.type === 'variant' ? v.sku : v.productId) ?? null;
}

function variantView(v: Variant): z.output<typeof VariantViewSchema> {
  return { sku: v.sku, gtin: v.gtin, options: v.options, images: v.images, status: v.status, version: v.version };
}

function keyOf(item: CatalogueItem): string {
  if (item.type === 'price') return `${item.priceListId}/${item.locationId ?? '*'}/${item.sku}`;
  return item.type === 'variant' ? item.sku : item.productId;
}

function productIssues(settings: CatalogueSettings, item: ProductItem): FieldIssue[] {
  const families = new Set(settings.families.map((f) => f.familyId));
  return [
    ...item.families.flatMap((f, n) => (families.has(f) ? [] : [{ field: `families.${n}`, message: `family ${f} does not exist` }])),
    ...attributeIssues(settings.attributes, item.attributes),
  ];
}

function productDoc(tenantId: string, settings: CatalogueSettings, item: ProductItem, now: string): Product {
  const { type: _t, ...p } = item;
  return {
    kind: 'product',
    tenantId,
    ...p,
    brand: p.brand ?? null,
    description: p.description ?? null,
    familyPath: familyClosure(settings, p.families),
    tokens: searchTokens(p.productId, p.name, p.brand),
    updatedAt: now,
  };
}

function withSummary(results: ItemResult[]): UpsertResult {
  const summary = { created: 0, updated: 0, unchanged: 0, stale: 0, rejected: 0 };
  for (const r of results) summary[r.outcome] += 1;
  return { results, summary };
}
