import { CoPurchaseModel, DEFAULT_MODEL_SETTINGS, type Basket, type ModelSettings } from './co-purchase';
import { applyTransaction, emptyHistory, mergeHistories, type HistoryTransaction } from './history';
import { basketCandidates, customerCandidates } from './recommender';

const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * 86_400_000);
const basket = (day: number, ...skus: string[]): Basket => ({
  channel: 'store',
  locationId: 'madrid',
  occurredAt: at(day),
  lines: skus.map((sku) => ({ sku })),
});
const flat: ModelSettings = { ...DEFAULT_MODEL_SETTINGS, coPurchaseHalfLifeDays: 0, trendingHalfLifeDays: 0 };
const weights = (model: CoPurchaseModel, sku: string) => Object.fromEntries(model.similarTo(sku).map((i) => [i.sku, Math.round(i.weight * 1e6) / 1e6]));

describe('co-purchase model', () => {
  // A in 3 baskets, B in 2, C in 2; A+B together twice, A+C once, B+C once.
  const baskets = [basket(0, 'A', 'B'), basket(1, 'A', 'B', 'C'), basket(2, 'A'), basket(3, 'C')];

  it('turns co-purchase counts into the configured similarity', () => {
    expect(weights(CoPurchaseModel.build(baskets, { ...flat, similarity: 'jaccard' }), 'A')).toEqual({ B: round(2 / 3), C: round(1 / 4) });
    expect(weights(CoPurchaseModel.build(baskets, { ...flat, similarity: 'lift' }), 'A')).toEqual({ B: round(2 / 6), C: round(1 / 6) });
    expect(weights(CoPurchaseModel.build(baskets, { ...flat, similarity: 'asymmetric-cosine', asymmetry: 1 }), 'A')).toEqual({
      B: round(2 / 3),
      C: round(1 / 3),
    });
    expect(weights(CoPurchaseModel.build(baskets, { ...flat, similarity: 'asymmetric-cosine', asymmetry: 1 }), 'B')).toEqual({ A: 1, C: 0.5 });
  });

  it('keeps the most co-purchased neighbours per item; between rebuilds a full list takes no newcomer', () => {
    const model = CoPurchaseModel.build([basket(0, 'A', 'B'), basket(1, 'A', 'B'), basket(2, 'A', 'C'), basket(3, 'A', 'C'), basket(4, 'A', 'D')], {
      ...flat,
      neighbours: 2,
    });
    expect(Object.keys(weights(model, 'A')).sort()).toEqual(['B', 'C']);
    model.add(basket(5, 'A', 'E'));
    model.add(basket(6, 'A', 'B'));
    expect(Object.keys(weights(model, 'A')).sort()).toEqual(['B', 'C']);
    // E (1 basket) to A (7): 1 / (1^0.7 * 7^0.3).
    expect(weights(model, 'E')).toEqual({ A: round(1 / Math.pow(7, 0.3)) });
  });

  it('weighs a basket by its age: a later basket counts double one a half-life older', () => {
    const model = CoPurchaseModel.build([basket(0, 'OLD'), basket(90, 'NEW')], { ...DEFAULT_MODEL_SETTINGS, coPurchaseHalfLifeDays: 90 });
    expect(model.popularity('NEW') / model.popularity('OLD')).toBeCloseTo(2, 9);
    expect(model.bestSellersIn('location:madrid').map((i) => i.sku)).toEqual(['NEW', 'OLD']);
  });

  it('stays finite over decades of baskets (the weights are rescaled)', () => {
    const model = new CoPurchaseModel({ ...DEFAULT_MODEL_SETTINGS, trendingHalfLifeDays: 1 });
    for (let year = 0; year < 30; year++) model.add(basket(year * 365, 'A', 'B'));
    model.add(basket(30 * 365, 'A', 'C'));
    expect(Number.isFinite(model.popularity('A'))).toBe(true);
    expect(model.popularity('C') / model.popularity('A')).toBeGreaterThan(0.5);
    expect(model.trendingIn('all')[0]!.sku).not.toBe('B');
  });

  it('comes back from its snapshot identical', () => {
    const model = CoPurchaseModel.build(baskets);
    const copy = CoPurchaseModel.fromSnapshot(JSON.parse(JSON.stringify(model.snapshot())));
    for (const sku of ['A', 'B', 'C']) expect(copy.similarTo(sku)).toEqual(model.similarTo(sku));
    expect(copy.bestSellersIn('all')).toEqual(model.bestSellersIn('all'));
    copy.add(basket(4, 'A', 'D'));
    expect(copy.similarTo('D').map((i) => i.sku)).toEqual(['A']);
  });

  it('states its memory: fixed rows per item', () => {
    const model = CoPurchaseModel.build(baskets);
    // 1,024 rows of 200 (id 4 bytes, weight 4 bytes) + lengths + counts, whatever the number of baskets.
    expect(model.modelBytes()).toBeLessThan(1024 * 200 * 8 + 1024 * 10 + 4 * 2 * 200 * 8 + 1000);
  });
});

describe('candidates', () => {
  const model = CoPurchaseModel.build([basket(0, 'A', 'B'), basket(1, 'A', 'B'), basket(2, 'C', 'D'), basket(3, 'E')], flat);

  it('weighs recent purchases more and explains each item with the purchase it comes from', () => {
    const bought = (transactionId: string, day: number, channel: 'store' | 'online', locationId: string, sku: string): HistoryTransaction => ({
      transactionId,
      type: 'sale',
      channel,
      locationId,
      occurredAt: at(day).toISOString(),
      lines: [{ sku, quantity: 1 }],
    });
    let history = applyTransaction(emptyHistory('t', 'c'), bought('old', 0, 'store', 'madrid', 'A'))!;
    history = applyTransaction(history, bought('new', 60, 'online', 'web', 'C'))!;
    const list = customerCandidates(model, history, { channel: 'online', locationId: 'web' }, { now: at(61) });
    expect(list.map((c) => c.sku)).toEqual(['D', 'B', 'E']);
    expect(list[1]!.reason).toMatchObject({ kind: 'bought-before', sku: 'A', purchase: { channel: 'store', locationId: 'madrid' } });
    expect(list[2]!.reason).toMatchObject({ kind: 'best-seller' });
    // A repeat-purchase category keeps what she bought eligible.
    const repeat = applyTransaction(history, {
      transactionId: 'r',
      type: 'sale',
      channel: 'store',
      locationId: 'madrid',
      occurredAt: at(61).toISOString(),
      lines: [{ sku: 'B', quantity: 1, category: 'coffee' }],
    })!;
    expect(customerCandidates(model, repeat, { channel: 'store', locationId: 'madrid' }, { now: at(61) }).map((c) => c.sku)).not.toContain('B');
    expect(
      customerCandidates(model, repeat, { channel: 'store', locationId: 'madrid' }, { now: at(61), repeatPurchase: new Set(['coffee']) }).map((c) => c.sku),
    ).toContain('B');
  });

  it('recommends for a basket what goes with its lines, none of them', () => {
    expect(basketCandidates(model, ['A'], { channel: 'store', locationId: 'madrid' })[0]).toMatchObject({ sku: 'B', reason: { kind: 'in-basket', sku: 'A' } });
  });
});

describe('purchase history', () => {
  const sale = (transactionId: string, day: number, lines: Array<{ sku: string; quantity: number }>) =>
    ({ transactionId, type: 'sale', channel: 'store', locationId: 'madrid', occurredAt: at(day).toISOString(), lines }) as const;

  it('applies each transaction once; a return takes units back and removes what is all returned', () => {
    const once = applyTransaction(
      emptyHistory('t', 'c'),
      sale('s1', 0, [
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 1 },
      ]),
    )!;
    expect(applyTransaction(once, sale('s1', 0, [{ sku: 'A', quantity: 2 }]))).toBeUndefined();
    const back = applyTransaction(once, {
      ...sale('r1', 1, [
        { sku: 'A', quantity: 1 },
        { sku: 'B', quantity: 1 },
      ]),
      type: 'return',
    })!;
    expect(Object.fromEntries(Object.entries(back.items).map(([sku, i]) => [sku, i.quantity]))).toEqual({ A: 1 });
  });

  it('merges two histories: quantities add up, the later purchase explains', () => {
    const a = applyTransaction(emptyHistory('t', 'a'), sale('s1', 0, [{ sku: 'A', quantity: 1 }]))!;
    const b = applyTransaction(emptyHistory('t', 'b'), { ...sale('s2', 5, [{ sku: 'A', quantity: 2 }]), channel: 'online', locationId: 'web' })!;
    const merged = mergeHistories(a, b);
    expect(merged.items.A).toMatchObject({ quantity: 3, channel: 'online', transactionId: 's2' });
    expect(merged.applied.sort()).toEqual(['s1', 's2']);
    expect(merged.customerId).toBe('a');
  });
});

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
