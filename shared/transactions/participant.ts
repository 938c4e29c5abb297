import { z } from 'zod';
import { RecentTransactionSchema, recentEntry, type CustomerParticipant } from '../customers';
import { TransactionViewSchema, transactionView, type TransactionRecord } from './transactions';
import type { TransactionStore } from './ports';
import { locatorOf } from './ingest';

const ChannelBehaviour = z.object({ purchases: z.number().int(), amount: z.number().int(), share: z.number().describe('Of sales in `currency`, 0 to 1') });

export const BehaviourSchema = z.object({
  currency: z.string().nullable().describe('The currency most of the history is in; amounts are in its minor units'),
  purchases: z.number().int(),
  returns: z.number().int(),
  totalSpent: z.number().int().describe('Sales minus returns, in minor units of `currency`'),
  averageTicket: z.number().int(),
  firstPurchaseAt: z.string().nullable(),
  lastPurchaseAt: z.string().nullable(),
  channels: z.object({ store: ChannelBehaviour, online: ChannelBehaviour }),
  preferredStore: z.string().nullable(),
  topCategories: z.array(z.object({ category: z.string(), amount: z.number().int() })),
});
export type Behaviour = z.output<typeof BehaviourSchema>;

const TransactionsView = z.object({
  lastTransactions: z.array(RecentTransactionSchema).describe('The newest 10, newest first'),
  behaviour: BehaviourSchema,
});
const TransactionsExport = z.object({ transactions: z.array(TransactionViewSchema) });

export class TransactionParticipant implements CustomerParticipant {
  readonly name = 'transactions';
  readonly viewSchema = TransactionsView;
  readonly exportSchema = TransactionsExport;
  constructor(private readonly transactions: TransactionStore) {}

  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    let moved = 0;
    for (const tx of await this.transactions.listAllForCustomer(tenantId, fromId)) {
      const outcome = await this.transactions.move(locatorOf(tx), { customerKey: intoId, customerId: intoId }, (copy) => copy);
      if (outcome === 'moved') moved += 1;
    }
    return moved;
  }

  async view(tenantId: string, customerId: string): Promise<z.output<typeof TransactionsView>> {
    const all = await this.transactions.listAllForCustomer(tenantId, customerId);
    const recent = [...all].sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt)).slice(0, 10);
    return { lastTransactions: recent.map(recentEntry), behaviour: behaviourOf(all) };
  }

  async export(tenantId: string, customerId: string): Promise<z.output<typeof TransactionsExport>> {
    return { transactions: (await this.transactions.listAllForCustomer(tenantId, customerId)).map(transactionView) };
  }

  /** Sales and returns are invoices the retailer must keep: they stay, under the customer id, which names nobody once the rest is erased. */
  async erase(): Promise<void> {}
}

/**
 * Behaviour over the customer's whole history. Amounts are in the currency most of the history
 * is in; transactions in other currencies are counted but not summed.
 */
export function behaviourOf(history: TransactionRecord[]): Behaviour {
  const currencies = new Map<string, number>();
  for (const tx of history) currencies.set(tx.currency, (currencies.get(tx.currency) ?? 0) + 1);
  const currency = [...currencies.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const sales = history.filter((tx) => tx.type === 'sale');
  const returns = history.filter((tx) => tx.type === 'return');
  const inCurrency = (txs: TransactionRecord[]) => txs.filter((tx) => tx.currency === currency);
  const sum = (txs: TransactionRecord[]) => inCurrency(txs).reduce((n, tx) => n + tx.totals.net, 0);

  const channels = { store: { purchases: 0, amount: 0, share: 0 }, online: { purchases: 0, amount: 0, share: 0 } };
  for (const tx of inCurrency(sales)) {
    channels[tx.channel].purchases += 1;
    channels[tx.channel].amount += tx.totals.net;
  }
  const salesAmount = channels.store.amount + channels.online.amount;
  for (const c of Object.values(channels)) c.share = salesAmount > 0 ? Math.round((c.amount / salesAmount) * 1000) / 1000 : 0;

  const stores = new Map<string, { count: number; last: string }>();
  for (const tx of sales.filter((s) => s.channel === 'store')) {
    const entry = stores.get(tx.locationId) ?? { count: 0, last: tx.occurredAt };
    entry.count += 1;
    if (Date.parse(tx.occurredAt) > Date.parse(entry.last)) entry.last = tx.occurredAt;
    stores.set(tx.locationId, entry);
  }
  const preferredStore = [...stores.entries()].sort((a, b) => b[1].count - a[1].count || Date.parse(b[1].last) - Date.parse(a[1].last))[0]?.[0] ?? null;

  const categories = new Map<string, number>();
  for (const tx of inCurrency(history)) {
    const sign = tx.type === 'sale' ? 1 : -1;
    for (const line of tx.lines) if (line.category) categories.set(line.category, (categories.get(line.category) ?? 0) + sign * line.total);
  }
  const dates = sales.map((s) => s.occurredAt).sort((a, b) => Date.parse(a) - Date.parse(b));
  return {
    currency,
    purchases: sales.length,
    returns: returns.length,
    totalSpent: sum(sales) - sum(returns),
    averageTicket: inCurrency(sales).length > 0 ? Math.round(sum(sales) / inCurrency(sales).length) : 0,
    firstPurchaseAt: dates[0] ?? null,
    lastPurchaseAt: dates[dates.length - 1] ?? null,
    channels,
    preferredStore,
    topCategories: [...categories.entries()]
      .filter(([, amount]) => amount > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([category, amount]) => ({ category, amount })),
  };
}
