import { accessible, input, shoot, signIn, useConsoleBrowser, visit as visitIn } from './console-support';
import type { Page } from 'playwright-core';
import { seedDemoTenant } from '../../local/demo-tenant';
import { hoursAgo, useTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
useTestPlatform((context) => ({ p } = context));

let keys: Record<string, string>;
const { browser, timings } = useConsoleBrowser('console');
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
  // Shoes are bought again and again here: what she bought may come back in her recommendations.
  const settings = await p.api('PUT', '/api/v1/settings/recommendations', { key: keys.admin, body: { repeatPurchaseCategories: ['shoes'] } });
  if (settings.status !== 200) throw new Error(`settings answered ${settings.status}`);
  await p.bus.idle();
});

const visit = (page: Page, hash: string, ready: string, name: string) => visitIn(page, timings, hash, ready, name);

describe('the back office console in a real browser', () => {
  it('signs in with a key, finds a customer, shows both channels, creates a campaign, checks the dashboard against the API, signs out', async () => {
    const page = await browser().newPage();
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
    // Her traits and segments come in the 360 response; her recommendations from their own route, shown as the API lists them.
    const luciaId = decodeURIComponent(page.url().split('#/customers/')[1]!);
    expect(await page.locator('#customer-traits [data-trait="orders"] dd').textContent()).toBe('2');
    expect(await page.locator('#customer-traits [data-trait="totalSpend"] dd').textContent()).toMatch(/209,90\s€/);
    const recommended = (await p.api('GET', `/api/v1/customers/${luciaId}/recommendations?channel=online&limit=6`, { key: keys.admin })).body;
    await page.locator('#customer-recommendations table, #customer-recommendations p.muted').first().waitFor();
    expect(await page.locator('#customer-recommendations [data-sku]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-sku')))).toEqual(
      recommended.items.map((i: { sku: string }) => i.sku),
    );
    expect(recommended.items[0]).toMatchObject({ sku: 'BOOTS-CHELSEA-40' });
    expect(await page.locator('#customer-recommendations').textContent()).toContain(recommended.items[0].explanation.text);
    await accessible(page, 'customer-360');

    // A segment built in the page: the live count follows every change, as the preview route counts it.
    await visit(page, '#/segments', '#segment-builder', 'segments');
    const condition = (n: number) => page.locator(`fieldset[data-condition="${n}"]`);
    // A select's name includes its chosen option: selects are found by the start of their name, text boxes by all of it.
    const control = (n: number, label: string) => condition(n).getByRole('combobox', { name: new RegExp(`^${label}`) });
    const box = (n: number, label: string) => condition(n).getByRole('textbox', { name: label, exact: true });
    const liveCount = async (definition: unknown) => {
      const preview = await p.api('POST', '/api/v1/segments/preview', { key: keys.admin, body: { definition } });
      expect(preview.status).toBe(200);
      const shown = String(preview.body.count);
      await page
        .locator('#segment-count')
        .filter({ hasText: new RegExp(`^${shown}$`) })
        .waitFor();
      return preview.body.count as number;
    };
    const everyone = await liveCount({ all: [{ trait: 'orders', operator: 'greaterThanOrEqual', value: 1 }] });
    expect(everyone).toBe(1);
    await box(0, 'Valor').fill('3');
    expect(await liveCount({ all: [{ trait: 'orders', operator: 'greaterThanOrEqual', value: 3 }] })).toBe(0);
    await box(0, 'Valor').fill('2');
    await page.getByRole('button', { name: 'Añadir una condición' }).click();
    await control(1, 'Rasgo').selectOption('lastStorePurchaseAt');
    await control(1, 'Operador').selectOption('withinLastDays');
    await box(1, 'Días').fill('90');
    const omnichannel = {
      all: [
        { trait: 'orders', operator: 'greaterThanOrEqual', value: 2 },
        { trait: 'lastStorePurchaseAt', operator: 'withinLastDays', value: 90 },
      ],
    };
    expect(await liveCount(omnichannel)).toBe(1);
    await accessible(page, 'segments (builder)');
    await shoot(page, 'segment-builder', true);
    await input(page, 'Nombre').fill('Compran en tienda, dos veces o más');
    await page.getByRole('button', { name: 'Guardar segmento' }).click();
    await page.getByText('Segmento guardado').waitFor();
    const listed = (await p.api('GET', '/api/v1/segments', { key: keys.admin })).body.items;
    expect(listed).toMatchObject([{ name: 'Compran en tienda, dos veces o más', definition: omnichannel }]);
    const segmentId = listed[0].segmentId as string;
    await p.host.runTimer('segmentBackfill');
    // The daily review records today's size: the segment's chart then has its first day.
    await p.host.runTimer('segmentDaily');
    await p.bus.idle();
    await page.reload();
    await page.locator(`#segment-list a[data-segment="${segmentId}"]`).waitFor();
    await shoot(page, 'segments');

    await page.locator(`#segment-list a[data-segment="${segmentId}"]`).click();
    await page.locator(`#segment-members a[href="#/customers/${luciaId}"]`).waitFor();
    expect(await page.locator('#segment-size .kpi-value').textContent()).toBe('1');
    const perDay = (await p.api('GET', `/api/v1/segments/${segmentId}/sizes`, { key: keys.admin })).body.items.map((x: { size: number }) => x.size);
    expect(perDay).toEqual([1]);
    expect(await page.locator('#chart-segment-days rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))))).toEqual(perDay);
    await accessible(page, 'segment');
    await shoot(page, 'segment');

    // Back in her 360 view, she is in it.
    await page.locator(`#segment-members a[href="#/customers/${luciaId}"]`).click();
    await page.locator(`#customer-segments [data-segment="${segmentId}"]`).waitFor();
    await page.locator('#history [data-channel="online"]').waitFor();
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
    // Segment sizes and recommendation conversion, as their routes give them.
    await page.locator('#chart-segments').waitFor();
    const sizes = (await p.api('GET', '/api/v1/segments', { key: keys.admin })).body.items.map((x: { size: number }) => x.size);
    expect(await page.locator('#chart-segments rect').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))))).toEqual(sizes);
    expect(sizes).toEqual([1]);
    const conversion = (await p.api('GET', `/api/v1/recommendations/conversion?from=${from}T00:00:00Z&to=${to}T00:00:00Z`, { key: keys.admin })).body;
    const served = await page
      .locator('#chart-recommendations rect[data-series="Listas servidas"]')
      .evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
    expect(served).toEqual(conversion.byKind.map((k: { served: number }) => k.served));
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
    const page = await browser().newPage();
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
    await page.locator('#customer-recommendations table, #customer-recommendations p.muted').first().waitFor();
    expect(await page.locator('#customer-traits [data-trait="orders"] dd').textContent()).toBe('2');
    await accessible(page, 'customer-360 (pos)');
    await shoot(page, 'customer-360-pos', true);
    // The page is not a back door: the API refuses what the key may not see.
    await page.evaluate(() => ((globalThis as any).location.hash = '#/analytics'));
    await page.getByText('Tu rol no puede hacer eso.').waitFor();
    await page.close();
  });
});
