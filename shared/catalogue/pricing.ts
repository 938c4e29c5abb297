import { z } from 'zod';
import type { Channel, PriceEntry, PriceList } from './model';

/**
 * The price of a SKU for (channel, location, moment), in this order of precedence:
 * 1. the price list of the channel for the location's country and currency (no list: no price;
 *    a channel never borrows the other channel's list);
 * 2. in it, the location's override when there is one, else the list price: the most specific
 *    entry wins as a whole, with its own sale or none;
 * 3. in that entry, the sale price while its window is open (from included, to excluded), else
 *    the regular price.
 */
export function listFor(lists: readonly PriceList[], channel: Channel, country: string, currency: string): PriceList | undefined {
  return lists.find((l) => l.channel === channel && l.country === country && l.currency === currency);
}

export function saleOpen(entry: Pick<PriceEntry, 'sale'>, at: Date): boolean {
  return !!entry.sale && Date.parse(entry.sale.from) <= at.getTime() && at.getTime() < Date.parse(entry.sale.to);
}

export function resolvePrice(list: PriceList, entries: { list?: PriceEntry; location?: PriceEntry }, at: Date): ResolvedPrice | undefined {
  const entry = entries.location ?? entries.list;
  if (!entry) return undefined;
  const onSale = saleOpen(entry, at);
  return {
    sku: entry.sku,
    priceListId: list.priceListId,
    channel: list.channel,
    currency: entry.currency,
    amount: onSale ? entry.sale!.amount : entry.amount,
    regularAmount: entry.amount,
    onSale,
    saleEndsAt: onSale ? entry.sale!.to : null,
    source: entries.location ? 'location' : 'list',
    locationId: entry.locationId,
    at: at.toISOString(),
  };
}

export const ResolvedPriceSchema = z
  .object({
    sku: z.string(),
    priceListId: z.string(),
    channel: z.enum(['store', 'online']),
    currency: z.string(),
    amount: z.number().int().describe('What the customer pays now, minor units, VAT included'),
    regularAmount: z.number().int().describe('The regular price of the entry used'),
    onSale: z.boolean(),
    saleEndsAt: z.string().nullable().describe('When the sale price stops (excluded)'),
    source: z.enum(['location', 'list']).describe("`location`: the location's override; `list`: the list price"),
    locationId: z.string().nullable().describe('The override used, if any'),
    at: z.string().describe('The moment priced'),
  })
  .meta({ id: 'ResolvedPrice' });
export type ResolvedPrice = z.output<typeof ResolvedPriceSchema>;

/** Minor units as Merchant Center writes money: `39.95 EUR` (the currency's own number of decimals). */
export function formatMoney(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  if (digits === 0) return `${amount} ${currency}`;
  const text = String(amount).padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)} ${currency}`;
}
