import { localInventoryFeed, LOCAL_INVENTORY_COLUMNS, parityReport, productFeed, PRODUCT_FEED_COLUMNS, publishable, type CountryCatalogue } from './publishing';
import type { CatalogueSettings, PriceEntry, Product, Variant } from './model';

const NOW = new Date('2026-11-27T10:00:00Z');
const settings: CatalogueSettings = {
  kind: 'settings',
  tenantId: 't',
  updatedAt: NOW.toISOString(),
  families: [
    { familyId: 'women', name: 'Women', parentId: null },
    { familyId: 'boots', name: 'Boots', parentId: 'women' },
  ],
  attributes: [],
  priceLists: [
    { priceListId: 'st', name: 'Stores', channel: 'store', country: 'ES', currency: 'EUR' },
    { priceListId: 'on', name: 'Web', channel: 'online', country: 'ES', currency: 'EUR' },
  ],
  parity: { priceTolerancePercent: 2, priceToleranceMinor: 100, availabilityToleranceUnits: 1 },
  publishing: { productUrlTemplate: 'https://shop.example/p/{productId}?v={sku}', pickupMethod: 'reserve', pickupSla: 'next day' },
};
const product = (productId: string, extra: Partial<Product> = {}): Product => ({
  kind: 'product',
  tenantId: 't',
  productId,
  name: `Product ${productId}`,
  brand: 'Brand',
  description: null,
  families: ['boots'],
  familyPath: ['women', 'boots'],
  attributes: {},
  images: [`https://img.example/${productId}.jpg`],
  status: 'active',
  tokens: [],
  version: 1,
  updatedAt: NOW.toISOString(),
  ...extra,
});
const variant = (productId: string, sku: string, extra: Partial<Variant> = {}): Variant => ({
  kind: 'variant',
  tenantId: 't',
  productId,
  sku,
  gtin: null,
  options: { size: '40', colour: 'black' },
  images: [],
  status: 'active',
  tokens: [],
  version: 1,
  updatedAt: NOW.toISOString(),
  ...extra,
});
const price = (priceListId: string, sku: string, amount: number, extra: Partial<PriceEntry> = {}): PriceEntry => ({
  kind: 'price',
  tenantId: 't',
  priceListId,
  sku,
  locationId: null,
  currency: 'EUR',
  amount,
  sale: null,
  version: 1,
  updatedAt: NOW.toISOString(),
  ...extra,
});

function catalogue(): CountryCatalogue {
  const products = [product('A'), product('B'), product('C'), product('D', { status: 'discontinued' })];
  const variants = [variant('A', 'A-1', { gtin: '8412345678905' }), variant('A', 'A-2'), variant('B', 'B-1'), variant('C', 'C-1'), variant('D', 'D-1')];
  return {
    country: 'ES',
    settings,
    storeList: settings.priceLists[0],
    onlineList: settings.priceLists[1],
    products: new Map(products.map((p) => [p.productId, p])),
    variants,
    storePrices: new Map([
      ['A-1', price('st', 'A-1', 10000)],
      // 150 apart: within max(100, 2 % of 9850 = 197).
      ['A-2', price('st', 'A-2', 10000)],
      ['B-1', price('st', 'B-1', 5000)],
      ['D-1', price('st', 'D-1', 5000)],
    ]),
    onlinePrices: new Map([
      // 300 apart, and a sale online that is running: 10000 vs 8000.
      ['A-1', price('on', 'A-1', 9700, { sale: { amount: 8000, from: '2026-11-20T00:00:00Z', to: '2026-12-01T00:00:00Z' } })],
      ['A-2', price('on', 'A-2', 9850)],
      ['C-1', price('on', 'C-1', 3000)],
      ['D-1', price('on', 'D-1', 1000)],
    ]),
    storeOverrides: new Map([['s2|A-1', price('st', 'A-1', 11000, { locationId: 's2' })]]),
    stores: [
      { locationId: 's1', name: 's1', type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' } as CountryCatalogue['stores'][number],
      { locationId: 's2', name: 's2', type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' } as CountryCatalogue['stores'][number],
    ],
    storeStock: new Map([
      ['A-1', new Map([['s1', 3]])],
      ['A-2', new Map([['s1', 2]])],
    ]),
    // A-1 sells everywhere; A-2 only in stores (2 units > tolerance 1).
    onlineStock: new Map([['A-1', 10]]),
  };
}

describe('parity report', () => {
  const report = parityReport(catalogue(), NOW);

  it('reports prices apart beyond the tolerance, with the sale that runs now', () => {
    expect(report.prices).toEqual([{ sku: 'A-1', productId: 'A', store: 10000, online: 8000, difference: 2000, tolerance: 160 }]);
  });

  it('reports SKUs sellable in one channel only, beyond the units tolerated', () => {
    expect(report.availability).toEqual([{ sku: 'A-2', productId: 'A', store: 2, online: 0 }]);
  });

  it('reports products priced in one channel only, ignoring discontinued ones', () => {
    expect(report.publishedInOneChannel).toEqual([
      { productId: 'B', name: 'Product B', publishedIn: 'store', missingIn: 'online' },
      { productId: 'C', name: 'Product C', publishedIn: 'online', missingIn: 'store' },
    ]);
  });

  it('is quiet within the tolerance', () => {
    const c = catalogue();
    c.settings = { ...settings, parity: { priceTolerancePercent: 25, priceToleranceMinor: 0, availabilityToleranceUnits: 5 } };
    const quiet = parityReport(c, NOW);
    expect(quiet.prices).toEqual([]);
    expect(quiet.availability).toEqual([]);
  });
});

describe('Merchant Center feeds', () => {
  const c = catalogue();
  const { variants, skipped } = publishable(c);
  const rows = (lines: Iterable<string>) => {
    const [header, ...rest] = [...lines].map((l) => l.split('\t'));
    return rest.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
  };

  it('publishes active variants priced online; says why the others are left out', () => {
    expect(variants.map((v) => v.sku)).toEqual(['A-1', 'A-2', 'C-1']);
    expect(skipped).toEqual([{ sku: 'B-1', reason: 'no online price' }]);
  });

  it('writes every required product column, valid', () => {
    const feed = [...productFeed(c, variants, NOW)];
    expect(feed[0]!.split('\t')).toEqual([...PRODUCT_FEED_COLUMNS]);
    for (const row of rows(feed)) {
      for (const column of ['id', 'title', 'description', 'link', 'image_link', 'availability', 'price', 'brand', 'condition'])
        expect(row[column]).not.toBe('');
      expect(row.availability).toMatch(/^(in_stock|out_of_stock|preorder|backorder)$/);
      expect(row.price).toMatch(/^\d+\.\d{2} [A-Z]{3}$/);
      expect(row.link).toMatch(/^https:\/\//);
      expect(row.image_link).toMatch(/^https:\/\//);
      expect(row.condition).toBe('new');
      expect(row.gtin !== '' || row.mpn !== '').toBe(true);
      expect(row.title!.length).toBeLessThanOrEqual(150);
    }
    const a1 = rows(feed).find((r) => r.id === 'A-1')!;
    expect(a1).toMatchObject({
      item_group_id: 'A',
      title: 'Product A - 40 - black',
      link: 'https://shop.example/p/A?v=A-1',
      availability: 'in_stock',
      price: '97.00 EUR',
      sale_price: '80.00 EUR',
      sale_price_effective_date: '2026-11-20T00:00:00Z/2026-12-01T00:00:00Z',
      gtin: '8412345678905',
      mpn: '',
      color: 'black',
      size: '40',
      product_type: 'Women > Boots',
    });
    expect(rows(feed).find((r) => r.id === 'A-2')).toMatchObject({ availability: 'out_of_stock', mpn: 'A-2', gtin: '' });
  });

  it('writes one local inventory row per variant and store, with the store price and click & collect', () => {
    const feed = [...localInventoryFeed(c, variants, NOW)];
    expect(feed[0]!.split('\t')).toEqual([...LOCAL_INVENTORY_COLUMNS]);
    const local = rows(feed);
    expect(local).toHaveLength(variants.length * 2);
    expect(local.find((r) => r.store_code === 's1' && r.id === 'A-1')).toMatchObject({
      quantity: '3',
      availability: 'in_stock',
      price: '100.00 EUR',
      pickup_method: 'reserve',
      pickup_sla: 'next day',
    });
    expect(local.find((r) => r.store_code === 's2' && r.id === 'A-1')).toMatchObject({
      quantity: '0',
      availability: 'out_of_stock',
      price: '110.00 EUR',
      pickup_method: 'not supported',
    });
    for (const row of local) expect(Number.isInteger(Number(row.quantity))).toBe(true);
  });
});
