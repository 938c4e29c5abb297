import type { TransactionView } from '../transactions';
import { addToRollups, applyTransaction, emptyRollup, familiesOf, localDay, rollupKey, type DayRollup } from './rollups';
import { customerReport, toCsv } from './reports';

let n = 0;
function tx(overrides: Partial<TransactionView> = {}): TransactionView {
  n += 1;
  return {
    transactionId: `tx_${n}`,
    customerId: null,
    type: 'sale',
    channel: 'store',
    locationId: 'store-1',
    terminalId: null,
    externalId: `T-${n}`,
    occurredAt: '2026-11-20T23:30:00Z',
    recordedAt: '2026-11-20T23:30:01Z',
    currency: 'EUR',
    lines: [{ sku: 'BOOT', quantity: 2, unitPrice: 5000, taxRate: 21, discount: 0, lineNumber: 1, total: 10000, category: 'shoes' }],
    coupons: [],
    tenders: [{ type: 'card', amount: 10000 }],
    totals: { gross: 10000, discount: 0, net: 10000, items: 2 },
    originalTransactionId: null,
    ...overrides,
  };
}

function applyAll(rollups: Map<string, DayRollup>, t: TransactionView): void {
  const initial = emptyRollup('t1', localDay(t.occurredAt, 'Europe/Madrid'), t);
  const key = rollupKey(initial);
  const current = rollups.get(key) ?? initial;
  rollups.set(key, applyTransaction(current, t) ?? current);
}

describe('daily rollups', () => {
  it('count a day in the location’s time zone', () => {
    expect(localDay('2026-11-20T23:30:00Z', 'Europe/Madrid')).toBe('2026-11-21');
    expect(localDay('2026-11-20T23:30:00Z', 'UTC')).toBe('2026-11-20');
  });

  it('use the catalogue’s families when a line has them, else its category', () => {
    expect(familiesOf({ category: 'shoes', families: ['women', 'women-footwear', 'women'] })).toEqual(['women', 'women-footwear']);
    expect(familiesOf({ category: 'shoes' })).toEqual(['shoes']);
    expect(familiesOf({})).toEqual(['uncategorised']);
  });

  it('apply a transaction five times as once, and a claim once', () => {
    const sale = tx({ coupons: ['WELCOME'], totals: { gross: 10000, discount: 1000, net: 9000, items: 2 } });
    let rollup = emptyRollup('t1', '2026-11-21', sale);
    rollup = applyTransaction(rollup, sale)!;
    for (let i = 0; i < 5; i += 1) expect(applyTransaction(rollup, sale)).toBeUndefined();
    expect(rollup).toMatchObject({ sales: 1, salesNet: 9000, units: 2, couponSales: 1, couponDiscount: 1000, coupons: { WELCOME: 1 }, identifiedSales: 0 });

    const claimed = { ...sale, customerId: 'c1' };
    rollup = applyTransaction(rollup, claimed)!;
    for (let i = 0; i < 5; i += 1) expect(applyTransaction(rollup, claimed)).toBeUndefined();
    expect(applyTransaction(rollup, sale)).toBeUndefined();
    expect(rollup).toMatchObject({ sales: 1, identifiedSales: 1, identifiedNet: 9000, customers: { c1: [1, 9000] }, families: { shoes: [2, 10000] } });
  });

  it('rebuilt from the transactions, equal the rollups applied one by one in any order, with redeliveries', () => {
    const all = [
      tx({ customerId: 'c1' }),
      tx({ customerId: 'c1', channel: 'online', locationId: 'web', occurredAt: '2026-11-21T10:00:00Z' }),
      tx({
        lines: [
          { sku: 'COAT', quantity: 1, unitPrice: 9000, taxRate: 21, discount: 0, lineNumber: 1, total: 9000, families: ['women', 'women-coats'] } as never,
        ],
      }),
      tx({ type: 'return', customerId: 'c1', totals: { gross: 5000, discount: 0, net: 5000, items: 1 } }),
    ];
    const incremental = new Map<string, DayRollup>();
    for (const t of [...all, ...[...all].reverse(), ...all]) applyAll(incremental, t);
    const rebuilt = new Map<string, DayRollup>();
    for (const t of all) addToRollups(rebuilt, 't1', t, localDay(t.occurredAt, 'Europe/Madrid'));
    expect(new Map([...rebuilt].map(([k, v]) => [k, { ...v, applied: Object.keys(v.applied).sort() }]))).toEqual(
      new Map([...rebuilt.keys()].map((k) => [k, { ...incremental.get(k)!, applied: Object.keys(incremental.get(k)!.applied).sort() }])),
    );
    expect(incremental.size).toBe(rebuilt.size);
    const report = customerReport({ from: '2026-11-01', to: '2026-11-30', currency: 'EUR' }, [...rebuilt.values()]);
    expect(report.omnichannel).toEqual({ customers: 1, spend: 10000 + 10000 - 5000, averageSpend: 15000 });
  });

  it('write CSV with quoting where a field needs it', () => {
    expect(
      toCsv([
        { key: 'a,b', net: 1 },
        { key: 'say "hi"', net: 2 },
      ]),
    ).toBe('key,net\r\n"a,b",1\r\n"say ""hi""",2\r\n');
  });
});
