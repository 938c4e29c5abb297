import type { TransactionView } from '../transactions';
import { applyTransaction, birthdayFacts, deriveTraits, emptyTraits, quintile, quintileCuts } from './traits';

const now = new Date('2026-11-27T10:00:00Z');
const tx = (overrides: Partial<TransactionView> & { lines: unknown[] }): TransactionView =>
  ({
    transactionId: 'tx1',
    customerId: 'c',
    type: 'sale',
    channel: 'online',
    locationId: 'web',
    terminalId: null,
    externalId: 'W1',
    occurredAt: '2026-11-26T10:00:00Z',
    recordedAt: '2026-11-26T10:00:00Z',
    currency: 'EUR',
    coupons: [],
    tenders: [],
    totals: { gross: 0, discount: 0, net: 5000, items: 1 },
    originalTransactionId: null,
    ...overrides,
  }) as TransactionView;

describe('traits from the catalogue', () => {
  it('counts a line under every family on its path and its brand; without families, under its category', () => {
    const line = (sku: string, total: number, extra: Record<string, unknown>) => ({
      sku,
      quantity: 1,
      unitPrice: total,
      taxRate: 21,
      discount: 0,
      lineNumber: 1,
      total,
      ...extra,
    });
    const sale = tx({
      lines: [
        line('BOOT', 3000, { category: 'shoes', families: ['women', 'women-footwear', 'women-footwear-boots'], brand: 'Acme' }),
        line('SCARF', 2000, { category: 'accessories' }),
      ],
    });
    const state = applyTransaction(emptyTraits('t', 'c'), sale, now)!;
    const traits = deriveTraits(state, now);
    expect(traits.families).toEqual(['accessories', 'women', 'women-footwear', 'women-footwear-boots']);
    expect(traits.brands).toEqual(['Acme']);
    expect(traits.categories).toEqual(['accessories', 'shoes']);
    expect(traits.spendByFamily).toEqual({ women: 3000, 'women-footwear': 3000, 'women-footwear-boots': 3000, accessories: 2000 });
    expect(traits.unitsByBrand).toEqual({ Acme: 1 });
    expect(applyTransaction(state, sale, now)).toBeUndefined();

    const back = tx({
      transactionId: 'r1',
      type: 'return',
      originalTransactionId: 'tx1',
      totals: { gross: 3000, discount: 0, net: 3000, items: 1 },
      lines: [sale.lines[0]!],
    });
    const returned = deriveTraits(applyTransaction(state, back, now)!, now);
    expect(returned.brands).toEqual([]);
    expect(returned.spendByBrand).toEqual({ Acme: 0 });
    expect(returned).toMatchObject({ returns: 1, refunded: 3000, returnRate: 0.6, totalSpend: 2000, spend30d: 2000 });
  });

  it('drops day buckets past 365 days but keeps the lifetime counts', () => {
    const old = applyTransaction(emptyTraits('t', 'c'), tx({ occurredAt: '2025-01-01T10:00:00Z', lines: [] }), now)!;
    expect(old.days).toEqual({});
    expect(deriveTraits(old, now)).toMatchObject({ orders: 1, orders365d: 0, totalSpend: 5000, daysSinceLastPurchase: 695 });
  });
});

describe('birthdays and quintiles', () => {
  it('computes age, days until the birthday and this month, 29 February on the 28th', () => {
    expect(birthdayFacts('1990-11-28', now)).toEqual({ age: 35, daysUntil: 1, thisMonth: true });
    expect(birthdayFacts('1990-11-26', now)).toEqual({ age: 36, daysUntil: 364, thisMonth: true });
    expect(birthdayFacts('2000-02-29', new Date('2027-02-28T00:00:00Z'))).toEqual({ age: 27, daysUntil: 0, thisMonth: true });
  });

  it('places values in fifths', () => {
    const cuts = quintileCuts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(cuts).toEqual([3, 5, 7, 9]);
    expect([1, 3, 4, 10].map((v) => quintile(cuts, v))).toEqual([1, 1, 2, 5]);
  });
});
