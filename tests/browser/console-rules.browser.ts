import type { Page } from 'playwright-core';
import { accessible, input, shoot, signIn, useConsoleBrowser, visit as visitIn } from './console-support';
import { seedDemoTenant } from '../../local/demo-tenant';
import { sale, useTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
useTestPlatform((context) => ({ p } = context));

let keys: Record<string, string>;
const { browser, timings } = useConsoleBrowser('rules');
const visit = (page: Page, hash: string, ready: string, name: string) => visitIn(page, timings, hash, ready, name);
/** Counts as the console shows them to a Spanish reader of a Spanish tenant. */
const es = (n: number) => new Intl.NumberFormat('es-ES').format(n);

let campaignId: string;
beforeAll(async () => {
  keys = await seedDemoTenant(p.url, p.adminKey);
  const older = await p.api('POST', '/api/v1/campaigns', {
    key: keys.admin,
    body: { name: 'Rebajas de enero', discount: { type: 'percentage', percent: 20 }, validFrom: '2026-01-01T00:00:00Z', validTo: '2030-01-01T00:00:00Z' },
  });
  expect(older.status).toBe(201);
  const welcome = await p.api('POST', '/api/v1/campaigns', {
    key: keys.admin,
    body: {
      name: 'Gracias: 10 € para la próxima',
      discount: { type: 'fixedAmount', amount: 1000 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
    },
  });
  expect(welcome.status).toBe(201);
  campaignId = welcome.body.campaignId;
});

/** A sale at the Madrid till, now, by the customer with this email. */
async function sell(email: string, unitPrice: number, externalId: string) {
  const r = await p.api('POST', '/api/v1/transactions', {
    key: keys['pos-madrid'],
    body: sale({
      locationId: 'madrid-centro',
      externalId,
      occurredAt: new Date().toISOString(),
      lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1, unitPrice, taxRate: 21, category: 'shoes' }],
      tenders: [{ type: 'card', amount: unitPrice }],
      customer: { identifiers: [{ type: 'email', value: email }] },
    }),
  });
  if (r.status !== 201) throw new Error(`sale answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body as { customerId: string };
}

describe('offer rules and the campaigns list in the console', () => {
  it('lists campaigns, creates a rule in the form, shows its results as the report gives them, simulates it and pauses it', async () => {
    const page = await browser().newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(`${p.url}/`);
    await signIn(page, keys.admin!);

    // The campaigns the API lists, newest first; one opens with a click.
    await visit(page, '#/campaigns', '#campaign-list table', 'campaigns (list)');
    const listed = (await p.api('GET', '/api/v1/campaigns', { key: keys.admin })).body.items.map((c: { campaignId: string }) => c.campaignId);
    expect(await page.locator('#campaign-list [data-campaign]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-campaign')))).toEqual(listed);
    expect(listed[0]).toBe(campaignId);
    await page.locator(`#campaign-list [data-campaign="${campaignId}"]`).click();
    expect(await page.locator('#campaign-figures code').first().textContent()).toBe(campaignId);
    expect(await page.locator('#campaign-figures').textContent()).toMatch(/10,00\s€/);
    await accessible(page, 'campaigns (list)');
    await shoot(page, 'campaign-list');

    // A rule built in the form: a sale of at least 50 € in any channel gives a personal coupon, within a budget of 100.
    await visit(page, '#/rules', '#rule-form form', 'rules');
    await accessible(page, 'rules (empty, with the form)');
    await input(page, 'Nombre').fill('Compra de 50 € o más: 10 € para la próxima');
    expect(await page.getByRole('combobox', { name: /^Tipo/ }).inputValue()).toBe('sale');
    await input(page, 'Venta neta mínima (EUR, opcional)').fill('50');
    expect(await page.getByRole('combobox', { name: /^Campaña/ }).inputValue()).toBe(campaignId);
    await input(page, 'Presupuesto: veces en total (opcional)').fill('100');
    const created = Date.now();
    await page.getByRole('button', { name: 'Crear regla' }).click();
    await page.locator('#rule-results .kpis').waitFor();
    timings['rule results (after creating it)'] = Date.now() - created;
    const ruleId = decodeURIComponent(page.url().split('#/rules/')[1]!);
    const held = (await p.api('GET', `/api/v1/offers/rules/${ruleId}`, { key: keys.admin })).body;
    expect(held).toMatchObject({
      name: 'Compra de 50 € o más: 10 € para la próxima',
      trigger: { type: 'sale' },
      conditions: { minimumBasket: 5000 },
      actions: [{ type: 'issue-coupon', campaignId }],
      budget: { activations: 100 },
      cap: null,
      active: true,
      version: 1,
    });
    expect(held.conditions).toEqual({ minimumBasket: 5000 });

    // One sale over the minimum triggers it, one under does not.
    const lucia = await sell('lucia.reglas@example.com', 11995, 'T1-R-0001');
    await sell('mario.reglas@example.com', 2995, 'T1-R-0002');
    await p.bus.idle();
    const wallet = (await p.api('GET', `/api/v1/customers/${lucia.customerId}/coupons`, { key: keys.admin })).body.items;
    expect(wallet).toMatchObject([{ campaignId, source: `rule:${ruleId}` }]);

    // The results, as the report route gives them.
    const results = Date.now();
    await page.reload();
    await page.locator('#rule-results .kpis').waitFor();
    timings['rule results (reload)'] = Date.now() - results;
    const report = (await p.api('GET', `/api/v1/offers/rules/${ruleId}/report`, { key: keys.admin })).body;
    expect(report).toMatchObject({ triggered: 1, acted: 1, capped: 0, couponsIssued: 1, couponsRedeemed: { store: 0, online: 0 }, budget: { used: 1 } });
    const shown = async (id: string) => (await page.locator(`#report-${id} .kpi-value`).textContent())!;
    expect(await shown('triggered')).toBe(es(report.triggered));
    expect(await shown('acted')).toBe(es(report.acted));
    expect(await shown('capped')).toBe(es(report.capped));
    expect(await shown('coupons-issued')).toBe(es(report.couponsIssued));
    expect(await shown('redeemed-store')).toBe(es(report.couponsRedeemed.store));
    expect(await shown('redeemed-online')).toBe(es(report.couponsRedeemed.online));
    expect(await shown('points')).toBe(es(report.pointsAwarded));
    expect(await shown('budget')).toBe(`${es(report.budget.used)} de ${es(report.budget.activations)}`);
    expect(await page.locator('#rule-definition').textContent()).toContain('venta neta de al menos 50,00');
    expect(await page.locator('#rule-definition').textContent()).toContain('Cupón personal de «Gracias: 10 € para la próxima»');

    // A simulation for her, as the API answers it.
    await input(page, 'Id de cliente').fill(lucia.customerId);
    await input(page, 'Cesta (EUR)').fill('40');
    await page.getByRole('button', { name: 'Simular' }).click();
    await page.locator('#simulation').waitFor();
    const simulated = (
      await p.api('POST', `/api/v1/offers/rules/${ruleId}/simulate`, {
        key: keys.admin,
        body: { customerId: lucia.customerId, event: { type: 'sale', channel: 'store', lines: [{ sku: 'SIMULATION', quantity: 1, unitPrice: 4000 }] } },
      })
    ).body;
    expect(simulated).toMatchObject({ wouldAct: false, conditions: [{ condition: 'minimumBasket', held: false }] });
    expect(await page.locator('#simulation strong').textContent()).toBe('No actuaría ahora');
    // The basket against the minimum, in money as the tenant writes it (the API's detail is in minor units).
    const minimumRow = page.locator('#simulation tr', { hasText: 'Venta neta mínima' });
    const euros = (minor: number) => new Intl.NumberFormat('es-ES', { style: 'currency', currency: 'EUR' }).format(minor / 100);
    const minimum = Number(/minimum (\d+)/.exec(simulated.conditions[0].detail)![1]);
    expect(await minimumRow.textContent()).toContain(`${euros(4000)} · venta neta de al menos ${euros(minimum)}`);
    await accessible(page, 'rule results');
    await shoot(page, 'rule-results', true);

    // Paused from the page: the API holds a new version that acts on nothing.
    await page.getByRole('button', { name: 'Pausar' }).click();
    await page.getByRole('button', { name: 'Reanudar' }).waitFor();
    const paused = (await p.api('GET', `/api/v1/offers/rules/${ruleId}`, { key: keys.admin })).body;
    expect(paused).toMatchObject({ active: false, version: 2 });
    expect(await page.locator('h1 + p .badge').textContent()).toBe('En pausa');

    // An edit is a new version from now, the form filled with the rule as it is.
    await page.getByRole('button', { name: 'Editar (una nueva versión, desde ahora)' }).click();
    expect(await input(page, 'Venta neta mínima (EUR, opcional)').inputValue()).toBe('50');
    await input(page, 'Venta neta mínima (EUR, opcional)').fill('100');
    await page.getByRole('button', { name: 'Guardar la nueva versión' }).click();
    await page.locator('#rule-definition', { hasText: 'venta neta de al menos 100,00' }).waitFor();
    const edited = (await p.api('GET', `/api/v1/offers/rules/${ruleId}`, { key: keys.admin })).body;
    expect(await page.locator('#rule-definition tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelector('td')!.textContent))).toEqual(['3', '2', '1']);
    expect(edited).toMatchObject({
      version: 3,
      active: false,
      conditions: { minimumBasket: 10000 },
      actions: [{ type: 'issue-coupon', campaignId }],
      budget: { activations: 100 },
    });

    // A rule on an event the retailer sends: its simulation sends that event, and it would act.
    const appRule = await p.api('POST', '/api/v1/offers/rules', {
      key: keys.admin,
      body: { name: 'Instala la app: 50 puntos', trigger: { type: 'api-event', name: 'app-install' }, actions: [{ type: 'award-points', points: 50 }] },
    });
    expect(appRule.status).toBe(201);
    await visit(page, `#/rules/${appRule.body.ruleId}`, '#rule-results .kpis', 'rule results');
    expect(await page.locator('#rule-definition').textContent()).toContain('Un evento que envía el comercio: app-install');
    expect(await page.locator('#rule-definition').textContent()).toContain('50 puntos extra');
    await input(page, 'Id de cliente').fill(lucia.customerId);
    await page.getByRole('button', { name: 'Simular' }).click();
    await page.locator('#simulation').waitFor();
    const appSimulated = await p.api('POST', `/api/v1/offers/rules/${appRule.body.ruleId}/simulate`, {
      key: keys.admin,
      body: { customerId: lucia.customerId, event: { type: 'api-event', name: 'app-install' } },
    });
    expect(appSimulated.body).toMatchObject({ wouldAct: true, triggerFires: true });
    expect(await page.locator('#simulation strong').textContent()).toBe('Actuaría ahora');

    // The list: the rule in words, paused, its budget used as the report counts it.
    await visit(page, '#/rules', `#rule-list a[data-rule="${ruleId}"]`, 'rules (list)');
    const row = page.locator('#rule-list tr', { has: page.locator(`a[data-rule="${ruleId}"]`) });
    await row.getByText(`${es(report.budget.used)} de ${es(report.budget.activations)}`).waitFor();
    expect(await row.textContent()).toContain('Una venta');
    expect(await row.textContent()).toContain('En pausa');
    await accessible(page, 'rules (list)');
    await shoot(page, 'rules', true);

    // What the API refuses comes back next to the form, naming the field.
    await input(page, 'Nombre').fill('Sin umbral');
    await page.getByRole('combobox', { name: /^Tipo/ }).selectOption('points-threshold');
    await page.getByRole('button', { name: 'Crear regla' }).click();
    await page.locator('#rule-form .problem code', { hasText: 'trigger.threshold' }).waitFor();
    expect((await p.api('GET', '/api/v1/offers/rules', { key: keys.admin })).body.items).toHaveLength(2);
    await accessible(page, 'rules (refused)');

    // The same page in English.
    await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor();
    expect(await row.textContent()).toContain('A sale');
    expect(await row.textContent()).toContain('Paused');
    expect(failures).toEqual([]);
    await page.close();
  });
});
