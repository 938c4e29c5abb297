import { discountLines, evaluateCoupons, normalizeCode, uniqueCode, isUniqueCodeOf, EMPTY_COUNTER, type Campaign } from './coupon-rules';

const campaign = (overrides: Partial<Campaign> = {}): Campaign => ({
  ...EMPTY_COUNTER,
  tenantId: 't',
  campaignId: 'cmp_abcde',
  key: 'ABCDE',
  name: 'Test',
  discount: { type: 'percentage', percent: 10 },
  validFrom: '2026-01-01T00:00:00.000Z',
  validTo: '2027-01-01T00:00:00.000Z',
  channels: ['store', 'online'],
  locationIds: null,
  minimumBasket: 0,
  eligible: { skus: [], categories: [] },
  excluded: { skus: [], categories: [] },
  budget: { redemptions: null, amount: null },
  perCustomerLimit: null,
  stackable: false,
  publicCode: 'PROMO',
  usesPerCode: 1,
  secret: 'secret',
  nextSerial: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const lines = [
  { sku: 'A', quantity: 3, unitPrice: 333, discount: 0 },
  { sku: 'B', quantity: 1, unitPrice: 1000, discount: 0 },
];

describe('discounts', () => {
  it('spreads a fixed amount over eligible lines in proportion, to the cent', () => {
    const shares = discountLines(campaign({ discount: { type: 'fixedAmount', amount: 1000 } }), lines, [0, 0]);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(shares).toEqual([500, 500]);
  });

  it('never gives more than the eligible lines cost', () => {
    expect(discountLines(campaign({ discount: { type: 'fixedAmount', amount: 99999 } }), lines, [0, 0])).toEqual([999, 1000]);
  });

  it('sells each eligible unit at a fixed price, and gives nothing on cheaper ones', () => {
    expect(discountLines(campaign({ discount: { type: 'fixedPrice', price: 500 } }), lines, [0, 0])).toEqual([0, 500]);
  });

  it('counts a hold past its expiry as released', () => {
    const c = campaign({ budget: { redemptions: 1, amount: null }, used: 1, pending: { h1: { n: 1, amt: 100, exp: Date.parse('2026-06-01T00:00:00Z') } } });
    const at = (iso: string) =>
      evaluateCoupons([{ code: 'PROMO', campaign: c, limitedCode: false }], { channel: 'store', locationId: 's', lines, at: new Date(iso) })[0];
    expect(at('2026-05-31T23:59:00Z')!.reason).toBe('budget-exhausted');
    expect(at('2026-06-01T00:00:00Z')!.valid).toBe(true);
  });
});

describe('codes', () => {
  it('recognises its own unique codes, read leniently, and no forged ones', () => {
    const c = campaign();
    const code = uniqueCode(c, 41);
    expect(code).toHaveLength(16);
    expect(isUniqueCodeOf(c, normalizeCode(code.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')))).toBe(true);
    expect(isUniqueCodeOf(c, uniqueCode({ ...c, secret: 'other' }, 41))).toBe(false);
  });
});

describe('campaigns restricted to segments', () => {
  const restricted = campaign({ segments: ['vip'] });
  const context = (inSegment: boolean | undefined) => ({ code: 'PROMO', campaign: restricted, limitedCode: false, inSegment });
  const at = new Date('2026-06-01T00:00:00Z');

  it.each(['store', 'online'] as const)('refuses a customer outside them with not-in-segment in the %s channel, and needs a customer', (channel) => {
    const request = { channel, locationId: 'loc', lines, at };
    expect(evaluateCoupons([context(false)], { ...request, customerId: 'c1' })[0]).toMatchObject({ valid: false, reason: 'not-in-segment' });
    expect(evaluateCoupons([context(undefined)], request)[0]).toMatchObject({ valid: false, reason: 'customer-required' });
    expect(evaluateCoupons([context(true)], { ...request, customerId: 'c1' })[0]).toMatchObject({ valid: true });
  });
});
