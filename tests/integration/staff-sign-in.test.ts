import { randomUUID } from 'node:crypto';
import { startEntraIssuer, type EntraIssuer } from '../support/entra-issuer';
import { FAILED_KEY_LIMITS } from '../../shared/tenancy';
import { sale, startTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let issuer: EntraIssuer;
let p: TestPlatform;
let a: TestTenant;
let b: TestTenant;
const directoryA = randomUUID();
const directoryB = randomUUID();
const email = 'marta.ruiz@example.com';
let customerId: string;

beforeAll(async () => {
  issuer = await startEntraIssuer();
  p = await startTestPlatform({ env: { ENTRA_API_AUDIENCE: issuer.audience, ENTRA_AUTHORITY_HOST: issuer.url } });
  a = await p.createTenant();
  b = await p.createTenant();
  for (const [tenant, directory] of [
    [a, directoryA],
    [b, directoryB],
  ] as const) {
    const r = await p.api('PUT', `/api/v1/tenants/${tenant.tenantId}/staff-directories/${directory}`, { key: p.adminKey });
    expect(r.status).toBe(200);
  }
  const recorded = await p.api('POST', '/api/v1/transactions', {
    key: a.keys.pos,
    body: sale({ customer: { identifiers: [{ type: 'email', value: email }] } }),
  });
  customerId = recorded.body.customerId;
  await p.bus.idle();
});
afterAll(async () => {
  await p?.stop();
  await issuer?.stop();
});

/** A request as the console makes it for a person signed in with Microsoft Entra ID. */
const asStaff = async (method: string, path: string, token: string, body?: unknown) =>
  p.api(method, path, { headers: { authorization: `Bearer ${token}` }, body });
const staff = (roles: string[], tid = directoryA) => issuer.token({ tid, roles });

describe('connecting a retailer’s Microsoft Entra ID directory', () => {
  it('is the platform operator’s, idempotent, and one directory serves one tenant', async () => {
    const again = await p.api('PUT', `/api/v1/tenants/${a.tenantId}/staff-directories/${directoryA.toUpperCase()}`, { key: p.adminKey });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ tenantId: a.tenantId, directoryId: directoryA });
    const taken = await p.api('PUT', `/api/v1/tenants/${b.tenantId}/staff-directories/${directoryA}`, { key: p.adminKey });
    expect(taken.status).toBe(409);
    expect(taken.body.reason).toBe('directory-taken');
    const bad = await p.api('PUT', `/api/v1/tenants/${a.tenantId}/staff-directories/not-a-uuid`, { key: p.adminKey });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('path.directoryId');
    expect((await p.api('PUT', `/api/v1/tenants/nobody-here/staff-directories/${randomUUID()}`, { key: p.adminKey })).status).toBe(404);
    // A tenant's admin key is not the operator's, and a staff token never reaches operator routes.
    expect((await p.api('PUT', `/api/v1/tenants/${a.tenantId}/staff-directories/${randomUUID()}`, { key: a.keys.admin })).status).toBe(401);
    expect((await asStaff('PUT', `/api/v1/tenants/${a.tenantId}/staff-directories/${randomUUID()}`, await staff(['Admin']))).status).toBe(401);
  });
});

describe('staff signed in with Microsoft Entra ID', () => {
  it('are who their token says, in their directory’s tenant, with their app role', async () => {
    const oid = randomUUID();
    const me = await asStaff('GET', '/api/v1/me', await issuer.token({ tid: directoryA, oid, roles: ['Marketing'] }));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ keyId: `entra:${oid}`, role: 'marketing', locationIds: null, tenant: { tenantId: a.tenantId } });
    // Several roles: the most trusted one applies.
    expect((await asStaff('GET', '/api/v1/me', await staff(['Store', 'support']))).body.role).toBe('support');
    expect((await asStaff('GET', '/api/v1/me', await staff(['ADMIN', 'Marketing']))).body.role).toBe('admin');
  });

  it('marketing builds audiences and reads analytics, sees customers masked, and may not erase, merge or sell', async () => {
    const token = await staff(['Marketing']);
    const definition = { all: [{ trait: 'orders', operator: 'greaterThanOrEqual', value: 1 }] };
    const preview = await asStaff('POST', '/api/v1/segments/preview', token, { definition });
    expect([preview.status, preview.body.count, preview.body.detail]).toEqual([200, 1, undefined]);
    const created = await asStaff('POST', '/api/v1/segments', token, { name: 'Buyers', definition });
    expect(created.status).toBe(201);
    expect((await asStaff('GET', '/api/v1/analytics/sales?from=2026-01-01&to=2026-12-31', token)).status).toBe(200);
    const view = await asStaff('GET', `/api/v1/customers/${customerId}`, token);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(email);
    const unmasked = await asStaff('POST', `/api/v1/segments/${created.body.segmentId}/exports`, token, { unmasked: true, reason: 'campaign' });
    expect([unmasked.status, unmasked.body.reason]).toEqual([403, 'unmasked-export-requires-admin']);
    for (const [method, path, body] of [
      ['DELETE', `/api/v1/customers/${customerId}`, undefined],
      ['GET', `/api/v1/customers/${customerId}/export`, undefined],
      ['POST', '/api/v1/transactions', sale()],
      ['POST', '/api/v1/customers/identify', { identifiers: [{ type: 'email', value: 'x@example.com' }] }],
    ] as const) {
      const r = await asStaff(method, path, token, body);
      expect({ path, status: r.status, reason: r.body.reason }).toEqual({ path, status: 403, reason: 'role-not-allowed' });
    }
  });

  it('support sees customers in full and may export their data, but builds no audience', async () => {
    const token = await staff(['Support']);
    const found = await asStaff('POST', '/api/v1/customers/search', token, { query: email });
    expect(found.body.items[0].identifiers).toContainEqual({ type: 'email', value: email });
    expect((await asStaff('GET', `/api/v1/customers/${customerId}/export`, token)).status).toBe(200);
    expect((await asStaff('GET', '/api/v1/segments', token)).status).toBe(403);
    expect((await asStaff('DELETE', `/api/v1/customers/${customerId}`, token)).status).toBe(403);
  });

  it('store operations read stock reconciliations and analytics, search customers masked, and build no audience', async () => {
    const token = await staff(['Store']);
    expect((await asStaff('GET', '/api/v1/stock-reconciliations', token)).status).toBe(200);
    expect((await asStaff('GET', '/api/v1/analytics/sales?from=2026-01-01&to=2026-12-31', token)).status).toBe(200);
    const found = await asStaff('POST', '/api/v1/customers/search', token, { query: email });
    expect(found.status).toBe(200);
    expect(JSON.stringify(found.body)).not.toContain(email);
    expect((await asStaff('GET', '/api/v1/segments', token)).status).toBe(403);
  });

  it('reach only their own tenant: another tenant’s customer is not found', async () => {
    const other = await asStaff('GET', `/api/v1/customers/${customerId}`, await staff(['Admin'], directoryB));
    expect(other.status).toBe(404);
  });

  it('are refused with 401 for a token that is not valid here, and 403 without a connected directory or a role', async () => {
    const tid = directoryA;
    const refused = {
      expired: await issuer.token({ tid, roles: ['Admin'] }, { expiresInSeconds: -120 }),
      'another audience': await issuer.token({ tid, roles: ['Admin'] }, { audience: 'api://someone-else' }),
      'another directory’s issuer': await issuer.token({ tid, roles: ['Admin'] }, { issuer: `${issuer.url}/${directoryB}/v2.0` }),
      'an unpublished key': await issuer.token({ tid, roles: ['Admin'] }, { unpublishedKey: true }),
      'no signature': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid, oid: 'x', roles: ['Admin'] })).toString('base64url')}.`,
      garbage: 'not-a-token',
    };
    for (const [what, token] of Object.entries(refused)) {
      const r = await asStaff('GET', '/api/v1/me', token);
      expect({ what, status: r.status, type: r.headers.get('content-type') }).toEqual({ what, status: 401, type: 'application/problem+json' });
    }
    const stranger = await asStaff('GET', '/api/v1/me', await staff(['Admin'], randomUUID()));
    expect([stranger.status, stranger.body.reason]).toEqual([403, 'directory-not-connected']);
    const noRole = await asStaff('GET', '/api/v1/me', await staff([]));
    expect([noRole.status, noRole.body.reason]).toEqual([403, 'no-role']);
  });

  it('answers 503, not 401, while the signing keys cannot be fetched', async () => {
    // A key id the verifier has not seen makes it fetch the keys again.
    const restarted = await startTestPlatform({ env: { ENTRA_API_AUDIENCE: issuer.audience, ENTRA_AUTHORITY_HOST: issuer.url } });
    try {
      issuer.failKeys(true);
      const r = await restarted.api('GET', '/api/v1/me', { headers: { authorization: `Bearer ${await staff(['Admin'])}` } });
      expect(r.status).toBe(503);
    } finally {
      issuer.failKeys(false);
      await restarted.stop();
    }
  });
});

describe('API keys for back-office tools', () => {
  it('carry the staff roles with the same permissions', async () => {
    const issued = await p.api('POST', `/api/v1/tenants/${a.tenantId}/api-keys`, { key: p.adminKey, body: { role: 'marketing', name: 'CRM tool' } });
    expect(issued.status).toBe(201);
    expect((await p.api('GET', '/api/v1/segments', { key: issued.body.apiKey })).status).toBe(200);
    expect((await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: issued.body.apiKey })).status).toBe(403);
  });
});

// Last in this file: it spends this client's allowance of wrong credentials for the minute.
describe('wrong staff tokens', () => {
  it('count with wrong keys: past the allowance a client gets 429, and a valid token still signs in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_KEY_LIMITS.perClient + 1; i += 1) statuses.push((await asStaff('GET', '/api/v1/me', `not-a-token-${i}`)).status);
    // 401 until the allowance (the earlier tests' wrong tokens count too) is spent, 429 after.
    expect(statuses[0]).toBe(401);
    expect(statuses.indexOf(429)).toBeGreaterThan(0);
    expect(statuses.slice(statuses.indexOf(429)).every((s) => s === 429)).toBe(true);
    const refused = await asStaff('GET', '/api/v1/me', 'not-a-token-again');
    expect([refused.status, refused.body.code]).toEqual([429, 'authentication-throttled']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await asStaff('GET', '/api/v1/me', await staff(['Support']))).status).toBe(200);
  });
});
