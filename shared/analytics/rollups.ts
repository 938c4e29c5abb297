import { sha256Hex } from '../kernel/ids';
import { familiesOfLine, type TransactionView } from '../transactions';

/**
 * Daily rollups of sales and returns: documents per tenant, day, location, channel and
 * currency (a few shards each), holding its counters and, inside, the breakdown by family, product, coupon code and
 * customer. Every report is a fold over the documents of a date range, so any range is exact and
 * nothing is counted twice: each document lists the transactions it has applied.
 */
export interface DayRollup {
  tenantId: string;
  /** Which of the day's ROLLUP_SHARDS documents (see `shardOf`). */
  shard: number;
  /** The location's local date, YYYY-MM-DD. */
  day: string;
  locationId: string;
  channel: 'store' | 'online';
  currency: string;
  sales: number;
  /** Net of sales, minor units (after discounts, VAT included). */
  salesNet: number;
  returns: number;
  /** What returns gave back, minor units, as a positive number. */
  returnsNet: number;
  /** Units sold; units returned apart. */
  units: number;
  returnedUnits: number;
  identifiedSales: number;
  identifiedNet: number;
  /** Sales with at least one coupon, and the discount they carried. */
  couponSales: number;
  couponDiscount: number;
  /** Redemptions per coupon code (codes the till or web shop sent). */
  coupons: Record<string, number>;
  /** `[units, net]` per family (every family on the line's path, else its category); returns subtract. */
  families: Record<string, [number, number]>;
  /** `[units, net]` per SKU; returns subtract. */
  products: Record<string, [number, number]>;
  /** `[sales, net]` per identified customer; returns subtract from net. */
  customers: Record<string, [number, number]>;
  /** Every transaction applied, with the customer it was counted for ('' when anonymous). */
  applied: Record<string, string>;
}

export const UNCATEGORISED = 'uncategorised';

/**
 * A location's day is spread over this many documents, each transaction always in the same one (by
 * its id): concurrent sales of one store mostly write different documents, and a day holds this
 * many times more transactions before a document reaches Cosmos DB's size limit. Every figure is a
 * sum or a union, so reports fold the shards as they fold days.
 */
export const ROLLUP_SHARDS = 4;

export function shardOf(transactionId: string): number {
  return Number.parseInt(sha256Hex(transactionId).slice(0, 8), 16) % ROLLUP_SHARDS;
}

export function rollupKey(r: Pick<DayRollup, 'day' | 'locationId' | 'channel' | 'currency' | 'shard'>): string {
  return `day:${r.day}:${r.locationId}:${r.channel}:${r.currency}:${r.shard}`;
}

export function emptyRollup(tenantId: string, day: string, tx: Pick<TransactionView, 'transactionId' | 'locationId' | 'channel' | 'currency'>): DayRollup {
  return {
    tenantId,
    shard: shardOf(tx.transactionId),
    day,
    locationId: tx.locationId,
    channel: tx.channel,
    currency: tx.currency,
    sales: 0,
    salesNet: 0,
    returns: 0,
    returnsNet: 0,
    units: 0,
    returnedUnits: 0,
    identifiedSales: 0,
    identifiedNet: 0,
    couponSales: 0,
    couponDiscount: 0,
    coupons: {},
    families: {},
    products: {},
    customers: {},
    applied: {},
  };
}

/** The local date of an instant in a time zone, YYYY-MM-DD. */
export function localDay(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** The line's families (see `familiesOfLine`), or `uncategorised` when it has neither families nor a category. */
export function familiesOf(line: { category?: string; families?: string[] }): string[] {
  const families = familiesOfLine(line);
  return families.length > 0 ? families : [UNCATEGORISED];
}

function add<K extends string>(map: Record<K, [number, number]>, key: K, a: number, b: number): void {
  const current = map[key] ?? [0, 0];
  map[key] = [current[0] + a, current[1] + b];
}

/**
 * Applies a recorded (or claimed) transaction to its day's rollup; undefined when it changes
 * nothing. The same transaction twice changes nothing; a claim turns an anonymous sale already
 * counted into an identified one, and counts a sale not yet seen as identified at once (so the
 * later `transaction.recorded` of the same sale finds it applied).
 */
export function applyTransaction(rollup: DayRollup, tx: TransactionView): DayRollup | undefined {
  const before = rollup.applied[tx.transactionId];
  const customer = tx.customerId ?? '';
  if (before !== undefined && (before !== '' || customer === '')) return undefined;
  const next: DayRollup = structuredClone(rollup);
  const sign = tx.type === 'sale' ? 1 : -1;
  if (before === undefined) {
    if (tx.type === 'sale') {
      next.sales += 1;
      next.salesNet += tx.totals.net;
      next.units += tx.totals.items;
      if (tx.coupons.length > 0 || tx.couponHoldId !== undefined) {
        next.couponSales += 1;
        next.couponDiscount += tx.totals.discount;
        for (const code of tx.coupons) next.coupons[code] = (next.coupons[code] ?? 0) + 1;
      }
    } else {
      next.returns += 1;
      next.returnsNet += tx.totals.net;
      next.returnedUnits += tx.totals.items;
    }
    for (const line of tx.lines) {
      for (const family of familiesOf(line)) add(next.families, family, sign * line.quantity, sign * line.total);
      add(next.products, line.sku, sign * line.quantity, sign * line.total);
    }
  }
  if (customer !== '') {
    if (tx.type === 'sale') {
      next.identifiedSales += 1;
      next.identifiedNet += tx.totals.net;
    }
    add(next.customers, customer, tx.type === 'sale' ? 1 : 0, sign * tx.totals.net);
  }
  next.applied[tx.transactionId] = customer;
  return next;
}

/** Adds a transaction to rollups being built from scratch (the rebuild), keyed as stored. */
export function addToRollups(rollups: Map<string, DayRollup>, tenantId: string, tx: TransactionView, day: string): void {
  const initial = emptyRollup(tenantId, day, tx);
  const key = rollupKey(initial);
  const current = rollups.get(key) ?? initial;
  rollups.set(key, applyTransaction(current, tx) ?? current);
}
