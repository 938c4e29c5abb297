import { createHash } from 'node:crypto';
import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

describe('the receipt page is served as what it is, and may load nothing', () => {
  it('carries a restrictive Content-Security-Policy, and its link pins type, disposition and caching', async () => {
    const tx = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    await p.bus.idle();
    const receipt = await p.api('GET', `/api/v1/transactions/${tx.body.transactionId}/receipt`, { key: t.keys.pos });
    // The API's own answers: never sniffed.
    expect(receipt.headers.get('x-content-type-options')).toBe('nosniff');

    const page = await fetch(receipt.body.links.html);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(page.headers.get('content-disposition')).toBe('inline');
    const html = await page.text();

    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(
      csp!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives).toEqual({
      'default-src': ["'none'"],
      'style-src': [expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)],
      'img-src': ['data:'],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    });
    // The policy comes before anything it governs, and allows exactly the page's one style sheet.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(directives['style-src']).toEqual([`'sha256-${createHash('sha256').update(style).digest('base64')}'`]);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
    expect(html).not.toMatch(/<script|\son\w+=|javascript:/i);

    const json = await fetch(receipt.body.links.json);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="${tx.body.transactionId}.json"`);
  });
});
