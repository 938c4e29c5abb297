import { z } from 'zod';
import { notFound } from '../kernel/errors';
import type { Clock, Logger } from '../kernel/ports';
import { onlineShipping } from '../stock';
import type { Location, TenancyService } from '../tenancy';
import type { CatalogueService, CatalogueStore } from './catalogue';
import { pathOf, type CatalogueSettings, type PriceEntry, type PriceList, type Product, type Variant } from './model';
import { formatMoney, saleOpen } from './pricing';

/** Products and variants as the feeds read them: without their search tokens. */
export type FeedProduct = Omit<Product, 'tokens'>;
export type FeedVariant = Omit<Variant, 'tokens'>;

/** What publishing needs of stock: what each location can sell, and which locations ship online. */
export interface StockFigures {
  availableAt(tenantId: string, locationId: string): AsyncIterable<Array<{ sku: string; available: number }>>;
  settings(tenantId: string): Promise<{ onlineLocationIds: string[] | null; defaultSafetyStock: number; safetyStock: Record<string, number> }>;
}

/** Where feeds and reports are written, and the signed links that open them. */
export interface FeedFiles {
  write(name: string, lines: Iterable<string> | AsyncIterable<string>, contentType: string): Promise<void>;
  link(name: string, expiresOn: Date): Promise<string>;
}

/** Everything one country's feeds and parity report are computed from, loaded once. */
export interface CountryCatalogue {
  country: string;
  settings: CatalogueSettings;
  storeList?: PriceList;
  onlineList?: PriceList;
  products: Map<string, FeedProduct>;
  variants: FeedVariant[];
  /** List prices by SKU, per channel; store overrides by `${locationId}|${sku}`. */
  storePrices: Map<string, PriceEntry>;
  onlinePrices: Map<string, PriceEntry>;
  storeOverrides: Map<string, PriceEntry>;
  stores: Location[];
  /** Available units per SKU per store of the country; what the web may promise per SKU. */
  storeStock: Map<string, Map<string, number>>;
  onlineStock: Map<string, number>;
}

export const ParityReportSchema = z
  .object({
    country: z.string(),
    at: z.string(),
    storePriceListId: z.string().nullable(),
    onlinePriceListId: z.string().nullable(),
    tolerance: z.object({ priceTolerancePercent: z.number(), priceToleranceMinor: z.number().int(), availabilityToleranceUnits: z.number().int() }),
    prices: z
      .array(
        z.object({
          sku: z.string(),
          productId: z.string(),
          store: z.number().int(),
          online: z.number().int(),
          difference: z.number().int(),
          tolerance: z.number().int(),
        }),
      )
      .describe('SKUs whose price now differs between the channels beyond the tolerance (store - online, minor units)'),
    availability: z
      .array(z.object({ sku: z.string(), productId: z.string(), store: z.number().int(), online: z.number().int() }))
      .describe('SKUs sellable in one channel only (available units in the country’s stores vs what the web may promise)'),
    publishedInOneChannel: z
      .array(z.object({ productId: z.string(), name: z.string(), publishedIn: z.enum(['store', 'online']), missingIn: z.enum(['store', 'online']) }))
      .describe('Active products with a priced, active variant in one channel’s list and none in the other'),
  })
  .meta({ id: 'ParityReport' });
export type ParityReport = z.output<typeof ParityReportSchema>;

export const PublicationSchema = z
  .object({
    tenantId: z.string(),
    publishedAt: z.string(),
    countries: z.array(
      z.object({
        country: z.string(),
        files: z.array(z.object({ name: z.string(), kind: z.enum(['products', 'local-inventory', 'parity']), rows: z.number().int(), url: z.string() })),
        skipped: z.array(z.object({ sku: z.string(), reason: z.string() })).describe('Variants left out of the product feed, and why'),
        parity: z.object({ prices: z.number().int(), availability: z.number().int(), publishedInOneChannel: z.number().int() }),
      }),
    ),
    linksExpireAt: z.string(),
  })
  .meta({ id: 'CataloguePublication' });
export type Publication = z.output<typeof PublicationSchema>;

const LINK_TTL_MS = 24 * 3_600_000;

const live = (c: CountryCatalogue, v: FeedVariant) => v.status === 'active' && c.products.get(v.productId)?.status === 'active';
const storeAvailable = (c: CountryCatalogue, sku: string) => [...(c.storeStock.get(sku)?.values() ?? [])].reduce((a, b) => a + b, 0);
const priceAt = (entry: PriceEntry, at: Date) => (saleOpen(entry, at) ? entry.sale!.amount : entry.amount);

/** Prices and availability that differ between the channels beyond the tenant's tolerance, and products in one channel only. */
export function parityReport(c: CountryCatalogue, at: Date): ParityReport {
  const tolerance = c.settings.parity;
  const prices: ParityReport['prices'] = [];
  const availability: ParityReport['availability'] = [];
  const published = { store: new Set<string>(), online: new Set<string>() };
  for (const v of c.variants) {
    if (!live(c, v)) continue;
    const store = c.storePrices.get(v.sku);
    const online = c.onlinePrices.get(v.sku);
    if (store) published.store.add(v.productId);
    if (online) published.online.add(v.productId);
    if (store && online) {
      const [s, o] = [priceAt(store, at), priceAt(online, at)];
      const allowed = Math.max(tolerance.priceToleranceMinor, Math.round((o * tolerance.priceTolerancePercent) / 100));
      if (Math.abs(s - o) > allowed) prices.push({ sku: v.sku, productId: v.productId, store: s, online: o, difference: s - o, tolerance: allowed });
      const [inStores, onWeb] = [storeAvailable(c, v.sku), c.onlineStock.get(v.sku) ?? 0];
      if (Math.min(inStores, onWeb) === 0 && Math.max(inStores, onWeb) > tolerance.availabilityToleranceUnits) {
        availability.push({ sku: v.sku, productId: v.productId, store: inStores, online: onWeb });
      }
    }
  }
  const publishedInOneChannel: ParityReport['publishedInOneChannel'] = [];
  for (const [channel, other] of [
    ['store', 'online'],
    ['online', 'store'],
  ] as const) {
    for (const productId of published[channel]) {
      if (!published[other].has(productId))
        publishedInOneChannel.push({ productId, name: c.products.get(productId)!.name, publishedIn: channel, missingIn: other });
    }
  }
  const bySku = (a: { sku: string }, b: { sku: string }) => a.sku.localeCompare(b.sku);
  return {
    country: c.country,
    at: at.toISOString(),
    storePriceListId: c.storeList?.priceListId ?? null,
    onlinePriceListId: c.onlineList?.priceListId ?? null,
    tolerance,
    prices: prices.sort(bySku),
    availability: availability.sort(bySku),
    publishedInOneChannel: publishedInOneChannel.sort((a, b) => a.productId.localeCompare(b.productId)),
  };
}

/** Merchant Center's product data columns, in order (https://support.google.com/merchants/answer/7052112). */
export const PRODUCT_FEED_COLUMNS = [
  'id',
  'item_group_id',
  'title',
  'description',
  'link',
  'image_link',
  'additional_image_link',
  'availability',
  'price',
  'sale_price',
  'sale_price_effective_date',
  'brand',
  'gtin',
  'mpn',
  'identifier_exists',
  'condition',
  'color',
  'size',
  'product_type',
] as const;

/** Merchant Center's local inventory columns (https://support.google.com/merchants/answer/3061342). */
export const LOCAL_INVENTORY_COLUMNS = [
  'store_code',
  'id',
  'quantity',
  'availability',
  'price',
  'sale_price',
  'sale_price_effective_date',
  'pickup_method',
  'pickup_sla',
] as const;

/** Tab-separated, as Merchant Center reads it: a tab or line break inside a value becomes a space. */
const tsv = (values: Array<string | number | undefined>) => values.map((v) => String(v ?? '').replace(/[\t\r\n]+/g, ' ')).join('\t');

function salePrice(entry: PriceEntry, at: Date): { sale_price?: string; sale_price_effective_date?: string } {
  // A sale still to come or running is announced with its window; one that ended is not.
  if (!entry.sale || Date.parse(entry.sale.to) <= at.getTime()) return {};
  return { sale_price: formatMoney(entry.sale.amount, entry.currency), sale_price_effective_date: `${entry.sale.from}/${entry.sale.to}` };
}

/** Variants the online channel publishes: active, priced online, with a product page and an image. The rest, with why. */
export function publishable(c: CountryCatalogue): { variants: FeedVariant[]; skipped: Array<{ sku: string; reason: string }> } {
  const variants: FeedVariant[] = [];
  const skipped: Array<{ sku: string; reason: string }> = [];
  for (const v of c.variants) {
    const product = c.products.get(v.productId);
    const reason = !live(c, v)
      ? undefined
      : !c.onlinePrices.has(v.sku)
        ? 'no online price'
        : (v.images[0] ?? product!.images[0]) === undefined
          ? 'no image'
          : !c.settings.publishing
            ? 'no product URL template in the catalogue settings'
            : null;
    if (reason === null) variants.push(v);
    else if (reason) skipped.push({ sku: v.sku, reason });
  }
  return { variants: variants.sort((a, b) => a.sku.localeCompare(b.sku)), skipped };
}

export function* productFeed(c: CountryCatalogue, variants: FeedVariant[], at: Date): Generator<string> {
  yield PRODUCT_FEED_COLUMNS.join('\t');
  const names = new Map(c.settings.families.map((f) => [f.familyId, f.name]));
  for (const v of variants) {
    const product = c.products.get(v.productId)!;
    const price = c.onlinePrices.get(v.sku)!;
    const images = [...v.images, ...product.images];
    const colour = v.options.colour ?? v.options.color;
    const row: Partial<Record<(typeof PRODUCT_FEED_COLUMNS)[number], string>> = {
      id: v.sku,
      item_group_id: product.productId,
      title: [product.name, ...Object.values(v.options)].join(' - ').slice(0, 150),
      description: (product.description ?? product.name).slice(0, 5000),
      link: c.settings.publishing!.productUrlTemplate.replace('{productId}', encodeURIComponent(product.productId)).replace('{sku}', encodeURIComponent(v.sku)),
      image_link: images[0],
      additional_image_link: images.slice(1, 11).join(','),
      availability: (c.onlineStock.get(v.sku) ?? 0) > 0 ? 'in_stock' : 'out_of_stock',
      price: formatMoney(price.amount, price.currency),
      ...salePrice(price, at),
      brand: product.brand ?? undefined,
      gtin: v.gtin ?? undefined,
      mpn: v.gtin ? undefined : v.sku,
      identifier_exists: v.gtin || product.brand ? 'yes' : 'no',
      condition: 'new',
      color: colour,
      size: v.options.size,
      product_type: product.families[0]
        ? pathOf(c.settings, product.families[0])
            .map((f) => names.get(f) ?? f)
            .join(' > ')
        : undefined,
    };
    yield tsv(PRODUCT_FEED_COLUMNS.map((column) => row[column]));
  }
}

/** One row per published variant and store of the country: what the store can sell now, its price there, click & collect. */
export function* localInventoryFeed(c: CountryCatalogue, variants: FeedVariant[], at: Date): Generator<string> {
  yield LOCAL_INVENTORY_COLUMNS.join('\t');
  const publishing = c.settings.publishing!;
  for (const v of variants) {
    const stock = c.storeStock.get(v.sku);
    for (const store of c.stores) {
      const quantity = stock?.get(store.locationId) ?? 0;
      const price = c.storeOverrides.get(`${store.locationId}|${v.sku}`) ?? c.storePrices.get(v.sku);
      const row: Partial<Record<(typeof LOCAL_INVENTORY_COLUMNS)[number], string | number>> = {
        store_code: store.locationId,
        id: v.sku,
        quantity,
        availability: quantity > 0 ? 'in_stock' : 'out_of_stock',
        price: price && formatMoney(price.amount, price.currency),
        ...(price ? salePrice(price, at) : {}),
        pickup_method: quantity > 0 ? publishing.pickupMethod : 'not supported',
        pickup_sla: quantity > 0 ? publishing.pickupSla : undefined,
      };
      yield tsv(LOCAL_INVENTORY_COLUMNS.map((column) => row[column]));
    }
  }
}

/**
 * Publishes each country of a tenant's catalogue: the Merchant Center product feed (online list,
 * online availability), the local inventory feed (every store, its stock and price) and the parity
 * report, as blobs behind signed links. The catalogue, the two lists and the country's stock are
 * read with paged queries once per country; memory follows the catalogue, not the stores x SKUs rows
 * (those are streamed into the blob).
 */
export class CataloguePublishing {
  constructor(
    private readonly store: CatalogueStore,
    private readonly catalogue: CatalogueService,
    private readonly tenancy: TenancyService,
    private readonly stock: StockFigures,
    private readonly files: FeedFiles,
    private readonly clock: Clock,
  ) {}

  async parity(tenantId: string, country: string): Promise<ParityReport> {
    return parityReport(await this.load(tenantId, country), this.clock.now());
  }

  async publish(tenantId: string, only?: string): Promise<Publication> {
    const settings = await this.catalogue.settings(tenantId);
    const countries = [...new Set(settings.priceLists.map((l) => l.country))].filter((c) => !only || c === only).sort();
    if (only && countries.length === 0) throw notFound(`A price list for ${only}`);
    const at = this.clock.now();
    const expiresOn = new Date(at.getTime() + LINK_TTL_MS);
    const stamp = at.toISOString().replace(/[-:.]/g, '');
    const published: Publication['countries'] = [];
    for (const country of countries) {
      const c = await this.load(tenantId, country, settings);
      const { variants, skipped } = publishable(c);
      const report = parityReport(c, at);
      const prefix = `${tenantId}/${country}/${stamp}`;
      const files = [
        {
          name: `${prefix}/products.tsv`,
          kind: 'products' as const,
          rows: variants.length,
          lines: productFeed(c, variants, at),
          type: 'text/tab-separated-values',
        },
        {
          name: `${prefix}/local-inventory.tsv`,
          kind: 'local-inventory' as const,
          rows: c.settings.publishing ? variants.length * c.stores.length : 0,
          lines: c.settings.publishing ? localInventoryFeed(c, variants, at) : [LOCAL_INVENTORY_COLUMNS.join('\t')],
          type: 'text/tab-separated-values',
        },
        { name: `${prefix}/parity.json`, kind: 'parity' as const, rows: 1, lines: [JSON.stringify(report, null, 1)], type: 'application/json' },
      ];
      const written = [];
      for (const file of files) {
        await this.files.write(file.name, file.lines, file.type);
        written.push({ name: file.name, kind: file.kind, rows: file.rows, url: await this.files.link(file.name, expiresOn) });
      }
      published.push({
        country,
        files: written,
        skipped,
        parity: { prices: report.prices.length, availability: report.availability.length, publishedInOneChannel: report.publishedInOneChannel.length },
      });
    }
    return { tenantId, publishedAt: at.toISOString(), countries: published, linksExpireAt: expiresOn.toISOString() };
  }

  /** The timer: every tenant with a catalogue; one failing tenant does not stop the others. */
  async publishAll(log: Logger): Promise<number> {
    let done = 0;
    for (const tenantId of await this.store.tenantsWithCatalogue()) {
      try {
        await this.publish(tenantId);
        done += 1;
      } catch (error) {
        log.log('error', 'catalogue feeds not published; the next run tries again', { tenantId, error: (error as Error).message });
      }
    }
    return done;
  }

  private async load(tenantId: string, country: string, known?: CatalogueSettings): Promise<CountryCatalogue> {
    const settings = known ?? (await this.catalogue.settings(tenantId));
    const storeList = settings.priceLists.find((l) => l.channel === 'store' && l.country === country);
    const onlineList = settings.priceLists.find((l) => l.channel === 'online' && l.country === country);
    if (!storeList && !onlineList) throw notFound(`A price list for ${country}`);
    const products = new Map<string, FeedProduct>();
    for await (const page of this.store.allProducts(tenantId)) for (const p of page) products.set(p.productId, p);
    const variants: FeedVariant[] = [];
    for await (const page of this.store.allVariants(tenantId)) variants.push(...page);
    const storePrices = new Map<string, PriceEntry>();
    const storeOverrides = new Map<string, PriceEntry>();
    const onlinePrices = new Map<string, PriceEntry>();
    for (const [list, into] of [
      [storeList, storePrices],
      [onlineList, onlinePrices],
    ] as const) {
      if (!list) continue;
      for await (const page of this.store.pricesOf(tenantId, list.priceListId)) {
        for (const p of page) {
          if (p.locationId === null) into.set(p.sku, p);
          else if (list === storeList) storeOverrides.set(`${p.locationId}|${p.sku}`, p);
        }
      }
    }
    const locations = (await this.tenancy.listLocations(tenantId)).filter((l) => l.country === country && l.type !== 'online');
    const stores = locations.filter((l) => l.type === 'store').sort((a, b) => a.locationId.localeCompare(b.locationId));
    const stockSettings = await this.stock.settings(tenantId);
    const storeStock = new Map<string, Map<string, number>>();
    const onlineStock = new Map<string, number>();
    for (const location of locations) {
      const shipping = onlineShipping(stockSettings, location.locationId);
      for await (const page of this.stock.availableAt(tenantId, location.locationId)) {
        for (const { sku, available } of page) {
          if (location.type === 'store') {
            const at = storeStock.get(sku) ?? storeStock.set(sku, new Map()).get(sku)!;
            at.set(location.locationId, available);
          }
          if (shipping.shipsOnline) onlineStock.set(sku, (onlineStock.get(sku) ?? 0) + shipping.promise(available));
        }
      }
    }
    return { country, settings, storeList, onlineList, products, variants, storePrices, onlinePrices, storeOverrides, stores, storeStock, onlineStock };
  }
}
