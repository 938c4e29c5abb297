import { accessible, input, shoot, signIn, useConsoleBrowser, visit } from './console-support';
import { seedDemoTenant } from '../../local/demo-tenant';
import { hoursAgo, useTestPlatform, type TestPlatform } from '../support/platform';
import { eventually } from '../support/receiver';

let p: TestPlatform;
useTestPlatform((context) => ({ p } = context));

let keys: Record<string, string>;
const { browser, timings } = useConsoleBrowser('console-segments');

beforeAll(async () => {
  keys = await seedDemoTenant(p.url, p.adminKey);
  const record = async (key: string, locationId: string, channel: 'store' | 'online', email: string, n: number) => {
    const body = {
      type: 'sale',
      locationId,
      channel,
      occurredAt: hoursAgo(10 - n),
      currency: 'EUR',
      externalId: `${channel}-${email}-${n}`,
      ...(channel === 'store' ? { terminalId: 'till-1' } : {}),
      customer: { identifiers: [{ type: 'email', value: email }] },
      lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1, unitPrice: 11995, taxRate: 21, category: 'shoes' }],
      tenders: [{ type: 'card', amount: 11995 }],
    };
    const r = await p.api('POST', '/api/v1/transactions', { key, body });
    if (r.status !== 201) throw new Error(`sale answered ${r.status}: ${JSON.stringify(r.body)}`);
  };
  // Lucía buys in both channels, Marta once online, Pablo twice online.
  await record(keys.ecommerce!, 'web-es', 'online', 'lucia@example.com', 1);
  await record(keys['pos-madrid']!, 'madrid-centro', 'store', 'lucia@example.com', 2);
  await record(keys.ecommerce!, 'web-es', 'online', 'marta@example.com', 3);
  await record(keys.ecommerce!, 'web-es', 'online', 'pablo@example.com', 4);
  await record(keys.ecommerce!, 'web-es', 'online', 'pablo@example.com', 5);
  await p.bus.idle();
});

describe('the segment builder, as a tree of groups', () => {
  it('builds all of [orders, any of [a channel, not [orders]]] by keyboard and mouse, counts it live as the preview route does, saves it and edits it', async () => {
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${p.url}/`);
    await signIn(page, keys.admin!);
    await visit(page, timings, '#/segments', '#segment-builder fieldset[data-group="1"]', 'segments, builder drawn');

    const condition = (n: string) => page.getByRole('group', { name: `Condición ${n}`, exact: true });
    // A select's name includes its chosen option: selects are found by the start of their name, text boxes by all of it.
    const select = (n: string, label: string) => condition(n).getByRole('combobox', { name: new RegExp(`^${label}`) });
    const box = (n: string, label: string) => condition(n).getByRole('textbox', { name: label, exact: true });
    const liveCount = async (definition: unknown) => {
      const preview = await p.api('POST', '/api/v1/segments/preview', { key: keys.admin, body: { definition } });
      expect(preview.status).toBe(200);
      await page
        .locator('#segment-count')
        .filter({ hasText: new RegExp(`^${preview.body.count}$`) })
        .waitFor();
      return preview.body.count as number;
    };
    // Focus moves once the tree has rendered: wait for it to be where it should.
    const focused = (selector: string) => page.locator(`${selector}:focus`).waitFor();

    const ordered = { trait: 'orders', operator: 'greaterThanOrEqual', value: 1 };
    expect(await liveCount({ all: [ordered] })).toBe(3);

    // A group inside the root, by keyboard: focus lands in the new group, whose combinator is the other one.
    await page.getByRole('button', { name: 'Añadir un grupo al grupo 1', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Grupo 1.2', exact: true }).waitFor();
    await focused('select[name="match-1.2"]');
    expect(await page.locator('select[name="match-1.2"]').inputValue()).toBe('any');
    await select('1.2.1', 'Rasgo').selectOption('channels365d');
    await select('1.2.1', 'Operador').selectOption('contains');
    await box('1.2.1', 'Valor').fill('store');
    const inStore = { trait: 'channels365d', operator: 'contains', value: 'store' };
    expect(await liveCount({ all: [ordered, { any: [inStore] }] })).toBe(1);

    // A negated group inside that one: customers who have not bought twice.
    await page.getByRole('button', { name: 'Añadir un grupo al grupo 1.2', exact: true }).click();
    await page.getByRole('group', { name: 'Grupo 1.2.2', exact: true }).getByRole('checkbox', { name: 'No: quienes no cumplen este grupo' }).check();
    await box('1.2.2.1', 'Valor').fill('2');
    const either = { any: [inStore, { not: { all: [{ trait: 'orders', operator: 'greaterThanOrEqual', value: 2 }] } }] };
    const tree = { all: [ordered, either] };
    expect(await liveCount(tree)).toBe(2);

    // A condition added and removed again: the tree is as it was, and focus goes back to its group's add button.
    await page.getByRole('button', { name: 'Añadir una condición al grupo 1', exact: true }).click();
    await focused('select[name="trait-1.3"]');
    await box('1.3', 'Valor').fill('5');
    expect(await liveCount({ all: [...tree.all, { trait: 'orders', operator: 'greaterThanOrEqual', value: 5 }] })).toBe(0);
    await page.getByRole('button', { name: 'Quitar la condición 1.3', exact: true }).click();
    await focused('button[data-add="1"]');
    expect(await liveCount(tree)).toBe(2);

    await accessible(page, 'segments (nested builder)');
    await shoot(page, 'segment-builder-nested', true);
    await input(page, 'Nombre').fill('Compran en tienda, o una sola vez');
    await page.getByRole('button', { name: 'Guardar segmento' }).click();
    await page.getByText('Segmento guardado').waitFor();
    const listed = (await p.api('GET', '/api/v1/segments', { key: keys.admin })).body.items;
    expect(listed).toHaveLength(1);
    expect(listed[0].definition).toEqual(tree);

    // Its page loads the stored tree into the builder; an edit saves a new version of it.
    const segmentId = listed[0].segmentId as string;
    await visit(page, timings, `#/segments/${segmentId}`, '#segment-builder fieldset[data-group="1.2.2"]', 'segment, tree loaded into the builder');
    expect(await page.locator('input[name="not-1.2.2"]').isChecked()).toBe(true);
    expect(await box('1.2.2.1', 'Valor').inputValue()).toBe('2');
    expect(await input(page, 'Nombre').inputValue()).toBe('Compran en tienda, o una sola vez');
    await page.locator('select[name="match-1.2"]').selectOption('all');
    const edited = { all: [ordered, { all: either.any }] };
    expect(await liveCount(edited)).toBe(0);
    await accessible(page, 'segment (editing its tree)');
    await page.getByRole('button', { name: 'Guardar segmento' }).click();
    await eventually(async () =>
      expect((await p.api('GET', `/api/v1/segments/${segmentId}`, { key: keys.admin })).body).toMatchObject({ version: 2, definition: edited }),
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
