import { onlineSale, sale, startTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  p = await startTestPlatform();
  a = await p.createTenant();
  b = await p.createTenant();
});
afterAll(() => p.stop());

describe('API keys', () => {
  it('answers 401 without a key and with a wrong one', async () => {
    const none = await p.api('POST', '/api/v1/transactions', { body: sale() });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const forged = `uk.${a.tenantId}.${'A'.repeat(43)}`;
    expect((await p.api('POST', '/api/v1/transactions', { key: forged, body: sale() })).status).toBe(401);
    expect((await p.api('GET', '/api/v1/transactions/tx_x', { key: 'nonsense' })).status).toBe(401);
  });

  it("answers 404 for another tenant's transaction and customer, exactly as for ids that do not exist", async () => {
    const mine = await p.api('POST', '/api/v1/transactions', {
      key: a.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'email', value: 'a@example.com' }] } }),
    });
    const theirs = await p.api('GET', `/api/v1/transactions/${mine.body.transactionId}`, { key: b.keys.admin });
    const nothing = await p.api('GET', '/api/v1/transactions/tx_does_not_exist', { key: b.keys.admin });
    expect(theirs.status).toBe(404);
    expect(nothing.status).toBe(404);
    expect(theirs.body.detail.replace(mine.body.transactionId, 'ID')).toBe(nothing.body.detail.replace('tx_does_not_exist', 'ID'));
    expect((await p.api('GET', `/api/v1/customers/${mine.body.customerId}/transactions`, { key: b.keys.admin })).status).toBe(404);
  });

  it('keeps the same email in two tenants as two customers', async () => {
    const identifiers = { identifiers: [{ type: 'email', value: 'shared@example.com' }] };
    const inA = await p.api('POST', '/api/v1/transactions', { key: a.keys.pos, body: sale({ customer: identifiers }) });
    const inB = await p.api('POST', '/api/v1/transactions', { key: b.keys.pos, body: sale({ customer: identifiers }) });
    expect(inA.body.customerId).not.toBe(inB.body.customerId);
  });

  it('answers 403 when a location-scoped key writes for another location', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: a.keys.pos, body: sale({ locationId: 'store-2' }) });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('location-not-allowed');
    expect(r.body.category).toBe('forbidden');
  });

  it('answers 403 when a POS key records an online sale or an e-commerce key a store sale', async () => {
    expect((await p.api('POST', '/api/v1/transactions', { key: a.keys.pos, body: onlineSale() })).status).toBe(403);
    expect((await p.api('POST', '/api/v1/transactions', { key: a.keys.ecommerce, body: sale() })).status).toBe(403);
    // At its own store, a till's key still may not record a web order: the code says why.
    const online = await p.api('POST', '/api/v1/transactions', { key: a.keys.pos, body: onlineSale({ locationId: 'store-1' }) });
    expect(online.status).toBe(403);
    expect(online.body).toMatchObject({ code: 'channel-not-allowed', category: 'forbidden' });
  });

  it('keeps the operator routes for the platform admin key', async () => {
    const body = { name: 'X', country: 'ES', currency: 'EUR' };
    expect((await p.api('POST', '/api/v1/tenants', { key: a.keys.admin, body })).status).toBe(401);
    expect((await p.api('POST', '/api/v1/tenants', { body })).status).toBe(401);
    const created = await p.api('POST', '/api/v1/tenants', { key: p.adminKey, body });
    expect(created.status).toBe(201);
    expect(created.body.tenantId).toMatch(/^t-/);
  });

  it('refuses a tenant id that is taken, a key for an unknown location, and a location for an unknown tenant', async () => {
    const taken = await p.api('POST', '/api/v1/tenants', { key: p.adminKey, body: { tenantId: a.tenantId, name: 'Again', country: 'ES', currency: 'EUR' } });
    expect(taken.status).toBe(409);
    const key = await p.api('POST', `/api/v1/tenants/${a.tenantId}/api-keys`, { key: p.adminKey, body: { role: 'pos', locationIds: ['nowhere'] } });
    expect(key.status).toBe(400);
    const location = await p.api('POST', '/api/v1/tenants/no-such-tenant/locations', {
      key: p.adminKey,
      body: { name: 'S', type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
    });
    expect(location.status).toBe(404);
  });

  it('shows a new key once and stores only its hash', async () => {
    const r = await p.api('POST', `/api/v1/tenants/${a.tenantId}/api-keys`, { key: p.adminKey, body: { role: 'admin' } });
    expect(r.status).toBe(201);
    expect(r.body.apiKey).toMatch(new RegExp(`^uk\\.${a.tenantId}\\.`));
    const { storeOf } = await import('../support/cosmos');
    const store = storeOf(p.platform);
    const docs = await store.all('tenants', a.tenantId);
    store.close();
    expect(JSON.stringify(docs)).not.toContain(r.body.apiKey.split('.')[2]);
  });
});
