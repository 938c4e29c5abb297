import type { BrowserContext } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { launchBrowser } from '../support/browser';
import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

let browser: BrowserContext;
let close: () => Promise<void>;
beforeAll(async () => ({ browser, close } = await launchBrowser({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })));
afterAll(() => close?.());

describe('the receipt page in a real browser', () => {
  it('opens from its signed link without an API key, renders, and its QR decodes to the tax agency URL', async () => {
    const tx = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ terminalId: 'till-browser' }) });
    await p.bus.idle();
    const { body } = await p.api('GET', `/api/v1/transactions/${tx.body.transactionId}/receipt`, { key: t.keys.pos });

    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => void (/Content Security Policy/i.test(message.text()) && refused.push(message.text())));
    const response = await page.goto(body.links.html);
    expect(response?.status()).toBe(200);
    expect(await page.locator('#invoice-number').textContent()).toBe(body.receipt.invoiceNumber);
    expect(await page.locator('#total').textContent()).toMatch(/43,98\s€/);
    expect(await page.getByText('QR tributario:').isVisible()).toBe(true);
    // The QR image has loaded and is drawn at a printable size (30-40 mm at 96 dpi is 113-151 CSS px).
    const qr = page.locator('#fiscal-qr');
    expect(await qr.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth > 0)).toBe(true);
    const box = await qr.boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(113);
    expect(box!.width).toBeLessThanOrEqual(152);

    const png = PNG.sync.read(await page.screenshot({ fullPage: true }));
    const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(code?.data).toBe(body.receipt.fiscal.qrUrl);
    expect(code?.data).toBe(
      `https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQRNoVerifactu?nif=B12345678&numserie=store-1.till-browser%2F1&fecha=${body.receipt.fiscal.FechaExpedicionFactura}&importe=43.98`,
    );
    // The page's Content-Security-Policy lets its own style and QR through, and nothing else was asked for.
    expect(refused).toEqual([]);
    const styled = (body: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { maxWidth: string } }).getComputedStyle(body).maxWidth;
    expect(await page.locator('body').evaluate(styled)).toBe('448px');
    await page.close();
  });
});
