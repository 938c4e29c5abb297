import type { Channel, ItemFacts } from './co-purchase';

/** One item a customer bought, kept with the purchase that explains recommendations made from it. */
export interface PurchasedItem extends ItemFacts {
  /** Units kept (bought less returned); the item leaves the history at zero. */
  quantity: number;
  lastAt: string;
  channel: Channel;
  locationId: string;
  transactionId: string;
}

/** What the recommender knows of one customer: her items across both channels. */
export interface PurchaseHistory {
  tenantId: string;
  customerId: string;
  items: Record<string, PurchasedItem>;
  /** Transactions already applied, newest last: a redelivered event changes nothing. */
  applied: string[];
}

export interface HistoryTransaction {
  transactionId: string;
  type: 'sale' | 'return';
  channel: Channel;
  locationId: string;
  occurredAt: string;
  lines: Array<{ sku: string; quantity: number } & ItemFacts>;
}

/** Enough to recognise any redelivery in practice: a customer's last thousand transactions. */
const APPLIED_KEPT = 1_000;

export function emptyHistory(tenantId: string, customerId: string): PurchaseHistory {
  return { tenantId, customerId, items: {}, applied: [] };
}

/**
 * The history after a sale or a return; undefined when this transaction was applied already.
 * A sale adds its items (the latest purchase of an item is the one remembered); a return takes
 * its units back and removes an item once nothing of it is kept.
 */
export function applyTransaction(history: PurchaseHistory, tx: HistoryTransaction): PurchaseHistory | undefined {
  if (history.applied.includes(tx.transactionId)) return undefined;
  const items = { ...history.items };
  for (const line of tx.lines) {
    const current = items[line.sku];
    if (tx.type === 'return') {
      if (!current) continue;
      const quantity = current.quantity - line.quantity;
      if (quantity > 0) items[line.sku] = { ...current, quantity };
      else delete items[line.sku];
      continue;
    }
    const facts: ItemFacts = { description: line.description, category: line.category, productId: line.productId, families: line.families };
    const later = !current || tx.occurredAt >= current.lastAt;
    items[line.sku] = {
      ...(later
        ? { ...withoutUndefined(facts), lastAt: tx.occurredAt, channel: tx.channel, locationId: tx.locationId, transactionId: tx.transactionId }
        : current!),
      quantity: (current?.quantity ?? 0) + line.quantity,
    };
  }
  return { ...history, items, applied: [...history.applied, tx.transactionId].slice(-APPLIED_KEPT) };
}

/** Both histories as one (a merge of two customers): quantities add up, the later purchase explains. */
export function mergeHistories(into: PurchaseHistory, from: PurchaseHistory): PurchaseHistory {
  const items = { ...into.items };
  for (const [sku, item] of Object.entries(from.items)) {
    const current = items[sku];
    if (!current) items[sku] = item;
    else items[sku] = { ...(item.lastAt > current.lastAt ? item : current), quantity: current.quantity + item.quantity };
  }
  const applied = [...new Set([...into.applied, ...from.applied])].slice(-APPLIED_KEPT);
  return { ...into, items, applied };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
