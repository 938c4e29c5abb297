import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** The two formats ERPs drop in the platform's inboxes: CSV with a header, or JSON lines. */
export type RecordFormat = 'csv' | 'jsonl';

export function formatOf(name: string): RecordFormat | undefined {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return undefined;
}

/** One record of a file with the line it starts on, or why that line cannot be read. */
export type RecordEntry = { line: number; record: Record<string, unknown> } | { line: number; error: string };

/**
 * Reads a CSV (header row; `columns` names each header) or JSON lines file record by record,
 * holding one record at a time: a million rows take the memory of one. A line that cannot be
 * read is reported with its number and why; the rest go on.
 */
export async function* readRecords(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  format: RecordFormat,
  columns: (header: string) => string = (header) => header,
): AsyncGenerator<RecordEntry> {
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
      yield { line, record: Object.fromEntries(Object.entries(value).map(([k, v]) => [columns(k), v])) };
    }
    return;
  }

  const skipped: RecordEntry[] = [];
  const parser = parse({
    columns: (header: string[]) => header.map(columns),
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
    yield wrong ? { line: info.lines, error: 'wrong number of columns' } : { line: info.lines, record };
  }
  yield* skipped.splice(0);
}

/** One CSV field (RFC 4180): quoted when it holds a quote, comma or line break; undefined is empty. */
export function csvField(value: unknown): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
