import { daysAgo, onlineSale, sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

const email = (value: string) => ({ identifiers: [{ type: 'email', value }] });

describe('recording sales and returns', () => {
  it('records a store sale with its totals and answers 201 with the ids', async () => {
    const body = sale({ customer: email('store.buyer@example.com') });
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body });
    expect(r.status).toBe(201);
    expect(r.body.transactionId).toMatch(/^tx_/);
    expect(r.body.customerId).toMatch(/^c_/);
    expect(r.body.totals).toEqual({ gross: 4498, discount: 100, net: 4398, items: 3 });
    expect(r.headers.get('location')).toBe(`/api/v1/transactions/${r.body.transactionId}`);

    const read = await p.api('GET', `/api/v1/transactions/${r.body.transactionId}`, { key: t.keys.admin });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ transactionId: r.body.transactionId, channel: 'store', externalId: body.externalId, terminalId: 'till-1' });
  });

  it('records an anonymous sale with a null customer', async () => {
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    expect(r.status).toBe(201);
    expect(r.body.customerId).toBeNull();
    expect((await p.api('GET', `/api/v1/transactions/${r.body.transactionId}`, { key: t.keys.pos })).status).toBe(200);
  });

  it('records an online sale and its return online', async () => {
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer: email('web@example.com') }) });
    expect(s.status).toBe(201);
    const ret = onlineSale({
      type: 'return',
      originalTransactionId: s.body.transactionId,
      lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21 }],
      tenders: [{ type: 'card', amount: 1999 }],
    });
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: ret });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'return', originalTransactionId: s.body.transactionId, customerId: s.body.customerId });
    const original = await p.api('GET', `/api/v1/transactions/${s.body.transactionId}`, { key: t.keys.admin });
    expect(original.body.returned).toEqual({ 'SKU-1': 1 });
  });

  it('takes back in a store what was bought online, for the same customer', async () => {
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.ecommerce, body: onlineSale({ customer: email('cross@example.com') }) });
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        type: 'return',
        originalTransactionId: s.body.transactionId,
        lines: [{ sku: 'SKU-2', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100 }],
        tenders: [{ type: 'cash', amount: 400 }],
      }),
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ channel: 'store', locationId: 'store-1', customerId: s.body.customerId });
  });

  it('records a store return of a store sale, and refuses to take back more than was sold', async () => {
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    const giveBack = (quantity: number) =>
      sale({
        type: 'return',
        originalTransactionId: s.body.transactionId,
        lines: [{ sku: 'SKU-1', quantity, unitPrice: 1999, taxRate: 21 }],
        tenders: [{ type: 'cash', amount: 1999 * quantity }],
      });
    expect((await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: giveBack(1) })).status).toBe(201);
    const tooMany = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: giveBack(2) });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.reason).toBe('return-exceeds-sale');
    expect(tooMany.headers.get('content-type')).toContain('application/problem+json');
    expect((await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: giveBack(1) })).status).toBe(201);
  });

  it('lets only one of several concurrent returns take the last item', async () => {
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale() });
    const attempt = (i: number) =>
      p.api('POST', '/api/v1/transactions', {
        key: t.keys.pos,
        body: sale({
          type: 'return',
          externalId: `R-${s.body.transactionId}-${i}`,
          originalTransactionId: s.body.transactionId,
          lines: [{ sku: 'SKU-2', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100 }],
          tenders: [{ type: 'cash', amount: 400 }],
        }),
      });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => attempt(i)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 422)).toHaveLength(7);
  });

  it('refuses a return of an unknown sale', async () => {
    const r = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({
        type: 'return',
        originalTransactionId: 'tx_nothing',
        lines: [{ sku: 'A', quantity: 1, unitPrice: 1, taxRate: 21 }],
        tenders: [{ type: 'cash', amount: 1 }],
      }),
    });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('original-transaction-not-found');
  });
});

describe('one customer across channels', () => {
  it('gives the same customer to an online and a store sale with the same email typed two ways, and lists both newest first', async () => {
    const web = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.ecommerce,
      body: onlineSale({ occurredAt: daysAgo(2), customer: email('Lucia.Garcia@Example.com') }),
    });
    const store = await p.api('POST', '/api/v1/transactions', {
      key: t.keys.pos,
      body: sale({ occurredAt: daysAgo(1), customer: email('  lucia.garcia@example.com ') }),
    });
    expect(store.body.customerId).toBe(web.body.customerId);

    const history = await p.api('GET', `/api/v1/customers/${web.body.customerId}/transactions`, { key: t.keys.admin });
    expect(history.status).toBe(200);
    expect(history.body.items.map((i: { transactionId: string }) => i.transactionId)).toEqual([store.body.transactionId, web.body.transactionId]);
    expect(history.body.items.map((i: { channel: string }) => i.channel)).toEqual(['store', 'online']);
  });

  it('pages a long history with a continuation token', async () => {
    const phone = { identifiers: [{ type: 'phone', value: '612 345 678' }] };
    const ids: string[] = [];
    for (let day = 1; day <= 5; day += 1) {
      const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ occurredAt: daysAgo(6 - day), customer: phone }) });
      ids.unshift(r.body.transactionId);
    }
    const customerId = (await p.api('GET', `/api/v1/transactions/${ids[0]}`, { key: t.keys.admin })).body.customerId;
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const query: string = `?limit=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
      const page: { body: { items: Array<{ transactionId: string }>; continuationToken: string | null } } = await p.api(
        'GET',
        `/api/v1/customers/${customerId}/transactions${query}`,
        { key: t.keys.admin },
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.transactionId));
      token = page.body.continuationToken;
    } while (token);
    expect(seen).toEqual(ids);
  });

  it('answers 404 for an unknown customer and 400 for a forged continuation token', async () => {
    expect((await p.api('GET', '/api/v1/customers/c_unknown/transactions', { key: t.keys.admin })).status).toBe(404);
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer: email('token@example.com') }) });
    const r = await p.api('GET', `/api/v1/customers/${s.body.customerId}/transactions?continuationToken=%%%`, { key: t.keys.admin });
    expect(r.status).toBe(400);
  });
});
