import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';

/** Screenshots and timings of every page, kept as test artefacts; `DOCS_SCREENSHOTS=1` also refreshes the README's. */
export const ARTEFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');
const DOCS = join(__dirname, '..', '..', 'docs', 'console');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * A headless chromium for one test file, as a tablet in landscape in a store's back room, and the
 * time each page took to become interactive, written to `test-artifacts/console/timings-<name>.json`.
 */
export function useConsoleBrowser(name: string): { browser: () => BrowserContext; timings: Record<string, number> } {
  let browser: BrowserContext | undefined;
  let close: (() => Promise<void>) | undefined;
  const timings: Record<string, number> = {};
  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    ({ browser, close } = await launchBrowser({ viewport: { width: 1180, height: 820 }, locale: 'es-ES' }));
  });
  afterAll(async () => {
    await close?.();
    if (Object.keys(timings).length > 0) writeFileSync(join(ARTEFACTS, `timings-${name}.json`), `${JSON.stringify(timings, null, 2)}\n`);
  });
  return { browser: () => browser!, timings };
}

/** axe-core finds no serious or critical violation (run through the DevTools protocol: the page's CSP lets no injected script in). */
export async function accessible(page: Page, name: string): Promise<void> {
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

export async function shoot(page: Page, name: string, forDocs = false): Promise<void> {
  const file = join(ARTEFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (forDocs && process.env.DOCS_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(file, join(DOCS, `${name}.png`));
  }
}

/** Navigates inside the console and measures until `ready` is visible: the page is interactive. */
export async function visit(page: Page, timings: Record<string, number>, hash: string, ready: string, name: string): Promise<void> {
  const started = Date.now();
  await page.evaluate((h) => ((globalThis as any).location.hash = h), hash);
  await page.locator(ready).first().waitFor();
  timings[name] = Date.now() - started;
}

/** The input or select a visible label names (a form or section may carry the same name). */
export function input(page: Page, label: string) {
  return page.getByLabel(label, { exact: true }).and(page.locator('input, select'));
}

/** Signs in with a key on the Spanish sign-in form and waits for the first page. */
export async function signIn(page: Page, key: string): Promise<void> {
  await input(page, 'Clave de API').fill(key);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByRole('heading', { name: 'Clientes', level: 1 }).waitFor();
}
