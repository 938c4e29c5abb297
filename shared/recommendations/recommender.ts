import { scopesOf, type Channel, type CoPurchaseModel, type ItemFacts } from './co-purchase';
import type { PurchaseHistory, PurchasedItem } from './history';

/** Why an item is suggested: the purchase or basket line it comes from, or the list it was taken from. */
export type Reason =
  | { kind: 'bought-before'; sku: string; purchase: Pick<PurchasedItem, 'channel' | 'locationId' | 'lastAt' | 'description'> }
  | { kind: 'in-basket'; sku: string; description?: string }
  | { kind: 'related'; sku: string; relation?: string }
  | { kind: 'best-seller'; scope: string }
  | { kind: 'trending'; scope: string };

export interface Candidate {
  sku: string;
  score: number;
  reason: Reason;
}

export interface Context {
  channel: Channel;
  locationId: string;
}

export interface CustomerOptions {
  now: Date;
  /** Categories or catalogue families bought again and again (coffee, nappies): bought items there stay eligible. */
  repeatPurchase?: ReadonlySet<string>;
}

/**
 * Candidates for a customer, best first: items bought with what she bought, each purchase weighed
 * by 2^(-age / affinity half-life), then the best sellers where she is buying (location, then
 * channel, then overall) for whatever is left. What she bought is left out unless it belongs to a
 * repeat-purchase category. The caller keeps the first ones it can sell (stock, limit).
 */
export function customerCandidates(model: CoPurchaseModel, history: PurchaseHistory | undefined, context: Context, options: CustomerOptions): Candidate[] {
  const items = Object.entries(history?.items ?? {});
  const halfLifeMs = model.settings.affinityHalfLifeDays * 86_400_000;
  const now = options.now.getTime();
  const scores = new Map<string, number>();
  const best = new Map<string, { from: string; amount: number }>();
  for (const [sku, item] of items) {
    const affinity = halfLifeMs > 0 ? Math.pow(2, -Math.max(0, now - Date.parse(item.lastAt)) / halfLifeMs) : 1;
    model.accumulate(sku, affinity, scores, (target, amount) => {
      const current = best.get(target);
      if (!current || amount > current.amount) best.set(target, { from: sku, amount });
    });
  }
  const owned = history?.items ?? {};
  const eligible = (sku: string) => !(sku in owned) || isRepeatPurchase(owned[sku]!, model.factsOf(sku), options.repeatPurchase);
  const scored: Candidate[] = [...scores]
    .filter(([sku, score]) => score > 0 && eligible(sku))
    .sort(([a, sa], [b, sb]) => sb - sa || model.popularity(b) - model.popularity(a) || (a < b ? -1 : 1))
    .map(([sku, score]) => {
      const from = best.get(sku)!.from;
      const { channel, locationId, lastAt, description } = owned[from]!;
      return { sku, score, reason: { kind: 'bought-before', sku: from, purchase: { channel, locationId, lastAt, description } } };
    });
  return withFill(
    scored,
    bestSellerCandidates(model, context).filter((c) => eligible(c.sku)),
  );
}

/** Frequently bought together with the basket's lines (none of them), then the best sellers where it is being bought. */
export function basketCandidates(model: CoPurchaseModel, skus: string[], context: Context): Candidate[] {
  const inBasket = new Set(skus);
  const scores = new Map<string, number>();
  const best = new Map<string, { from: string; amount: number }>();
  for (const sku of inBasket) {
    model.accumulate(sku, 1, scores, (target, amount) => {
      const current = best.get(target);
      if (!current || amount > current.amount) best.set(target, { from: sku, amount });
    });
  }
  const scored: Candidate[] = [...scores]
    .filter(([sku, score]) => score > 0 && !inBasket.has(sku))
    .sort(([a, sa], [b, sb]) => sb - sa || model.popularity(b) - model.popularity(a) || (a < b ? -1 : 1))
    .map(([sku, score]) => {
      const from = best.get(sku)!.from;
      return { sku, score, reason: { kind: 'in-basket', sku: from, description: model.factsOf(from)?.description } };
    });
  return withFill(
    scored,
    bestSellerCandidates(model, context).filter((c) => !inBasket.has(c.sku)),
  );
}

/** Items bought with one product, most similar first. */
export function relatedCandidates(model: CoPurchaseModel, sku: string): Candidate[] {
  return model.similarTo(sku).map((item) => ({ sku: item.sku, score: item.weight, reason: { kind: 'related', sku } }));
}

/** Best sellers of the location, then of the channel, then overall: the cold-start answer. */
export function bestSellerCandidates(model: CoPurchaseModel, context: Context): Candidate[] {
  return scopesOf(context.channel, context.locationId)
    .reverse()
    .flatMap((scope) => model.bestSellersIn(scope).map((item) => ({ sku: item.sku, score: item.weight, reason: { kind: 'best-seller', scope } }) as Candidate));
}

export function trendingCandidates(model: CoPurchaseModel, context: Context): Candidate[] {
  return scopesOf(context.channel, context.locationId)
    .reverse()
    .flatMap((scope) => model.trendingIn(scope).map((item) => ({ sku: item.sku, score: item.weight, reason: { kind: 'trending', scope } }) as Candidate));
}

/** `first`, then the items of `fill` not already in it. */
function withFill(first: Candidate[], fill: Candidate[]): Candidate[] {
  const seen = new Set(first.map((c) => c.sku));
  const out = [...first];
  for (const candidate of fill) {
    if (seen.has(candidate.sku)) continue;
    seen.add(candidate.sku);
    out.push(candidate);
  }
  return out;
}

function isRepeatPurchase(item: PurchasedItem, facts: ItemFacts | undefined, repeat: ReadonlySet<string> | undefined): boolean {
  if (!repeat || repeat.size === 0) return false;
  const labels = [item.category, ...(item.families ?? []), facts?.category, ...(facts?.families ?? [])];
  return labels.some((label) => label !== undefined && repeat.has(label));
}
