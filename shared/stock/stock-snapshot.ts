import { readRecords, type RecordFormat } from '../kernel/records';

/** One row of an ERP stock snapshot: what the ERP believed was on hand at `asOf`. */
export interface SnapshotRow {
  sku: string;
  locationId: string;
  onHand: number;
  asOf: Date;
}

export type SnapshotEntry = { line: number; row: SnapshotRow } | { line: number; error: string };

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
export async function* readSnapshot(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, format: RecordFormat): AsyncGenerator<SnapshotEntry> {
  for await (const entry of readRecords(source, format, canonical)) yield 'error' in entry ? entry : toEntry(entry.line, entry.record);
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
