import { formatOf } from '../kernel/records';
import { readSnapshot, type SnapshotEntry } from './stock-snapshot';

async function entries(text: string, format: 'csv' | 'jsonl'): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  // Split mid-row, as a network stream would.
  const buffer = Buffer.from(text);
  for await (const e of readSnapshot([buffer.subarray(0, 17), buffer.subarray(17)], format)) out.push(e);
  return out;
}

describe('ERP snapshot reader', () => {
  it('reads CSV with the header names ERPs use, and reports each bad row with its line', async () => {
    const text = [
      'SKU;Location;On hand;As of'.replace(/;/g, ','),
      'A,s1,3,2026-11-22T06:00:00Z',
      'B,s1,-1,2026-11-22T06:00:00Z',
      'C,s1',
      '"D,1",s1,2,2026-11-22',
      'E,s1,4,2026-11-22T06:00:00+01:00',
    ].join('\r\n');
    expect(await entries(text, 'csv')).toEqual([
      { line: 2, row: { sku: 'A', locationId: 's1', onHand: 3, asOf: new Date('2026-11-22T06:00:00Z') } },
      { line: 3, error: 'on hand is not a whole number of units >= 0' },
      { line: 4, error: 'wrong number of columns' },
      { line: 5, error: 'as-of is not an ISO 8601 time with offset' },
      { line: 6, row: { sku: 'E', locationId: 's1', onHand: 4, asOf: new Date('2026-11-22T05:00:00Z') } },
    ]);
  });

  it('reads JSON lines, skipping blank lines and reporting the rest', async () => {
    const text = [
      '{"sku":"A","locationId":"s1","onHand":2,"asOf":"2026-11-22T06:00:00Z"}',
      '',
      '[1]',
      '{"sku":"B","location":"s1","on_hand":"x","asOf":"2026-11-22T06:00:00Z"}',
    ].join('\n');
    expect(await entries(text, 'jsonl')).toEqual([
      { line: 1, row: { sku: 'A', locationId: 's1', onHand: 2, asOf: new Date('2026-11-22T06:00:00Z') } },
      { line: 3, error: 'not a JSON object' },
      { line: 4, error: 'on hand is not a whole number of units >= 0' },
    ]);
  });

  it('reports a row with a stray quote and reads on', async () => {
    const text = ['sku,location,onHand,asOf', 'A"x,s1,1,2026-11-22T06:00:00Z', 'B,s1,3,2026-11-22T06:00:00Z'].join('\n');
    const found = (await entries(text, 'csv')).sort((a, b) => a.line - b.line);
    expect(found).toEqual([
      { line: 2, error: 'not valid CSV (Invalid Opening Quote)' },
      { line: 3, row: { sku: 'B', locationId: 's1', onHand: 3, asOf: new Date('2026-11-22T06:00:00Z') } },
    ]);
  });

  it('knows its formats by extension', () => {
    expect([formatOf('t/a.CSV'), formatOf('t/a.jsonl'), formatOf('t/a.ndjson'), formatOf('t/a.xlsx')]).toEqual(['csv', 'jsonl', 'jsonl', undefined]);
  });
});
