import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { seedDemoTenant } from '../../local/demo-tenant';
import { hoursAgo, useTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
useTestPlatform((context) => ({ p } = context));

/** Screenshots and timings of every page, kept as test artefacts; `DOCS_SCREENSHOTS=1` also refreshes the README's. */
const ARTEFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');
const DOCS = join(__dirname, '..', '..', 'docs', 'console');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let keys: Record<string, string>;
let browser: BrowserContext;
let close: () => Promise<void>;
const timings: Record<string, number> = {};
const email = 'lucia.garcia@example.com';

beforeAll(async () => {
  keys = await seedDemoTenant(p.url, p.adminKey);
  const record = async (key: string, body: Record<string, unknown>) => {
    const r = await p.api('POST', '/api/v1/transactions', { key, body });
    if (r.status !== 201) throw new Error(`sale answered ${r.status}: ${JSON.stringify(r.body)}`);
  };
  const lucia = { identifiers: [{ type: 'email', value: email }] };
  // Lucía buys online, then in the Madrid store; someone else buys anonymously in Barcelona.
  const boots = { sku: 'BOOTS-CHELSEA-40', quantity: 1, unitPrice: 11995, taxRate: 21, category: 'shoes' };
  const sale = (locationId: string, lines: unknown[], hoursBefore: number, more: Record<string, unknown>) => ({
    type: 'sale',
    locationId,
    occurredAt: hoursAgo(hoursBefore),
    currency: 'EUR',
    lines,
    tenders: [{ type: 'card', amount: (lines as Array<{ unitPrice: number }>)[0]!.unitPrice }],
    ...more,
  });
  await record(
    keys.ecommerce!,
    sale('web-es', [{ sku: 'COAT-WOOL-M', quantity: 1, unitPrice: 8995, taxRate: 21, category: 'coats' }], 30, {
      channel: 'online',
      externalId: 'WEB-1001',
      customer: { identifiers: [...lucia.identifiers, { type: 'ecommerceId', value: 'web-user-1' }] },
    }),
  );
  await record(keys['pos-madrid']!, sale('madrid-centro', [boots], 2, { channel: 'store', terminalId: 'till-1', externalId: 'T1-0001', customer: lucia }));
  await record(keys['pos-barcelona']!, sale('barcelona-diagonal', [boots], 1, { channel: 'store', terminalId: 'till-1', externalId: 'T1-0001' }));
  await p.bus.idle();

  mkdirSync(ARTEFACTS, { recursive: true });
  // A tablet in landscape, as in a store's back room.
  ({ browser, close } = await launchBrowser({ viewport: { width: 1180, height: 820 }, locale: 'es-ES' }));
});
afterAll(async () => {
  await close?.();
  if (Object.keys(timings).length > 0) writeFileSync(join(ARTEFACTS, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
});

/** axe-core finds no serious or critical violation (run through the DevTools protocol: the page's CSP lets no injected script in). */
async function accessible(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> };
      }
    ).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  expect({ page: name, serious: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') }).toEqual({ page: name, serious: [] });
}

async function shoot(page: Page, name: string, forDocs = false): Promise<void> {
  const file = join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (forDocs && process.env.DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, `${name}.png`));
  }
}

/** Navigates inside the console and measures until `ready` is visible: the page is interactive. */
async function visit(page: Page, hash: string, ready: string, name: string): Promise<void> {
  const started = Date.now();
  await page.evaluate((h) => ((globalThis as any).location.hash = h), hash);
  await page.locator(ready).first().waitFor();
  timings[name] = Date.now() - started;
}

/** The input or select a visible label names (a form or section may carry the same name). */
function input(page: Page, label: string) {
  return page.getByLabel(label, { exact: true }).and(page.locator('input, select'));
}

async function signIn(page: Page, key: string): Promise<void> {
  await input(page, 'Clave de API').fill(key);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('heading', { name: 'Clientes', level: 1 }).waitFor();
}

describe('the back office console in a real browser', () => {
  it('signs in with a key, finds a customer, shows both channels, creates a campaign, checks the dashboard against the API, signs out', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && refused.push(m.text())));
    page.on('pageerror', (e) => refused.push(e.message));

    const started = Date.now();
    const response = await page.goto(`${p.url}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await input(page, 'Clave de API').waitFor();
    timings['sign-in (first load)'] = Date.now() - started;
    timings['first load: domInteractive'] = Math.round(
      await page.evaluate(() => (globalThis as any).performance.getEntriesByType('navigation')[0].domInteractive as number),
    );
    await accessible(page, 'sign-in');
    await shoot(page, 'sign-in', true);

    await signIn(page, keys.admin!);
    // The key is in this tab's session storage only: never in the address.
    expect(page.url()).not.toContain(keys.admin);
    expect(await page.evaluate(() => JSON.stringify((globalThis as any).localStorage))).not.toContain('uk.');

    // Search by the email, typed her own way.
    await input(page, 'Email, teléfono, tarjeta de fidelización o id de cliente').fill('  Lucia.Garcia@Example.com ');
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByText(email).waitFor();
    await accessible(page, 'customers');
    await shoot(page, 'customers');

    const t360 = Date.now();
    await page.getByRole('link', { name: /Abrir/ }).first().click();
    await page.locator('#history [data-channel="online"]').waitFor();
    timings['customer 360 (from search)'] = Date.now() - t360;
    expect(await page.locator('#history [data-channel="store"]').count()).toBe(1);
    expect(await page.locator('#history [data-channel="online"]').count()).toBe(1);
    expect(await page.locator('#customer-channels').textContent()).toBe('Online + Tienda');
    expect(await page.locator('#history').textContent()).toContain('119,95');
    await accessible(page, 'customer-360');
    await shoot(page, 'customer-360', true);

    // A campaign, created in the page, is what the API then holds.
    await visit(page, '#/campaigns', 'h1:text("Campañas")', 'campaigns');
    await input(page, 'Nombre').fill('Rebajas de invierno');
    await input(page, 'Valor (%)').fill('15');
    await input(page, 'Código público (opcional)').fill('REBAJAS25');
    await page.getByRole('button', { name: 'Crear' }).click();
    await page.locator('#campaign-figures').waitFor();
    const campaignId = (await page.locator('#campaign-figures code').first().textContent())!;
    const held = await p.api('GET', `/api/v1/campaigns/${campaignId}`, { key: keys.admin });
    expect(held.body).toMatchObject({ name: 'Rebajas de invierno', discount: { type: 'percentage', percent: 15 }, publicCode: 'REBAJAS25' });
    await accessible(page, 'campaigns');
    await shoot(page, 'campaigns');

    // Gift card, stock, receipts: each page reads the same API.
    const card = await p.api('POST', '/api/v1/gift-cards', { key: keys.admin, body: { amount: 5000, currency: 'EUR', reference: 'CONSOLE-1' } });
    await visit(page, '#/gift-cards', 'h1:text("Tarjetas regalo")', 'gift cards');
    await input(page, 'Id de tarjeta regalo').fill(card.body.giftCardId);
    await page.getByRole('button', { name: 'Abrir' }).click();
    expect(await page.locator('#gift-card-balance').textContent()).toMatch(/50,00\s€/);
    await accessible(page, 'gift-cards');
    await shoot(page, 'gift-cards');

    await visit(page, '#/stock', 'h1:text("Stock")', 'stock');
    await input(page, 'SKU').fill('BOOTS-CHELSEA-40');
    await page.getByRole('button', { name: 'Buscar' }).first().click();
    await page.locator('#availability').waitFor();
    const availability = (await p.api('GET', '/api/v1/stock/BOOTS-CHELSEA-40', { key: keys.admin })).body;
    expect(await page.locator('#availability').textContent()).toContain(String(availability.total.available));
    await accessible(page, 'stock');
    await shoot(page, 'stock');

    await visit(page, '#/receipts', 'h1:text("Tickets")', 'receipts');
    await input(page, 'Instalación (ubicación.terminal)').fill('madrid-centro.till-1');
    await page.getByRole('button', { name: 'Verificar' }).first().click();
    expect(await page.locator('#verification-result').textContent()).toContain('Cadena verificada');
    await accessible(page, 'receipts');
    await shoot(page, 'receipts');

    // The dashboard's chart shows the analytics API's numbers.
    await visit(page, '#/analytics', '#chart-sales', 'analytics dashboard');
    const from = await input(page, 'Desde').inputValue();
    const to = await input(page, 'Hasta').inputValue();
    const sales = (await p.api('GET', `/api/v1/analytics/sales?from=${from}&to=${to}`, { key: keys.admin })).body;
    const days = [...new Set(sales.days.map((r: { day: string }) => r.day))] as string[];
    const netOf = (channel: string) =>
      days.map((d) => sales.days.find((r: { day: string; channel: string }) => r.day === d && r.channel === channel)?.net ?? 0);
    const bars = (series: string) =>
      page.locator(`#chart-sales rect[data-series="${series}"]`).evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    expect(await bars('Tienda')).toEqual(netOf('store'));
    expect(await bars('Online')).toEqual(netOf('online'));
    expect(netOf('store').reduce((a, b) => a + b, 0)).toBe(2 * 11995);
    const customers = (await p.api('GET', `/api/v1/analytics/customers?from=${from}&to=${to}`, { key: keys.admin })).body;
    expect(customers.omnichannel.customers).toBe(1);
    expect(await page.locator('#kpi-identified .kpi-value').textContent()).toMatch(/66,7\s%/);
    await accessible(page, 'analytics');
    await shoot(page, 'analytics', true);

    // English, then sign out: the key is gone from the tab.
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await input(page, 'API key').waitFor();
    expect(await page.evaluate(() => JSON.stringify((globalThis as any).sessionStorage))).not.toContain('uk.');
    await page.getByRole('combobox', { name: 'Language' }).waitFor({ state: 'detached' });
    expect(refused).toEqual([]);
    await page.close();
  });

  it('shows a POS key masked data, as the API gives it, and no admin pages', async () => {
    const page = await browser.newPage();
    await page.goto(`${p.url}/`);
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('unifica.console.lang', 'es'));
    await page.reload();
    await signIn(page, keys['pos-madrid']!);
    expect(await page.getByRole('link', { name: 'Analítica' }).count()).toBe(0);
    await input(page, 'Email, teléfono, tarjeta de fidelización o id de cliente').fill(email);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByText('l***@example.com').waitFor();
    expect(await page.content()).not.toContain(email);
    await page.getByRole('link', { name: /Abrir/ }).first().click();
    await page.getByText('Los datos personales están enmascarados para esta clave.').waitFor();
    await page.locator('#history [data-channel="online"]').waitFor();
    expect(await page.content()).not.toContain(email);
    await accessible(page, 'customer-360 (pos)');
    await shoot(page, 'customer-360-pos', true);
    // The page is not a back door: the API refuses what the key may not see.
    await page.evaluate(() => ((globalThis as any).location.hash = '#/analytics'));
    await page.getByText('Esta clave no puede hacer eso.').waitFor();
    await page.close();
  });
});
