import { z } from 'zod';
import type { DayRollup } from './rollups';
import { csvField } from '../kernel/records';

/** The reports the analytics routes answer: folds over the daily rollups of a date range. */

const int = z.number().int();
const channel = z.enum(['store', 'online']);
const range = { from: z.string(), to: z.string(), currency: z.string() };

const SalesRow = z.object({
  day: z.string(),
  channel,
  sales: int,
  salesNet: int.describe('Minor units'),
  returns: int,
  returnsNet: int.describe('Minor units given back, positive'),
  net: int.describe('salesNet - returnsNet'),
  units: int,
  identifiedSales: int,
  couponSales: int,
});
export type SalesRow = z.output<typeof SalesRow>;

export const SalesReportSchema = z
  .object({
    ...range,
    days: z.array(SalesRow).describe('One row per day and channel with activity, oldest first'),
    totals: z.array(SalesRow.omit({ day: true })).describe('Per channel over the range'),
  })
  .meta({ id: 'AnalyticsSales' });
export type SalesReport = z.output<typeof SalesReportSchema>;

const Spend = z.object({ customers: int, spend: int.describe('Net spend, minor units'), averageSpend: int.describe('Per customer, minor units, rounded') });

export const CustomerReportSchema = z
  .object({
    ...range,
    sales: int,
    identifiedSales: int,
    identifiedShare: z.number().describe('identifiedSales / sales, 0 to 1'),
    customers: int.describe('Identified customers who bought in the range'),
    omnichannel: Spend.describe('Bought in both channels in the range'),
    storeOnly: Spend,
    onlineOnly: Spend,
    repeatCustomers: int.describe('Customers with two or more sales in the range'),
    repeatRate: z.number().describe('repeatCustomers / customers, 0 to 1'),
  })
  .meta({ id: 'AnalyticsCustomers' });
export type CustomerReport = z.output<typeof CustomerReportSchema>;

const Ranked = z.object({ key: z.string(), units: int, net: int.describe('Minor units, returns subtracted') });
export const TopReportSchema = z
  .object({
    ...range,
    families: z.array(Ranked).describe('By net, highest first'),
    products: z.array(Ranked).describe('By net, highest first (key: SKU)'),
  })
  .meta({ id: 'AnalyticsTop' });
export type TopReport = z.output<typeof TopReportSchema>;

export const CouponReportSchema = z
  .object({
    ...range,
    byChannel: z.array(
      z.object({ channel, couponSales: int, discount: int.describe('Minor units'), sales: int, share: z.number().describe('couponSales / sales') }),
    ),
    codes: z.array(z.object({ code: z.string(), channel, redemptions: int })).describe('Most redeemed first'),
  })
  .meta({ id: 'AnalyticsCoupons' });
export type CouponReport = z.output<typeof CouponReportSchema>;

export interface Range {
  from: string;
  to: string;
  currency: string;
}

const CHANNELS = ['store', 'online'] as const;
const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

function salesRow(rollups: DayRollup[]): Omit<SalesRow, 'day' | 'channel'> {
  const sum = (pick: (r: DayRollup) => number) => rollups.reduce((total, r) => total + pick(r), 0);
  const salesNet = sum((r) => r.salesNet);
  const returnsNet = sum((r) => r.returnsNet);
  return {
    sales: sum((r) => r.sales),
    salesNet,
    returns: sum((r) => r.returns),
    returnsNet,
    net: salesNet - returnsNet,
    units: sum((r) => r.units),
    identifiedSales: sum((r) => r.identifiedSales),
    couponSales: sum((r) => r.couponSales),
  };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export function salesReport(range: Range, rollups: DayRollup[]): SalesReport {
  const days = [...groupBy(rollups, (r) => `${r.day}\u0000${r.channel}`).values()]
    .map((group) => ({ day: group[0]!.day, channel: group[0]!.channel, ...salesRow(group) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel));
  const totals = CHANNELS.map((c) => ({ channel: c, ...salesRow(rollups.filter((r) => r.channel === c)) }));
  return { ...range, days, totals };
}

export function customerReport(range: Range, rollups: DayRollup[]): CustomerReport {
  const byCustomer = new Map<string, { channels: Set<string>; sales: number; net: number }>();
  for (const r of rollups) {
    for (const [customerId, [sales, net]] of Object.entries(r.customers)) {
      const c = byCustomer.get(customerId) ?? { channels: new Set<string>(), sales: 0, net: 0 };
      if (sales > 0) c.channels.add(r.channel);
      c.sales += sales;
      c.net += net;
      byCustomer.set(customerId, c);
    }
  }
  const buyers = [...byCustomer.values()].filter((c) => c.sales > 0);
  const spend = (group: typeof buyers) => {
    const total = group.reduce((s, c) => s + c.net, 0);
    return { customers: group.length, spend: total, averageSpend: group.length === 0 ? 0 : Math.round(total / group.length) };
  };
  const { sales, identifiedSales } = salesRow(rollups);
  const repeatCustomers = buyers.filter((c) => c.sales >= 2).length;
  return {
    ...range,
    sales,
    identifiedSales,
    identifiedShare: ratio(identifiedSales, sales),
    customers: buyers.length,
    omnichannel: spend(buyers.filter((c) => c.channels.size === 2)),
    storeOnly: spend(buyers.filter((c) => c.channels.size === 1 && c.channels.has('store'))),
    onlineOnly: spend(buyers.filter((c) => c.channels.size === 1 && c.channels.has('online'))),
    repeatCustomers,
    repeatRate: ratio(repeatCustomers, buyers.length),
  };
}

function ranked(maps: Array<Record<string, [number, number]>>, limit: number) {
  const totals = new Map<string, [number, number]>();
  for (const map of maps) {
    for (const [key, [units, net]] of Object.entries(map)) {
      const t = totals.get(key) ?? [0, 0];
      totals.set(key, [t[0] + units, t[1] + net]);
    }
  }
  return [...totals.entries()]
    .map(([key, [units, net]]) => ({ key, units, net }))
    .sort((a, b) => b.net - a.net || a.key.localeCompare(b.key))
    .slice(0, limit);
}

export function topReport(range: Range, rollups: DayRollup[], limit: number): TopReport {
  return {
    ...range,
    families: ranked(
      rollups.map((r) => r.families),
      limit,
    ),
    products: ranked(
      rollups.map((r) => r.products),
      limit,
    ),
  };
}

export function couponReport(range: Range, rollups: DayRollup[]): CouponReport {
  const byChannel = CHANNELS.map((channel) => {
    const mine = rollups.filter((r) => r.channel === channel);
    const couponSales = mine.reduce((s, r) => s + r.couponSales, 0);
    const sales = mine.reduce((s, r) => s + r.sales, 0);
    return { channel, couponSales, discount: mine.reduce((s, r) => s + r.couponDiscount, 0), sales, share: ratio(couponSales, sales) };
  });
  const codes = new Map<string, { code: string; channel: 'store' | 'online'; redemptions: number }>();
  for (const r of rollups) {
    for (const [code, count] of Object.entries(r.coupons)) {
      const key = `${code}\u0000${r.channel}`;
      const c = codes.get(key) ?? { code, channel: r.channel, redemptions: 0 };
      c.redemptions += count;
      codes.set(key, c);
    }
  }
  return { ...range, byChannel, codes: [...codes.values()].sort((a, b) => b.redemptions - a.redemptions || a.code.localeCompare(b.code)) };
}

/** RFC 4180 CSV: a header row, then one row per item; fields quoted when they need it. */
export function toCsv(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]!);
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvField(row[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

export const CSV_REPORTS = ['sales', 'customers', 'families', 'products', 'coupons'] as const;
export type CsvReport = (typeof CSV_REPORTS)[number];

/** The rows of one report as CSV, money in minor units as in the JSON. */
export function csvOf(report: CsvReport, range: Range, rollups: DayRollup[]): string {
  switch (report) {
    case 'sales':
      return toCsv(salesReport(range, rollups).days.map((row) => ({ ...row, currency: range.currency })));
    case 'customers': {
      const c = customerReport(range, rollups);
      return toCsv(
        (['omnichannel', 'storeOnly', 'onlineOnly'] as const).map((group) => ({
          group,
          customers: c[group].customers,
          spend: c[group].spend,
          averageSpend: c[group].averageSpend,
          currency: range.currency,
        })),
      );
    }
    case 'families':
    case 'products':
      return toCsv(topReport(range, rollups, 1000)[report].map((row) => ({ ...row, currency: range.currency })));
    case 'coupons':
      return toCsv(couponReport(range, rollups).codes);
  }
}
