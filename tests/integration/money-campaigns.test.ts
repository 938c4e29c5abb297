import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

let n = 0;
const basket = [
  { sku: 'SKU-1', quantity: 2, unitPrice: 1999, category: 'shirts' },
  { sku: 'SKU-2', quantity: 1, unitPrice: 500 },
];

async function campaign(overrides: Record<string, unknown>) {
  const r = await p.api('POST', '/api/v1/campaigns', {
    key: t.keys.admin,
    body: {
      name: `Report ${++n}`,
      discount: { type: 'fixedAmount', amount: 500 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
      ...overrides,
    },
  });
  expect(r.status).toBe(201);
  return r.body as { campaignId: string };
}
const report = async (campaignId: string) => (await p.api('GET', `/api/v1/campaigns/${campaignId}`, { key: t.keys.admin })).body;

/** A personal code confirmed at a till through a hold, and a unique code sent with an offline sale. */
async function redeemBoth(campaignId: string) {
  const email = `report-${Date.now()}-${++n}@example.com`;
  const customer = { identifiers: [{ type: 'email', value: email }] };
  const customerId = (await p.api('POST', '/api/v1/customers/identify', { key: t.keys.pos, body: customer })).body.customerId;
  const personal = (await p.api('POST', `/api/v1/campaigns/${campaignId}/codes`, { key: t.keys.admin, body: { customerId } })).body.codes[0];
  const held = await p.api('POST', '/api/v1/coupons/holds', {
    key: t.keys.pos,
    body: { codes: [personal], customerId, channel: 'store', locationId: 'store-1', lines: basket },
  });
  expect(held.status).toBe(201);
  const atTill = await p.api('POST', '/api/v1/transactions', {
    key: t.keys.pos,
    body: sale({ customer, couponHoldId: held.body.holdId, coupons: [personal] }),
  });
  expect(atTill.status).toBe(201);
  const [unique] = (await p.api('POST', `/api/v1/campaigns/${campaignId}/codes`, { key: t.keys.admin, body: { count: 1 } })).body.codes;
  const offline = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer, coupons: [unique] }) });
  expect(offline.status).toBe(201);
  await p.bus.idle();
}

describe('the campaign report', () => {
  it('counts a personal code confirmed in a sale for a campaign without a budget', async () => {
    const c = await campaign({});
    await redeemBoth(c.campaignId);
    expect(await report(c.campaignId)).toMatchObject({ budget: { redemptions: null, amount: null }, codesIssued: 2, redemptions: 2, discountGiven: 1000 });
  });

  it.each([
    ['a redemption budget', { budget: { redemptions: 100 } }],
    ['an amount budget', { budget: { amount: 100_000 } }],
    ['a limit per customer', { perCustomerLimit: 5 }],
    ['two uses per code', { usesPerCode: 2 }],
    ['stacking', { stackable: true }],
  ])('reports the same with %s', async (_what, config) => {
    const c = await campaign(config);
    await redeemBoth(c.campaignId);
    expect(await report(c.campaignId)).toMatchObject({ redemptions: 2, discountGiven: 1000 });
  });

  it('counts a public code without a budget, held and confirmed, and gives a use back on a full return', async () => {
    const code = `REPORT${Date.now().toString(36).toUpperCase()}`;
    const c = await campaign({ publicCode: code });
    const held = await p.api('POST', '/api/v1/coupons/holds', {
      key: t.keys.pos,
      body: { codes: [code], channel: 'store', locationId: 'store-1', lines: basket },
    });
    expect(await report(c.campaignId)).toMatchObject({ redemptions: 1, discountGiven: 500 });
    const s = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ couponHoldId: held.body.holdId, coupons: [code] }) });
    await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ coupons: [code] }) });
    await p.bus.idle();
    expect(await report(c.campaignId)).toMatchObject({ redemptions: 2, discountGiven: 1000 });
    const giveBack = sale({
      type: 'return',
      originalTransactionId: s.body.transactionId,
      lines: s.body.lines.map((l: Record<string, unknown>) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        taxRate: l.taxRate,
        discount: l.discount,
      })),
      tenders: [{ type: 'card', amount: s.body.totals.net }],
    });
    expect((await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: giveBack })).status).toBe(201);
    await p.bus.idle();
    expect(await report(c.campaignId)).toMatchObject({ redemptions: 1, discountGiven: 500 });
  });
});
