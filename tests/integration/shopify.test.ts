import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hoursAgo, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

const SHOP = 'unifica-demo.myshopify.com';
const APP_SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const fixture = (name: string): Record<string, any> => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'shopify', `${name}.json`), 'utf8'));

/** A paid order from the fixture, recent (the platform refuses sales older than 7 days), with ids of its own. */
function order(overrides: Record<string, unknown> = {}): Record<string, any> {
  const o = fixture('orders-paid');
  const id = Math.floor(Math.random() * 1e12);
  return { ...o, id, name: `#${id}`, created_at: hoursAgo(2), processed_at: hoursAgo(2), ...overrides };
}

async function send(topic: string, payload: unknown, options: { secret?: string; webhookId?: string; tenantId?: string } = {}) {
  const body = JSON.stringify(payload);
  const hmac = createHmac('sha256', options.secret ?? APP_SECRET)
    .update(body, 'utf8')
    .digest('base64');
  return c.p.api('POST', `/api/v1/shopify/${options.tenantId ?? c.t.tenantId}/webhooks`, {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-shop-domain': SHOP,
      'x-shopify-webhook-id': options.webhookId ?? randomUUID(),
      'x-shopify-api-version': '2026-10',
    },
  });
}
const transaction = async (id: string) => (await c.p.api('GET', `/api/v1/transactions/${id}`, { key: c.t.keys.admin })).body;
const identify = async (identifiers: Array<{ type: string; value: string }>) =>
  (await c.p.api('POST', '/api/v1/customers/identify', { key: c.t.keys.admin, body: { identifiers } })).body.customerId as string;

beforeAll(async () => {
  const connected = await c.p.api('PUT', `/api/v1/shopify/shops/${SHOP}`, { key: c.t.keys.admin, body: { appSecret: APP_SECRET, locationId: 'web' } });
  expect(connected.status).toBe(200);
  expect(connected.body).toMatchObject({ shopDomain: SHOP, locationId: 'web', webhookUrl: `/api/v1/shopify/${c.t.tenantId}/webhooks` });
});

describe('Shopify connector', () => {
  it('connects a shop to an online location only, with an admin key', async () => {
    const store = await c.p.api('PUT', `/api/v1/shopify/shops/${SHOP}`, { key: c.t.keys.admin, body: { appSecret: APP_SECRET, locationId: 'store-1' } });
    expect(store.status).toBe(400);
    expect(store.body.errors[0].field).toBe('locationId');
    const pos = await c.p.api('PUT', `/api/v1/shopify/shops/${SHOP}`, { key: c.t.keys.pos, body: { appSecret: APP_SECRET, locationId: 'web' } });
    expect(pos.status).toBe(403);
  });

  it('records a paid order as an online sale: customer identified, amounts in cents with taxes and discounts, codes passed on', async () => {
    const paid = order();
    const r = await send('orders/paid', paid);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'recorded', topic: 'orders/paid', transactionId: expect.any(String), customerId: expect.any(String) });
    const sale = await transaction(r.body.transactionId);
    expect(sale).toMatchObject({
      type: 'sale',
      channel: 'online',
      locationId: 'web',
      externalId: `shopify-${paid.id}`,
      currency: 'EUR',
      coupons: ['WELCOME10'],
    });
    expect(sale.lines.map((l: any) => [l.sku, l.quantity, l.unitPrice, l.taxRate, l.discount, l.total])).toEqual([
      ['TSHIRT-ORG-M-WHT', 2, 2995, 21, 599, 5391],
      ['CAP-CANVAS', 1, 1500, 21, 150, 1350],
      ['shipping', 1, 495, 21, 0, 495],
    ]);
    expect(sale.totals).toEqual({ gross: 7985, discount: 749, net: 7236, items: 4 });
    expect(sale.tenders).toEqual([{ type: 'card', amount: 7236, reference: `shopify ${paid.name}` }]);
    // The Shopify customer id, the email and the phone all name that customer now.
    expect(await identify([{ type: 'ecommerceId', value: String(paid.customer.id) }])).toBe(sale.customerId);
    expect(await identify([{ type: 'email', value: 'lucia.garcia@example.com' }])).toBe(sale.customerId);
    expect(await identify([{ type: 'phone', value: '+34612345678' }])).toBe(sale.customerId);
  });

  it('answers a repeated webhook with the first outcome and records nothing twice', async () => {
    const paid = order();
    const webhookId = randomUUID();
    const first = await send('orders/paid', paid, { webhookId });
    const again = await Promise.all([send('orders/paid', paid, { webhookId }), send('orders/paid', paid, { webhookId })]);
    for (const r of again) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ outcome: 'duplicate', transactionId: first.body.transactionId });
    }
    // Shopify may also send the same order under another webhook id: still one sale.
    const resent = await send('orders/paid', paid);
    expect(resent.body).toMatchObject({ outcome: 'recorded', transactionId: first.body.transactionId });
    const history = await c.p.api('GET', `/api/v1/customers/${first.body.customerId}/transactions`, { key: c.t.keys.admin });
    expect(history.body.items.filter((t: any) => t.externalId === `shopify-${paid.id}`)).toHaveLength(1);
  });

  it('records a partial refund as a return of the order’s sale, priced from the sale', async () => {
    const paid = order();
    const sold = await send('orders/paid', paid);
    const refund: Record<string, any> = {
      ...fixture('refunds-create'),
      id: Math.floor(Math.random() * 1e12),
      order_id: paid.id,
      created_at: hoursAgo(1),
      processed_at: hoursAgo(1),
    };
    const r = await send('refunds/create', refund);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ outcome: 'recorded', customerId: sold.body.customerId });
    const returned = await transaction(r.body.transactionId);
    expect(returned).toMatchObject({ type: 'return', originalTransactionId: sold.body.transactionId, externalId: `shopify-refund-${refund.id}` });
    expect(returned.lines.map((l: any) => [l.sku, l.quantity, l.unitPrice, l.discount, l.total])).toEqual([['TSHIRT-ORG-M-WHT', 1, 2995, 300, 2695]]);
    expect(returned.tenders).toEqual([{ type: 'card', amount: 2695, reference: `shopify refund ${refund.id}` }]);
    const sale = await transaction(sold.body.transactionId);
    expect(sale).toMatchObject({ returned: { 'TSHIRT-ORG-M-WHT': 1 }, refunded: 2695 });

    // The second T-shirt takes the rest of the line's discount: 2.99, not 3.00.
    const rest = { ...refund, id: refund.id + 1, transactions: [{ ...refund.transactions[0], amount: '26.96' }] };
    const second = await send('refunds/create', rest);
    expect(second.body.outcome).toBe('recorded');
    expect((await transaction(sold.body.transactionId)).refunded).toBe(2695 + 2696);
  });

  it('asks Shopify to resend a refund whose order is not recorded yet, and records nothing', async () => {
    const refund = { ...fixture('refunds-create'), id: Math.floor(Math.random() * 1e12), order_id: 999_000_111, created_at: hoursAgo(1) };
    const webhookId = randomUUID();
    const r = await send('refunds/create', refund, { webhookId });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('order-not-recorded-yet');
    expect((await send('refunds/create', refund, { webhookId })).status).toBe(409);
  });

  it('refuses a forged signature with 401 and records nothing', async () => {
    const before = await c.store.count('shopify', c.t.tenantId);
    const paid = order();
    const forged = await send('orders/paid', paid, { secret: 'shpss_not-the-apps-secret-at-all-000000' });
    expect(forged.status).toBe(401);
    const unknownShop = await send('orders/paid', paid, { tenantId: 'nobody' });
    expect(unknownShop.status).toBe(401);
    // A correct signature over other bytes is forged too.
    const body = JSON.stringify(paid);
    const tampered = await c.p.api('POST', `/api/v1/shopify/${c.t.tenantId}/webhooks`, {
      rawBody: body.replace('"29.95"', '"0.01"'),
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/paid',
        'x-shopify-hmac-sha256': createHmac('sha256', APP_SECRET).update(body).digest('base64'),
        'x-shopify-shop-domain': SHOP,
        'x-shopify-webhook-id': randomUUID(),
      },
    });
    expect(tampered.status).toBe(401);
    expect(await c.store.count('shopify', c.t.tenantId)).toBe(before);
    const lookup = await c.p.api('GET', `/api/v1/transactions/${await saleIdOf(paid.id)}`, { key: c.t.keys.admin });
    expect(lookup.status).toBe(404);
  });

  it('records an order the buyer paid in another currency in the shop’s currency, and dead-letters one the location cannot take', async () => {
    const dollars = order({
      presentment_currency: 'USD',
      total_price_set: { shop_money: { amount: '72.36', currency_code: 'EUR' }, presentment_money: { amount: '78.90', currency_code: 'USD' } },
    });
    const r = await send('orders/paid', dollars);
    expect(r.body.outcome).toBe('recorded');
    expect(await transaction(r.body.transactionId)).toMatchObject({ currency: 'EUR', totals: { net: 7236 } });

    const shopInDollars = order({ currency: 'USD' });
    const refused = await send('orders/paid', shopInDollars);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ outcome: 'dead-lettered', reason: 'the order is in USD but location web trades in EUR' });
    expect((await c.p.api('GET', `/api/v1/transactions/${await saleIdOf(shopInDollars.id)}`, { key: c.t.keys.admin })).status).toBe(404);
    const letters = await c.p.api('GET', '/api/v1/shopify/dead-letters', { key: c.t.keys.admin });
    const letter = letters.body.items.find((l: any) => l.webhookId === refused.body.webhookId);
    expect(letter).toMatchObject({ topic: 'orders/paid', reason: refused.body.reason, shopDomain: SHOP });
    expect(JSON.parse(letter.payload).id).toBe(shopInDollars.id);
  });

  it('dead-letters an order whose amounts do not add up, whole', async () => {
    const wrong = order({ total_price: '70.00' });
    const r = await send('orders/paid', wrong);
    expect(r.body).toMatchObject({ outcome: 'dead-lettered', reason: expect.stringContaining("order's total_price is 7000") });
    const notAnOrder = await send('orders/paid', { id: 1, line_items: [] });
    expect(notAnOrder.body).toMatchObject({ outcome: 'dead-lettered', reason: expect.stringContaining('not a orders/paid payload') });
  });

  it('links the email a customer update adds to the customer Shopify created', async () => {
    const created = await send('customers/create', fixture('customers-create'));
    expect(created.body).toMatchObject({ outcome: 'recorded', customerId: expect.any(String) });
    const updated = await send('customers/update', fixture('customers-update'));
    expect(updated.body.customerId).toBe(created.body.customerId);
    expect(await identify([{ type: 'email', value: 'marta.ruiz@example.com' }])).toBe(created.body.customerId);
    const view = await c.p.api('GET', `/api/v1/customers/${created.body.customerId}`, { key: c.t.keys.admin });
    expect(view.body.profile.name).toBe('Marta Ruiz');
    expect(view.body.consents.marketingEmail.granted).toBe(true);
  });
});

describe('Shopify dead letters', () => {
  it('are applied again once what stopped them is fixed, and stay with the new reason until then', async () => {
    const dollars = order({ currency: 'USD' });
    const refused = await send('orders/paid', dollars);
    expect(refused.body.outcome).toBe('dead-lettered');
    const retry = () => c.p.api('POST', `/api/v1/shopify/shops/${SHOP}/dead-letters/${refused.body.webhookId}/retry`, { key: c.t.keys.admin });
    const still = await retry();
    expect(still.status).toBe(422);
    expect(still.body.code).toBe('still-unmappable');

    // The shop's orders belong to a US web shop: the operator adds it, the admin points the shop at it.
    const location = { locationId: 'web-us', name: 'US web shop', type: 'online', country: 'US', currency: 'USD', timeZone: 'America/New_York' };
    expect((await c.p.api('POST', `/api/v1/tenants/${c.t.tenantId}/locations`, { key: c.p.adminKey, body: location })).status).toBe(201);
    await c.p.api('PUT', `/api/v1/shopify/shops/${SHOP}`, { key: c.t.keys.admin, body: { appSecret: APP_SECRET, locationId: 'web-us' } });
    try {
      const recorded = await retry();
      expect(recorded.status).toBe(200);
      expect(recorded.body).toMatchObject({ outcome: 'recorded', transactionId: expect.any(String) });
      expect(await transaction(recorded.body.transactionId)).toMatchObject({ locationId: 'web-us', currency: 'USD', totals: { net: 7236 } });
      const letters = await c.p.api('GET', '/api/v1/shopify/dead-letters', { key: c.t.keys.admin });
      expect(letters.body.items.map((l: { webhookId: string }) => l.webhookId)).not.toContain(refused.body.webhookId);
      // Shopify sending that webhook again now hears it was recorded.
      const repeat = await send('orders/paid', dollars, { webhookId: refused.body.webhookId });
      expect(repeat.body).toMatchObject({ outcome: 'duplicate', transactionId: recorded.body.transactionId });
      expect((await retry()).status).toBe(404);
    } finally {
      await c.p.api('PUT', `/api/v1/shopify/shops/${SHOP}`, { key: c.t.keys.admin, body: { appSecret: APP_SECRET, locationId: 'web' } });
    }
  });
});

async function saleIdOf(orderId: number): Promise<string> {
  const { transactionIdOf } = await import('../../shared/transactions');
  return transactionIdOf(c.t.tenantId, 'online', 'web', `shopify-${orderId}`);
}
