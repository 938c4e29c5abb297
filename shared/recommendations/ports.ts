import type { Channel, ItemFacts, ModelSnapshot } from './co-purchase';
import type { PurchaseHistory } from './history';

/** A sale's or a return's lines as the model learns them (one document per transaction). */
export interface StoredBasket {
  tenantId: string;
  transactionId: string;
  type: 'sale' | 'return';
  customerId: string | null;
  channel: Channel;
  locationId: string;
  occurredAt: string;
  /** When it was stored: models loaded earlier catch up on baskets stored after them. */
  storedAt: string;
  /** Returns: the sale they take back from. */
  originalTransactionId: string | null;
  lines: Array<{ sku: string; quantity: number } & ItemFacts>;
}

/** A sale line that came from a recommendation. */
export interface Conversion {
  tenantId: string;
  transactionId: string;
  lineNumber: number;
  recommendationId: string;
  listKind: string;
  sku: string;
  quantity: number;
  /** Line total, minor units of `currency`. */
  amount: number;
  currency: string;
  occurredAt: string;
}

export interface RecommendationSettings {
  /** Categories or catalogue families bought again and again: what she bought there may be recommended again. */
  repeatPurchaseCategories: string[];
}

export interface RecommendationStore {
  getHistory(tenantId: string, customerId: string): Promise<PurchaseHistory | undefined>;
  /** Read-modify-write with the etag; `mutate` returns undefined for no change and may run more than once. */
  updateHistory(tenantId: string, customerId: string, mutate: (current: PurchaseHistory) => PurchaseHistory | undefined): Promise<void>;
  deleteHistory(tenantId: string, customerId: string): Promise<void>;
  /** Idempotent: `exists` when this transaction's basket is stored already. */
  saveBasket(basket: StoredBasket): Promise<'created' | 'exists'>;
  /** Sets who a stored basket belongs to (a claimed ticket, a merge); nothing when it is not stored. */
  setBasketCustomer(tenantId: string, transactionId: string, customerId: string | null): Promise<void>;
  /** Baskets that happened at or after `since`, page by page. */
  basketsSince(tenantId: string, since: string): AsyncIterable<StoredBasket[]>;
  /** Baskets stored at or after `storedSince`, oldest first (a model catching up). */
  basketsStoredSince(tenantId: string, storedSince: string): Promise<StoredBasket[]>;
  basketIdsOf(tenantId: string, customerId: string): Promise<string[]>;
  deleteBasket(tenantId: string, transactionId: string): Promise<void>;
  /** Tenants that have baskets: the ones the rebuild visits. */
  tenants(): Promise<string[]>;
  markTenant(tenantId: string): Promise<void>;
  saveConversion(conversion: Conversion): Promise<'created' | 'exists'>;
  conversionsBetween(tenantId: string, from: string, to: string): Promise<Conversion[]>;
  addServed(tenantId: string, day: string, counts: Record<string, number>): Promise<void>;
  servedBetween(tenantId: string, fromDay: string, toDay: string): Promise<Record<string, number>>;
  getSettings(tenantId: string): Promise<RecommendationSettings | undefined>;
  saveSettings(tenantId: string, settings: RecommendationSettings): Promise<void>;
}

/** A rebuilt model as saved: `recent` are the baskets in it stored less than a minute before `builtAt`. */
export interface SavedModel {
  snapshot: ModelSnapshot;
  builtAt: string;
  recent: string[];
}

export interface ModelSnapshots {
  load(tenantId: string): Promise<SavedModel | undefined>;
  save(tenantId: string, saved: SavedModel): Promise<void>;
}

/** Where an item can be sold now: the store's available stock, or what the web shop may promise. */
export interface Availability {
  sellable(tenantId: string, channel: Channel, locationId: string | undefined, skus: string[]): Promise<Set<string>>;
}

/** The catalogue's own relations of a product (cross-sell, accessory...), when the tenant has a catalogue. */
export interface CatalogueRelations {
  relatedSkus(tenantId: string, sku: string): Promise<Array<{ sku: string; relation: string }>>;
}
