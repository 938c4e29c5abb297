import { onlineSale, sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

const record = (body: Record<string, unknown>, key = t.keys.pos) => p.api('POST', '/api/v1/transactions', { key, body });
const line = (sku: string, quantity: number, unitPrice: number, taxRate = 21, discount = 0) => ({ sku, quantity, unitPrice, taxRate, discount });
const giveBack = (saleId: string, lines: Array<ReturnType<typeof line>>, overrides: Record<string, unknown> = {}) =>
  sale({
    type: 'return',
    originalTransactionId: saleId,
    lines,
    tenders: [{ type: 'cash', amount: lines.reduce((n, l) => n + l.quantity * l.unitPrice - l.discount, 0) }],
    ...overrides,
  });
const readSale = async (id: string) => (await p.api('GET', `/api/v1/transactions/${id}`, { key: t.keys.admin })).body;

describe('returns are priced from the sale they take back', () => {
  it('refuses a return declared at another unit price, VAT rate or discount share, and records the sale’s own', async () => {
    // 2 x 19.99 (21%) and 1 x 5.00 with 1.00 off.
    const s = (await record(sale())).body;
    for (const [wrong, why] of [
      [line('SKU-1', 1, 99999), 'unit price'],
      [line('SKU-1', 1, 1999, 10), 'VAT rate'],
      [line('SKU-1', 1, 1999, 21, 500), 'discount'],
      [line('SKU-2', 1, 500, 21, 0), 'discount share'],
    ] as const) {
      const r = await record(giveBack(s.transactionId, [wrong]));
      expect([why, r.status, r.body.reason]).toEqual([why, 422, 'return-price-mismatch']);
    }
    expect((await readSale(s.transactionId)).returned).toEqual({});

    const ok = await record(giveBack(s.transactionId, [line('SKU-1', 1, 1999), line('SKU-2', 1, 500, 21, 100)]));
    expect(ok.status).toBe(201);
    expect(ok.body.totals.net).toBe(2399);
    expect(await readSale(s.transactionId)).toMatchObject({ returned: { 'SKU-1': 1, 'SKU-2': 1 }, refunded: 2399 });
    // The same return again (a retry) changes nothing.
    expect((await record(giveBack(s.transactionId, [line('SKU-1', 1, 1999), line('SKU-2', 1, 500, 21, 100)], { externalId: ok.body.externalId }))).status).toBe(
      200,
    );
    expect((await readSale(s.transactionId)).refunded).toBe(2399);
  });

  it('gives a discounted line back unit by unit at exactly its discount, never a cent more, in either channel', async () => {
    // 3 units at 10.00 with 1.00 off the line: 29.00 paid.
    const s = (await record(onlineSale({ lines: [line('D', 3, 1000, 21, 100)], tenders: [{ type: 'card', amount: 2900 }] }), t.keys.ecommerce)).body;
    // Each unit carries a share of the discount: 0.33, then 0.34, then 0.33.
    expect((await record(giveBack(s.transactionId, [line('D', 1, 1000, 21, 34)]))).body.reason).toBe('return-price-mismatch');
    expect((await record(giveBack(s.transactionId, [line('D', 1, 1000, 21, 33)]))).status).toBe(201);
    expect((await record(giveBack(s.transactionId, [line('D', 1, 1000, 21, 33)]))).body.reason).toBe('return-price-mismatch');
    expect((await record(giveBack(s.transactionId, [line('D', 2, 1000, 21, 67)]))).status).toBe(201);
    expect(await readSale(s.transactionId)).toMatchObject({ returned: { D: 3 }, refunded: 2900 });
    expect((await record(giveBack(s.transactionId, [line('D', 1, 1000, 21, 0)]))).body.reason).toBe('return-exceeds-sale');
  });

  it('takes a SKU sold at two prices from the line with that price', async () => {
    const s = (await record(sale({ lines: [line('TWO', 1, 1000), line('TWO', 1, 800)], tenders: [{ type: 'card', amount: 1800 }] }))).body;
    expect((await record(giveBack(s.transactionId, [line('TWO', 1, 800)]))).status).toBe(201);
    expect((await record(giveBack(s.transactionId, [line('TWO', 1, 800)]))).body.reason).toBe('return-price-mismatch');
    expect((await record(giveBack(s.transactionId, [line('TWO', 1, 1000)]))).status).toBe(201);
    expect((await readSale(s.transactionId)).refunded).toBe(1800);
  });
});

describe('money refunded under concurrency', () => {
  it('never refunds more than was paid when ten tills return the same units at once above the sale price', async () => {
    const s = (await record(sale())).body;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => record(giveBack(s.transactionId, [line('SKU-1', 1, 2500)], { externalId: `R-over-${s.transactionId}-${i}` }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(422));
    expect((await readSale(s.transactionId)).refunded).toBe(0);
  });

  it('lets concurrent returns of a discounted line refund at most what it was paid, however they interleave', async () => {
    const s = (await record(sale({ lines: [line('D3', 3, 1000, 21, 100)], tenders: [{ type: 'card', amount: 2900 }] }))).body;
    const attempts = Array.from({ length: 12 }, (_, i) =>
      record(giveBack(s.transactionId, [line('D3', 1, 1000, 21, i % 2 ? 34 : 33)], { externalId: `R-share-${s.transactionId}-${i}` })),
    );
    const results = await Promise.all(attempts);
    const accepted = results.filter((r) => r.status === 201);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422)).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(accepted.length).toBeLessThanOrEqual(3);
    const refunded = accepted.reduce((n, r) => n + r.body.totals.net, 0);
    const after = await readSale(s.transactionId);
    expect(after.refunded).toBe(refunded);
    // k units back: k x 10.00 less their share of the discount, round(1.00 x k / 3).
    const k = accepted.length;
    expect(refunded).toBe(k * 1000 - Math.round((100 * k) / 3));
    expect(refunded).toBeLessThanOrEqual(2900);
  });
});
