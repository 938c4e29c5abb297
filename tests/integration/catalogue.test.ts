import { BlobServiceClient } from '@azure/storage-blob';
import { catalogueModule } from '../../shared/catalogue/module';
import { onlineSale, sale, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

const CONTAINERS = catalogueModule.blobContainers;
const blob = () => BlobServiceClient.fromConnectionString(process.env.TEST_BLOB_CONNECTION_STRING!);
const drop = (name: string, text: string) =>
  blob().getContainerClient(CONTAINERS.erpCatalogueSnapshots.name).getBlockBlobClient(name).uploadData(Buffer.from(text));
const download = async (container: string, name: string) => (await blob().getContainerClient(container).getBlobClient(name).downloadToBuffer()).toString();
const importRecord = async (file: string) => (await c.store.all('catalogue', c.t.tenantId)).find((d) => d.kind === 'import' && d.file === file);
const importReport = async (file: string) => JSON.parse(await download(CONTAINERS.catalogueImportReports.name, (await importRecord(file)).summary.report.json));

const admin = () => c.t.keys.admin;
const settings = {
  families: [
    { familyId: 'women', name: 'Women', parentId: null },
    { familyId: 'women-footwear', name: 'Footwear', parentId: 'women' },
    { familyId: 'women-footwear-boots', name: 'Boots', parentId: 'women-footwear' },
    { familyId: 'sale', name: 'Sale', parentId: null },
    { familyId: 'sale-winter', name: 'Winter sale', parentId: 'sale' },
    { familyId: 'men', name: 'Men', parentId: null },
  ],
  attributes: [
    { code: 'material', type: 'enum', values: ['leather', 'suede', 'wool'] },
    { code: 'heelCm', type: 'number' },
    { code: 'waterproof', type: 'boolean' },
  ],
  priceLists: [
    { priceListId: 'es-store', name: 'Tiendas España', channel: 'store', country: 'ES', currency: 'EUR' },
    { priceListId: 'es-online', name: 'Web España', channel: 'online', country: 'ES', currency: 'EUR' },
  ],
  parity: { priceTolerancePercent: 5, priceToleranceMinor: 0, availabilityToleranceUnits: 0 },
  publishing: { productUrlTemplate: 'https://shop.example/p/{productId}?sku={sku}', pickupMethod: 'buy', pickupSla: 'same day' },
};
const boots = {
  type: 'product',
  productId: 'BOOT-CHELSEA',
  version: 1,
  name: 'Chelsea boot',
  brand: 'Camper',
  description: 'Leather Chelsea boot with elastic sides',
  families: ['women-footwear-boots', 'sale-winter'],
  attributes: { material: 'leather', heelCm: 3, waterproof: false },
  images: ['https://img.example/boot-chelsea.jpg'],
};
const variant = (sku: string, size: string, extra: Record<string, unknown> = {}) => ({
  type: 'variant',
  productId: 'BOOT-CHELSEA',
  sku,
  version: 1,
  options: { size, colour: 'black' },
  ...extra,
});
const upsert = (items: unknown[], key = admin()) => c.p.api('POST', '/api/v1/catalogue/items', { key, body: { items } });

describe('catalogue', () => {
  it('takes settings, then products, variants, prices and relations item by item, reporting bad ones by field', async () => {
    expect((await c.p.api('PUT', '/api/v1/catalogue/settings', { key: admin(), body: settings })).status).toBe(200);
    const r = await upsert([
      boots,
      { ...boots, productId: 'BOOT-ANKLE', name: 'Ankle boot', families: ['women-footwear-boots'], attributes: { material: 'suede' } },
      variant('BOOT-CH-38', '38', { gtin: '8412345678905' }),
      variant('BOOT-CH-39', '39'),
      { ...variant('BOOT-AN-38', '38'), productId: 'BOOT-ANKLE' },
      { ...boots, productId: 'BAD-FAMILY', families: ['nowhere'] },
      { ...boots, productId: 'BAD-ATTR', attributes: { heelCm: 'high', material: 'plastic' } },
      { type: 'price', priceListId: 'es-store', sku: 'BOOT-CH-38', amount: 12900, version: 1 },
      { type: 'price', priceListId: 'es-store', sku: 'BOOT-CH-38', currency: 'EUR', amount: 12900, version: 1 },
      { type: 'price', priceListId: 'es-online', sku: 'BOOT-CH-38', currency: 'EUR', amount: 11900, version: 1 },
      { type: 'relations', productId: 'BOOT-CHELSEA', relation: 'substitute', related: ['BOOT-ANKLE', 'NOWHERE'], version: 1 },
      { type: 'relations', productId: 'BOOT-CHELSEA', relation: 'cross-sell', related: ['BOOT-ANKLE'], version: 1 },
      { ...variant('BOOT-X', '40'), productId: 'NO-SUCH-PRODUCT' },
      { type: 'gadget' },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { outcome: string }) => x.outcome)).toEqual([
      'created',
      'created',
      'created',
      'created',
      'created',
      'rejected',
      'rejected',
      'rejected',
      'created',
      'created',
      'rejected',
      'created',
      'rejected',
      'rejected',
    ]);
    expect(r.body.results[5].errors).toEqual([{ field: 'families.0', message: 'family nowhere does not exist' }]);
    expect(r.body.results[6].errors.map((e: { field: string }) => e.field).sort()).toEqual(['attributes.heelCm', 'attributes.material']);
    expect(r.body.results[7].errors).toEqual([expect.objectContaining({ field: 'currency' })]);
    expect(r.body.results[10].errors).toEqual([{ field: 'related.1', message: 'product NOWHERE does not exist' }]);
    expect(r.body.results[12].errors).toEqual([{ field: 'productId', message: 'product NO-SUCH-PRODUCT does not exist' }]);
    expect(r.body.summary).toEqual({ created: 8, updated: 0, unchanged: 0, stale: 0, rejected: 6 });
    // Nothing of a rejected item was written.
    expect((await c.p.api('GET', '/api/v1/catalogue/products/BAD-FAMILY', { key: admin() })).status).toBe(404);
    expect((await c.p.api('GET', '/api/v1/catalogue/skus/BOOT-X', { key: admin() })).status).toBe(404);
  });

  it('never lets an older version overwrite a newer one, and a repeat changes nothing', async () => {
    const newer = await upsert([{ ...boots, version: 3, name: 'Chelsea boot II' }]);
    expect(newer.body.results[0].outcome).toBe('updated');
    const again = await upsert([
      { ...boots, version: 3, name: 'Chelsea boot II' },
      { ...boots, version: 2, name: 'Old name' },
    ]);
    expect(again.body.results.map((x: { outcome: string }) => x.outcome)).toEqual(['unchanged', 'stale']);
    const product = await c.p.api('GET', '/api/v1/catalogue/products/BOOT-CHELSEA', { key: c.t.keys.pos });
    expect(product.status).toBe(200);
    expect(product.body).toMatchObject({
      name: 'Chelsea boot II',
      version: 3,
      familyPath: ['women', 'women-footwear', 'women-footwear-boots', 'sale', 'sale-winter'],
      relations: [{ type: 'cross-sell', related: ['BOOT-ANKLE'] }],
    });
    expect(product.body.variants.map((v: { sku: string }) => v.sku)).toEqual(['BOOT-CH-38', 'BOOT-CH-39']);
    // A SKU stays with its product.
    const moved = await upsert([{ ...variant('BOOT-CH-38', '38'), productId: 'BOOT-ANKLE', version: 5 }]);
    expect(moved.body.results[0]).toMatchObject({ outcome: 'rejected', errors: [{ field: 'sku', message: 'belongs to product BOOT-CHELSEA' }] });
  });

  it('keeps the newest version when writers race', async () => {
    const versions = [17, 3, 21, 9, 14, 1, 20, 6, 11, 19, 2, 15];
    const results = await Promise.all(versions.map((version) => upsert([{ ...boots, productId: 'RACE', families: ['sale'], version, name: `v${version}` }])));
    const outcomes = results.map((r) => r.body.results[0].outcome);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.every((o) => ['created', 'updated', 'stale'].includes(o))).toBe(true);
    const stored = await c.p.api('GET', '/api/v1/catalogue/products/RACE', { key: admin() });
    expect(stored.body).toMatchObject({ version: 21, name: 'v21' });
    expect((await c.store.all('catalogue', c.t.tenantId)).filter((d) => d.kind === 'product' && d.productId === 'RACE')).toHaveLength(1);
  });

  it('reads by SKU, by family with paging, by text, and the family tree', async () => {
    const bySku = await c.p.api('GET', '/api/v1/catalogue/skus/BOOT-CH-39', { key: c.t.keys.ecommerce });
    expect(bySku.body.productId).toBe('BOOT-CHELSEA');
    const first = await c.p.api('GET', '/api/v1/catalogue/families/women/products?limit=1', { key: admin() });
    expect(first.body.items).toHaveLength(1);
    const second = await c.p.api('GET', `/api/v1/catalogue/families/women/products?limit=1&continuationToken=${first.body.continuationToken}`, {
      key: admin(),
    });
    expect([first.body.items[0].productId, second.body.items[0].productId].sort()).toEqual(['BOOT-ANKLE', 'BOOT-CHELSEA']);
    const men = await c.p.api('GET', '/api/v1/catalogue/families/men/products', { key: admin() });
    expect(men.body.items).toEqual([]);
    expect((await c.p.api('GET', '/api/v1/catalogue/families/nowhere/products', { key: admin() })).status).toBe(404);

    const search = await c.p.api('GET', '/api/v1/catalogue/search?q=camper%20chel', { key: admin() });
    expect(search.body.items.map((p: { productId: string }) => p.productId)).toEqual(['BOOT-CHELSEA']);
    const bySkuText = await c.p.api('GET', '/api/v1/catalogue/search?q=boot-an-38', { key: admin() });
    expect(bySkuText.body.items).toEqual([expect.objectContaining({ productId: 'BOOT-ANKLE', matchedSkus: ['BOOT-AN-38'] })]);

    const tree = await c.p.api('GET', '/api/v1/catalogue/families', { key: admin() });
    expect(tree.body.roots.map((r: { familyId: string }) => r.familyId)).toEqual(['women', 'sale', 'men']);
    expect(tree.body.roots[0].children[0].children[0]).toEqual({ familyId: 'women-footwear-boots', name: 'Boots', children: [] });
  });

  it("keeps each tenant's catalogue to itself", async () => {
    const other = await c.p.createTenant();
    expect((await c.p.api('GET', '/api/v1/catalogue/products/BOOT-CHELSEA', { key: other.keys.admin })).status).toBe(404);
    expect((await c.p.api('GET', '/api/v1/catalogue/skus/BOOT-CH-38', { key: other.keys.admin })).status).toBe(404);
    const refused = await c.p.api('POST', '/api/v1/catalogue/items', { key: other.keys.admin, body: { items: [boots] } });
    expect(refused.body.results[0].errors[0].message).toMatch(/no settings/);
    // A sale of a tenant without a catalogue is exactly what the till sent.
    const s = await c.p.api('POST', '/api/v1/transactions', {
      key: other.keys.pos,
      body: sale({ lines: [{ sku: 'BOOT-CH-38', quantity: 1, unitPrice: 100, taxRate: 21 }], tenders: [{ type: 'card', amount: 100 }] }),
    });
    expect(s.status).toBe(201);
    expect(Object.keys(s.body.lines[0]).sort()).toEqual(['discount', 'lineNumber', 'quantity', 'sku', 'taxRate', 'total', 'unitPrice']);
  });

  it('refuses a malformed batch as a whole, and settings that would move a family', async () => {
    const tooMany = await c.p.api('POST', '/api/v1/catalogue/items', { key: admin(), body: { items: Array.from({ length: 1001 }, () => boots) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await c.p.api('POST', '/api/v1/catalogue/items', { key: c.t.keys.pos, body: { items: [boots] } })).status).toBe(403);
    const moved = settings.families.map((f) => (f.familyId === 'women-footwear-boots' ? { ...f, parentId: 'men' } : f));
    const r = await c.p.api('PUT', '/api/v1/catalogue/settings', { key: admin(), body: { ...settings, families: moved } });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].message).toMatch(/cannot move/);
  });

  it('resolves prices: location override, sale window start and end, channel', async () => {
    const from = '2026-12-01T00:00:00Z';
    const to = '2026-12-08T00:00:00Z';
    await upsert([
      { type: 'price', priceListId: 'es-store', sku: 'BOOT-CH-39', currency: 'EUR', amount: 12900, sale: { amount: 9900, from, to }, version: 1 },
      { type: 'price', priceListId: 'es-store', sku: 'BOOT-CH-39', locationId: 'store-2', currency: 'EUR', amount: 13900, version: 1 },
      { type: 'price', priceListId: 'es-online', sku: 'BOOT-CH-39', currency: 'EUR', amount: 11900, version: 1 },
    ]);
    const price = async (query: string) => c.p.api('GET', `/api/v1/catalogue/prices/BOOT-CH-39?${query}`, { key: c.t.keys.pos });
    expect((await price('locationId=store-1&at=2026-11-30T23:59:59Z')).body).toMatchObject({ amount: 12900, onSale: false, source: 'list', channel: 'store' });
    expect((await price(`locationId=store-1&at=${from}`)).body).toMatchObject({ amount: 9900, onSale: true, saleEndsAt: to });
    expect((await price(`locationId=store-1&at=${to}`)).body).toMatchObject({ amount: 12900, onSale: false });
    expect((await price(`locationId=store-2&at=${from}`)).body).toMatchObject({ amount: 13900, onSale: false, source: 'location', locationId: 'store-2' });
    expect((await price('locationId=web')).body).toMatchObject({ amount: 11900, channel: 'online', priceListId: 'es-online' });
    expect((await price('locationId=store-1&channel=online')).body).toMatchObject({ amount: 11900, channel: 'online' });
    expect((await c.p.api('GET', '/api/v1/catalogue/prices/NO-PRICE?locationId=store-1', { key: c.t.keys.pos })).status).toBe(404);
  });

  it('enriches the lines of a sale from either channel, and flags an unknown SKU without refusing it', async () => {
    const store = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.pos,
      body: sale({
        lines: [
          { sku: 'BOOT-CH-38', quantity: 1, unitPrice: 12900, taxRate: 21 },
          { sku: 'NOT-IN-CATALOGUE', quantity: 1, unitPrice: 500, taxRate: 21, category: 'socks' },
        ],
        tenders: [{ type: 'card', amount: 13400 }],
      }),
    });
    expect(store.status).toBe(201);
    expect(store.body.lines[0]).toMatchObject({
      sku: 'BOOT-CH-38',
      productId: 'BOOT-CHELSEA',
      brand: 'Camper',
      families: ['women', 'women-footwear', 'women-footwear-boots', 'sale', 'sale-winter'],
      catalogue: 'matched',
    });
    expect(store.body.lines[1]).toEqual(expect.objectContaining({ sku: 'NOT-IN-CATALOGUE', category: 'socks', catalogue: 'unknown' }));
    expect(store.body.lines[1].productId).toBeUndefined();

    const online = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.ecommerce,
      body: onlineSale({ lines: [{ sku: 'BOOT-AN-38', quantity: 1, unitPrice: 11900, taxRate: 21 }], tenders: [{ type: 'card', amount: 11900 }] }),
    });
    expect(online.status).toBe(201);
    expect(online.body.lines[0]).toMatchObject({
      productId: 'BOOT-ANKLE',
      families: ['women', 'women-footwear', 'women-footwear-boots'],
      catalogue: 'matched',
    });

    // What consumers see (the event) and what is stored: the till's line plus the reference.
    await c.p.bus.idle();
    const stored = (await c.store.all('transactions', c.t.tenantId)).find((t) => t.transactionId === store.body.transactionId);
    expect(stored.lines[0]).toMatchObject({ sku: 'BOOT-CH-38', quantity: 1, unitPrice: 12900, productId: 'BOOT-CHELSEA', catalogue: 'matched' });
    const read = await c.p.api('GET', `/api/v1/transactions/${online.body.transactionId}`, { key: admin() });
    expect(read.body.lines[0]).toMatchObject({ productId: 'BOOT-ANKLE', catalogue: 'matched' });
  });

  it('imports snapshots once, reports bad rows with their line, ignores older versions, and takes over a stopped run', async () => {
    const t = c.t.tenantId;
    await drop(
      `${t}/products-1.csv`,
      [
        'productId,version,name,brand,families,status,images,attr.material,attr.heelCm',
        'COAT-WOOL,1,Wool coat,Demo,sale-winter,active,https://img.example/coat.jpg,wool,',
        'COAT-BAD,1,Bad coat,Demo,unknown-family,active,,wool,',
        'COAT-HEEL,1,Heel coat,Demo,sale-winter,active,,wool,tall',
        'BOOT-CHELSEA,2,Older chelsea,Camper,women-footwear-boots,active,,,',
        'broken,"row',
      ].join('\n'),
    );
    await drop(
      `${t}/variants-1.jsonl`,
      [
        JSON.stringify({ productId: 'COAT-WOOL', sku: 'COAT-WOOL-M', version: 1, options: { size: 'M', colour: 'grey' } }),
        '{not json',
        JSON.stringify({ productId: 'COAT-BAD', sku: 'COAT-BAD-M', version: 1 }),
      ].join('\n'),
    );
    await drop(
      `${t}/prices-1.csv`,
      [
        'priceListId,sku,locationId,currency,amount,saleAmount,saleFrom,saleTo,version',
        'es-online,COAT-WOOL-M,,EUR,19900,,,,1',
        'es-store,COAT-WOOL-M,,,19900,,,,1',
      ].join('\n'),
    );
    await drop(
      `${t}/relations-1.csv`,
      ['productId,relation,related,version', 'COAT-WOOL,accessory,BOOT-CHELSEA|BOOT-ANKLE,1', 'COAT-WOOL,up-sell,GHOST,1'].join('\n'),
    );
    const run = await c.p.api('POST', '/api/v1/catalogue/imports/run', { key: admin() });
    expect(run.status).toBe(200);
    expect(run.body.files.map((f: { file: string }) => f.file)).toEqual([
      `${t}/products-1.csv`,
      `${t}/variants-1.jsonl`,
      `${t}/prices-1.csv`,
      `${t}/relations-1.csv`,
    ]);

    const products = await importReport(`${t}/products-1.csv`);
    expect(products).toMatchObject({ rows: 5, created: 1, stale: 1 });
    expect(products.badRows.map((b: { line: number }) => b.line)).toEqual([3, 4, 6]);
    expect(products.badRows[0].errors).toEqual([{ field: 'families.0', message: 'family unknown-family does not exist' }]);
    expect(products.badRows[1].errors).toEqual([{ field: 'attributes.heelCm', message: 'must be a number' }]);
    const variants = await importReport(`${t}/variants-1.jsonl`);
    expect(variants.badRows).toEqual([
      { line: 2, errors: [{ field: '(row)', message: 'not valid JSON' }] },
      { line: 3, errors: [{ field: 'productId', message: 'product COAT-BAD does not exist' }] },
    ]);
    const prices = await importReport(`${t}/prices-1.csv`);
    expect(prices).toMatchObject({ created: 1 });
    expect(prices.badRows).toEqual([{ line: 3, errors: [expect.objectContaining({ field: 'currency' })] }]);
    const relations = await importReport(`${t}/relations-1.csv`);
    expect(relations.badRows).toEqual([{ line: 3, errors: [{ field: 'related.0', message: 'product GHOST does not exist' }] }]);
    const coat = await c.p.api('GET', '/api/v1/catalogue/products/COAT-WOOL', { key: admin() });
    expect(coat.body).toMatchObject({ attributes: { material: 'wool' }, relations: [{ type: 'accessory', related: ['BOOT-CHELSEA', 'BOOT-ANKLE'] }] });
    expect((await c.p.api('GET', '/api/v1/catalogue/products/BOOT-CHELSEA', { key: admin() })).body.name).toBe('Chelsea boot II');

    // The same files again: nothing to do.
    expect((await c.p.api('POST', '/api/v1/catalogue/imports/run', { key: admin() })).body.files).toEqual([]);
    // A run that stopped half-way is taken over after its lease, and changes nothing again.
    const first = await importRecord(`${t}/products-1.csv`);
    await c.store.replace('catalogue', { ...first, status: 'running', finishedAt: null, summary: null });
    await c.p.host.runTimer('catalogueImport');
    expect((await importRecord(`${t}/products-1.csv`)).status).toBe('running');
    c.p.advanceClock(31 * 60_000);
    await c.p.host.runTimer('catalogueImport');
    const rerun = await importRecord(`${t}/products-1.csv`);
    expect(rerun.summary).toMatchObject({ rows: 5, created: 0, unchanged: 1, stale: 1, badRows: 3 });
    expect((await c.store.all('catalogue', t)).filter((d) => d.kind === 'product' && d.productId === 'COAT-WOOL')).toHaveLength(1);
  });

  it('reports parity and writes the Merchant Center feeds behind signed links', async () => {
    await c.p.api('POST', '/api/v1/stock/movements', {
      key: admin(),
      body: { type: 'receipt', reference: 'GR-CAT-1', locationId: 'store-1', lines: [{ sku: 'BOOT-CH-38', quantity: 3 }] },
    });
    const parity = await c.p.api('GET', '/api/v1/catalogue/parity?country=ES', { key: admin() });
    expect(parity.status).toBe(200);
    // Store 12900 vs online 11900: 1000 apart, beyond 5 % of 11900 (595).
    expect(parity.body.prices).toEqual(
      expect.arrayContaining([expect.objectContaining({ sku: 'BOOT-CH-38', store: 12900, online: 11900, difference: 1000, tolerance: 595 })]),
    );
    expect(parity.body.publishedInOneChannel).toEqual(expect.arrayContaining([expect.objectContaining({ productId: 'COAT-WOOL', publishedIn: 'online' })]));

    const published = await c.p.api('POST', '/api/v1/catalogue/publications', { key: admin(), body: { country: 'ES' } });
    expect(published.status).toBe(201);
    const files = published.body.countries[0].files;
    const feed = await (await fetch(files.find((f: { kind: string }) => f.kind === 'products').url)).text();
    const [header, ...rows] = feed
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(header).toEqual(expect.arrayContaining(['id', 'title', 'description', 'link', 'image_link', 'availability', 'price', 'brand', 'condition']));
    const boot = Object.fromEntries(header!.map((h, i) => [h, rows.find((r) => r[0] === 'BOOT-CH-38')![i]]));
    expect(boot).toMatchObject({
      price: '119.00 EUR',
      brand: 'Camper',
      gtin: '8412345678905',
      link: 'https://shop.example/p/BOOT-CHELSEA?sku=BOOT-CH-38',
      condition: 'new',
    });
    expect(['in_stock', 'out_of_stock']).toContain(boot.availability);
    const local = await (await fetch(files.find((f: { kind: string }) => f.kind === 'local-inventory').url)).text();
    const lines = local.trim().split('\n');
    expect(lines[0]!.split('\t')).toEqual([
      'store_code',
      'id',
      'quantity',
      'availability',
      'price',
      'sale_price',
      'sale_price_effective_date',
      'pickup_method',
      'pickup_sla',
    ]);
    expect(lines).toContain(['store-1', 'BOOT-CH-38', '2', 'in_stock', '129.00 EUR', '', '', 'buy', 'same day'].join('\t'));
    expect((await fetch(files[0].url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
  });
});
