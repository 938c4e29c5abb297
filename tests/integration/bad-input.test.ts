import { sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

/** Each case must be refused with a problem document, store nothing and publish nothing. */
async function expectRefused(request: { body?: unknown; rawBody?: string; headers?: Record<string, string> }, status: number, fields: string[] = []) {
  const offered = p.bus.stats.offered;
  const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, ...request });
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect(r.body).toMatchObject({ status, type: expect.stringMatching(/^urn:unifica:problem:/), code: expect.any(String), title: expect.any(String) });
  expect(JSON.stringify(r.body)).not.toMatch(/at \w+ \(|node_modules|stack/i);
  const reported = (r.body.errors ?? []).map((e: { field: string }) => e.field);
  for (const field of fields) expect(reported).toContain(field);
  await p.bus.idle();
  expect(p.bus.stats.offered).toBe(offered);
  for (const container of ['transactions', 'customers', 'lookups', 'idempotency']) {
    expect(await store.count(container, t.tenantId)).toBe(0);
  }
  return r.body;
}

describe('bad input is refused with problem+json and leaves nothing behind', () => {
  it('malformed JSON', () => expectRefused({ rawBody: '{"type": "sale",', headers: { 'content-type': 'application/json' } }, 400, ['(body)']));
  it('an empty body', () => expectRefused({ rawBody: '', headers: { 'content-type': 'application/json' } }, 400));
  it('a body that is not JSON', () => expectRefused({ rawBody: 'type=sale', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415));
  it('a JSON array instead of an object', () => expectRefused({ body: [sale()] }, 400));

  it('missing fields, each named', () => {
    const { externalId: _e, occurredAt: _o, ...rest } = sale();
    return expectRefused({ body: rest }, 400, ['externalId', 'occurredAt']);
  });

  it('wrong types, each named', () =>
    expectRefused({ body: sale({ type: 'gift', channel: 3, lines: 'many', currency: 'euro' }) }, 400, ['type', 'channel', 'lines', 'currency']));

  it('unknown fields', () => expectRefused({ body: sale({ discountCode: 'X' }) }, 400));

  it('negative and fractional amounts and quantities', () =>
    expectRefused(
      {
        body: sale({
          lines: [
            { sku: 'A', quantity: 1.5, unitPrice: 100, taxRate: 21 },
            { sku: 'B', quantity: 1, unitPrice: -100, taxRate: 21 },
            { sku: 'C', quantity: 1, unitPrice: 10.5, taxRate: 21 },
          ],
          tenders: [{ type: 'cash', amount: -5 }],
        }),
      },
      400,
      ['lines.0.quantity', 'lines.1.unitPrice', 'lines.2.unitPrice', 'tenders.0.amount'],
    ));

  it('tenders that do not add up to the total', async () => {
    const body = await expectRefused({ body: sale({ tenders: [{ type: 'card', amount: 4000 }] }) }, 400, ['tenders']);
    expect(body.errors[0].message).toContain('4398');
  });

  it('a discount larger than its line', () =>
    expectRefused(
      { body: sale({ lines: [{ sku: 'A', quantity: 1, unitPrice: 100, taxRate: 21, discount: 200 }], tenders: [{ type: 'cash', amount: 1 }] }) },
      400,
      ['lines.0.discount'],
    ));

  it('a date without a time zone offset', () => expectRefused({ body: sale({ occurredAt: '2026-11-22 10:15' }) }, 400, ['occurredAt']));

  it('a return without the sale it returns', () => expectRefused({ body: sale({ type: 'return' }) }, 400, ['originalTransactionId']));

  it('an unknown location', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.admin, body: sale({ locationId: 'atlantis' }) });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ field: 'locationId', message: 'location atlantis does not exist' }]);
    expect(await store.count('transactions', t.tenantId)).toBe(0);
  });

  it('a store sale recorded at a warehouse, and a currency the location does not trade in', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.admin, body: sale({ locationId: 'warehouse-1', currency: 'USD' }) });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(['locationId', 'currency']);
  });

  it('an invalid email or phone among the identifiers', () =>
    expectRefused(
      {
        body: sale({
          customer: {
            identifiers: [
              { type: 'email', value: 'not-an-email' },
              { type: 'phone', value: '12' },
            ],
          },
        }),
      },
      400,
      ['customer.identifiers.0.value', 'customer.identifiers.1.value'],
    ));

  it('too many lines', () =>
    expectRefused(
      {
        body: sale({
          lines: Array.from({ length: 501 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPrice: 1, taxRate: 21 })),
          tenders: [{ type: 'cash', amount: 501 }],
        }),
      },
      400,
      ['lines'],
    ));

  it('an oversized body', () =>
    expectRefused({ rawBody: JSON.stringify({ ...sale(), padding: 'x'.repeat(300 * 1024) }), headers: { 'content-type': 'application/json' } }, 413));

  it('never echoes personal data or SDK messages in a problem', async () => {
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ customer: { identifiers: [{ type: 'email', value: 'secret-person@@example' }] } }),
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toContain('secret-person');
  });
});
