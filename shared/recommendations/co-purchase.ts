/**
 * The item side of the recommender: which items are bought together and what sells where, learnt
 * from the baskets of both channels. Everything is held in typed arrays with a fixed number of
 * entries per item and per scope, so memory grows with the number of SKUs and locations, never
 * with the number of baskets or customers (see `modelBytes`).
 *
 * Counts decay: a basket bought at time t weighs 2^((t - epoch) / halfLife). Weights grow with
 * time instead of old ones shrinking, so an update touches only the basket's own items; every
 * similarity and ranking below is a ratio of weights of the same half-life, which the common
 * scale cancels out of.
 */

export type Similarity = 'asymmetric-cosine' | 'jaccard' | 'lift' | 'cosine';
export type Channel = 'store' | 'online';

export interface ModelSettings {
  /** How co-purchase counts become a similarity. */
  similarity: Similarity;
  /** asymmetric-cosine: c(i,j) / (n(i)^a * n(j)^(1-a)); 0.5 is the cosine, 1 the conditional probability P(j | i). */
  asymmetry: number;
  /** Half-life of a basket's weight in the co-purchase counts and best sellers, days; 0 keeps every basket at full weight. */
  coPurchaseHalfLifeDays: number;
  /** Half-life of a purchase in a customer's affinity, days. */
  affinityHalfLifeDays: number;
  /** Half-life of the trending lists, days. */
  trendingHalfLifeDays: number;
  /** Co-purchased items kept per item (the heaviest, by decayed count). */
  neighbours: number;
  /** Items kept per best-seller and trending list (per location, per channel, overall). */
  rankedPerScope: number;
}

/**
 * Chosen on the UCI Online Retail months starting 2011-06-09 and 2011-07-09 only (`npm run eval:recs`),
 * before any of the months reported in the README; the affinity half-life is the 30 days asked for.
 */
export const DEFAULT_MODEL_SETTINGS: ModelSettings = {
  similarity: 'asymmetric-cosine',
  asymmetry: 0.7,
  coPurchaseHalfLifeDays: 90,
  affinityHalfLifeDays: 30,
  trendingHalfLifeDays: 7,
  neighbours: 200,
  rankedPerScope: 200,
};

export interface ItemFacts {
  description?: string;
  category?: string;
  productId?: string;
  families?: string[];
}

export interface BasketLine extends ItemFacts {
  sku: string;
}

export interface Basket {
  channel: Channel;
  locationId: string;
  occurredAt: Date;
  lines: BasketLine[];
}

const DAY_MS = 86_400_000;
/** Past this exponent the weights are rescaled (Float32 holds up to 2^127). */
const RESCALE_AT = 96;

/**
 * Fixed-size rows of (id, weight) that keep the heaviest entries seen: a new id takes the lightest
 * entry's place once the row is full, starting from that entry's weight (Space-Saving, Metwally et
 * al. 2005), so a heavy entry is never lost to a burst of light ones.
 */
class WeightedRows {
  ids: Int32Array;
  weights: Float32Array;
  lengths: Uint16Array;

  constructor(
    readonly width: number,
    rows: number,
  ) {
    this.ids = new Int32Array(rows * width);
    this.weights = new Float32Array(rows * width);
    this.lengths = new Uint16Array(rows);
  }

  get rows(): number {
    return this.lengths.length;
  }

  grow(rows: number): void {
    if (rows <= this.rows) return;
    const size = Math.max(rows, this.rows * 2);
    const ids = new Int32Array(size * this.width);
    ids.set(this.ids);
    const weights = new Float32Array(size * this.width);
    weights.set(this.weights);
    const lengths = new Uint16Array(size);
    lengths.set(this.lengths);
    Object.assign(this, { ids, weights, lengths });
  }

  add(row: number, id: number, weight: number): void {
    const start = row * this.width;
    const length = this.lengths[row]!;
    let lightest = start;
    for (let k = start; k < start + length; k++) {
      if (this.ids[k] === id) {
        this.weights[k]! += weight;
        return;
      }
      if (this.weights[k]! < this.weights[lightest]!) lightest = k;
    }
    if (length < this.width) {
      this.ids[start + length] = id;
      this.weights[start + length] = weight;
      this.lengths[row] = length + 1;
      return;
    }
    this.ids[lightest] = id;
    this.weights[lightest]! += weight;
  }

  /** Adds to an entry already kept, or takes a free place; a full row is left as it is. */
  addIfRoom(row: number, id: number, weight: number): void {
    const start = row * this.width;
    const length = this.lengths[row]!;
    for (let k = start; k < start + length; k++) {
      if (this.ids[k] === id) {
        this.weights[k]! += weight;
        return;
      }
    }
    if (length === this.width) return;
    this.ids[start + length] = id;
    this.weights[start + length] = weight;
    this.lengths[row] = length + 1;
  }

  /** Entries of a row as [id, weight] pairs, heaviest first. */
  entries(row: number): Array<[number, number]> {
    const start = row * this.width;
    const out: Array<[number, number]> = [];
    for (let k = start; k < start + this.lengths[row]!; k++) out.push([this.ids[k]!, this.weights[k]!]);
    return out.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }

  scale(factor: number): void {
    for (let k = 0; k < this.weights.length; k++) this.weights[k]! *= factor;
  }

  forEachEntry(row: number, visit: (id: number, weight: number) => void): void {
    const start = row * this.width;
    for (let k = start; k < start + this.lengths[row]!; k++) visit(this.ids[k]!, this.weights[k]!);
  }
}

/** The scopes best sellers and trending are kept for. */
export function scopesOf(channel: Channel, locationId: string): string[] {
  return ['all', `channel:${channel}`, `location:${locationId}`];
}

export interface RankedItem {
  sku: string;
  weight: number;
}

export interface ModelSnapshot {
  version: 1;
  settings: ModelSettings;
  epochMs: number;
  baskets: number;
  skus: string[];
  facts: ItemFacts[];
  counts: number[];
  neighbours: { ids: string; weights: string; lengths: string };
  scopes: Array<{ scope: string; bestSellers: Array<[number, number]>; trending: Array<[number, number]> }>;
}

export class CoPurchaseModel {
  private readonly index = new Map<string, number>();
  private readonly skus: string[] = [];
  private readonly facts: ItemFacts[] = [];
  /** Decayed number of baskets holding each item. */
  private counts = new Float64Array(1024);
  private readonly neighbours: WeightedRows;
  private readonly bestSellers = new Map<string, WeightedRows>();
  private readonly trending = new Map<string, WeightedRows>();
  private epochMs: number | undefined;
  /** Baskets learnt (after the last rebuild), for status and tests. */
  baskets = 0;

  constructor(readonly settings: ModelSettings = DEFAULT_MODEL_SETTINGS) {
    this.neighbours = new WeightedRows(settings.neighbours, 1024);
  }

  get size(): number {
    return this.skus.length;
  }

  /**
   * The model of these baskets with exact co-purchase counts, each item keeping its `neighbours`
   * most co-purchased items (the periodic rebuild). Counting takes memory for every distinct pair while
   * it runs; the model it leaves holds only the kept ones.
   */
  static build(baskets: Iterable<Basket>, settings: ModelSettings = DEFAULT_MODEL_SETTINGS): CoPurchaseModel {
    const model = new CoPurchaseModel(settings);
    const members: Int32Array[] = [];
    const weights: number[] = [];
    for (const basket of baskets) {
      const { items, weight } = model.count(basket);
      if (items.length < 2) continue;
      members.push(Int32Array.from(items));
      weights.push(weight);
    }
    // Which baskets hold each item (compressed rows), then one item at a time: its co-purchase
    // counts in a dense scratch row, of which the most similar are kept.
    const n = model.size;
    const starts = new Uint32Array(n + 1);
    for (const items of members) for (const item of items) starts[item + 1]! += 1;
    for (let i = 0; i < n; i++) starts[i + 1]! += starts[i]!;
    const next = starts.slice(0, n);
    const holding = new Int32Array(starts[n]!);
    members.forEach((items, b) => items.forEach((item) => (holding[next[item]!++] = b)));
    const together = new Float64Array(n);
    const touched = new Int32Array(n);
    for (let item = 0; item < n; item++) {
      let seen = 0;
      for (let p = starts[item]!; p < starts[item + 1]!; p++) {
        const b = holding[p]!;
        const weight = weights[b]!;
        for (const other of members[b]!) {
          if (other === item) continue;
          if (together[other] === 0) touched[seen++] = other;
          together[other]! += weight;
        }
      }
      // The heaviest by count, as `add` keeps them between rebuilds (on the tuning months this kept
      // more of the full model's quality than the most similar did).
      const kept = Array.from(touched.subarray(0, seen))
        .sort((a, b) => together[b]! - together[a]! || a - b)
        .slice(0, settings.neighbours);
      for (const other of kept) model.neighbours.add(item, other, together[other]!);
      for (let k = 0; k < seen; k++) together[touched[k]!] = 0;
    }
    return model;
  }

  /**
   * Learns one more basket (between rebuilds): its items' counts in its scopes, and its pairs in
   * the items' neighbour lists where they are already kept or there is room; a pair new to a full
   * list waits for the next rebuild, which chooses the kept neighbours again from exact counts.
   */
  add(basket: Basket): void {
    const { items, weight } = this.count(basket);
    for (const x of items) for (const y of items) if (x !== y) this.neighbours.addIfRoom(x, y, weight);
  }

  private count(basket: Basket): { items: number[]; weight: number } {
    const at = basket.occurredAt.getTime();
    this.epochMs ??= at;
    if (this.exponent(at, this.settings.trendingHalfLifeDays) > RESCALE_AT) this.rebase(at);
    const weight = this.weightAt(at, this.settings.coPurchaseHalfLifeDays);
    const trendWeight = this.weightAt(at, this.settings.trendingHalfLifeDays);
    const items = [...new Set(basket.lines.map((line) => this.itemOf(line)))];
    for (const item of items) this.counts[item]! += weight;
    for (const scope of scopesOf(basket.channel, basket.locationId)) {
      const best = this.scopeRows(this.bestSellers, scope);
      const trend = this.scopeRows(this.trending, scope);
      for (const item of items) {
        best.add(0, item, weight);
        trend.add(0, item, trendWeight);
      }
    }
    this.baskets += 1;
    return { items, weight };
  }

  has(sku: string): boolean {
    return this.index.has(sku);
  }

  factsOf(sku: string): ItemFacts | undefined {
    const item = this.index.get(sku);
    return item === undefined ? undefined : this.facts[item];
  }

  /** Decayed basket count of an item (relative; only comparisons between items mean anything). */
  popularity(sku: string): number {
    const item = this.index.get(sku);
    return item === undefined ? 0 : this.counts[item]!;
  }

  /** Items bought with `sku`, most similar first, with their similarity. */
  similarTo(sku: string): RankedItem[] {
    const item = this.index.get(sku);
    if (item === undefined) return [];
    const out: RankedItem[] = [];
    this.neighbours.forEachEntry(item, (other, together) => out.push({ sku: this.skus[other]!, weight: this.similarity(item, other, together) }));
    return out.sort((a, b) => b.weight - a.weight || this.popularity(b.sku) - this.popularity(a.sku) || (a.sku < b.sku ? -1 : 1));
  }

  /** Adds `weight * similarity(sku, j)` to `scores[j]` for every item j bought with `sku`; calls `credit` with each term. */
  accumulate(sku: string, weight: number, scores: Map<string, number>, credit?: (target: string, amount: number) => void): void {
    const item = this.index.get(sku);
    if (item === undefined) return;
    this.neighbours.forEachEntry(item, (other, together) => {
      const target = this.skus[other]!;
      const amount = weight * this.similarity(item, other, together);
      scores.set(target, (scores.get(target) ?? 0) + amount);
      credit?.(target, amount);
    });
  }

  /** Best sellers of a scope ('all', 'channel:store', 'location:madrid-1'), heaviest first. */
  bestSellersIn(scope: string): RankedItem[] {
    return this.ranked(this.bestSellers, scope);
  }

  trendingIn(scope: string): RankedItem[] {
    return this.ranked(this.trending, scope);
  }

  /** Bytes the model's arrays take (strings and maps aside): what a tenant costs in memory. */
  modelBytes(): number {
    let bytes = this.counts.byteLength + this.neighbours.ids.byteLength + this.neighbours.weights.byteLength + this.neighbours.lengths.byteLength;
    for (const rows of [...this.bestSellers.values(), ...this.trending.values()])
      bytes += rows.ids.byteLength + rows.weights.byteLength + rows.lengths.byteLength;
    return bytes;
  }

  snapshot(): ModelSnapshot {
    const n = this.size;
    const width = this.settings.neighbours;
    const b64 = (view: ArrayBufferView, bytes: number) => Buffer.from(view.buffer, view.byteOffset, bytes).toString('base64');
    return {
      version: 1,
      settings: this.settings,
      epochMs: this.epochMs ?? 0,
      baskets: this.baskets,
      skus: [...this.skus],
      facts: [...this.facts],
      counts: Array.from(this.counts.subarray(0, n)),
      neighbours: {
        ids: b64(this.neighbours.ids, n * width * 4),
        weights: b64(this.neighbours.weights, n * width * 4),
        lengths: b64(this.neighbours.lengths, n * 2),
      },
      scopes: [...this.bestSellers.keys()].map((scope) => ({
        scope,
        bestSellers: this.bestSellers.get(scope)!.entries(0),
        trending: this.trending.get(scope)?.entries(0) ?? [],
      })),
    };
  }

  static fromSnapshot(snapshot: ModelSnapshot): CoPurchaseModel {
    const model = new CoPurchaseModel(snapshot.settings);
    const n = snapshot.skus.length;
    snapshot.skus.forEach((sku, i) => model.index.set(sku, i));
    model.skus.push(...snapshot.skus);
    model.facts.push(...snapshot.facts);
    model.epochMs = snapshot.epochMs || undefined;
    model.baskets = snapshot.baskets;
    model.counts = new Float64Array(Math.max(1024, n));
    model.counts.set(snapshot.counts);
    model.neighbours.grow(n);
    const copy = (base64: string, into: Uint8Array) => into.set(Buffer.from(base64, 'base64'));
    copy(snapshot.neighbours.ids, new Uint8Array(model.neighbours.ids.buffer));
    copy(snapshot.neighbours.weights, new Uint8Array(model.neighbours.weights.buffer));
    copy(snapshot.neighbours.lengths, new Uint8Array(model.neighbours.lengths.buffer));
    for (const { scope, bestSellers, trending } of snapshot.scopes) {
      for (const [item, weight] of bestSellers) model.scopeRows(model.bestSellers, scope).add(0, item, weight);
      for (const [item, weight] of trending) model.scopeRows(model.trending, scope).add(0, item, weight);
    }
    return model;
  }

  private similarity(i: number, j: number, together: number): number {
    const ni = this.counts[i]!;
    const nj = this.counts[j]!;
    switch (this.settings.similarity) {
      case 'jaccard':
        return together / Math.max(ni + nj - together, together);
      case 'lift':
        return together / (ni * nj);
      case 'cosine':
        return together / Math.sqrt(ni * nj);
      case 'asymmetric-cosine':
        return together / (Math.pow(ni, this.settings.asymmetry) * Math.pow(nj, 1 - this.settings.asymmetry));
    }
  }

  private ranked(lists: Map<string, WeightedRows>, scope: string): RankedItem[] {
    const rows = lists.get(scope);
    if (!rows) return [];
    return rows
      .entries(0)
      .map(([item, weight]) => ({ sku: this.skus[item]!, weight }))
      .sort((a, b) => b.weight - a.weight || (a.sku < b.sku ? -1 : 1));
  }

  private itemOf(line: BasketLine): number {
    let item = this.index.get(line.sku);
    if (item === undefined) {
      item = this.skus.length;
      this.index.set(line.sku, item);
      this.skus.push(line.sku);
      this.facts.push({});
      if (item >= this.counts.length) {
        const counts = new Float64Array(this.counts.length * 2);
        counts.set(this.counts);
        this.counts = counts;
      }
      this.neighbours.grow(item + 1);
    }
    const facts = this.facts[item]!;
    if (line.description) facts.description = line.description;
    if (line.category) facts.category = line.category;
    if (line.productId) facts.productId = line.productId;
    if (line.families) facts.families = line.families;
    return item;
  }

  private scopeRows(lists: Map<string, WeightedRows>, scope: string): WeightedRows {
    let rows = lists.get(scope);
    if (!rows) lists.set(scope, (rows = new WeightedRows(this.settings.rankedPerScope, 1)));
    return rows;
  }

  private exponent(at: number, halfLifeDays: number): number {
    return halfLifeDays > 0 ? (at - (this.epochMs ?? at)) / (halfLifeDays * DAY_MS) : 0;
  }

  private weightAt(at: number, halfLifeDays: number): number {
    return Math.pow(2, this.exponent(at, halfLifeDays));
  }

  /** Moves the epoch to `at`: every weight is divided by what the move adds to the exponent. */
  private rebase(at: number): void {
    const scaleFor = (halfLifeDays: number) => Math.pow(2, -this.exponent(at, halfLifeDays));
    const coPurchase = scaleFor(this.settings.coPurchaseHalfLifeDays);
    const trend = scaleFor(this.settings.trendingHalfLifeDays);
    for (let k = 0; k < this.counts.length; k++) this.counts[k]! *= coPurchase;
    this.neighbours.scale(coPurchase);
    for (const rows of this.bestSellers.values()) rows.scale(coPurchase);
    for (const rows of this.trending.values()) rows.scale(trend);
    this.epochMs = at;
  }
}
