import { z } from 'zod';
import { deterministicId } from '../kernel/ids';
import { csvField, formatOf } from '../kernel/records';
import { readSnapshot, type SnapshotRow } from './stock-snapshot';
import type { StockService, StockStore } from './stock';
import type { TenancyService } from '../tenancy';
import type { Clock, Logger } from '../kernel/ports';
import { ownFileRun, type FileRuns, type SnapshotInbox } from '../kernel/snapshot-files';

export interface ReconciledFile {
  kind: 'reconciliation';
  tenantId: string;
  file: string;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt: string | null;
  summary: ReconciliationSummary | null;
}

export const ReconciliationListSchema = z
  .object({
    items: z.array(
      z.object({
        kind: z.literal('reconciliation'),
        tenantId: z.string(),
        file: z.string().describe('The snapshot, as named in the inbox container'),
        status: z.enum(['running', 'done']),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
        summary: z
          .object({
            rows: z.number().int(),
            matched: z.number().int(),
            differences: z.number().int(),
            corrected: z.number().int(),
            badRows: z.number().int(),
            report: z.object({ json: z.string(), csv: z.string() }).nullable().describe('The report files in the reports container'),
          })
          .nullable(),
      }),
    ),
  })
  .meta({ id: 'StockReconciliationList' });

export interface ReconciliationFiles extends FileRuns<ReconciledFile> {
  /** The tenant's newest reconciled files first, at most `limit`. */
  list(tenantId: string, limit: number): Promise<ReconciledFile[]>;
}

export interface ReconciliationSummary {
  rows: number;
  matched: number;
  differences: number;
  corrected: number;
  badRows: number;
  report: { json: string; csv: string } | null;
}

interface Difference {
  line: number;
  locationId: string;
  sku: string;
  erpOnHand: number;
  asOf: string;
  movementsAfterAsOf: number;
  platformOnHand: number;
  correction: number;
  error?: string;
}

/** How far back an ERP snapshot may look: movements are replayed from then. */
export const RECONCILIATION_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** A run that stopped (crash, timeout) is taken over after this long. */
const RUN_LEASE_MS = 30 * 60_000;
const WRITE_CONCURRENCY = 16;

interface LocationState {
  onHand: Map<string, number>;
  /** Physical movements after the lookback start, per SKU (ERP corrections excluded: they are not stock moving). */
  movements: Map<string, Array<{ at: number; quantity: number }>>;
  seen: Set<string>;
}

/**
 * Compares ERP snapshots with the platform's stock and corrects the platform. A location's stock is
 * read with a few paged queries when its first row arrives and compared in memory; only differences
 * are written, as `erp-correction` movements whose ids derive from the file, so a re-run never
 * doubles them.
 */
export class StockReconciliation {
  constructor(
    /** Where the ERP drops snapshots (`{tenantId}/{file}.csv|.jsonl`) and where reports go. */
    private readonly inbox: SnapshotInbox,
    private readonly files: ReconciliationFiles,
    private readonly store: StockStore,
    private readonly stock: StockService,
    private readonly tenancy: TenancyService,
    private readonly clock: Clock,
  ) {}

  /** What the reconciliation did with each ERP snapshot, newest first (the reports' summaries). */
  reports(tenantId: string, limit = 50): Promise<ReconciledFile[]> {
    return this.files.list(tenantId, limit);
  }

  /** Processes every file not processed yet; one failing file does not stop the others. */
  async run(log: Logger): Promise<Array<{ file: string; summary: ReconciliationSummary }>> {
    const done = [];
    for await (const name of this.inbox.list()) {
      try {
        const summary = await this.processOnce(name, log);
        if (summary) done.push({ file: name, summary });
      } catch (error) {
        log.log('error', 'reconciliation of a file failed; the next run retries it', { file: name, error: (error as Error).message });
      }
    }
    return done;
  }

  private async processOnce(name: string, log: Logger): Promise<ReconciliationSummary | undefined> {
    const tenantId = name.split('/')[0]!;
    const now = this.clock.now();
    const claim: ReconciledFile = {
      kind: 'reconciliation',
      tenantId,
      file: name,
      status: 'running',
      startedAt: now.toISOString(),
      finishedAt: null,
      summary: null,
    };
    if (!(await ownFileRun(this.files, claim, RUN_LEASE_MS, log, 'taking over an unfinished reconciliation'))) return undefined;
    const summary = await this.reconcile(tenantId, name, now);
    await this.files.update(claim, (c) => ({ ...c, status: 'done', finishedAt: this.clock.now().toISOString(), summary }));
    log.log('info', 'reconciled an ERP snapshot', { file: name, ...summary, report: undefined });
    return summary;
  }

  private async reconcile(tenantId: string, name: string, now: Date): Promise<ReconciliationSummary> {
    const lookbackStart = now.getTime() - RECONCILIATION_LOOKBACK_MS;
    const differences: Difference[] = [];
    const badRows: Array<{ line: number; reason: string }> = [];
    const locations = new Map<string, LocationState | string>();
    let rows = 0;
    let matched = 0;

    const format = formatOf(name);
    if (!(await this.tenancy.getTenant(tenantId))) {
      badRows.push({ line: 0, reason: `tenant ${tenantId} does not exist` });
    } else if (!format) {
      badRows.push({ line: 0, reason: 'not a .csv or .jsonl file' });
    } else {
      for await (const entry of readSnapshot(await this.inbox.open(name), format)) {
        rows += 1;
        if ('error' in entry) {
          badRows.push({ line: entry.line, reason: entry.error });
          continue;
        }
        const { row, line } = entry;
        let state = locations.get(row.locationId);
        if (state === undefined) {
          state = await this.loadLocation(tenantId, row.locationId, new Date(lookbackStart).toISOString());
          locations.set(row.locationId, state);
        }
        const reason = typeof state === 'string' ? state : rowProblem(row, state, lookbackStart, now);
        if (reason) {
          badRows.push({ line, reason });
          continue;
        }
        const here = state as LocationState;
        const after = (here.movements.get(row.sku) ?? []).reduce((sum, m) => (m.at > row.asOf.getTime() ? sum + m.quantity : sum), 0);
        const platformOnHand = here.onHand.get(row.sku);
        const correction = row.onHand + after - (platformOnHand ?? 0);
        // Remembered only when it matters (stock the platform holds, or a correction), so a range
        // listed at zero costs no memory: a million rows stay within the platform's own stock.
        if (platformOnHand !== undefined || correction !== 0) here.seen.add(row.sku);
        if (correction === 0) {
          matched += 1;
          continue;
        }
        differences.push({
          line,
          locationId: row.locationId,
          sku: row.sku,
          erpOnHand: row.onHand,
          asOf: row.asOf.toISOString(),
          movementsAfterAsOf: after,
          platformOnHand: platformOnHand ?? 0,
          correction,
        });
      }
    }

    const corrected = await this.correct(tenantId, name, differences);
    // The CSV parser reports malformed records as it meets them, which may be ahead of the rows read.
    badRows.sort((a, b) => a.line - b.line);
    const report = await this.inbox.writeReport(
      name,
      now.toISOString().replace(/[-:.]/g, ''),
      reportJson(name, tenantId, now, { rows, matched, differences, badRows }),
      reportCsv(differences, badRows),
    );
    return { rows, matched, differences: differences.length, corrected, badRows: badRows.length, report };
  }

  /** A location's stock in memory: SKU -> on hand, and the movements an as-of time may need to replay. */
  private async loadLocation(tenantId: string, locationId: string, since: string): Promise<LocationState | string> {
    const location = await this.tenancy.getLocation(tenantId, locationId);
    if (!location) return `location ${locationId} does not exist`;
    if (location.type === 'online') return `${locationId} is an online shop; it holds no stock`;
    const onHand = new Map<string, number>();
    for await (const page of this.store.levelsAt(tenantId, locationId)) for (const level of page) onHand.set(level.sku, level.onHand);
    const movements = new Map<string, Array<{ at: number; quantity: number }>>();
    for (const m of await this.store.movementsSince(tenantId, locationId, since)) {
      if (m.type === 'erp-correction') continue;
      const list = movements.get(m.sku) ?? [];
      list.push({ at: new Date(m.at).getTime(), quantity: m.quantity });
      movements.set(m.sku, list);
    }
    return { onHand, movements, seen: new Set() };
  }

  /** Writes the corrections a few at a time; a failed one is reported, the rest go on. */
  private async correct(tenantId: string, name: string, differences: Difference[]): Promise<number> {
    let next = 0;
    let corrected = 0;
    const at = this.clock.now().toISOString();
    const worker = async () => {
      while (next < differences.length) {
        const d = differences[next++]!;
        try {
          await this.stock.applyMovement(tenantId, {
            movementId: deterministicId('mv', tenantId, 'erp', name, d.locationId, d.sku),
            locationId: d.locationId,
            sku: d.sku,
            type: 'erp-correction',
            quantity: d.correction,
            at,
            reference: name,
          });
          corrected += 1;
        } catch (error) {
          d.error = (error as Error).message;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
    return corrected;
  }
}

function rowProblem(row: SnapshotRow, state: LocationState, lookbackStart: number, now: Date): string | undefined {
  if (row.asOf.getTime() < lookbackStart) return 'as-of is more than 7 days old; movements since then are no longer replayed';
  if (row.asOf > now) return 'as-of is in the future';
  if (state.seen.has(row.sku)) return `SKU ${row.sku} at ${row.locationId} appears more than once`;
  return undefined;
}

function reportJson(
  file: string,
  tenantId: string,
  at: Date,
  r: { rows: number; matched: number; differences: Difference[]; badRows: Array<{ line: number; reason: string }> },
): string {
  return JSON.stringify(
    { file, tenantId, reconciledAt: at.toISOString(), rows: r.rows, matched: r.matched, differences: r.differences, badRows: r.badRows },
    null,
    1,
  );
}

const CSV_COLUMNS = ['kind', 'line', 'locationId', 'sku', 'erpOnHand', 'asOf', 'movementsAfterAsOf', 'platformOnHand', 'correction', 'reason'] as const;

function reportCsv(differences: Difference[], badRows: Array<{ line: number; reason: string }>): string {
  const rows: Array<Record<string, unknown>> = [
    ...differences.map((d) => ({ kind: d.error ? 'not-corrected' : 'difference', ...d, reason: d.error })),
    ...badRows.map((b) => ({ kind: 'bad-row', line: b.line, reason: b.reason })),
  ];
  return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','))].join('\n') + '\n';
}
