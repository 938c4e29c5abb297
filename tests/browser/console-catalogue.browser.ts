import { accessible, input, shoot, signIn, useConsoleBrowser, visit } from './console-support';
import { seedDemoTenant } from '../../local/demo-tenant';
import { useTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
useTestPlatform((context) => ({ p } = context));

let keys: Record<string, string>;
const { browser, timings } = useConsoleBrowser('console-catalogue');

/** A small catalogue as the ERP sends it: two families deep, a store and an online list, an online sale and a store's own price. */
const settings = {
  families: [
    { familyId: 'women', name: 'Mujer', parentId: null },
    { familyId: 'women-footwear', name: 'Calzado', parentId: 'women' },
    { familyId: 'women-boots', name: 'Botas', parentId: 'women-footwear' },
    { familyId: 'women-sneakers', name: 'Zapatillas', parentId: 'women-footwear' },
    { familyId: 'accessories', name: 'Accesorios', parentId: null },
  ],
  attributes: [
    { code: 'material', name: 'Material', type: 'enum', values: ['leather', 'canvas', 'cashmere'], required: true },
    { code: 'waterproof', name: 'Impermeable', type: 'boolean' },
    { code: 'heelCm', name: 'Tacón (cm)', type: 'number' },
  ],
  priceLists: [
    { priceListId: 'es-tiendas', name: 'Tiendas España', channel: 'store', country: 'ES', currency: 'EUR' },
    { priceListId: 'es-online', name: 'Tienda online España', channel: 'online', country: 'ES', currency: 'EUR' },
  ],
  parity: { priceTolerancePercent: 3, priceToleranceMinor: 100, availabilityToleranceUnits: 0 },
};
const product = (productId: string, name: string, families: string[], attributes: Record<string, unknown>) => ({
  type: 'product',
  productId,
  version: 1,
  name,
  brand: 'Demo Atelier',
  families,
  attributes,
  images: [`https://images.demo-retail.example/${productId.toLowerCase()}.jpg`],
});
const variant = (productId: string, sku: string, size: string, colour: string) => ({ type: 'variant', productId, sku, version: 1, options: { size, colour } });
const price = (priceListId: string, sku: string, amount: number, more: Record<string, unknown> = {}) => ({
  type: 'price',
  priceListId,
  sku,
  currency: 'EUR',
  amount,
  version: 1,
  ...more,
});
const sale = { amount: 4795, from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 6 * 86_400_000).toISOString() };
const items = [
  product('BOOTS-CHELSEA', 'Botín Chelsea de piel', ['women-boots'], { material: 'leather', waterproof: false, heelCm: 3 }),
  product('SNEAKER-CANVAS', 'Zapatilla de lona', ['women-sneakers'], { material: 'canvas' }),
  product('SCARF-CASHMERE', 'Bufanda de cachemira', ['accessories'], { material: 'cashmere' }),
  variant('BOOTS-CHELSEA', 'BOOTS-CHELSEA-38', '38', 'black'),
  variant('BOOTS-CHELSEA', 'BOOTS-CHELSEA-39', '39', 'black'),
  variant('SNEAKER-CANVAS', 'SNEAKER-CANVAS-38', '38', 'white'),
  variant('SCARF-CASHMERE', 'SCARF-CASHMERE-U', 'U', 'grey'),
  price('es-tiendas', 'BOOTS-CHELSEA-38', 11995),
  price('es-tiendas', 'BOOTS-CHELSEA-39', 11995),
  price('es-online', 'BOOTS-CHELSEA-38', 10995),
  price('es-tiendas', 'SNEAKER-CANVAS-38', 5995),
  price('es-online', 'SNEAKER-CANVAS-38', 5995, { sale }),
  price('es-tiendas', 'SCARF-CASHMERE-U', 8995),
  price('es-tiendas', 'SCARF-CASHMERE-U', 9495, { locationId: 'barcelona-diagonal' }),
  { type: 'relations', productId: 'BOOTS-CHELSEA', relation: 'cross-sell', related: ['SCARF-CASHMERE'], version: 1 },
];

/** Money as the console shows it for a Spanish tenant in Spanish. */
const euros = (minor: number) => new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' }).format(minor / 100);

beforeAll(async () => {
  keys = await seedDemoTenant(p.url, p.adminKey);
  const put = await p.api('PUT', '/api/v1/catalogue/settings', { key: keys.admin, body: settings });
  if (put.status !== 200) throw new Error(`settings answered ${put.status}: ${JSON.stringify(put.body)}`);
  const upserted = await p.api('POST', '/api/v1/catalogue/items', { key: keys.admin, body: { items } });
  if (upserted.status !== 200 || upserted.body.summary.rejected) throw new Error(`items answered ${upserted.status}: ${JSON.stringify(upserted.body)}`);
});

describe('the catalogue in the console', () => {
  it('shows the families, finds a product, prices its variants per channel as the prices route does, explains a resolved price and reports parity', async () => {
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${p.url}/`);
    await signIn(page, keys.admin!);
    await page.getByRole('link', { name: 'Catálogo' }).waitFor();
    await visit(page, timings, '#/catalogue', '#catalogue-families button[data-family="women-boots"]', 'catalogue, family tree drawn');
    await accessible(page, 'catalogue');

    // A family lists what is in it and below it, as the family route does.
    await page.getByRole('button', { name: 'Calzado', exact: true }).click();
    await page.getByRole('heading', { name: 'Productos de Calzado y por debajo' }).waitFor();
    const inFootwear = (await p.api('GET', '/api/v1/catalogue/families/women-footwear/products', { key: keys.admin })).body.items.map((x: any) => x.productId);
    expect(await page.locator('#catalogue-products a[data-product]').evaluateAll((as) => as.map((a) => a.getAttribute('data-product')))).toEqual(inFootwear);
    expect(inFootwear.sort()).toEqual(['BOOTS-CHELSEA', 'SNEAKER-CANVAS']);

    // Words cut short find the boot, with the SKUs that matched.
    await input(page, 'Nombre, marca, id o SKU (las palabras pueden ir cortadas)').fill('chel 38');
    await page.getByRole('button', { name: 'Buscar', exact: true }).click();
    await page.getByRole('heading', { name: 'Productos para «chel 38»' }).waitFor();
    const found = (await p.api('GET', '/api/v1/catalogue/search?q=chel%2038', { key: keys.admin })).body.items;
    expect(found.map((x: any) => [x.productId, x.matchedSkus])).toEqual([['BOOTS-CHELSEA', ['BOOTS-CHELSEA-38']]]);
    expect(await page.locator('#catalogue-products tbody tr').count()).toBe(1);
    expect(await page.locator('#catalogue-products tbody tr').textContent()).toContain('BOOTS-CHELSEA-38');

    // The product: attributes, variants, and each variant's price in both channels at a store, as the prices route answers.
    const opened = Date.now();
    await page.locator('#catalogue-products a[data-product="BOOTS-CHELSEA"]').click();
    await page.getByRole('heading', { name: 'Botín Chelsea de piel', level: 1 }).waitFor();
    timings['product, from a click in the results'] = Date.now() - opened;
    expect(await page.locator('#product-facts').textContent()).toContain('Mujer › Calzado › Botas');
    await input(page, 'Id de ubicación').fill('madrid-centro');
    const priced = Date.now();
    await page.getByRole('button', { name: 'Precios en esta ubicación' }).click();
    await page.locator('#product-variants [data-price]').first().waitFor();
    timings['product, prices of 2 variants x 2 channels'] = Date.now() - priced;
    const rows = page.locator('#product-variants tbody tr');
    expect(await rows.count()).toBe(2);
    for (const [row, sku] of [
      [0, 'BOOTS-CHELSEA-38'],
      [1, 'BOOTS-CHELSEA-39'],
    ] as const) {
      for (const [column, channel] of [
        [4, 'store'],
        [5, 'online'],
      ] as const) {
        const answer = await p.api('GET', `/api/v1/catalogue/prices/${sku}?locationId=madrid-centro&channel=${channel}`, { key: keys.admin });
        const cell = rows.nth(row).locator('td').nth(column);
        if (answer.status === 404) {
          expect(await cell.textContent()).toBe('sin precio');
          continue;
        }
        expect(answer.status).toBe(200);
        expect(await cell.locator('strong').textContent()).toBe(euros(answer.body.amount));
        expect(await cell.textContent()).toContain(answer.body.priceListId);
      }
    }
    // The 39 has no online entry; the 38 is cheaper online.
    expect(await rows.nth(1).locator('td').nth(5).textContent()).toBe('sin precio');
    expect(await rows.nth(0).locator('td').nth(5).locator('strong').textContent()).toBe(euros(10995));
    expect(await page.locator('#product-relations a[data-product="SCARF-CASHMERE"]').count()).toBe(1);
    await accessible(page, 'catalogue product');
    await shoot(page, 'catalogue-product', true);

    // A resolved price, with the rule that won: Barcelona's own price of the scarf, then the online sale of the sneaker.
    await visit(page, timings, '#/catalogue', '#catalogue-price form', 'catalogue, again');
    const resolve = async (sku: string, locationId: string, channel: string) => {
      await input(page, 'SKU').fill(sku);
      await input(page, 'Id de ubicación').fill(locationId);
      await page.locator('#catalogue-price select[name="channel"]').selectOption(channel);
      await page.getByRole('button', { name: 'Resolver el precio' }).click();
      const answer = await p.api('GET', `/api/v1/catalogue/prices/${sku}?locationId=${locationId}${channel ? `&channel=${channel}` : ''}`, { key: keys.admin });
      expect(answer.status).toBe(200);
      await page.locator(`#resolved-price strong[data-amount="${answer.body.amount}"]`).waitFor();
      expect(await page.locator('#resolved-price strong').textContent()).toBe(euros(answer.body.amount));
      return answer.body;
    };
    const scarf = await resolve('SCARF-CASHMERE-U', 'barcelona-diagonal', '');
    expect(scarf).toMatchObject({ amount: 9495, source: 'location', locationId: 'barcelona-diagonal', priceListId: 'es-tiendas', onSale: false });
    expect(await page.locator('#resolved-price li[data-source="location"]').textContent()).toContain('barcelona-diagonal');
    const sneaker = await resolve('SNEAKER-CANVAS-38', 'madrid-centro', 'online');
    expect(sneaker).toMatchObject({ amount: 4795, regularAmount: 5995, source: 'list', priceListId: 'es-online', onSale: true });
    expect(await page.locator('#resolved-price li[data-on-sale="true"]').textContent()).toContain(euros(5995));
    expect(await page.locator('#resolved-price li[data-source="list"]').count()).toBe(1);

    // The parity report for Spain: the boot is cheaper online, and so is the sneaker while its online sale lasts.
    await page.getByRole('button', { name: 'Ver el informe' }).click();
    await page.locator('#parity-report').waitFor();
    const parity = (await p.api('GET', '/api/v1/catalogue/parity?country=ES', { key: keys.admin })).body;
    expect(parity.prices.map((x: any) => [x.sku, x.difference]).sort()).toEqual([
      ['BOOTS-CHELSEA-38', 1000],
      ['SNEAKER-CANVAS-38', 1200],
    ]);
    const shownPrices = await page
      .locator('#parity-report table')
      .first()
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from((tr as any).querySelectorAll('td'), (td: any) => td.textContent as string)));
    expect(shownPrices).toEqual(parity.prices.map((x: any) => [x.sku, euros(x.store), euros(x.online), euros(x.difference), euros(x.tolerance)]));
    expect(await page.locator('#parity-report').textContent()).toContain('Bufanda de cachemira');
    await accessible(page, 'catalogue (price and parity)');
    await shoot(page, 'catalogue', true);
    expect(errors).toEqual([]);
    await page.close();
  });
});
