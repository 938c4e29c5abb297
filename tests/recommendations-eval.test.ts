import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { evaluateFile, table } from '../bench/eval-recommendations';

/**
 * A small file in the UCI Online Retail format whose metrics are worked out by hand below.
 * Train (before 2011-01-10): I1 cust 1 {10001, 10002}; I2 cust 2 {10001, 10002, 10003};
 * I3, I4 guests {10003, 10004}; I5 guest {10005, 10006}; I6 cust 3 {10005}; plus rows the
 * protocol leaves out (a cancellation, postage, a zero price). Invoices per item: 10003: 3;
 * 10001, 10002, 10004, 10005: 2; 10006: 1.
 */
const ROWS = [
  'invoice,stockCode,description,quantity,invoiceDate,unitPrice,customerId,country',
  '1,10001,"LAMP, RED",1,2011-01-01T09:00:00,1.5,1,United Kingdom',
  '1,10002,"SHADE ""XL""",2,2011-01-01T09:00:00,1.5,1,United Kingdom',
  '2,10001,LAMP,1,2011-01-02T09:00:00,1.5,2,France',
  '2,10002,SHADE,1,2011-01-02T09:00:00,1.5,2,France',
  '2,10003,BULB,1,2011-01-02T09:00:00,1.5,2,France',
  '3,10003,BULB,1,2011-01-03T09:00:00,1.5,,United Kingdom',
  '3,10004,PLUG,1,2011-01-03T09:00:00,1.5,,United Kingdom',
  '4,10003,BULB,1,2011-01-04T09:00:00,1.5,,United Kingdom',
  '4,10004,PLUG,1,2011-01-04T09:00:00,1.5,,United Kingdom',
  '4,POST,POSTAGE,1,2011-01-04T09:00:00,18,,United Kingdom',
  '5,10005,VASE,1,2011-01-05T09:00:00,1.5,,United Kingdom',
  '5,10006,FLOWERS,1,2011-01-05T09:00:00,1.5,,United Kingdom',
  '6,10005,VASE,1,2011-01-06T09:00:00,1.5,3,United Kingdom',
  'C7,10006,FLOWERS,-1,2011-01-07T09:00:00,1.5,1,United Kingdom',
  // Test period.
  '8,10006,FLOWERS,1,2011-01-12T09:00:00,1.5,1,United Kingdom',
  '8,10002,SHADE,1,2011-01-12T09:00:00,1.5,1,United Kingdom',
  '8,10004,PLUG,1,2011-01-12T09:00:00,0,1,United Kingdom',
  '9,10001,LAMP,1,2011-01-12T10:00:00,1.5,2,France',
  '10,10006,FLOWERS,1,2011-01-13T09:00:00,1.5,3,United Kingdom',
  '10,10001,LAMP,1,2011-01-13T09:00:00,1.5,3,United Kingdom',
  '11,10001,LAMP,1,2011-01-13T09:00:00,1.5,9,United Kingdom',
].join('\n');

const d = (rank: number) => 1 / Math.log2(rank + 1);
const round = (v: number) => Math.round(v * 10_000) / 10_000;

describe('npm run eval:recs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-recs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['plain', (file: string) => writeFileSync(file, ROWS)],
    ['gzip', (file: string) => writeFileSync(file, gzipSync(ROWS))],
  ])('gives the hand-computed metrics on a small %s file', async (_kind, write) => {
    const file = path.join(dir, `retail-${_kind}.csv`);
    write(file);
    const result = await evaluateFile(file, { testFrom: '2011-01-10T00:00:00' });
    expect(result).toMatchObject({ trainRows: 12, trainInvoices: 6, items: 6, users: 2 });

    // Scored: customer 1 (new: 10006; 10002 she had, 10004 had no price) and customer 3 (new: 10006, 10001).
    // Customer 2 bought nothing new; customer 9 has no train history.
    // Popularity, owned items skipped: customer 1 [10003, 10004, 10005, 10006] hits at 4;
    // customer 3 [10003, 10001, 10002, 10004, 10006] hits at 2 and 5 (two targets: ideal 1 + d(2)).
    const ideal2 = d(1) + d(2);
    expect(result.popularity).toEqual({ precision: 0.15, recall: 1, hitRate: 1, ndcg: round((d(4) + (d(2) + d(5)) / ideal2) / 2) });
    // Recommender: customer 1's lamp and shade were bought with 10003 only, then the best sellers
    // decayed by date: 10005 (5th, 6th) before 10004 (3rd, 4th) before 10006 (one basket): hit at 4.
    // Customer 3's vase was bought with 10006: first; then 10003, 10004, 10001: hits at 1 and 4.
    expect(result.recommender).toEqual({ precision: 0.15, recall: 1, hitRate: 1, ndcg: round((d(4) + (d(1) + d(4)) / ideal2) / 2) });
    expect(result.recommender.ndcg).toBe(0.6539);
    expect(table(result)).toContain('| popularity (train, already-bought excluded) | 0.1500 | 1.0000 | 1.0000 | 0.5274 |');
  });
});
