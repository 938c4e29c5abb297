import { z } from 'zod';
import { normalizeIdentifier, type IdentifierInput } from '../customers';
import { CODE_PATTERN, ID_PATTERN } from '../kernel/id-rules';
import { discountShare, transactionTotal, type TransactionInput, type TransactionView } from '../transactions';

/**
 * Shopify's webhook payloads (REST JSON, as its published examples), reduced to the fields the
 * connector reads; anything else is let through and ignored. Amounts arrive as decimal strings in
 * the shop's currency (`currency`); `presentment_currency` is what the buyer saw.
 */
const Amount = z.union([z.string(), z.number()]).transform(String);
const ShopifyId = z.union([z.number(), z.string()]).transform(String);
const TaxLine = z.looseObject({ price: Amount, rate: z.number().min(0).max(1) });
const Allocation = z.looseObject({ amount: Amount });
const LineItem = z.looseObject({
  id: ShopifyId,
  sku: z.string().nullish(),
  variant_id: ShopifyId.nullish(),
  title: z.string().nullish(),
  quantity: z.number().int().positive(),
  price: Amount,
  tax_lines: z.array(TaxLine).default([]),
  discount_allocations: z.array(Allocation).default([]),
});
const ShippingLine = z.looseObject({ price: Amount, tax_lines: z.array(TaxLine).default([]), discount_allocations: z.array(Allocation).default([]) });
const Consent = z.looseObject({ state: z.string(), consent_updated_at: z.string().nullish() }).nullish();

export const ShopifyCustomer = z.looseObject({
  id: ShopifyId,
  email: z.string().nullish(),
  phone: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email_marketing_consent: Consent,
  sms_marketing_consent: Consent,
});
export type ShopifyCustomer = z.output<typeof ShopifyCustomer>;

export const ShopifyOrder = z.looseObject({
  id: ShopifyId,
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  created_at: z.string(),
  processed_at: z.string().nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  presentment_currency: z.string().nullish(),
  taxes_included: z.boolean(),
  total_price: Amount,
  discount_codes: z.array(z.looseObject({ code: z.string() })).default([]),
  line_items: z.array(LineItem).min(1),
  shipping_lines: z.array(ShippingLine).default([]),
  customer: ShopifyCustomer.nullish(),
});
export type ShopifyOrder = z.output<typeof ShopifyOrder>;

export const ShopifyRefund = z.looseObject({
  id: ShopifyId,
  order_id: ShopifyId,
  created_at: z.string(),
  processed_at: z.string().nullish(),
  refund_line_items: z
    .array(z.looseObject({ quantity: z.number().int().positive(), line_item: LineItem.pick({ sku: true, variant_id: true, title: true }).loose() }))
    .default([]),
  transactions: z.array(z.looseObject({ kind: z.string(), status: z.string().nullish(), amount: Amount, currency: z.string().nullish() })).default([]),
});
export type ShopifyRefund = z.output<typeof ShopifyRefund>;

/** The topics the connector handles; Shopify is subscribed to these. */
export const TOPICS = ['orders/paid', 'refunds/create', 'customers/create', 'customers/update'] as const;
export type Topic = (typeof TOPICS)[number];

/** A payload the platform cannot take as it is: kept in the dead-letter store with this reason, nothing applied. */
export class Unmappable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Unmappable';
  }
}

/** Digits after the decimal point in the currency (2 for EUR, 0 for JPY, 3 for KWD). */
export function exponentOf(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    throw new Unmappable(`unknown currency ${currency}`);
  }
}

/** A decimal amount in minor units, exactly (no floating point): "19.99" EUR is 1999. */
export function minorUnits(amount: string, currency: string): number {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new Unmappable(`amount ${amount} is not a non-negative decimal`);
  const exponent = exponentOf(currency);
  const fraction = (match[2] ?? '').padEnd(exponent, '0');
  if (/[1-9]/.test(fraction.slice(exponent))) throw new Unmappable(`amount ${amount} has more decimals than ${currency} allows`);
  return Number(match[1]) * 10 ** exponent + Number(fraction.slice(0, exponent) || '0');
}

/** The platform SKU of a Shopify line: its SKU when it is a valid id, else the variant's id. */
export function skuOf(line: { sku?: string | null; variant_id?: string | null; title?: string | null }): string {
  const sku = line.sku?.trim();
  if (sku && sku.length <= 64 && ID_PATTERN.test(sku)) return sku;
  if (line.variant_id) return `shopify-variant-${line.variant_id}`;
  throw new Unmappable(`line "${line.title ?? '?'}" has neither a usable SKU nor a variant id`);
}

/** The sale's external id: Shopify's order id is unique across shops, unlike its name (#1001). */
export const orderExternalId = (orderId: string) => `shopify-${orderId}`;
export const refundExternalId = (refundId: string) => `shopify-refund-${refundId}`;
export const SHIPPING_SKU = 'shipping';

/** The customer's identifiers that pass the platform's checks (an invalid phone is dropped, not fatal). */
export function identifiersOf(tenantId: string, country: string, customer: { id?: string; email?: string | null; phone?: string | null }): IdentifierInput[] {
  const candidates: IdentifierInput[] = [
    ...(customer.id ? [{ type: 'ecommerceId' as const, value: customer.id }] : []),
    ...(customer.email ? [{ type: 'email' as const, value: customer.email }] : []),
    ...(customer.phone ? [{ type: 'phone' as const, value: customer.phone }] : []),
  ];
  return candidates.filter((c) => !('error' in normalizeIdentifier(tenantId, c, country)));
}

interface PricedLine {
  quantity: number;
  unitPrice: number;
  taxRate: number;
  discount: number;
}

/**
 * One line at the platform's prices (VAT included, minor units). With taxes included, Shopify's
 * price is the unit price and its discount allocations the discount. Without, the unit price is
 * the price with its tax rate added, and the discount whatever makes the line's total exactly
 * what Shopify charged (price x quantity - discounts + tax): the total is never rounded.
 */
function priceLine(
  line: { quantity: number; price: string; tax_lines: Array<{ price: string; rate: number }>; discount_allocations: Array<{ amount: string }> },
  order: { currency: string; taxes_included: boolean },
): PricedLine & { total: number } {
  const { currency } = order;
  const price = minorUnits(line.price, currency);
  const rate = line.tax_lines.reduce((sum, t) => sum + t.rate, 0);
  const taxRate = Math.round(rate * 10_000) / 100;
  const tax = line.tax_lines.reduce((sum, t) => sum + minorUnits(t.price, currency), 0);
  const discounts = line.discount_allocations.reduce((sum, a) => sum + minorUnits(a.amount, currency), 0);
  const q = line.quantity;
  if (order.taxes_included) {
    if (discounts > price * q) throw new Unmappable('a line is discounted beyond its amount');
    return { quantity: q, unitPrice: price, taxRate, discount: discounts, total: price * q - discounts };
  }
  const total = price * q - discounts + tax;
  if (total < 0) throw new Unmappable('a line is discounted beyond its amount');
  const unitPrice = Math.max(Math.round(price * (1 + rate)), Math.ceil(total / q));
  return { quantity: q, unitPrice, taxRate, discount: unitPrice * q - total, total };
}

/** An `orders/paid` payload as a platform sale of the online location, or why it cannot be one. */
export function saleOf(order: ShopifyOrder, context: { tenantId: string; locationId: string; country: string; currency: string }): TransactionInput {
  if (order.currency !== context.currency) {
    throw new Unmappable(`the order is in ${order.currency} but location ${context.locationId} trades in ${context.currency}`);
  }
  const lines: TransactionInput['lines'] = order.line_items.map((item) => {
    const { total: _total, ...priced } = priceLine(item, order);
    return { sku: skuOf(item), ...priced, ...(item.title ? { description: item.title.slice(0, 200) } : {}) };
  });
  for (const shipping of order.shipping_lines) {
    const { total, ...priced } = priceLine({ ...shipping, quantity: 1 }, order);
    if (total > 0) lines.push({ sku: SHIPPING_SKU, category: 'shipping', description: 'Shipping', ...priced });
  }
  const total = transactionTotal(lines);
  const charged = minorUnits(order.total_price, order.currency);
  if (total !== charged) throw new Unmappable(`the lines add up to ${total} but the order's total_price is ${charged} (minor units)`);
  if (total === 0) throw new Unmappable('the order charged nothing');
  const customer = identifiersOf(context.tenantId, context.country, {
    id: order.customer?.id,
    email: order.customer?.email ?? order.email,
    phone: order.customer?.phone ?? order.phone,
  });
  return {
    type: 'sale',
    channel: 'online',
    locationId: context.locationId,
    externalId: orderExternalId(order.id),
    occurredAt: order.processed_at ?? order.created_at,
    currency: order.currency,
    ...(customer.length > 0 ? { customer: { identifiers: customer } } : {}),
    lines,
    // Codes the platform could know (its coupon code alphabet); Shopify's own other codes stay in Shopify.
    coupons: order.discount_codes.map((d) => d.code.trim()).filter((code) => code.length <= 64 && CODE_PATTERN.test(code)),
    tenders: [{ type: 'card', amount: total, reference: `shopify ${order.name ?? order.id}`.slice(0, 128) }],
  };
}

/**
 * A `refunds/create` payload as a return of the order's sale, priced from the sale as the platform
 * requires: each refunded unit takes its line's unit price, VAT rate and share of the discount.
 * Shopify's refunded amount, when given in the sale's currency, must agree (to a cent per line).
 */
export function returnOf(refund: ShopifyRefund, sale: TransactionView): TransactionInput {
  if (refund.refund_line_items.length === 0) throw new Unmappable('the refund returns no line items (an amount-only or shipping refund is not a return)');
  const returnedBefore: Record<string, number> = { ...sale.returned };
  const lines: TransactionInput['lines'] = [];
  for (const item of refund.refund_line_items) {
    const sku = skuOf(item.line_item);
    let units = item.quantity;
    let before = returnedBefore[sku] ?? 0;
    returnedBefore[sku] = before + units;
    for (const soldLine of sale.lines.filter((l) => l.sku === sku)) {
      if (units === 0) break;
      // Units already returned fill the sale's lines of this SKU in line order, as the platform counts them.
      const taken = Math.min(before, soldLine.quantity);
      before -= taken;
      const n = Math.min(units, soldLine.quantity - taken);
      if (n <= 0) continue;
      lines.push({ sku, quantity: n, unitPrice: soldLine.unitPrice, taxRate: soldLine.taxRate, discount: discountShare(soldLine, taken, n) });
      units -= n;
    }
    if (units > 0) throw new Unmappable(`SKU ${sku}: ${item.quantity} refunded but fewer remain returnable on the sale`);
  }
  const total = transactionTotal(lines);
  const refunded = refund.transactions.filter(
    (t) => t.kind === 'refund' && (t.status ?? 'success') === 'success' && (t.currency ?? sale.currency) === sale.currency,
  );
  if (refunded.length > 0) {
    const amount = refunded.reduce((sum, t) => sum + minorUnits(t.amount, sale.currency), 0);
    if (Math.abs(amount - total) > lines.length) {
      throw new Unmappable(`Shopify refunded ${amount} but the returned units were paid ${total} (minor units): a fee or shipping refund needs a person`);
    }
  }
  return {
    type: 'return',
    channel: 'online',
    locationId: sale.locationId,
    externalId: refundExternalId(refund.id),
    occurredAt: refund.processed_at ?? refund.created_at,
    currency: sale.currency,
    lines,
    coupons: [],
    tenders: [{ type: 'card', amount: total, reference: `shopify refund ${refund.id}` }],
    originalTransactionId: sale.transactionId,
  };
}

/** What a `customers/create|update` payload says: identifiers, name, marketing consents. */
export function identificationOf(customer: ShopifyCustomer, context: { tenantId: string; locationId: string; country: string }) {
  const identifiers = identifiersOf(context.tenantId, context.country, customer);
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ').trim();
  const consent = (purpose: 'marketingEmail' | 'marketingSms', c: z.output<typeof Consent>) =>
    c && ['subscribed', 'unsubscribed', 'not_subscribed'].includes(c.state)
      ? [{ purpose, granted: c.state === 'subscribed', ...(c.consent_updated_at ? { at: c.consent_updated_at } : {}) }]
      : [];
  const consents = [...consent('marketingEmail', customer.email_marketing_consent), ...consent('marketingSms', customer.sms_marketing_consent)];
  return {
    identifiers,
    locationId: context.locationId,
    ...(name ? { profile: { name: name.slice(0, 200) } } : {}),
    ...(consents.length > 0 ? { consents } : {}),
  };
}

export const ShopInput = z
  .object({
    appSecret: z.string().min(16).max(256).describe("The app's client secret: Shopify signs every webhook with it"),
    locationId: z.string().trim().min(1).max(64).regex(ID_PATTERN).describe('The online location its orders are recorded at'),
  })
  .strict();
export const ShopDomain = z.string().regex(/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/, 'must be the shop’s myshopify.com domain, e.g. my-shop.myshopify.com');

export const ShopViewSchema = z
  .object({
    shopDomain: z.string(),
    locationId: z.string(),
    webhookUrl: z.string().describe('Where to point the shop’s webhooks (append it to the platform’s base URL)'),
    topics: z.array(z.string()),
    connectedAt: z.string(),
  })
  .meta({ id: 'ShopifyShop' });
export type ShopView = z.output<typeof ShopViewSchema>;

export const ReceivedSchema = z
  .object({
    outcome: z.enum(['recorded', 'duplicate', 'dead-lettered', 'ignored']),
    webhookId: z.string(),
    topic: z.string(),
    transactionId: z.string().optional().describe('The sale or return recorded'),
    customerId: z.string().optional(),
    reason: z.string().optional().describe('Why it was dead-lettered'),
  })
  .meta({ id: 'ShopifyWebhookReceived' });
export type Received = z.output<typeof ReceivedSchema>;

export const DeadLetterSchema = z
  .object({
    webhookId: z.string(),
    shopDomain: z.string(),
    topic: z.string(),
    reason: z.string(),
    receivedAt: z.string(),
    payload: z.string().describe('The body exactly as received'),
  })
  .meta({ id: 'ShopifyDeadLetter' });
export type DeadLetter = z.output<typeof DeadLetterSchema>;
export const DeadLetterListSchema = z.object({ items: z.array(DeadLetterSchema) }).meta({ id: 'ShopifyDeadLetterList' });
