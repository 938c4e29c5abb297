import { minorUnits, saleOf, ShopifyOrder, skuOf, Unmappable } from './shopify';

const context = { tenantId: 't1', locationId: 'web', country: 'US', currency: 'USD' };
const order = (overrides: Record<string, unknown>) =>
  ShopifyOrder.parse({
    id: 1,
    created_at: '2026-11-20T10:00:00-05:00',
    currency: 'USD',
    taxes_included: false,
    total_price: '0',
    line_items: [],
    ...overrides,
  });

describe('Shopify mapping', () => {
  it('reads decimal amounts exactly, in the currency’s minor units', () => {
    expect(minorUnits('19.99', 'EUR')).toBe(1999);
    expect(minorUnits('0.1', 'EUR')).toBe(10);
    expect(minorUnits('1500', 'JPY')).toBe(1500);
    expect(minorUnits('1.250', 'KWD')).toBe(1250);
    expect(minorUnits('19.990', 'EUR')).toBe(1999);
    expect(() => minorUnits('19.995', 'EUR')).toThrow(Unmappable);
    expect(() => minorUnits('-1.00', 'EUR')).toThrow(Unmappable);
  });

  it('adds the tax to the unit price when the shop prices without it, keeping the charged total exact', () => {
    // 3 x 9.99 with 8.875% sales tax, 1.00 off: Shopify charged 29.97 - 1.00 + 2.57 = 31.54.
    const sale = saleOf(
      order({
        total_price: '31.54',
        line_items: [
          {
            id: 10,
            sku: 'MUG',
            quantity: 3,
            price: '9.99',
            tax_lines: [{ price: '2.57', rate: 0.08875 }],
            discount_allocations: [{ amount: '1.00' }],
          },
        ],
      }),
      context,
    );
    const [line] = sale.lines;
    expect(line).toMatchObject({ sku: 'MUG', quantity: 3, unitPrice: 1088, taxRate: 8.88 });
    expect(line!.quantity * line!.unitPrice - line!.discount).toBe(3154);
    expect(sale.tenders).toEqual([{ type: 'card', amount: 3154, reference: 'shopify 1' }]);
  });

  it('falls back to the variant id for a SKU the platform cannot take, and refuses a line with neither', () => {
    expect(skuOf({ sku: 'A/B 12', variant_id: '777' })).toBe('shopify-variant-777');
    expect(skuOf({ sku: ' TSHIRT-M ', variant_id: '777' })).toBe('TSHIRT-M');
    expect(() => skuOf({ sku: null, variant_id: null, title: 'Gift wrap' })).toThrow('Gift wrap');
  });

  it('passes on only codes the platform’s coupons could have, and drops an unusable phone', () => {
    const sale = saleOf(
      order({
        total_price: '10.00',
        taxes_included: true,
        discount_codes: [{ code: 'SUMMER-10' }, { code: 'friends_and_family' }],
        customer: { id: 55, email: 'a@example.com', phone: 'not a phone' },
        line_items: [{ id: 1, sku: 'X', quantity: 1, price: '10.00' }],
      }),
      context,
    );
    expect(sale.coupons).toEqual(['SUMMER-10']);
    expect(sale.customer!.identifiers).toEqual([
      { type: 'ecommerceId', value: '55' },
      { type: 'email', value: 'a@example.com' },
    ]);
  });
});
