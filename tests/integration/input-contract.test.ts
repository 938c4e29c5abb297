import { randomBytes } from 'node:crypto';
import { DomainError } from '../../shared/kernel/errors';
import { sale, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

const email = (value: string) => ({ identifiers: [{ type: 'email', value }] });
const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

/** A 400 problem naming `field`, and nothing published. */
async function expectInvalid(method: string, path: string, field: string, options: { key?: string; body?: unknown } = {}) {
  const offered = c.p.bus.stats.offered;
  const r = await c.p.api(method, path, { key: c.t.keys.admin, ...options });
  expect({ path, status: r.status, code: r.body?.code }).toEqual({ path, status: 400, code: 'validation-failed' });
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(fields(r.body)).toContain(field);
  await c.p.bus.idle();
  expect(c.p.bus.stats.offered).toBe(offered);
  return r;
}

describe('ids and codes follow one character rule at the edge (400 naming the field, never 5xx)', () => {
  it('in the path: a slash, a blank, a hash, a backslash, a malformed escape', async () => {
    await expectInvalid('GET', '/api/v1/customers/a%2Fb', 'path.customerId');
    await expectInvalid('GET', '/api/v1/customers/a%20b', 'path.customerId');
    await expectInvalid('GET', '/api/v1/customers/a%23b', 'path.customerId');
    await expectInvalid('GET', '/api/v1/customers/%ZZ', 'path.customerId');
    await expectInvalid('POST', '/api/v1/gift-cards/..%2F/redemptions', 'path.giftCardId', { body: { amount: 100, reference: 'r-1' } });
    await expectInvalid('GET', '/api/v1/gift-cards/a%5Cb', 'path.giftCardId');
    await expectInvalid('GET', '/api/v1/stock/a%2Fb', 'path.sku');
    await expectInvalid('POST', '/api/v1/customers/c_x/loyalty/redemptions/a%2Fb/cancel', 'path.reference');
    await expectInvalid('GET', '/api/v1/receipts/series/s%3Fx/verify', 'path.seriesId');
  });

  it('in bodies: a sale whose coupon code or hold id has a slash never reaches the coupons consumer', async () => {
    await expectInvalid('POST', '/api/v1/transactions', 'coupons.0', { key: c.t.keys.pos, body: sale({ coupons: ['WINTER/10'] }) });
    await expectInvalid('POST', '/api/v1/transactions', 'couponHoldId', { key: c.t.keys.pos, body: sale({ couponHoldId: 'hold/../x' }) });
    await expectInvalid('POST', '/api/v1/transactions', 'lines.0.sku', {
      key: c.t.keys.pos,
      body: sale({ lines: [{ sku: 'SKU 1', quantity: 1, unitPrice: 100, taxRate: 21 }], tenders: [{ type: 'cash', amount: 100 }] }),
    });
    await expectInvalid('POST', '/api/v1/transactions', 'terminalId', { key: c.t.keys.pos, body: sale({ terminalId: 'till/1' }) });
    await expectInvalid('POST', '/api/v1/coupons/validate', 'codes.0', {
      key: c.t.keys.pos,
      body: { codes: ['A#B'], channel: 'store', locationId: 'store-1', lines: [{ sku: 'S', quantity: 1, unitPrice: 100 }] },
    });
    await expectInvalid('POST', '/api/v1/coupons/holds', 'customerId', {
      key: c.t.keys.pos,
      body: { codes: ['WINTER10'], customerId: 'c/1', channel: 'store', locationId: 'store-1', lines: [{ sku: 'S', quantity: 1, unitPrice: 100 }] },
    });
    await expectInvalid('POST', '/api/v1/stock/movements', 'lines.0.sku', {
      body: { type: 'receipt', reference: 'GR-1', locationId: 'store-1', lines: [{ sku: 'a/b', quantity: 1 }] },
    });
    expect(c.p.bus.deadLetters()).toEqual([]);
    // Codes are still read as people type them: spaces and hyphens, any case.
    const typed = await c.p.api('POST', '/api/v1/coupons/validate', {
      key: c.t.keys.pos,
      body: { codes: ['winter 10', 'ab-cd'], channel: 'store', locationId: 'store-1', lines: [{ sku: 'S', quantity: 1, unitPrice: 100 }] },
    });
    expect(typed.status).toBe(200);
  });

  it('a store error the request caused is a 4xx, never "retry later"', async () => {
    // Past the edge (a consumer, a timer, a future route), an id Cosmos DB refuses is still the caller's fault.
    const principal = { tenantId: c.t.tenantId, keyId: 'key_test', role: 'admin' as const, locationIds: null };
    const refused = await c.p.platform.services.customerService.view(principal, 'a/b').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'validation-failed' });
  });
});

describe('continuation tokens are opaque and tamper-evident', () => {
  it('pages with the token given, and refuses an altered one, a foreign one or garbage with 400', async () => {
    const customer = `paging-${randomBytes(4).toString('hex')}@example.com`;
    const other = `other-${randomBytes(4).toString('hex')}@example.com`;
    let customerId = '';
    let otherId = '';
    for (let i = 0; i < 3; i += 1) {
      customerId = (await c.p.api('POST', '/api/v1/transactions', { key: c.t.keys.pos, body: sale({ customer: email(customer) }) })).body.customerId;
      otherId = (await c.p.api('POST', '/api/v1/transactions', { key: c.t.keys.pos, body: sale({ customer: email(other) }) })).body.customerId;
    }
    await c.p.bus.idle();

    for (const list of ['transactions', 'receipts']) {
      const first = await c.p.api('GET', `/api/v1/customers/${customerId}/${list}?limit=1`, { key: c.t.keys.admin });
      expect(first.status).toBe(200);
      const token: string = first.body.continuationToken;
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      const next = await c.p.api('GET', `/api/v1/customers/${customerId}/${list}?limit=1&continuationToken=${token}`, { key: c.t.keys.admin });
      expect(next.status).toBe(200);
      expect(next.body.items).toHaveLength(1);
      expect(next.body.items[0].transactionId).not.toBe(first.body.items[0].transactionId);

      const flipped = token.slice(0, -2) + (token.endsWith('A') ? 'B' : 'A') + token.slice(-1);
      for (const bad of [flipped, `${token}AA`, 'garbage', 'eyJ4IjoxfQ', '%7B%22x%22%3A1%7D']) {
        const r = await c.p.api('GET', `/api/v1/customers/${customerId}/${list}?limit=1&continuationToken=${bad}`, { key: c.t.keys.admin });
        expect({ list, bad, status: r.status, fields: fields(r.body) }).toEqual({
          list,
          bad,
          status: 400,
          fields: [expect.stringContaining('continuationToken')],
        });
      }
      // Issued for one customer's list, it does not open another's.
      const foreign = await c.p.api('GET', `/api/v1/customers/${otherId}/${list}?limit=1&continuationToken=${token}`, { key: c.t.keys.admin });
      expect({ list, status: foreign.status }).toEqual({ list, status: 400 });
    }
    const ledger = await c.p.api('GET', `/api/v1/customers/${customerId}/loyalty/ledger?continuationToken=garbage`, { key: c.t.keys.admin });
    expect(ledger.status).toBe(400);
  });
});

describe('the coupons of a transaction', () => {
  it('answers 404 for an unknown transaction and for another tenant’s, as every route does', async () => {
    const mine = await c.p.api('POST', '/api/v1/transactions', { key: c.t.keys.pos, body: sale() });
    expect((await c.p.api('GET', `/api/v1/transactions/${mine.body.transactionId}/coupons`, { key: c.t.keys.pos })).status).toBe(200);
    const unknown = await c.p.api('GET', '/api/v1/transactions/tx_does_not_exist/coupons', { key: c.t.keys.pos });
    expect(unknown.status).toBe(404);
    const other = await c.p.createTenant();
    const theirs = await c.p.api('GET', `/api/v1/transactions/${mine.body.transactionId}/coupons`, { key: other.keys.admin });
    expect(theirs.status).toBe(404);
    expect(theirs.body.detail.replace(mine.body.transactionId, 'ID')).toBe(unknown.body.detail.replace('tx_does_not_exist', 'ID'));
  });
});

describe('stock transfers by a key limited to some locations', () => {
  it('are refused into a location the key does not hold, moving nothing; an admin key may', async () => {
    const sku = `SKU-${randomBytes(4).toString('hex')}`;
    const at = async (locationId: string) =>
      (await c.p.api('GET', `/api/v1/stock/${sku}?locationIds=${locationId}`, { key: c.t.keys.admin })).body.locations[0]?.onHand ?? 0;
    await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.pos,
      body: { type: 'receipt', reference: `GR-${sku}`, locationId: 'store-1', lines: [{ sku, quantity: 5 }] },
    });
    const transfer = { type: 'transfer', reference: `TR-${sku}`, fromLocationId: 'store-1', toLocationId: 'store-2', lines: [{ sku, quantity: 2 }] };

    const refused = await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.pos, body: transfer });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'location-not-allowed', category: 'forbidden' });
    expect(refused.body.detail).toContain('store-2');
    // Nor from the other side: the receiving store's key cannot take stock out of the sender.
    expect((await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.posOtherStore, body: transfer })).status).toBe(403);
    expect([await at('store-1'), await at('store-2')]).toEqual([5, 0]);

    expect((await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: transfer })).status).toBe(201);
    expect([await at('store-1'), await at('store-2')]).toEqual([3, 2]);
  });
});

describe('problem codes', () => {
  it('carry the specific code an integrator branches on, with the category beside it', async () => {
    const sku = `SKU-${randomBytes(4).toString('hex')}`;
    const short = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { type: 'adjustment', reference: `ADJ-${sku}`, locationId: 'store-1', lines: [{ sku, quantity: -1 }] },
    });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({
      code: 'insufficient-stock',
      category: 'unprocessable',
      type: 'urn:unifica:problem:insufficient-stock',
      reason: 'insufficient-stock',
    });
    const role = await c.p.api('PUT', '/api/v1/settings/stock', { key: c.t.keys.pos, body: { onlineLocationIds: null } });
    expect(role.status).toBe(403);
    expect(role.body).toMatchObject({ code: 'role-not-allowed', category: 'forbidden' });
    const missing = await c.p.api('GET', '/api/v1/transactions/tx_nope', { key: c.t.keys.admin });
    expect(missing.body).toMatchObject({ code: 'not-found', category: 'not-found' });
  });

  it('are listed in the OpenAPI document with every status a route answers', async () => {
    const { body } = await c.p.api('GET', '/api/openapi.json');
    expect(Object.keys(body.paths['/api/v1/gift-cards/{giftCardId}/redemptions'].post.responses)).toEqual(expect.arrayContaining(['403', '429', '503']));
    expect(Object.keys(body.paths['/api/v1/customers/{customerId}/transactions'].get.responses)).toEqual(expect.arrayContaining(['404', '410']));
    expect(Object.keys(body.paths['/api/v1/customers/{customerId}'].delete.responses)).toEqual(expect.arrayContaining(['403']));
    expect(body.components.schemas.Problem.required).toEqual(expect.arrayContaining(['code', 'category']));
  });
});
