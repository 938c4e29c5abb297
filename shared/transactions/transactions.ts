import { z } from 'zod';
import { IdentifierInput } from '../customers';
import { deterministicId } from '../kernel/ids';
import { codeField, idField } from '../kernel/id-rules';
import { defineEvent, type EventOf } from '../kernel/events';
import { refundedAmount, type Returned, type ReturnedLine } from './returns';

const minorUnits = z.number().int('must be a whole number of minor units (cents)').nonnegative().max(100_000_000_00);
const code = z.string().trim().min(1).max(64);
/** Ids end up in document ids and URLs: the id rule (400 naming the field otherwise). */
const id = idField(64);

export const TransactionLineInput = z
  .object({
    sku: id,
    quantity: z.number().int('must be a whole number of units').positive().max(100_000),
    unitPrice: minorUnits.describe('Unit price in minor units, VAT included'),
    taxRate: z.number().min(0).max(100).describe('VAT rate in percent, e.g. 21'),
    discount: minorUnits.default(0).describe('Discount on the whole line, in minor units'),
    category: code.optional(),
    description: z.string().trim().max(200).optional(),
    giftCardId: id.optional().describe('A gift card sold on this line: the sale activates it (cards issued with activateOnSale)'),
    recommendationId: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe('The recommendation list this item was bought from, as served: conversion is measured with it'),
  })
  .strict();

export const TenderInput = z
  .object({
    type: z.enum(['card', 'cash', 'giftCard', 'points', 'other']),
    amount: minorUnits.refine((n) => n > 0, 'must be greater than zero'),
    reference: z
      .string()
      .trim()
      .min(1)
      .max(128)
      .optional()
      .describe('giftCard: the gift card redemption id; points: the loyalty redemption reference; card: the payment reference'),
  })
  .strict();

export const TransactionInput = z
  .object({
    type: z.enum(['sale', 'return']),
    channel: z.enum(['store', 'online']),
    locationId: id,
    terminalId: id.optional().describe('The till; receipts number per till'),
    externalId: code.describe('POS ticket number or web order number; unique per channel and location'),
    occurredAt: z.iso
      .datetime({ offset: true })
      .describe('When it happened, ISO 8601 with offset: at most 5 minutes ahead of the platform clock, at most 7 days back unless imported'),
    import: z.boolean().optional().describe('Admin keys only: records a transaction older than the 7-day offline window (a migration or a late import)'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    customer: z
      .object({ identifiers: z.array(IdentifierInput).min(1).max(10) })
      .strict()
      .optional(),
    lines: z.array(TransactionLineInput).min(1).max(500),
    coupons: z.array(codeField(64)).max(20).default([]).describe('Coupon codes applied (a POS that was offline sends them here)'),
    couponHoldId: id.optional().describe('The coupon hold taken at checkout, confirmed by this sale'),
    reservationId: id.optional().describe('The stock reservation this sale completes (click & collect pickup)'),
    tenders: z.array(TenderInput).min(1).max(20),
    originalTransactionId: id.optional().describe('Returns: the sale returned, from either channel'),
  })
  .strict()
  .superRefine((tx, ctx) => {
    if (tx.type === 'return' && !tx.originalTransactionId) {
      ctx.addIssue({ code: 'custom', path: ['originalTransactionId'], message: 'is required for a return' });
    }
    if (tx.type === 'sale' && tx.originalTransactionId) {
      ctx.addIssue({ code: 'custom', path: ['originalTransactionId'], message: 'is only allowed on a return' });
    }
    tx.lines.forEach((line, i) => {
      if (line.discount > line.unitPrice * line.quantity) {
        ctx.addIssue({ code: 'custom', path: ['lines', i, 'discount'], message: 'is larger than the line amount' });
      }
    });
    const total = transactionTotal(tx.lines);
    const tendered = tx.tenders.reduce((sum, t) => sum + t.amount, 0);
    if (tendered !== total) {
      ctx.addIssue({ code: 'custom', path: ['tenders'], message: `add up to ${tendered} but the lines total ${total}` });
    }
  });
export type TransactionInput = z.infer<typeof TransactionInput>;
export type TransactionLineInput = z.infer<typeof TransactionLineInput>;

/**
 * The id of a transaction, derived from its natural key: retries, concurrent duplicates and a
 * later claim of the printed ticket all arrive at the same id without coordination.
 */
export function transactionIdOf(tenantId: string, channel: 'store' | 'online', locationId: string, externalId: string): string {
  return deterministicId('tx', tenantId, channel, locationId, externalId);
}

export function quantitiesBySku(lines: Array<{ sku: string; quantity: number }>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of lines) totals[line.sku] = (totals[line.sku] ?? 0) + line.quantity;
  return totals;
}

export function lineTotal(line: Pick<TransactionLineInput, 'quantity' | 'unitPrice' | 'discount'>): number {
  return line.quantity * line.unitPrice - line.discount;
}

export function transactionTotal(lines: Array<Pick<TransactionLineInput, 'quantity' | 'unitPrice' | 'discount'>>): number {
  return lines.reduce((sum, line) => sum + lineTotal(line), 0);
}

export interface TransactionLine extends TransactionLineInput {
  lineNumber: number;
  total: number;
}

export interface TransactionRecord {
  tenantId: string;
  transactionId: string;
  /** Second partition key: the customer id, or an anonymous bucket (see `anonymousKey`). */
  customerKey: string;
  customerId: string | null;
  type: 'sale' | 'return';
  channel: 'store' | 'online';
  locationId: string;
  terminalId: string | null;
  externalId: string;
  occurredAt: string;
  /** When the platform learnt of it. */
  recordedAt: string;
  /** Recorded with `import: true` by an admin key. */
  imported?: boolean;
  currency: string;
  lines: TransactionLine[];
  coupons: string[];
  couponHoldId?: string | null;
  reservationId?: string | null;
  tenders: TransactionInput['tenders'];
  totals: { gross: number; discount: number; net: number; items: number };
  originalTransactionId: string | null;
  /** On a sale: what each return took back, by return id and SKU (see `Returned`). */
  returned: Returned;
  identityConflicts: Array<{ type: string; customerId: string }>;
  /** True until the `transaction.recorded` event is confirmed sent; the sweeper resends the rest. */
  eventPending: boolean;
  /** When an anonymous sale was claimed by a customer afterwards. */
  claimedAt?: string | null;
  /** True until the `transaction.claimed` event is confirmed sent. */
  claimEventPending?: boolean;
}

export type { Returned, ReturnedLine } from './returns';

export const NOTHING_RETURNED: Returned = { byReturn: {} };

export function returnedQuantities(returned: Returned): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const lines of Object.values(returned.byReturn)) {
    for (const [sku, quantity] of Object.entries(lines)) totals[sku] = (totals[sku] ?? 0) + quantity;
  }
  return totals;
}

export function withReturn(
  returned: Returned,
  returnId: string,
  lines: Array<{ sku: string; quantity: number }>,
  byLine: Record<string, ReturnedLine> = {},
): Returned {
  return { byReturn: { ...returned.byReturn, [returnId]: quantitiesBySku(lines) }, lines: { ...returned.lines, [returnId]: byLine } };
}

/** The union of two views of one sale's returns; undefined when `a` already has everything in `b`. */
export function unionReturned(a: Returned, b: Returned): Returned | undefined {
  const missing = Object.keys(b.byReturn).filter((id) => !(id in a.byReturn));
  if (missing.length === 0) return undefined;
  return { byReturn: { ...b.byReturn, ...a.byReturn }, lines: { ...b.lines, ...a.lines } };
}

/**
 * Anonymous sales are spread over one partition per location and month: no single logical
 * partition grows past Cosmos DB's 20 GB, and a store's month can still be read in one partition.
 */
export function anonymousKey(locationId: string, occurredAt: string): string {
  return `anon:${locationId}:${new Date(occurredAt).toISOString().slice(0, 7)}`;
}

/** The public view of a transaction: what the API returns and the events carry. */
export const TransactionViewSchema = z
  .object({
    transactionId: z.string(),
    customerId: z.string().nullable(),
    type: z.enum(['sale', 'return']),
    channel: z.enum(['store', 'online']),
    locationId: z.string(),
    terminalId: z.string().nullable(),
    externalId: z.string(),
    occurredAt: z.string(),
    recordedAt: z.string(),
    currency: z.string(),
    lines: z.array(TransactionLineInput.extend({ lineNumber: z.number().int(), total: z.number().int() })),
    coupons: z.array(z.string()),
    couponHoldId: z.string().optional(),
    reservationId: z.string().optional(),
    tenders: z.array(TenderInput),
    totals: z.object({ gross: z.number().int(), discount: z.number().int(), net: z.number().int(), items: z.number().int() }),
    originalTransactionId: z.string().nullable(),
    claimedAt: z.string().optional(),
    returned: z.record(z.string(), z.number().int()).optional().describe('Sales: quantities returned so far, by SKU'),
    refunded: z.number().int().optional().describe('Sales: money refunded so far by its returns, minor units; never more than was paid for the units returned'),
    identityConflicts: z.array(z.object({ type: z.string(), customerId: z.string() })).optional(),
  })
  .meta({ id: 'Transaction' });
export type TransactionView = z.output<typeof TransactionViewSchema>;

export const TransactionPageSchema = z
  .object({
    items: z.array(TransactionViewSchema),
    continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page'),
  })
  .meta({ id: 'TransactionPage' });
export type TransactionPage = z.output<typeof TransactionPageSchema>;

export function transactionView(tx: TransactionRecord): TransactionView {
  return {
    transactionId: tx.transactionId,
    customerId: tx.customerId,
    type: tx.type,
    channel: tx.channel,
    locationId: tx.locationId,
    terminalId: tx.terminalId,
    externalId: tx.externalId,
    occurredAt: tx.occurredAt,
    recordedAt: tx.recordedAt,
    currency: tx.currency,
    lines: tx.lines,
    coupons: tx.coupons,
    couponHoldId: tx.couponHoldId ?? undefined,
    reservationId: tx.reservationId ?? undefined,
    tenders: tx.tenders,
    totals: tx.totals,
    originalTransactionId: tx.originalTransactionId,
    claimedAt: tx.claimedAt ?? undefined,
    returned: tx.type === 'sale' ? returnedQuantities(tx.returned) : undefined,
    refunded: tx.type === 'sale' ? refundedAmount(tx.lines, tx.returned) : undefined,
    identityConflicts: tx.identityConflicts.length > 0 ? tx.identityConflicts : undefined,
  };
}

/**
 * Routing attributes of the transaction events: consumers with nothing to do for a transaction
 * (an anonymous sale for loyalty, a sale without coupons for coupons) are not even invoked.
 */
function transactionRouting(tx: TransactionView) {
  return {
    identified: tx.customerId !== null,
    txtype: tx.type,
    channel: tx.channel,
    coupons: tx.coupons.length > 0 || tx.couponHoldId !== undefined,
    giftcards: tx.lines.some((line) => line.giftCardId !== undefined),
    reservation: tx.reservationId !== undefined,
  };
}

/** A sale or return was recorded (either channel). Data: the transaction's public view. */
export const TransactionRecorded = defineEvent('transaction.recorded', TransactionViewSchema, transactionRouting);
/** An anonymous sale attached to a customer afterwards: count it as if identified at the till. */
export const TransactionClaimed = defineEvent('transaction.claimed', TransactionViewSchema, transactionRouting);
export type TransactionEvent = EventOf<typeof TransactionRecorded> | EventOf<typeof TransactionClaimed>;
