/**
 * Behaviour traits of one customer, kept in one document and changed one transaction at a time.
 * What depends on the clock (rolling windows, days since, age, birthday) is derived when read from
 * what is stored (per-day buckets, dates), so it is exact at any moment without rewriting anyone.
 */
import { familiesOfLine, type TransactionView } from '../transactions';

export type Channel = 'store' | 'online';
export const CHANNELS: readonly Channel[] = ['store', 'online'];
export const WINDOWS = [30, 90, 365] as const;
const DAY_MS = 86_400_000;
/** Per-day buckets are kept this long: the longest window. */
const KEEP_DAYS = 365;

type ByChannel = Record<Channel, number>;
const zero = (): ByChannel => ({ store: 0, online: 0 });

export interface DayTally {
  orders: ByChannel;
  spend: ByChannel;
  refunded: number;
}

export interface Tally {
  units: number;
  spend: number;
}

/** What the profile, consents and loyalty say, copied when the traits change (and by the daily refresh). */
export interface ProfileFacts {
  birthDate: string | null;
  gender: string | null;
  postalCode: string | null;
  country: string | null;
  consents: string[];
  loyaltyTier: string | null;
}

export const NO_PROFILE: ProfileFacts = { birthDate: null, gender: null, postalCode: null, country: null, consents: [], loyaltyTier: null };

export interface TraitsState {
  tenantId: string;
  customerId: string;
  /** Transactions already counted (sales and returns): a redelivery or a claim of a counted sale changes nothing. */
  applied: string[];
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  lastPurchaseByChannel: Partial<Record<Channel, string>>;
  lifetime: { orders: ByChannel; spend: ByChannel; returns: number; refunded: number };
  /** UTC day (YYYY-MM-DD) -> what happened that day; only the last 365 days are kept. */
  days: Record<string, DayTally>;
  /** Store sales by location, for the preferred store. */
  stores: Record<string, { orders: number; spend: number }>;
  families: Record<string, Tally>;
  brands: Record<string, Tally>;
  categories: Record<string, Tally>;
  profile: ProfileFacts;
}

export function emptyTraits(tenantId: string, customerId: string): TraitsState {
  return {
    tenantId,
    customerId,
    applied: [],
    firstPurchaseAt: null,
    lastPurchaseAt: null,
    lastPurchaseByChannel: {},
    lifetime: { orders: zero(), spend: zero(), returns: 0, refunded: 0 },
    days: {},
    stores: {},
    families: {},
    brands: {},
    categories: {},
    profile: NO_PROFILE,
  };
}

const dayOf = (iso: string) => new Date(iso).toISOString().slice(0, 10);
const later = (a: string | null | undefined, b: string) => (a && Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string | null, b: string) => (a && Date.parse(a) <= Date.parse(b) ? a : b);

function add(tallies: Record<string, Tally>, key: string, units: number, spend: number): void {
  const current = tallies[key] ?? { units: 0, spend: 0 };
  tallies[key] = { units: current.units + units, spend: current.spend + spend };
}

/**
 * Counts one transaction (a sale adds, a return takes back what it refunded), or returns undefined
 * when it was already counted. Pure: the same state and transaction always give the same result.
 */
export function applyTransaction(state: TraitsState, tx: TransactionView, now: Date): TraitsState | undefined {
  if (state.applied.includes(tx.transactionId)) return undefined;
  const next: TraitsState = structuredClone(state);
  next.applied.push(tx.transactionId);
  const day = dayOf(tx.occurredAt);
  const bucket = (next.days[day] ??= { orders: zero(), spend: zero(), refunded: 0 });
  const sign = tx.type === 'sale' ? 1 : -1;
  if (tx.type === 'sale') {
    const at = new Date(tx.occurredAt).toISOString();
    next.firstPurchaseAt = earlier(next.firstPurchaseAt, at);
    next.lastPurchaseAt = later(next.lastPurchaseAt, at);
    next.lastPurchaseByChannel[tx.channel] = later(next.lastPurchaseByChannel[tx.channel], at);
    next.lifetime.orders[tx.channel] += 1;
    next.lifetime.spend[tx.channel] += tx.totals.net;
    bucket.orders[tx.channel] += 1;
    bucket.spend[tx.channel] += tx.totals.net;
    if (tx.channel === 'store') {
      const store = next.stores[tx.locationId] ?? { orders: 0, spend: 0 };
      next.stores[tx.locationId] = { orders: store.orders + 1, spend: store.spend + tx.totals.net };
    }
  } else {
    next.lifetime.returns += 1;
    next.lifetime.refunded += tx.totals.net;
    bucket.refunded += tx.totals.net;
  }
  for (const line of tx.lines) {
    const units = sign * line.quantity;
    const spend = sign * line.total;
    for (const family of familiesOfLine(line)) add(next.families, family, units, spend);
    if (line.brand) add(next.brands, line.brand, units, spend);
    if (line.category) add(next.categories, line.category, units, spend);
  }
  return prune(next, now);
}

/** Drops day buckets older than the longest window. */
export function prune(state: TraitsState, now: Date): TraitsState {
  const oldest = dayOf(new Date(now.getTime() - (KEEP_DAYS - 1) * DAY_MS).toISOString());
  const stale = Object.keys(state.days).filter((day) => day < oldest);
  if (stale.length === 0) return state;
  const days = { ...state.days };
  for (const day of stale) delete days[day];
  return { ...state, days };
}

/** One person's profile facts from two customers (a merge): the survivor's first, consents granted in either. */
export function mergeProfile(a: ProfileFacts, b: ProfileFacts): ProfileFacts {
  return {
    birthDate: a.birthDate ?? b.birthDate,
    gender: a.gender ?? b.gender,
    postalCode: a.postalCode ?? b.postalCode,
    country: a.country ?? b.country,
    consents: [...new Set([...a.consents, ...b.consents])].sort(),
    loyaltyTier: a.loyaltyTier ?? b.loyaltyTier,
  };
}

/** Quintile boundaries of the tenant's customers, recomputed by the daily timer (see `rfmThresholds`). */
export interface RfmThresholds {
  /** Four ascending cut points each: the value at the 20th, 40th, 60th and 80th percentile. */
  recency: number[];
  frequency: number[];
  monetary: number[];
}

/** The traits a segment can test, as of `now`: the names and types served by `GET /api/v1/segments/fields`. */
export interface Traits {
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  lastStorePurchaseAt: string | null;
  lastOnlinePurchaseAt: string | null;
  daysSinceLastPurchase: number | null;
  orders: number;
  totalSpend: number;
  orders30d: number;
  orders90d: number;
  orders365d: number;
  spend30d: number;
  spend90d: number;
  spend365d: number;
  channels30d: Channel[];
  channels90d: Channel[];
  channels365d: Channel[];
  averageTicket: number | null;
  averageTicketStore: number | null;
  averageTicketOnline: number | null;
  storeSpendShare: number | null;
  preferredChannel: Channel | null;
  preferredStore: string | null;
  returns: number;
  refunded: number;
  returnRate: number | null;
  families: string[];
  brands: string[];
  categories: string[];
  spendByFamily: Record<string, number>;
  unitsByFamily: Record<string, number>;
  spendByBrand: Record<string, number>;
  unitsByBrand: Record<string, number>;
  spendByCategory: Record<string, number>;
  unitsByCategory: Record<string, number>;
  loyaltyTier: string | null;
  consents: string[];
  age: number | null;
  gender: string | null;
  postalCode: string | null;
  country: string | null;
  daysUntilBirthday: number | null;
  birthdayThisMonth: boolean;
  rfmRecency: number | null;
  rfmFrequency: number | null;
  rfmMonetary: number | null;
}

const ratio = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const average = (total: number, count: number) => (count > 0 ? Math.round(total / count) : null);
const sum = (c: ByChannel) => c.store + c.online;

/** Whole UTC days from `iso` to `now`. */
export function daysBetween(iso: string, now: Date): number {
  return Math.floor((Date.parse(dayOf(now.toISOString())) - Date.parse(dayOf(iso))) / DAY_MS);
}

/** Everything a segment can test, derived at `now`. */
export function deriveTraits(state: TraitsState, now: Date, rfm?: RfmThresholds): Traits {
  const today = dayOf(now.toISOString());
  const windows = Object.fromEntries(
    WINDOWS.map((n) => {
      const from = dayOf(new Date(Date.parse(today) - (n - 1) * DAY_MS).toISOString());
      const orders = zero();
      let spend = 0;
      for (const [day, tally] of Object.entries(state.days)) {
        if (day < from || day > today) continue;
        orders.store += tally.orders.store;
        orders.online += tally.orders.online;
        spend += sum(tally.spend) - tally.refunded;
      }
      return [n, { orders: sum(orders), spend, channels: CHANNELS.filter((c) => orders[c] > 0) }];
    }),
  ) as Record<(typeof WINDOWS)[number], { orders: number; spend: number; channels: Channel[] }>;
  const { lifetime, profile } = state;
  const salesSpend = sum(lifetime.spend);
  const orders = sum(lifetime.orders);
  const preferredChannel = orders === 0 ? null : preferred(lifetime.orders.store, lifetime.spend.store, lifetime.orders.online, lifetime.spend.online);
  const preferredStore = Object.entries(state.stores).sort(([a, x], [b, y]) => y.orders - x.orders || y.spend - x.spend || a.localeCompare(b))[0]?.[0] ?? null;
  const pick = (tallies: Record<string, Tally>, field: keyof Tally) =>
    Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, t[field]])) as Record<string, number>;
  const bought = (tallies: Record<string, Tally>) =>
    Object.entries(tallies)
      .filter(([, t]) => t.units > 0)
      .map(([k]) => k)
      .sort();
  const daysSinceLastPurchase = state.lastPurchaseAt ? daysBetween(state.lastPurchaseAt, now) : null;
  const birthday = profile.birthDate ? birthdayFacts(profile.birthDate, now) : undefined;
  return {
    firstPurchaseAt: state.firstPurchaseAt,
    lastPurchaseAt: state.lastPurchaseAt,
    lastStorePurchaseAt: state.lastPurchaseByChannel.store ?? null,
    lastOnlinePurchaseAt: state.lastPurchaseByChannel.online ?? null,
    daysSinceLastPurchase,
    orders,
    totalSpend: salesSpend - lifetime.refunded,
    orders30d: windows[30].orders,
    orders90d: windows[90].orders,
    orders365d: windows[365].orders,
    spend30d: windows[30].spend,
    spend90d: windows[90].spend,
    spend365d: windows[365].spend,
    channels30d: windows[30].channels,
    channels90d: windows[90].channels,
    channels365d: windows[365].channels,
    averageTicket: average(salesSpend, orders),
    averageTicketStore: average(lifetime.spend.store, lifetime.orders.store),
    averageTicketOnline: average(lifetime.spend.online, lifetime.orders.online),
    storeSpendShare: ratio(lifetime.spend.store, salesSpend),
    preferredChannel,
    preferredStore,
    returns: lifetime.returns,
    refunded: lifetime.refunded,
    returnRate: ratio(lifetime.refunded, salesSpend),
    families: bought(state.families),
    brands: bought(state.brands),
    categories: bought(state.categories),
    spendByFamily: pick(state.families, 'spend'),
    unitsByFamily: pick(state.families, 'units'),
    spendByBrand: pick(state.brands, 'spend'),
    unitsByBrand: pick(state.brands, 'units'),
    spendByCategory: pick(state.categories, 'spend'),
    unitsByCategory: pick(state.categories, 'units'),
    loyaltyTier: profile.loyaltyTier,
    consents: profile.consents,
    age: birthday?.age ?? null,
    gender: profile.gender,
    postalCode: profile.postalCode,
    country: profile.country,
    daysUntilBirthday: birthday?.daysUntil ?? null,
    birthdayThisMonth: birthday?.thisMonth ?? false,
    rfmRecency: rfm && daysSinceLastPurchase !== null ? 6 - quintile(rfm.recency, daysSinceLastPurchase) : null,
    rfmFrequency: rfm && orders > 0 ? quintile(rfm.frequency, windows[365].orders) : null,
    rfmMonetary: rfm && orders > 0 ? quintile(rfm.monetary, windows[365].spend) : null,
  };
}

function preferred(storeOrders: number, storeSpend: number, onlineOrders: number, onlineSpend: number): Channel {
  if (storeOrders !== onlineOrders) return storeOrders > onlineOrders ? 'store' : 'online';
  return onlineSpend > storeSpend ? 'online' : 'store';
}

/** 1 (lowest fifth) to 5 (highest fifth) against four ascending cut points. */
export function quintile(cuts: number[], value: number): number {
  return 1 + cuts.filter((cut) => value > cut).length;
}

/** The four cut points (20/40/60/80th percentile) of some values. */
export function quintileCuts(values: number[]): number[] {
  if (values.length === 0) return [];
  const sorted = [...values].sort((a, b) => a - b);
  return [1, 2, 3, 4].map((q) => sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / 5))]!);
}

/** Age in whole years, days until the next birthday (0 on the day) and whether it falls in this month, in UTC. */
export function birthdayFacts(birthDate: string, now: Date): { age: number; daysUntil: number; thisMonth: boolean } {
  const [year, month, day] = birthDate.split('-').map(Number) as [number, number, number];
  const y = now.getUTCFullYear();
  const today = Date.UTC(y, now.getUTCMonth(), now.getUTCDate());
  // 29 February is celebrated on 28 February in other years.
  const on = (inYear: number) => {
    const leap = new Date(Date.UTC(inYear, 1, 29)).getUTCMonth() === 1;
    return Date.UTC(inYear, month - 1, month === 2 && day === 29 && !leap ? 28 : day);
  };
  const thisYears = on(y);
  const next = thisYears >= today ? thisYears : on(y + 1);
  const age = y - year - (thisYears > today ? 1 : 0);
  return { age, daysUntil: Math.round((next - today) / DAY_MS), thisMonth: now.getUTCMonth() === month - 1 };
}
