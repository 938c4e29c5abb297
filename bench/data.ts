/** A seeded, repeatable retail day: SKUs, customers and the sales they make. */
export const STORES = [
  { locationId: 'madrid-centro', key: 'pos-madrid' },
  { locationId: 'barcelona-diagonal', key: 'pos-barcelona' },
] as const;

const CATEGORIES = ['shirts', 'trousers', 'coats', 'shoes', 'accessories', 'kids', 'home'];

/** Small deterministic PRNG, so two runs send the same mix. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Sku {
  sku: string;
  unitPrice: number;
  category: string;
}

export function catalog(count: number, rand: () => number): Sku[] {
  return Array.from({ length: count }, (_, i) => ({
    sku: `SKU-${String(i + 1).padStart(5, '0')}`,
    unitPrice: 199 + Math.floor(rand() * 200) * 50,
    category: CATEGORIES[i % CATEGORIES.length]!,
  }));
}

export const customerEmail = (run: string, n: number) => `customer-${n}@bench-${run}.example.com`;

export interface SaleOptions {
  run: string;
  skus: Sku[];
  customers: number;
  rand: () => number;
  /** Share of sales with a known customer. */
  identified: number;
  /** Share of sales in store (the rest online). */
  inStore: number;
  /** A public coupon code some sales carry (as a POS that was offline sends them). */
  publicCode?: string;
  /** Gift card redemptions made at checkout, for the sales that pay with one. */
  giftCardTenders?: Array<{ reference: string; amount: number }>;
}

let counter = 0;

/** One plausible sale: 1-4 lines, mostly identified, mostly in store. */
export function nextSale(options: SaleOptions) {
  const { rand, skus } = options;
  counter += 1;
  const store = rand() < options.inStore ? STORES[Math.floor(rand() * STORES.length)]! : undefined;
  const lines = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
    const sku = skus[Math.floor(rand() * skus.length)]!;
    return { sku: sku.sku, quantity: 1 + Math.floor(rand() * 2), unitPrice: sku.unitPrice, taxRate: 21, category: sku.category };
  });
  const total = lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0);
  const identified = rand() < options.identified;
  const coupons = options.publicCode && rand() < 0.1 ? [options.publicCode] : [];
  // A redemption pays for one sale only: each is used once.
  const giftCard = options.giftCardTenders?.length && rand() < 0.05 ? options.giftCardTenders.pop() : undefined;
  const tenders =
    giftCard && total > giftCard.amount
      ? [
          { type: 'giftCard', ...giftCard },
          { type: 'card', amount: total - giftCard.amount },
        ]
      : [{ type: 'card', amount: total }];
  const body = {
    type: 'sale',
    channel: store ? 'store' : 'online',
    locationId: store ? store.locationId : 'web-es',
    // A till rings one sale at a time: spread the load over the tills of a busy day.
    ...(store ? { terminalId: `till-${1 + Math.floor(rand() * 40)}` } : {}),
    externalId: `B-${options.run}-${counter}`,
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    currency: 'EUR',
    ...(identified ? { customer: { identifiers: [{ type: 'email', value: customerEmail(options.run, Math.floor(rand() * options.customers)) }] } } : {}),
    lines,
    coupons,
    tenders,
  };
  return { key: store ? store.key : 'ecommerce', body };
}
