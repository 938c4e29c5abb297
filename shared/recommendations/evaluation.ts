import { parse } from 'csv-parse';
import { CoPurchaseModel, DEFAULT_MODEL_SETTINGS, type Basket, type ModelSettings } from './co-purchase';
import { applyTransaction, emptyHistory, type PurchaseHistory } from './history';
import { customerCandidates } from './recommender';

/**
 * Offline evaluation on transactions in the UCI Online Retail format (invoice, stockCode,
 * description, quantity, invoiceDate, unitPrice, customerId, country), under the protocol of the
 * dataset's README: train on purchases before `testFrom`, score customers who bought in both
 * periods on the items new to them in [testFrom, testTo), top 10, already-bought excluded. The
 * recommender is trained and asked through the same model, history and candidate code the
 * platform serves with.
 */

export const K = 10;

export interface RetailRow {
  invoice: string;
  stockCode: string;
  description: string;
  quantity: number;
  invoiceDate: string;
  unitPrice: number;
  customerId: string;
}

export interface Metrics {
  precision: number;
  recall: number;
  hitRate: number;
  ndcg: number;
}

export interface EvaluationResult {
  testFrom: string;
  testTo: string | null;
  trainRows: number;
  trainInvoices: number;
  items: number;
  users: number;
  popularity: Metrics;
  recommender: Metrics;
  settings: ModelSettings;
}

/** Rows of a transactions file (CSV with a header, RFC 4180 quoting), one at a time. */
export async function* readRetailRows(source: AsyncIterable<Buffer | string>): AsyncGenerator<RetailRow> {
  const parser = parse({ from_line: 2, relax_column_count: true });
  const feeding = (async () => {
    for await (const chunk of source) if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
    parser.end();
  })();
  for await (const record of parser as AsyncIterable<string[]>) {
    const [invoice = '', stockCode = '', description = '', quantity = '', invoiceDate = '', unitPrice = '', customerId = ''] = record;
    yield { invoice, stockCode, description, quantity: Number(quantity), invoiceDate, unitPrice: Number(unitPrice), customerId };
  }
  await feeding;
}

const PRODUCT_CODE = /^\d{5}/;

/** The protocol's purchase: not a cancellation (C) or adjustment (A), positive quantity and price, a product code. */
export function isPurchase(row: RetailRow): boolean {
  return row.invoice[0] !== 'C' && row.invoice[0] !== 'A' && row.quantity > 0 && row.unitPrice > 0 && PRODUCT_CODE.test(row.stockCode);
}

/** Binary-gain metrics of one top-K list against the items actually bought. */
export function listMetrics(list: string[], truth: ReadonlySet<string>): Metrics {
  let hits = 0;
  let dcg = 0;
  list.slice(0, K).forEach((sku, k) => {
    if (truth.has(sku)) {
      hits += 1;
      dcg += 1 / Math.log2(k + 2);
    }
  });
  let idcg = 0;
  for (let k = 0; k < Math.min(K, truth.size); k++) idcg += 1 / Math.log2(k + 2);
  return { precision: hits / K, recall: hits / truth.size, hitRate: hits > 0 ? 1 : 0, ndcg: dcg / idcg };
}

interface Invoice {
  customerId: string;
  occurredAt: string;
  lines: Map<string, { quantity: number; description: string }>;
}

/** The file's local wall-clock times, read as UTC: only their order and distances matter. */
const instant = (localTime: string) => `${localTime}Z`;

export async function evaluate(
  rows: AsyncIterable<RetailRow> | Iterable<RetailRow>,
  period: { testFrom: string; testTo?: string },
  settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
): Promise<EvaluationResult> {
  const { testFrom, testTo } = period;
  const train = new Map<string, Invoice>();
  const test = new Map<string, Set<string>>();
  let trainRows = 0;
  for await (const row of rows) {
    if (!isPurchase(row)) continue;
    if (row.invoiceDate < testFrom) {
      trainRows += 1;
      let invoice = train.get(row.invoice);
      if (!invoice) train.set(row.invoice, (invoice = { customerId: row.customerId, occurredAt: row.invoiceDate, lines: new Map() }));
      const line = invoice.lines.get(row.stockCode);
      invoice.lines.set(row.stockCode, { quantity: (line?.quantity ?? 0) + row.quantity, description: line?.description || row.description });
    } else if ((testTo === undefined || row.invoiceDate < testTo) && row.customerId) {
      let bought = test.get(row.customerId);
      if (!bought) test.set(row.customerId, (bought = new Set()));
      bought.add(row.stockCode);
    }
  }

  // Train: every invoice (guests too) teaches the model; identified ones build their customer's history.
  const histories = new Map<string, PurchaseHistory>();
  const invoices = [...train].sort(([, a], [, b]) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  const inventory = new Map<string, number>();
  const baskets: Basket[] = [];
  for (const [invoiceId, invoice] of invoices) {
    const lines = [...invoice.lines].map(([sku, line]) => ({ sku, quantity: line.quantity, description: line.description || undefined }));
    const occurredAt = instant(invoice.occurredAt);
    baskets.push({ channel: 'online', locationId: 'web', occurredAt: new Date(occurredAt), lines });
    for (const { sku } of lines) inventory.set(sku, (inventory.get(sku) ?? 0) + 1);
    if (!invoice.customerId) continue;
    const history = histories.get(invoice.customerId) ?? emptyHistory('evaluation', invoice.customerId);
    const tx = { transactionId: invoiceId, type: 'sale' as const, channel: 'online' as const, locationId: 'web', occurredAt, lines };
    histories.set(invoice.customerId, applyTransaction(history, tx) ?? history);
  }

  const model = CoPurchaseModel.build(baskets, settings);

  // The popularity baseline: items by number of train invoices, ties by code.
  const popular = [...inventory].sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : 1)).map(([sku]) => sku);

  const sums = { popularity: zero(), recommender: zero() };
  let users = 0;
  const now = new Date(instant(testFrom));
  for (const [customerId, bought] of test) {
    const history = histories.get(customerId);
    if (!history) continue;
    const truth = new Set([...bought].filter((sku) => !(sku in history.items)));
    if (truth.size === 0) continue;
    users += 1;
    const popularList = firstK(popular, (sku) => !(sku in history.items));
    const recommended = customerCandidates(model, history, { channel: 'online', locationId: 'web' }, { now })
      .slice(0, K)
      .map((c) => c.sku);
    add(sums.popularity, listMetrics(popularList, truth));
    add(sums.recommender, listMetrics(recommended, truth));
  }
  return {
    testFrom,
    testTo: testTo ?? null,
    trainRows,
    trainInvoices: train.size,
    items: inventory.size,
    users,
    popularity: mean(sums.popularity, users),
    recommender: mean(sums.recommender, users),
    settings,
  };
}

function firstK(ordered: string[], keep: (sku: string) => boolean): string[] {
  const out: string[] = [];
  for (const sku of ordered) {
    if (!keep(sku)) continue;
    out.push(sku);
    if (out.length === K) break;
  }
  return out;
}

const zero = (): Metrics => ({ precision: 0, recall: 0, hitRate: 0, ndcg: 0 });
function add(sum: Metrics, m: Metrics): void {
  sum.precision += m.precision;
  sum.recall += m.recall;
  sum.hitRate += m.hitRate;
  sum.ndcg += m.ndcg;
}
function mean(sum: Metrics, n: number): Metrics {
  const round = (v: number) => (n > 0 ? Math.round((v / n) * 10_000) / 10_000 : 0);
  return { precision: round(sum.precision), recall: round(sum.recall), hitRate: round(sum.hitRate), ndcg: round(sum.ndcg) };
}
