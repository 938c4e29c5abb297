import { randomUUID } from 'node:crypto';
import type { Page, Route } from 'playwright-core';
import { seedDemoTenant, DEMO_TENANT } from '../../local/demo-tenant';
import { startEntraIssuer, type EntraIssuer } from '../support/entra-issuer';
import { hoursAgo, startTestPlatform, type TestPlatform } from '../support/platform';
import { accessible, input, shoot, useConsoleBrowser } from './console-support';

/**
 * Staff signing in with Microsoft: the console's real MSAL code in a real browser, with Microsoft's
 * sign-in host answered by the test (authorize and token endpoints, as Entra ID answers a SPA with
 * PKCE) and the access token signed by the Entra ID stand-in, whose keys the platform fetches over
 * HTTP and verifies as it does in Azure.
 */
let issuer: EntraIssuer;
let p: TestPlatform;
const directoryId = randomUUID();
const clientId = randomUUID();
const email = 'irene.sanz@example.com';
const { browser, timings } = useConsoleBrowser('staff');

beforeAll(async () => {
  issuer = await startEntraIssuer();
  p = await startTestPlatform({ env: { ENTRA_API_AUDIENCE: issuer.audience, ENTRA_AUTHORITY_HOST: issuer.url } });
  const keys = await seedDemoTenant(p.url, p.adminKey);
  const tenantId = DEMO_TENANT.tenant.tenantId;
  expect((await p.api('PUT', `/api/v1/tenants/${tenantId}/staff-directories/${directoryId}`, { key: p.adminKey })).status).toBe(200);
  const sale = await p.api('POST', '/api/v1/transactions', {
    key: keys['pos-madrid'],
    body: {
      type: 'sale',
      channel: 'store',
      locationId: 'madrid-centro',
      terminalId: 'till-1',
      externalId: 'T1-9001',
      occurredAt: hoursAgo(1),
      currency: 'EUR',
      lines: [{ sku: 'SCARF-SILK', quantity: 1, unitPrice: 4500, taxRate: 21, category: 'accessories' }],
      tenders: [{ type: 'card', amount: 4500 }],
      customer: { identifiers: [{ type: 'email', value: email }] },
    },
  });
  expect(sale.status).toBe(201);
  await p.bus.idle();
});
afterAll(async () => {
  await p?.stop();
  await issuer?.stop();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Answers Microsoft's sign-in host inside the browser: every request to it is checked and fulfilled here, none leaves the machine. */
async function microsoft(page: Page, person: { oid: string; roles: string[] }): Promise<{ authorizeRequests: URL[] }> {
  const seen: URL[] = [];
  let nonce = '';
  const clientInfo = b64url({ uid: person.oid, utid: directoryId });
  await page.route('https://login.microsoftonline.com/**', async (route: Route) => {
    const url = new URL(route.request().url());
    if (url.pathname.endsWith('/oauth2/v2.0/authorize')) {
      seen.push(url);
      nonce = url.searchParams.get('nonce') ?? '';
      const answer = new URLSearchParams({ code: 'code-from-entra', state: url.searchParams.get('state')!, client_info: clientInfo });
      return route.fulfill({ status: 302, headers: { location: `${url.searchParams.get('redirect_uri')}#${answer}` } });
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      const form = new URLSearchParams(route.request().postData() ?? '');
      // The console proves the code is its own (PKCE) and asks for the API's scope.
      expect({ code: form.get('code'), verifier: (form.get('code_verifier') ?? '').length >= 43, client: form.get('client_id') }).toEqual({
        code: 'code-from-entra',
        verifier: true,
        client: clientId,
      });
      const now = Math.floor(Date.now() / 1000);
      const idToken = `${b64url({ alg: 'RS256', typ: 'JWT', kid: 'k' })}.${b64url({
        aud: clientId,
        iss: `https://login.microsoftonline.com/${directoryId}/v2.0`,
        tid: directoryId,
        oid: person.oid,
        sub: person.oid,
        nonce,
        name: 'Irene Marketing',
        preferred_username: 'irene@retailer.example',
        iat: now,
        nbf: now,
        exp: now + 3600,
        ver: '2.0',
      })}.c2lnbmF0dXJl`;
      return route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': '*' },
        body: JSON.stringify({
          token_type: 'Bearer',
          scope: `${issuer.audience}/.default`,
          expires_in: 3600,
          ext_expires_in: 3600,
          access_token: await issuer.token({ tid: directoryId, oid: person.oid, roles: person.roles }),
          id_token: idToken,
          client_info: clientInfo,
        }),
      });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.route('**/config.json', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({ staffSignIn: { clientId, authority: 'https://login.microsoftonline.com/organizations', scope: `${issuer.audience}/.default` } }),
    }),
  );
  return { authorizeRequests: seen };
}

describe('staff sign-in with Microsoft in a real browser', () => {
  it('signs a marketing person in, shows what her role may use, masks customers, and forgets her tokens on sign-out', async () => {
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const { authorizeRequests } = await microsoft(page, { oid: randomUUID(), roles: ['Marketing'] });

    await page.goto(`${p.url}/`);
    const button = page.getByRole('button', { name: 'Iniciar sesión con Microsoft' });
    await button.waitFor();
    await accessible(page, 'sign-in (with Microsoft)');
    await shoot(page, 'sign-in-microsoft', true);

    const started = Date.now();
    await button.click();
    await page.getByRole('heading', { name: 'Clientes', level: 1 }).waitFor();
    timings['Microsoft sign-in to first page'] = Date.now() - started;

    // One trip to Microsoft, as a SPA with PKCE, for the API's scope.
    expect(authorizeRequests).toHaveLength(1);
    const authorize = authorizeRequests[0]!;
    expect(authorize.pathname).toBe('/organizations/oauth2/v2.0/authorize');
    expect({
      client: authorize.searchParams.get('client_id'),
      method: authorize.searchParams.get('code_challenge_method'),
      scope: authorize.searchParams.get('scope')?.split(' ').includes(`${issuer.audience}/.default`),
    }).toEqual({ client: clientId, method: 'S256', scope: true });
    // The answer left the address; what the API says she is, the console shows.
    expect(page.url()).not.toContain('code=');
    await page.getByText('rol: marketing').waitFor();

    // Her role's pages, and not the others'.
    const nav = page.getByRole('navigation');
    for (const link of ['Segmentos', 'Analítica']) await nav.getByRole('link', { name: link }).waitFor();
    for (const link of ['Tarjetas regalo', 'Tickets']) expect(await nav.getByRole('link', { name: link }).count()).toBe(0);

    // Customers are masked for marketing, through the same API with her token.
    await input(page, 'Email, teléfono, tarjeta de fidelización o id de cliente').fill(email);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByText('i***@example.com').waitFor();
    expect(await page.content()).not.toContain(email);
    await accessible(page, 'customers (Microsoft sign-in)');

    // The API refuses what her role may not do, whatever the page tries.
    await page.evaluate(() => ((globalThis as any).location.hash = '#/receipts'));
    await input(page, 'Instalación (ubicación.terminal)').fill('madrid-centro.till-1');
    await page.getByRole('button', { name: 'Verificar' }).first().click();
    await page.getByText('Tu rol no puede hacer eso.').waitFor();

    const before = await page.evaluate(() => JSON.stringify((globalThis as any).sessionStorage));
    expect(before).toContain('accesstoken');
    await page.getByRole('button', { name: 'Salir' }).click();
    await input(page, 'Clave de API').waitFor();
    const stored = await page.evaluate(() => JSON.stringify((globalThis as any).sessionStorage));
    expect(stored).not.toContain('accesstoken');
    expect(stored).not.toContain('"secret"');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('tells a person without a role that she has none, and lets nobody in', async () => {
    const page = await browser().newPage();
    await microsoft(page, { oid: randomUUID(), roles: [] });
    await page.goto(`${p.url}/`);
    await page.getByRole('button', { name: 'Iniciar sesión con Microsoft' }).click();
    await page.getByText('Tu cuenta no tiene un rol aquí', { exact: false }).waitFor();
    expect(await page.getByRole('heading', { name: 'Clientes', level: 1 }).count()).toBe(0);
    await page.close();
  });
});
