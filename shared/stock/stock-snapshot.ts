import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** One row of an ERP stock snapshot: what the ERP believed was on hand at `asOf`. */
export interface SnapshotRow {
  sku: string;
  locationId: string;
  onHand: number;
  asOf: Date;
}

export type SnapshotEntry = { line: number; row: SnapshotRow } | { line: number; error: string };

export type SnapshotFormat = 'csv' | 'jsonl';

export function formatOf(name: string): SnapshotFormat | undefined {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return undefined;
}

/** Header names ERPs use for the four fields, compared lower-case without punctuation. */
const FIELD_NAMES: Record<string, keyof SnapshotRow> = {
  sku: 'sku',
  location: 'locationId',
  locationid: 'locationId',
  onhand: 'onHand',
  quantity: 'onHand',
  asof: 'asOf',
  asoftime: 'asOf',
};
const canonical = (name: string) => FIELD_NAMES[name.toLowerCase().replace(/[^a-z]/g, '')] ?? name;

/**
 * Reads a snapshot row by row, holding one row at a time: a million rows take the memory of one.
 * A row that cannot be used is reported with its line number and why; the rest go on.
 */
export async function* readSnapshot(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, format: SnapshotFormat): AsyncGenerator<SnapshotEntry> {
  if (format === 'jsonl') {
    let line = 0;
    for await (const text of createInterface({ input: Readable.from(source), crlfDelay: Infinity })) {
      line += 1;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        yield { line, error: 'not valid JSON' };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line, error: 'not a JSON object' };
        continue;
      }
      yield toEntry(line, Object.fromEntries(Object.entries(value).map(([k, v]) => [canonical(k), v])));
    }
    return;
  }

  const skipped: SnapshotEntry[] = [];
  const parser = parse({
    columns: (header: string[]) => header.map(canonical),
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    skip_records_with_error: true,
    bom: true,
  });
  parser.on('skip', (error: Error & { lines?: number }) => skipped.push({ line: error.lines ?? 0, error: `not valid CSV (${error.message.split(':')[0]})` }));
  Readable.from(source).pipe(parser);
  // The parser counts records of the wrong length so far: a rise marks this one.
  let wrongLength = 0;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number; invalid_field_length: number } }>) {
    yield* skipped.splice(0);
    const wrong = info.invalid_field_length > wrongLength;
    wrongLength = info.invalid_field_length;
    yield wrong ? { line: info.lines, error: 'wrong number of columns' } : toEntry(info.lines, record);
  }
  yield* skipped.splice(0);
}

function toEntry(line: number, raw: Record<string, unknown>): SnapshotEntry {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
  const sku = text(raw.sku);
  const locationId = text(raw.locationId);
  const onHand = typeof raw.onHand === 'number' ? raw.onHand : text(raw.onHand) === '' ? NaN : Number(text(raw.onHand));
  const asOf = new Date(text(raw.asOf));
  const problems = [
    ...(sku === '' || sku.length > 64 ? ['sku is missing or longer than 64 characters'] : []),
    ...(locationId === '' || locationId.length > 64 ? ['location is missing or longer than 64 characters'] : []),
    ...(!Number.isInteger(onHand) || onHand < 0 ? ['on hand is not a whole number of units >= 0'] : []),
    ...(!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(text(raw.asOf)) || Number.isNaN(asOf.getTime())
      ? ['as-of is not an ISO 8601 time with offset']
      : []),
  ];
  if (problems.length > 0) return { line, error: problems.join('; ') };
  return { line, row: { sku, locationId, onHand, asOf } };
}
