import { z } from 'zod';
import { invalid } from '../kernel/errors';
import type { Logger } from '../kernel/ports';
import type { Principal, TenancyService } from '../tenancy';
import type { TransactionEvent, TransactionView } from '../transactions';
import { couponReport, csvOf, customerReport, salesReport, topReport, type CsvReport, type Range } from './reports';
import { addToRollups, applyTransaction, emptyRollup, localDay, rollupKey, type DayRollup } from './rollups';

/** Where rollups are kept: one document per key, changed only with an etag check. */
export interface RollupStore {
  /** Read-modify-write of one rollup (created from `initial` when absent); `mutate` may run more than once, undefined means no change. */
  update(tenantId: string, key: string, initial: DayRollup, mutate: (current: DayRollup) => DayRollup | undefined): Promise<void>;
  /** Every rollup of the tenant with a day in [from, to]. */
  between(tenantId: string, from: string, to: string): Promise<DayRollup[]>;
  /** Every rollup key the tenant has. */
  keys(tenantId: string): Promise<string[]>;
  replaceAll(tenantId: string, rollups: Map<string, DayRollup>, stale: string[]): Promise<void>;
}

/** Every transaction a tenant has recorded, as its public view (the rebuild's input). */
export interface TransactionSource {
  all(tenantId: string): AsyncIterable<TransactionView>;
}

const day = z.iso.date();
export const ReportQuery = z
  .object({
    from: day.describe('First day, YYYY-MM-DD, in each location’s time zone'),
    to: day.describe('Last day, included'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional()
      .describe("Default: the tenant's"),
    locationId: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,64}$/)
      .optional()
      .describe('Only this location'),
  })
  .strict();
export type ReportQuery = z.output<typeof ReportQuery>;

/** A report reads one document per day, location and channel: a year for one tenant's stores stays in the thousands. */
export const MAX_RANGE_DAYS = 366;

export const RebuildResultSchema = z
  .object({ tenantId: z.string(), transactions: z.number().int(), rollups: z.number().int(), removed: z.number().int() })
  .meta({ id: 'AnalyticsRebuild' });
export type RebuildResult = z.output<typeof RebuildResultSchema>;

/**
 * Retail analytics from daily rollups. A consumer of `transaction.recorded` and
 * `transaction.claimed` applies each transaction to its day's rollup with one read and one
 * etag-checked replace; the rollup lists what it applied, so a redelivered event changes nothing.
 */
export class Analytics {
  constructor(
    private readonly rollups: RollupStore,
    private readonly transactions: TransactionSource,
    private readonly tenancy: TenancyService,
  ) {}

  private async dayOf(tenantId: string, tx: TransactionView): Promise<string> {
    const location = await this.tenancy.getLocation(tenantId, tx.locationId);
    const tenant = location ? undefined : await this.tenancy.getTenant(tenantId);
    return localDay(tx.occurredAt, location?.timeZone ?? tenant?.timeZone ?? 'UTC');
  }

  async handle(event: TransactionEvent, log: Logger): Promise<void> {
    const tenantId = event.tenantid;
    const tx = event.data;
    const initial = emptyRollup(tenantId, await this.dayOf(tenantId, tx), tx);
    let applied = false;
    await this.rollups.update(tenantId, rollupKey(initial), initial, (current) => {
      const next = applyTransaction(current, tx);
      applied = next !== undefined;
      return next;
    });
    if (!applied) log.log('debug', 'transaction already in its rollup', { transactionId: tx.transactionId });
  }

  /**
   * Recomputes every rollup of a tenant from its transactions and replaces the stored ones (those
   * no transaction produces any more are removed). Run it while the tenant's events are quiet: an
   * event applied between the read and the replace is overwritten (and redelivered events are not).
   */
  async rebuild(tenantId: string): Promise<RebuildResult> {
    // Memory follows the rollups (days x locations x channels), not the transactions, which are read page by page.
    const rebuilt = new Map<string, DayRollup>();
    let transactions = 0;
    for await (const tx of this.transactions.all(tenantId)) {
      addToRollups(rebuilt, tenantId, tx, await this.dayOf(tenantId, tx));
      transactions += 1;
    }
    const stale = (await this.rollups.keys(tenantId)).filter((key) => !rebuilt.has(key));
    await this.rollups.replaceAll(tenantId, rebuilt, stale);
    return { tenantId, transactions, rollups: rebuilt.size, removed: stale.length };
  }

  private async select(principal: Principal, query: ReportQuery): Promise<{ range: Range; rollups: DayRollup[] }> {
    const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000;
    if (days < 0) throw invalid([{ field: 'query.to', message: 'must not be before from' }]);
    if (days >= MAX_RANGE_DAYS) throw invalid([{ field: 'query.to', message: `the range may span at most ${MAX_RANGE_DAYS} days` }]);
    const currency = query.currency ?? (await this.tenancy.getTenant(principal.tenantId))?.currency ?? 'EUR';
    const allowed = (locationId: string) =>
      (!query.locationId || query.locationId === locationId) && (!principal.locationIds || principal.locationIds.includes(locationId));
    const rollups = (await this.rollups.between(principal.tenantId, query.from, query.to)).filter((r) => r.currency === currency && allowed(r.locationId));
    return { range: { from: query.from, to: query.to, currency }, rollups };
  }

  async sales(principal: Principal, query: ReportQuery) {
    const { range, rollups } = await this.select(principal, query);
    return salesReport(range, rollups);
  }

  async customers(principal: Principal, query: ReportQuery) {
    const { range, rollups } = await this.select(principal, query);
    return customerReport(range, rollups);
  }

  async top(principal: Principal, query: ReportQuery, limit: number) {
    const { range, rollups } = await this.select(principal, query);
    return topReport(range, rollups, limit);
  }

  async coupons(principal: Principal, query: ReportQuery) {
    const { range, rollups } = await this.select(principal, query);
    return couponReport(range, rollups);
  }

  async csv(principal: Principal, report: CsvReport, query: ReportQuery): Promise<string> {
    const { range, rollups } = await this.select(principal, query);
    return csvOf(report, range, rollups);
  }
}
