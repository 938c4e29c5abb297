import { csvField, formatOf, readRecords } from '../kernel/records';
import type { Clock, Logger } from '../kernel/ports';
import { ownFileRun, type FileRuns, type SnapshotInbox } from '../kernel/snapshot-files';
import type { TenancyService } from '../tenancy';
import type { CatalogueService, ItemResult } from './catalogue';
import type { CatalogueSettings, ItemType } from './model';

export interface ImportSummary {
  kind: ItemType | null;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  badRows: number;
  report: { json: string; csv: string } | null;
}

export interface ImportedFile {
  kind: 'import';
  tenantId: string;
  file: string;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt: string | null;
  summary: ImportSummary | null;
}

export type ImportedFiles = FileRuns<ImportedFile>;

interface BadRow {
  line: number;
  errors: Array<{ field: string; message: string }>;
}

/** A run that stopped (crash, timeout) is taken over after this long. */
const RUN_LEASE_MS = 30 * 60_000;
/** Rows applied together: one upsert batch, as through the API. */
const BATCH = 1_000;
const BATCHES_IN_FLIGHT = 4;
/** Files dropped together are applied in this order, so variants find their products. */
const KIND_ORDER: ItemType[] = ['product', 'variant', 'price', 'relations'];
const KIND_OF_NAME: Record<string, ItemType> = { products: 'product', variants: 'variant', prices: 'price', relations: 'relations' };

export function kindOf(name: string): ItemType | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  const prefix = Object.keys(KIND_OF_NAME).find((p) => base.startsWith(p));
  return prefix ? KIND_OF_NAME[prefix] : undefined;
}

/**
 * Applies ERP catalogue snapshots like the stock reconciliation: a record per file created once
 * (the claim), a run that stopped taken over after its lease, rows streamed and applied in batches
 * through the same checks as the API (so a re-run changes nothing: every item is versioned), bad
 * rows reported with their line while the rest go on, and a report per run.
 */
export class CatalogueImport {
  constructor(
    /** Where the ERP drops catalogue snapshots (`{tenantId}/{products|variants|prices|relations}….csv|.jsonl`) and where reports go. */
    private readonly inbox: SnapshotInbox,
    private readonly files: ImportedFiles,
    private readonly catalogue: CatalogueService,
    private readonly tenancy: TenancyService,
    private readonly clock: Clock,
  ) {}

  /** Processes every file not processed yet (of one tenant, when given); one failing file does not stop the others. */
  async run(log: Logger, tenantId?: string): Promise<Array<{ file: string; summary: ImportSummary }>> {
    const names: string[] = [];
    for await (const name of this.inbox.list(tenantId ? `${tenantId}/` : undefined)) names.push(name);
    const rank = (name: string) => {
      const kind = kindOf(name);
      return kind ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length;
    };
    names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const done = [];
    for (const name of names) {
      try {
        const summary = await this.processOnce(name, log);
        if (summary) done.push({ file: name, summary });
      } catch (error) {
        log.log('error', 'import of a catalogue file failed; the next run retries it', { file: name, error: (error as Error).message });
      }
    }
    return done;
  }

  private async processOnce(name: string, log: Logger): Promise<ImportSummary | undefined> {
    const tenantId = name.split('/')[0]!;
    const now = this.clock.now();
    const claim: ImportedFile = { kind: 'import', tenantId, file: name, status: 'running', startedAt: now.toISOString(), finishedAt: null, summary: null };
    if (!(await ownFileRun(this.files, claim, RUN_LEASE_MS, log, 'taking over an unfinished catalogue import'))) return undefined;
    const summary = await this.apply(tenantId, name, now);
    await this.files.update(claim, (c) => ({ ...c, status: 'done', finishedAt: this.clock.now().toISOString(), summary }));
    log.log('info', 'imported a catalogue snapshot', { file: name, ...summary, report: undefined });
    return summary;
  }

  private async apply(tenantId: string, name: string, now: Date): Promise<ImportSummary> {
    const kind = kindOf(name) ?? null;
    const format = formatOf(name);
    const counts = { rows: 0, created: 0, updated: 0, unchanged: 0, stale: 0 };
    const badRows: BadRow[] = [];
    const settings = await this.catalogue.cachedSettings(tenantId);
    if (!(await this.tenancy.getTenant(tenantId))) badRows.push({ line: 0, errors: [{ field: '(file)', message: `tenant ${tenantId} does not exist` }] });
    else if (!format) badRows.push({ line: 0, errors: [{ field: '(file)', message: 'not a .csv or .jsonl file' }] });
    else if (!kind) badRows.push({ line: 0, errors: [{ field: '(file)', message: 'the name does not start with products, variants, prices or relations' }] });
    else {
      const knownProducts = new Set<string>();
      let items: unknown[] = [];
      let lines: number[] = [];
      // Batches of one file are independent (every item is versioned), so a few are applied at once.
      const inFlight: Array<Promise<void>> = [];
      let failure: { error: unknown } | undefined;
      const flush = async () => {
        if (items.length === 0) return;
        const batch = this.catalogue.upsert(tenantId, items, { indexes: lines, knownProducts }).then(
          ({ results }) => results.forEach((r) => tally(r, counts, badRows)),
          (error: unknown) => void (failure ??= { error }),
        );
        items = [];
        lines = [];
        inFlight.push(batch);
        if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
        // A batch the store failed stops the run; the next run takes the file over and re-applies it.
        if (failure) throw failure.error;
      };
      for await (const entry of readRecords(await this.inbox.open(name), format)) {
        counts.rows += 1;
        if ('error' in entry) {
          badRows.push({ line: entry.line, errors: [{ field: '(row)', message: entry.error }] });
          continue;
        }
        items.push(format === 'csv' ? itemOfCsv(kind, entry.record, settings) : { type: kind, ...entry.record });
        lines.push(entry.line);
        if (items.length >= BATCH) await flush();
      }
      await flush();
      await Promise.all(inFlight);
      if (failure) throw failure.error;
    }
    // The CSV parser reports malformed records as it meets them, which may be ahead of the rows read.
    badRows.sort((a, b) => a.line - b.line);
    const { rows, ...outcomes } = counts;
    const report = await this.inbox.writeReport(
      name,
      now.toISOString().replace(/[-:.]/g, ''),
      JSON.stringify({ file: name, tenantId, kind, importedAt: now.toISOString(), rows, ...outcomes, badRows }, null, 1),
      reportCsv(badRows),
    );
    return { kind, rows, ...outcomes, badRows: badRows.length, report };
  }
}

function tally(result: ItemResult, counts: { created: number; updated: number; unchanged: number; stale: number }, badRows: BadRow[]): void {
  if (result.outcome === 'rejected') badRows.push({ line: result.index, errors: result.errors ?? [] });
  else counts[result.outcome] += 1;
}

function reportCsv(badRows: BadRow[]): string {
  const rows = badRows.flatMap((b) => b.errors.map((e) => [b.line, e.field, e.message].map(csvField).join(',')));
  return ['line,field,message', ...rows].join('\n') + '\n';
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const list = (v: unknown): string[] | undefined =>
  text(v)
    ?.split('|')
    .map((s) => s.trim())
    .filter(Boolean);
/** A number when the cell is one; otherwise the text as it is, so the item's check names the field. */
const number = (v: unknown): number | string | undefined => {
  const t = text(v);
  return t !== undefined && /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
};

/** Columns named `{prefix}.{name}` (e.g. `attr.material`, `option.size`), as a record of their non-empty cells. */
function prefixed(record: Record<string, unknown>, ...prefixes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [column, value] of Object.entries(record)) {
    const prefix = prefixes.find((p) => column.startsWith(`${p}.`));
    const t = text(value);
    if (prefix && t !== undefined) out[column.slice(prefix.length + 1)] = t;
  }
  return out;
}

/**
 * A CSV row as the item the API takes. Lists are `|`-separated; attributes are `attr.<code>`
 * columns (read as the type the tenant defined: numbers and true/false); options are `option.<name>`
 * columns, with `size` and `colour` (or `color`) as shorthands.
 */
export function itemOfCsv(kind: ItemType, r: Record<string, unknown>, settings: CatalogueSettings | undefined): Record<string, unknown> {
  const base = { type: kind, version: number(r.version) };
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  switch (kind) {
    case 'product': {
      const types = new Map((settings?.attributes ?? []).map((a) => [a.code, a.type]));
      const attributes = Object.fromEntries(
        Object.entries(prefixed(r, 'attr', 'attributes')).map(([code, value]) => {
          const type = types.get(code);
          if (type === 'number') return [code, number(value)];
          if (type === 'boolean' && /^(true|false)$/i.test(value)) return [code, value.toLowerCase() === 'true'];
          return [code, value];
        }),
      );
      return defined({
        ...base,
        productId: text(r.productId),
        name: text(r.name),
        brand: text(r.brand),
        description: text(r.description),
        families: list(r.families),
        images: list(r.images),
        status: text(r.status),
        attributes,
      });
    }
    case 'variant':
      return defined({
        ...base,
        productId: text(r.productId),
        sku: text(r.sku),
        gtin: text(r.gtin),
        status: text(r.status),
        images: list(r.images),
        options: defined({ size: text(r.size), colour: text(r.colour) ?? text(r.color), ...prefixed(r, 'option') }),
      });
    case 'price': {
      const sale = defined({ amount: number(r.saleAmount), from: text(r.saleFrom), to: text(r.saleTo) });
      return defined({
        ...base,
        priceListId: text(r.priceListId),
        sku: text(r.sku),
        locationId: text(r.locationId),
        currency: text(r.currency),
        amount: number(r.amount),
        sale: Object.keys(sale).length > 0 ? sale : undefined,
      });
    }
    case 'relations':
      return defined({ ...base, productId: text(r.productId), relation: text(r.relation), related: list(r.related) ?? [] });
  }
}
