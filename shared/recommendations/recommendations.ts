import { z } from 'zod';
import { LRUCache } from 'lru-cache';
import { randomBytes } from 'node:crypto';
import type { EventOf } from '../kernel/events';
import type { Clock, Logger } from '../kernel/ports';
import { requireCurrentCustomer, type CustomerStore } from '../customers';
import type { TenancyService } from '../tenancy';
import type { TransactionClaimed, TransactionRecorded } from '../transactions';
import { CoPurchaseModel, DEFAULT_MODEL_SETTINGS, type Basket, type Channel, type ModelSettings } from './co-purchase';
import { applyTransaction, emptyHistory, mergeHistories, type PurchaseHistory } from './history';
import {
  basketCandidates,
  bestSellerCandidates,
  customerCandidates,
  relatedCandidates,
  trendingCandidates,
  type Candidate,
  type Context,
  type Reason,
} from './recommender';
import type { Availability, CatalogueRelations, ModelSnapshots, RecommendationSettings, RecommendationStore, StoredBasket } from './ports';

export const ListKind = z.enum(['customer', 'basket', 'related', 'best-sellers', 'trending']);
export type ListKind = z.output<typeof ListKind>;

const ExplanationSchema = z.object({
  reason: z.enum(['bought-before', 'in-basket', 'related', 'catalogue', 'best-seller', 'trending']),
  text: z.string().describe('For people, e.g. "Because you bought Wool scarf in Madrid Centro"'),
  because: z
    .object({
      sku: z.string(),
      description: z.string().optional(),
      channel: z.enum(['store', 'online']).optional(),
      locationId: z.string().optional(),
      locationName: z.string().optional(),
      purchasedAt: z.string().optional(),
    })
    .optional()
    .describe('The purchase, basket line or product the item comes from'),
});

export const RecommendationListSchema = z
  .object({
    recommendationId: z
      .string()
      .describe('Send it back on the sale line (`recommendationId`) of an item bought from this list: conversion is measured with it'),
    kind: ListKind,
    channel: z.enum(['store', 'online']),
    locationId: z.string(),
    items: z.array(z.object({ sku: z.string(), description: z.string().optional(), score: z.number(), explanation: ExplanationSchema })),
  })
  .meta({ id: 'RecommendationList' });
export type RecommendationList = z.output<typeof RecommendationListSchema>;

export const ConversionReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    byKind: z.array(
      z.object({
        kind: ListKind,
        served: z.number().int().describe('Lists answered (counted per process and saved every minute)'),
        convertedLines: z.number().int().describe('Sale lines that carried a recommendationId of this kind'),
        convertedLists: z.number().int().describe('Distinct lists with at least one line bought'),
        units: z.number().int(),
        amount: z.record(z.string(), z.number().int()).describe('Line totals by currency, minor units'),
      }),
    ),
  })
  .meta({ id: 'RecommendationConversion' });
export type ConversionReport = z.output<typeof ConversionReportSchema>;

export const RecommendationSettingsInput = z
  .object({
    repeatPurchaseCategories: z
      .array(z.string().trim().min(1).max(64))
      .max(200)
      .describe('Categories or catalogue families bought again and again: what a customer bought there may be recommended to her again'),
  })
  .strict();
export const RecommendationSettingsSchema = RecommendationSettingsInput.meta({ id: 'RecommendationSettings' });

const DEFAULT_SETTINGS: RecommendationSettings = { repeatPurchaseCategories: [] };

export interface RecommendationOptions {
  model: ModelSettings;
  /** Baskets older than this are left out of a rebuild. */
  trainingDays: number;
  /** How often a model in memory asks for baskets stored since it was loaded. */
  catchUpMs: number;
  /** Tenant models kept in memory. */
  tenantsInMemory: number;
  /** Bytes of customer histories kept in memory (all tenants, estimated), and for how long one is trusted. */
  historyCacheBytes: number;
  historyTtlMs: number;
}

export const DEFAULT_RECOMMENDATION_OPTIONS: RecommendationOptions = {
  model: DEFAULT_MODEL_SETTINGS,
  trainingDays: 365,
  catchUpMs: 5_000,
  tenantsInMemory: 50,
  historyCacheBytes: 64_000_000,
  historyTtlMs: 30_000,
};

/** The id of a served list: its kind is readable in it, so conversions are reported by kind without storing the lists. */
export function newRecommendationId(kind: ListKind): string {
  return `rec.${kind}.${randomBytes(9).toString('base64url')}`;
}

export function kindOfRecommendationId(recommendationId: string): ListKind | undefined {
  const parsed = ListKind.safeParse(recommendationId.split('.')[1]);
  return parsed.success ? parsed.data : undefined;
}

/** How late a basket may become visible after its `storedAt` (another instance's write in flight): catching up looks back this far. */
const OVERLAP_MS = 60_000;

interface LoadedModel {
  model: CoPurchaseModel;
  /** The newest `storedAt` learnt (ms). */
  watermark: number;
  /** Baskets learnt whose `storedAt` is within the overlap before the watermark: looked at again, learnt once. */
  seen: Map<string, number>;
  checkedAt: number;
  catchingUp?: Promise<void>;
}

type TransactionEvent = EventOf<typeof TransactionRecorded> | EventOf<typeof TransactionClaimed>;

/**
 * Recommendations from both channels: learns every sale and return once, keeps each tenant's
 * model in memory (loaded from its snapshot, caught up from the baskets stored since), and answers
 * the lists with an explanation per item and only what can be sold where she is buying.
 */
export class RecommendationService {
  private readonly models: LRUCache<string, LoadedModel>;
  private readonly loading = new Map<string, Promise<LoadedModel>>();
  private readonly histories: LRUCache<string, PurchaseHistory>;
  private readonly locationNames = new LRUCache<string, string>({ max: 10_000, ttl: 300_000 });
  private readonly settingsCache = new LRUCache<string, RecommendationSettings>({ max: 1_000, ttl: 30_000 });
  private readonly markedTenants = new Set<string>();
  private served = new Map<string, Record<string, number>>();

  constructor(
    private readonly store: RecommendationStore,
    private readonly snapshots: ModelSnapshots,
    private readonly availability: Availability,
    private readonly customers: CustomerStore,
    private readonly tenancy: Pick<TenancyService, 'getLocation'>,
    private readonly clock: Clock,
    private readonly catalogue: CatalogueRelations | undefined,
    private readonly options: RecommendationOptions = DEFAULT_RECOMMENDATION_OPTIONS,
  ) {
    this.models = new LRUCache({ max: options.tenantsInMemory });
    this.histories = new LRUCache({ maxSize: options.historyCacheBytes, sizeCalculation: historyBytes, ttl: options.historyTtlMs });
  }

  // ---- learning ----

  /** One sale or return, either channel; a redelivery changes nothing. */
  async handle(event: TransactionEvent, log: Logger): Promise<void> {
    const tx = event.data;
    const { tenantid: tenantId } = event;
    const lines = tx.lines.map((line) => {
      const enriched = line as typeof line & { productId?: string; families?: string[] };
      return stripUndefined({
        sku: line.sku,
        quantity: line.quantity,
        description: line.description,
        category: line.category,
        productId: enriched.productId,
        families: enriched.families,
      });
    });
    const basket: StoredBasket = {
      tenantId,
      transactionId: tx.transactionId,
      type: tx.type,
      customerId: tx.customerId,
      channel: tx.channel,
      locationId: tx.locationId,
      occurredAt: tx.occurredAt,
      storedAt: this.clock.now().toISOString(),
      originalTransactionId: tx.originalTransactionId,
      lines,
    };
    if (!this.markedTenants.has(tenantId)) {
      await this.store.markTenant(tenantId);
      this.markedTenants.add(tenantId);
    }
    const saved = await this.store.saveBasket(basket);
    // A claimed ticket was learnt anonymously: now it is hers.
    if (saved === 'exists' && tx.customerId) await this.store.setBasketCustomer(tenantId, tx.transactionId, tx.customerId);
    if (tx.customerId) {
      const customerId = tx.customerId;
      await this.store.updateHistory(tenantId, customerId, (current) => applyTransaction(current, { ...basket, lines }));
      this.histories.delete(`${tenantId}/${customerId}`);
    }
    if (tx.type === 'sale') await this.recordConversions(tenantId, tx);
    // This process learns it at once; the others when they next catch up.
    const loaded = this.models.get(tenantId);
    if (saved === 'created' && loaded) learn(loaded, basket);
    log.log('debug', 'learnt transaction', { transactionId: tx.transactionId, saved });
  }

  private async recordConversions(tenantId: string, tx: TransactionEvent['data']): Promise<void> {
    for (const line of tx.lines) {
      const recommendationId = (line as { recommendationId?: string }).recommendationId;
      const kind = recommendationId && kindOfRecommendationId(recommendationId);
      if (!recommendationId || !kind) continue;
      await this.store.saveConversion({
        tenantId,
        transactionId: tx.transactionId,
        lineNumber: line.lineNumber,
        recommendationId,
        listKind: kind,
        sku: line.sku,
        quantity: line.quantity,
        amount: line.total,
        currency: tx.currency,
        occurredAt: tx.occurredAt,
      });
    }
  }

  /** Builds the tenant's model again from its stored baskets (returns taken off) and saves it as its snapshot. */
  async rebuild(tenantId: string): Promise<{ baskets: number; items: number }> {
    const builtAt = this.clock.now().getTime();
    const since = new Date(this.clock.now().getTime() - this.options.trainingDays * 86_400_000).toISOString();
    const sales = new Map<string, StoredBasket>();
    const returns: StoredBasket[] = [];
    for await (const page of this.store.basketsSince(tenantId, since)) {
      for (const basket of page) {
        if (basket.type === 'sale') sales.set(basket.transactionId, basket);
        else returns.push(basket);
      }
    }
    for (const ret of returns) {
      const sale = ret.originalTransactionId ? sales.get(ret.originalTransactionId) : undefined;
      if (!sale) continue;
      const back = new Map(ret.lines.map((l) => [l.sku, l.quantity]));
      sale.lines = sale.lines.map((l) => ({ ...l, quantity: l.quantity - (back.get(l.sku) ?? 0) })).filter((l) => l.quantity > 0);
    }
    const ordered = [...sales.values()].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
    const model = CoPurchaseModel.build(ordered.map(toBasket), this.options.model);
    const recent = [...sales.values(), ...returns].filter((b) => Date.parse(b.storedAt) >= builtAt - OVERLAP_MS).map((b) => b.transactionId);
    await this.snapshots.save(tenantId, { snapshot: model.snapshot(), builtAt: new Date(builtAt).toISOString(), recent });
    this.models.set(tenantId, { model, watermark: builtAt, seen: new Map(recent.map((id) => [id, builtAt])), checkedAt: Date.now() });
    return { baskets: model.baskets, items: model.size };
  }

  async rebuildAll(log: Logger): Promise<void> {
    for (const tenantId of await this.store.tenants()) {
      const result = await this.rebuild(tenantId);
      log.log('info', 'rebuilt recommendation model', { tenantId, ...result });
    }
  }

  // ---- lists ----

  async forCustomer(tenantId: string, customerId: string, context: { channel: Channel; locationId?: string }, limit: number): Promise<RecommendationList> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    const [model, history, settings] = await Promise.all([this.modelOf(tenantId), this.historyOf(tenantId, customer.customerId), this.settings(tenantId)]);
    const where = this.where(context);
    const candidates = customerCandidates(model, history, where, { now: this.clock.now(), repeatPurchase: new Set(settings.repeatPurchaseCategories) });
    return this.answer(tenantId, 'customer', where, model, candidates, limit);
  }

  /** Frequently bought together with `skus`, each item with `sku` and an explanation (offers use it to qualify a basket). */
  async forBasket(tenantId: string, input: { channel: Channel; locationId?: string; skus: string[] }, limit: number): Promise<RecommendationList> {
    const model = await this.modelOf(tenantId);
    const where = this.where(input);
    return this.answer(tenantId, 'basket', where, model, basketCandidates(model, input.skus, where), limit);
  }

  async related(tenantId: string, sku: string, context: { channel: Channel; locationId?: string }, limit: number): Promise<RecommendationList> {
    const model = await this.modelOf(tenantId);
    const where = this.where(context);
    // The catalogue's own relations first (the retailer chose them), then what is bought with it.
    const fromCatalogue: Candidate[] = ((await this.catalogue?.relatedSkus(tenantId, sku)) ?? []).map((r, i) => ({
      sku: r.sku,
      score: 1_000 - i,
      reason: { kind: 'related', sku, relation: r.relation },
    }));
    const seen = new Set(fromCatalogue.map((c) => c.sku));
    const candidates = [...fromCatalogue, ...relatedCandidates(model, sku).filter((c) => !seen.has(c.sku) && c.sku !== sku)];
    return this.answer(tenantId, 'related', where, model, candidates, limit);
  }

  async bestSellers(tenantId: string, context: { channel: Channel; locationId?: string }, limit: number): Promise<RecommendationList> {
    const model = await this.modelOf(tenantId);
    const where = this.where(context);
    return this.answer(tenantId, 'best-sellers', where, model, bestSellerCandidates(model, where), limit);
  }

  async trending(tenantId: string, context: { channel: Channel; locationId?: string }, limit: number): Promise<RecommendationList> {
    const model = await this.modelOf(tenantId);
    const where = this.where(context);
    return this.answer(tenantId, 'trending', where, model, trendingCandidates(model, where), limit);
  }

  private where(context: { channel: Channel; locationId?: string }): Context {
    return { channel: context.channel, locationId: context.locationId ?? (context.channel === 'online' ? 'web' : 'unknown') };
  }

  /** The first `limit` candidates that can be sold where she is buying, each explained. */
  private async answer(
    tenantId: string,
    kind: ListKind,
    where: Context,
    model: CoPurchaseModel,
    candidates: Candidate[],
    limit: number,
  ): Promise<RecommendationList> {
    const chosen: Candidate[] = [];
    const unique = [...new Map(candidates.map((c) => [c.sku, c])).values()];
    const batch = Math.max(limit * 2, 10);
    for (let start = 0; start < unique.length && chosen.length < limit && start < 20 * batch; start += batch) {
      const slice = unique.slice(start, start + batch);
      const sellable = await this.availability.sellable(
        tenantId,
        where.channel,
        where.locationId,
        slice.map((c) => c.sku),
      );
      for (const candidate of slice) if (sellable.has(candidate.sku) && chosen.length < limit) chosen.push(candidate);
    }
    const items = await Promise.all(
      chosen.map(async (c) => ({
        sku: c.sku,
        description: model.factsOf(c.sku)?.description,
        score: Math.round(c.score * 1e6) / 1e6,
        explanation: await this.explain(tenantId, model, c.reason),
      })),
    );
    this.countServed(tenantId, kind);
    return { recommendationId: newRecommendationId(kind), kind, channel: where.channel, locationId: where.locationId, items: items.map(stripUndefined) };
  }

  private async explain(tenantId: string, model: CoPurchaseModel, reason: Reason): Promise<z.output<typeof ExplanationSchema>> {
    const name = (sku: string, description?: string) => description ?? model.factsOf(sku)?.description ?? sku;
    switch (reason.kind) {
      case 'bought-before': {
        const { channel, locationId, lastAt, description } = reason.purchase;
        const locationName = await this.locationName(tenantId, locationId);
        const where = channel === 'online' ? `online (${locationName})` : `in ${locationName}`;
        return {
          reason: 'bought-before',
          text: `Because you bought ${name(reason.sku, description)} ${where}`,
          because: stripUndefined({
            sku: reason.sku,
            description: description ?? model.factsOf(reason.sku)?.description,
            channel,
            locationId,
            locationName,
            purchasedAt: lastAt,
          }),
        };
      }
      case 'in-basket':
        return {
          reason: 'in-basket',
          text: `Often bought with ${name(reason.sku, reason.description)}`,
          because: stripUndefined({ sku: reason.sku, description: model.factsOf(reason.sku)?.description }),
        };
      case 'related':
        return reason.relation
          ? { reason: 'catalogue', text: `${capitalise(reason.relation)} for ${name(reason.sku)}`, because: { sku: reason.sku } }
          : { reason: 'related', text: `Often bought with ${name(reason.sku)}`, because: { sku: reason.sku } };
      case 'best-seller':
        return { reason: 'best-seller', text: `A best seller ${await this.scopeText(tenantId, reason.scope)}` };
      case 'trending':
        return { reason: 'trending', text: `Trending ${await this.scopeText(tenantId, reason.scope)}` };
    }
  }

  private async scopeText(tenantId: string, scope: string): Promise<string> {
    if (scope === 'all') return 'everywhere';
    if (scope === 'channel:online') return 'online';
    if (scope === 'channel:store') return 'in our stores';
    return `in ${await this.locationName(tenantId, scope.slice('location:'.length))}`;
  }

  private async locationName(tenantId: string, locationId: string): Promise<string> {
    const key = `${tenantId}/${locationId}`;
    const cached = this.locationNames.get(key);
    if (cached) return cached;
    const name = (await this.tenancy.getLocation(tenantId, locationId))?.name ?? locationId;
    this.locationNames.set(key, name);
    return name;
  }

  // ---- the model and histories in memory ----

  /** The tenant's model: loaded once (snapshot, else built from the baskets), then caught up on what was stored since. */
  async modelOf(tenantId: string): Promise<CoPurchaseModel> {
    let loaded = this.models.get(tenantId);
    if (!loaded) {
      let pending = this.loading.get(tenantId);
      if (!pending) {
        pending = this.load(tenantId).finally(() => this.loading.delete(tenantId));
        this.loading.set(tenantId, pending);
      }
      loaded = await pending;
    }
    if (Date.now() - loaded.checkedAt >= this.options.catchUpMs) {
      const current = loaded;
      current.catchingUp ??= this.catchUp(tenantId, current).finally(() => (current.catchingUp = undefined));
      await current.catchingUp;
    }
    return loaded.model;
  }

  private async load(tenantId: string): Promise<LoadedModel> {
    const saved = await this.snapshots.load(tenantId);
    if (!saved) {
      await this.rebuild(tenantId);
      return this.models.get(tenantId)!;
    }
    const builtAt = Date.parse(saved.builtAt);
    const loaded: LoadedModel = {
      model: CoPurchaseModel.fromSnapshot(saved.snapshot),
      watermark: builtAt,
      seen: new Map(saved.recent.map((id) => [id, builtAt])),
      checkedAt: 0,
    };
    this.models.set(tenantId, loaded);
    return loaded;
  }

  private async catchUp(tenantId: string, loaded: LoadedModel): Promise<void> {
    const checkedAt = Date.now();
    for (const basket of await this.store.basketsStoredSince(tenantId, new Date(loaded.watermark - OVERLAP_MS).toISOString())) learn(loaded, basket);
    for (const [id, storedAt] of loaded.seen) if (storedAt < loaded.watermark - OVERLAP_MS) loaded.seen.delete(id);
    loaded.checkedAt = checkedAt;
  }

  private async historyOf(tenantId: string, customerId: string): Promise<PurchaseHistory | undefined> {
    const key = `${tenantId}/${customerId}`;
    const cached = this.histories.get(key);
    if (cached) return cached;
    const history = (await this.store.getHistory(tenantId, customerId)) ?? emptyHistory(tenantId, customerId);
    this.histories.set(key, history);
    return history;
  }

  // ---- customers: merge and erasure ----

  async history(tenantId: string, customerId: string): Promise<PurchaseHistory | undefined> {
    return this.store.getHistory(tenantId, customerId);
  }

  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    const from = await this.store.getHistory(tenantId, fromId);
    let moved = 0;
    if (from) {
      await this.store.updateHistory(tenantId, intoId, (into) =>
        from.applied.every((id) => into.applied.includes(id)) ? undefined : mergeHistories(into, from),
      );
      await this.store.deleteHistory(tenantId, fromId);
      moved += Object.keys(from.items).length;
    }
    for (const transactionId of await this.store.basketIdsOf(tenantId, fromId)) await this.store.setBasketCustomer(tenantId, transactionId, intoId);
    this.histories.delete(`${tenantId}/${fromId}`);
    this.histories.delete(`${tenantId}/${intoId}`);
    return moved;
  }

  /** Her history goes, and her baskets with it: the model is rebuilt without them. */
  async erase(tenantId: string, customerId: string): Promise<void> {
    await this.store.deleteHistory(tenantId, customerId);
    const baskets = await this.store.basketIdsOf(tenantId, customerId);
    for (const transactionId of baskets) await this.store.deleteBasket(tenantId, transactionId);
    this.histories.delete(`${tenantId}/${customerId}`);
    if (baskets.length > 0) await this.rebuild(tenantId);
  }

  // ---- conversion and settings ----

  private countServed(tenantId: string, kind: ListKind): void {
    const key = `${tenantId}/${this.clock.now().toISOString().slice(0, 10)}`;
    const counts = this.served.get(key) ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.served.set(key, counts);
  }

  /** Saves the served counts kept since the last flush (the timer, every minute). */
  async flushServed(): Promise<void> {
    const pending = this.served;
    this.served = new Map();
    for (const [key, counts] of pending) {
      const [tenantId, day] = key.split('/') as [string, string];
      await this.store.addServed(tenantId, day, counts);
    }
  }

  async conversion(tenantId: string, from: string, to: string): Promise<ConversionReport> {
    await this.flushServed();
    const [conversions, served] = await Promise.all([
      this.store.conversionsBetween(tenantId, from, to),
      this.store.servedBetween(tenantId, from.slice(0, 10), to.slice(0, 10)),
    ]);
    const byKind = ListKind.options.map((kind) => {
      const mine = conversions.filter((c) => c.listKind === kind);
      const amount: Record<string, number> = {};
      for (const c of mine) amount[c.currency] = (amount[c.currency] ?? 0) + c.amount;
      return {
        kind,
        served: served[kind] ?? 0,
        convertedLines: mine.length,
        convertedLists: new Set(mine.map((c) => c.recommendationId)).size,
        units: mine.reduce((sum, c) => sum + c.quantity, 0),
        amount,
      };
    });
    return { from, to, byKind };
  }

  async settings(tenantId: string): Promise<RecommendationSettings> {
    const cached = this.settingsCache.get(tenantId);
    if (cached) return cached;
    const settings = (await this.store.getSettings(tenantId)) ?? DEFAULT_SETTINGS;
    this.settingsCache.set(tenantId, settings);
    return settings;
  }

  async saveSettings(tenantId: string, settings: RecommendationSettings): Promise<RecommendationSettings> {
    await this.store.saveSettings(tenantId, settings);
    this.settingsCache.set(tenantId, settings);
    return settings;
  }
}

/** About what a history takes in memory: measured 16 KB for 30 items with descriptions and categories. */
function historyBytes(history: PurchaseHistory): number {
  return 256 + Object.keys(history.items).length * 500 + history.applied.length * 60;
}

/** Adds a stored basket to a model in memory unless it is there already. Returns reach the co-purchase counts at the next rebuild; her history drops them at once. */
function learn(loaded: LoadedModel, basket: StoredBasket): void {
  if (loaded.seen.has(basket.transactionId)) return;
  const storedAt = Date.parse(basket.storedAt);
  loaded.seen.set(basket.transactionId, storedAt);
  loaded.watermark = Math.max(loaded.watermark, storedAt);
  if (basket.type === 'sale') loaded.model.add(toBasket(basket));
}

function toBasket(stored: StoredBasket): Basket {
  return { channel: stored.channel, locationId: stored.locationId, occurredAt: new Date(stored.occurredAt), lines: stored.lines };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
