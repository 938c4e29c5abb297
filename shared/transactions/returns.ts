import { unprocessable } from '../kernel/errors';

/**
 * What has been returned of a sale. Kept per return id: adding a return is idempotent, and two
 * copies of a sale (while it moves between partitions) reconcile exactly by taking the union.
 */
export interface Returned {
  /** Per return: units by SKU. */
  byReturn: Record<string, Record<string, number>>;
  /** Per return: what each sale line gave back, by line number (units and money); see `priceReturn`. */
  lines?: Record<string, Record<string, ReturnedLine>>;
}

/** Units and money (minor units) a return took back from one sale line. */
export interface ReturnedLine {
  quantity: number;
  amount: number;
}

/** A sale line as returns see it. */
export interface SoldLine {
  lineNumber: number;
  sku: string;
  quantity: number;
  unitPrice: number;
  taxRate: number;
  discount: number;
}

function bySku(lines: Array<{ sku: string; quantity: number }>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of lines) totals[line.sku] = (totals[line.sku] ?? 0) + line.quantity;
  return totals;
}

/** A return line as the till declares it. */
export interface DeclaredReturnLine {
  sku: string;
  quantity: number;
  unitPrice: number;
  taxRate: number;
  discount: number;
}

/**
 * The share of a sale line's discount that `units` more units take back after `before` were
 * returned: the difference of two proportional shares (rounded half up), so a line returned unit
 * by unit gives back exactly its discount, never a cent more or less.
 */
export function discountShare(line: Pick<SoldLine, 'quantity' | 'discount'>, before: number, units: number): number {
  const share = (n: number) => Math.round((line.discount * Math.min(n, line.quantity)) / line.quantity);
  return share(before + units) - share(before);
}

/**
 * Units and money already taken back from each sale line, by line number. Returns recorded
 * before lines were tracked count their units against the SKU's lines in line order, and the
 * money those units were paid.
 */
export function returnedByLine(saleLines: SoldLine[], returned: Returned): Map<number, ReturnedLine> {
  const byLine = new Map<number, ReturnedLine>(saleLines.map((l) => [l.lineNumber, { quantity: 0, amount: 0 }]));
  for (const [returnId, bySku] of Object.entries(returned.byReturn)) {
    const tracked = returned.lines?.[returnId];
    if (tracked) {
      for (const [lineNumber, taken] of Object.entries(tracked)) {
        const entry = byLine.get(Number(lineNumber));
        if (entry) {
          entry.quantity += taken.quantity;
          entry.amount += taken.amount;
        }
      }
      continue;
    }
    for (const [sku, quantity] of Object.entries(bySku)) {
      let units = quantity;
      for (const line of saleLines.filter((l) => l.sku === sku)) {
        const entry = byLine.get(line.lineNumber)!;
        const n = Math.min(units, line.quantity - entry.quantity);
        if (n <= 0) continue;
        entry.amount += n * line.unitPrice - discountShare(line, entry.quantity, n);
        entry.quantity += n;
        units -= n;
      }
    }
  }
  return byLine;
}

/** Money refunded so far across every return of a sale, minor units. */
export function refundedAmount(saleLines: SoldLine[], returned: Returned): number {
  return [...returnedByLine(saleLines, returned).values()].reduce((n, l) => n + l.amount, 0);
}

const money = (minor: number) => (minor / 100).toFixed(2);

/**
 * Prices a return from the sale it takes back. Each return line must be the sale's: the same SKU,
 * unit price and VAT rate as a sale line with units left, and the discount share those units
 * carry (`discountShare`); its units are taken from the matching sale lines in line order.
 * Returns what each sale line gives back (units and money), or refuses with a stable reason:
 * `return-exceeds-sale` (more units than remain) or `return-price-mismatch` (priced otherwise).
 * Since every unit goes back at what it was paid, the money refunded over all the returns of a
 * sale never exceeds what was paid for the units returned.
 */
export function priceReturn(sale: { lines: SoldLine[]; returned: Returned }, lines: DeclaredReturnLine[]): Record<string, ReturnedLine> {
  const sold = bySku(sale.lines);
  const returned = bySku(Object.values(sale.returned.byReturn).flatMap((skus) => Object.entries(skus).map(([sku, quantity]) => ({ sku, quantity }))));
  for (const [sku, quantity] of Object.entries(bySku(lines))) {
    const left = (sold[sku] ?? 0) - (returned[sku] ?? 0);
    if (quantity > left) {
      throw unprocessable('return-exceeds-sale', `SKU ${sku}: ${quantity} returned but only ${left} of ${sold[sku] ?? 0} sold remain returnable`);
    }
  }
  const taken = returnedByLine(sale.lines, sale.returned);
  const allocation: Record<string, ReturnedLine> = {};
  lines.forEach((line, i) => {
    const candidates = sale.lines.filter(
      (l) => l.sku === line.sku && l.unitPrice === line.unitPrice && l.taxRate === line.taxRate && l.quantity > taken.get(l.lineNumber)!.quantity,
    );
    const available = candidates.reduce((n, l) => n + l.quantity - taken.get(l.lineNumber)!.quantity, 0);
    if (available < line.quantity) {
      const prices = sale.lines.filter((l) => l.sku === line.sku).map((l) => `${money(l.unitPrice)} at ${l.taxRate}% VAT`);
      throw unprocessable(
        'return-price-mismatch',
        `Return line ${i + 1} (SKU ${line.sku}): ${line.quantity} at ${money(line.unitPrice)} with ${line.taxRate}% VAT, but the sale has ${line.sku} at ${[...new Set(prices)].join(', ')}`,
      );
    }
    let units = line.quantity;
    let discount = 0;
    for (const sold of candidates) {
      if (units === 0) break;
      const entry = taken.get(sold.lineNumber)!;
      const n = Math.min(units, sold.quantity - entry.quantity);
      const share = discountShare(sold, entry.quantity, n);
      const amount = n * sold.unitPrice - share;
      entry.quantity += n;
      entry.amount += amount;
      const mine = (allocation[String(sold.lineNumber)] ??= { quantity: 0, amount: 0 });
      mine.quantity += n;
      mine.amount += amount;
      discount += share;
      units -= n;
    }
    if (discount !== line.discount) {
      throw unprocessable(
        'return-price-mismatch',
        `Return line ${i + 1} (SKU ${line.sku}): the discount of these ${line.quantity} units is ${money(discount)} (their share of the sale line's discount), not ${money(line.discount)}`,
      );
    }
  });
  return allocation;
}
