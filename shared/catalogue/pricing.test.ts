import { formatMoney, listFor, resolvePrice } from './pricing';
import type { PriceEntry, PriceList } from './model';

const lists: PriceList[] = [
  { priceListId: 'es-store', name: 'Stores', channel: 'store', country: 'ES', currency: 'EUR' },
  { priceListId: 'es-online', name: 'Web', channel: 'online', country: 'ES', currency: 'EUR' },
  { priceListId: 'pt-store', name: 'Lojas', channel: 'store', country: 'PT', currency: 'EUR' },
];
const entry = (amount: number, extra: Partial<PriceEntry> = {}): PriceEntry => ({
  kind: 'price',
  tenantId: 't',
  priceListId: 'es-store',
  sku: 'S',
  locationId: null,
  currency: 'EUR',
  amount,
  sale: null,
  version: 1,
  updatedAt: '2026-11-01T00:00:00Z',
  ...extra,
});
const sale = { amount: 7000, from: '2026-12-01T00:00:00.000Z', to: '2026-12-08T00:00:00.000Z' };
const at = (iso: string) => new Date(iso);

describe('price precedence', () => {
  it('takes the list of the channel for the country and currency, never the other channel’s', () => {
    expect(listFor(lists, 'store', 'ES', 'EUR')?.priceListId).toBe('es-store');
    expect(listFor(lists, 'online', 'ES', 'EUR')?.priceListId).toBe('es-online');
    expect(listFor(lists, 'online', 'PT', 'EUR')).toBeUndefined();
    expect(listFor(lists, 'store', 'ES', 'USD')).toBeUndefined();
  });

  it("prefers the location's override over the list price, as a whole (the list's sale does not reach it)", () => {
    const list = entry(10000, { sale });
    const override = entry(11000, { locationId: 'store-2' });
    expect(resolvePrice(lists[0]!, { list, location: override }, at('2026-12-02T00:00:00Z'))).toMatchObject({
      amount: 11000,
      source: 'location',
      locationId: 'store-2',
      onSale: false,
    });
    expect(resolvePrice(lists[0]!, { list }, at('2026-12-02T00:00:00Z'))).toMatchObject({ amount: 7000, source: 'list', onSale: true });
  });

  it('applies a sale from its first instant and stops at its end (excluded)', () => {
    const list = entry(10000, { sale });
    const price = (iso: string) => resolvePrice(lists[0]!, { list }, at(iso))!;
    expect(price('2026-11-30T23:59:59.999Z')).toMatchObject({ amount: 10000, onSale: false, saleEndsAt: null });
    expect(price('2026-12-01T00:00:00.000Z')).toMatchObject({ amount: 7000, onSale: true, saleEndsAt: sale.to, regularAmount: 10000 });
    expect(price('2026-12-07T23:59:59.999Z')).toMatchObject({ amount: 7000, onSale: true });
    expect(price('2026-12-08T00:00:00.000Z')).toMatchObject({ amount: 10000, onSale: false });
  });

  it("uses a location override's own sale", () => {
    const override = entry(11000, { locationId: 'store-2', sale: { ...sale, amount: 8000 } });
    expect(resolvePrice(lists[0]!, { list: entry(10000), location: override }, at('2026-12-03T00:00:00Z'))).toMatchObject({ amount: 8000, source: 'location' });
  });

  it('has no price without an entry', () => {
    expect(resolvePrice(lists[0]!, {}, at('2026-12-03T00:00:00Z'))).toBeUndefined();
  });

  it('writes money exactly, with the currency’s decimals', () => {
    expect([formatMoney(12900, 'EUR'), formatMoney(5, 'EUR'), formatMoney(0, 'EUR'), formatMoney(1500, 'JPY'), formatMoney(123456789, 'EUR')]).toEqual([
      '129.00 EUR',
      '0.05 EUR',
      '0.00 EUR',
      '1500 JPY',
      '1234567.89 EUR',
    ]);
  });
});
