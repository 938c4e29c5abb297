import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { codeField, idField } from '../kernel/id-rules';

/**
 * Campaign rules and the pure evaluation of a coupon code against a basket: no storage here,
 * so every reason code and every discount can be tested without a server.
 */

const minorUnits = z.number().int('must be a whole number of minor units (cents)').nonnegative().max(100_000_000_00);
const text = z.string().trim().min(1).max(64);
const channel = z.enum(['store', 'online']);

// Crockford base32: no I, L, O, U; what a customer types is read leniently (see `normalizeCode`).
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const Discount = z.discriminatedUnion('type', [
  z.object({ type: z.literal('percentage'), percent: z.number().positive().max(100) }).strict(),
  z.object({ type: z.literal('fixedAmount'), amount: minorUnits.refine((n) => n > 0, 'must be greater than zero') }).strict(),
  z.object({ type: z.literal('fixedPrice'), price: minorUnits.describe('What each eligible unit costs with the coupon') }).strict(),
]);
export type Discount = z.infer<typeof Discount>;

const ItemFilter = z.object({ skus: z.array(text).max(1000).default([]), categories: z.array(text).max(100).default([]) }).strict();

export const CampaignInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    discount: Discount,
    validFrom: z.iso.datetime({ offset: true }),
    validTo: z.iso.datetime({ offset: true }),
    channels: z.array(channel).min(1).max(2).default(['store', 'online']).describe('Default: every channel'),
    locationIds: z.array(text).max(1000).optional().describe('Default: every location'),
    minimumBasket: minorUnits.default(0),
    eligible: ItemFilter.optional().describe('Empty: every item is eligible'),
    excluded: ItemFilter.optional(),
    budget: z
      .object({ redemptions: z.number().int().positive().optional(), amount: minorUnits.optional().describe('Total discount the campaign may give') })
      .strict()
      .optional(),
    perCustomerLimit: z.number().int().positive().max(1000).optional().describe('Redemptions per customer; codes then need a customer'),
    stackable: z.boolean().default(false).describe('Whether it combines with other coupons in one basket'),
    publicCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{4,32}$/, 'must be 4 to 32 letters, digits or hyphens')
      .optional(),
    usesPerCode: z.number().int().positive().max(1000).default(1).describe('For unique and personal codes'),
    segments: z
      .array(idField(64))
      .min(1)
      .max(20)
      .optional()
      .describe('Only members of at least one of these customer segments may use it (codes then need a customer)'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (Date.parse(c.validTo) <= Date.parse(c.validFrom)) ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
    // 16 characters is the shape of unique codes, which are recognised without a lookup.
    if (c.publicCode && normalizeCode(c.publicCode).length === 16)
      ctx.addIssue({ code: 'custom', path: ['publicCode'], message: 'may not be 16 characters long' });
  });
export type CampaignInput = z.infer<typeof CampaignInput>;

export const BasketLine = z
  .object({
    sku: text,
    quantity: z.number().int().positive().max(100_000),
    unitPrice: minorUnits,
    discount: minorUnits.default(0),
    category: text.optional(),
  })
  .strip();
export type BasketLine = z.infer<typeof BasketLine>;

export const CouponRequest = z
  .object({
    codes: z.array(codeField(64)).min(1).max(10),
    customerId: idField(128).optional(),
    channel,
    locationId: idField(64),
    lines: z.array(BasketLine).min(1).max(500),
  })
  .strict();
export type CouponRequest = z.infer<typeof CouponRequest>;

export const CouponReason = z.enum([
  'unknown',
  'not-yet-valid',
  'expired',
  'channel-not-allowed',
  'location-not-allowed',
  'minimum-not-reached',
  'no-eligible-items',
  'budget-exhausted',
  'customer-limit-reached',
  'not-stackable',
  'already-redeemed',
  'customer-required',
  'not-this-customer',
  'not-in-segment',
]);
export type CouponReason = z.output<typeof CouponReason>;

/** A counter that never passes its limit: confirmed uses plus uses held by open holds. */
export interface Counter {
  used: number;
  spent: number;
  /** Open holds by hold id: what each holds and until when (epoch ms). */
  pending: Record<string, PendingUse>;
  /** Holds whose use a return gave back (so a redelivered return gives it back once). */
  restored: Record<string, true>;
}
export interface PendingUse {
  n: number;
  amt: number;
  exp: number;
}
export const EMPTY_COUNTER: Counter = { used: 0, spent: 0, pending: {}, restored: {} };

export interface Campaign extends Counter {
  tenantId: string;
  campaignId: string;
  /** Five base32 characters that start every unique and personal code of the campaign. */
  key: string;
  name: string;
  discount: Discount;
  validFrom: string;
  validTo: string;
  channels: Array<'store' | 'online'>;
  locationIds: string[] | null;
  minimumBasket: number;
  eligible: { skus: string[]; categories: string[] };
  excluded: { skus: string[]; categories: string[] };
  budget: { redemptions: number | null; amount: number | null };
  perCustomerLimit: number | null;
  stackable: boolean;
  publicCode: string | null;
  usesPerCode: number;
  /** Segments whose members alone may use it; absent or empty: everyone. */
  segments?: string[];
  /** Signs unique codes so they need no stored copy until used; never leaves the store. */
  secret: string;
  nextSerial: number;
  createdAt: string;
}

/** A unique or personal code's own counter (absent until first used, for unique codes). */
export interface CodeUsage extends Counter {
  tenantId: string;
  code: string;
  campaignId: string;
  customerId: string | null;
  issuedAt: string | null;
  /** Who issued a personal code: `api`, or the offer rule (`rule:<ruleId>`). */
  source?: string;
  /** True until its `coupon.issued` is confirmed published. */
  eventPending?: boolean;
}

export function campaignIdOf(key: string): string {
  return `cmp_${key.toLowerCase()}`;
}
export function keyOfCampaignId(campaignId: string): string | undefined {
  const match = /^cmp_([0-9a-hjkmnp-tv-z]{5})$/.exec(campaignId);
  return match ? match[1]!.toUpperCase() : undefined;
}

export function newCampaignKey(): string {
  return [...randomBytes(5)].map((b) => CODE_ALPHABET[b & 31]).join('');
}

/** Upper case, hyphens and spaces dropped, O read as 0, I and L as 1: what a cashier retypes still matches. */
export function normalizeCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

const SERIAL_LENGTH = 4;
const MAC_LENGTH = 7;
export const MAX_SERIAL = 32 ** SERIAL_LENGTH;

function base32(value: number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out = CODE_ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

function mac(secret: string, body: string): string {
  const digest = createHmac('sha256', secret).update(body).digest();
  return [...digest.subarray(0, MAC_LENGTH)].map((b) => CODE_ALPHABET[b & 31]).join('');
}

/**
 * A unique code is key (5) + serial (4) + signature (7), 16 characters. The 35-bit signature makes
 * codes unguessable without storing 100,000 of them: a code is checked by recomputing it.
 */
export function uniqueCode(campaign: Pick<Campaign, 'key' | 'secret'>, serial: number): string {
  const body = campaign.key + base32(serial, SERIAL_LENGTH);
  return body + mac(campaign.secret, body);
}

export function isUniqueCodeOf(campaign: Pick<Campaign, 'key' | 'secret'>, code: string): boolean {
  return code.length === 16 && code.startsWith(campaign.key) && mac(campaign.secret, code.slice(0, 9)) === code.slice(9);
}

export function campaignKeyOfCode(code: string): string | undefined {
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(code) ? code.slice(0, 5) : undefined;
}

/** Uses that are still held: a hold past its expiry counts as released, whether or not the sweeper ran. */
export function liveUses(counter: Counter, now: number): { used: number; spent: number } {
  let { used, spent } = counter;
  for (const use of Object.values(counter.pending)) {
    if (use.exp <= now) {
      used -= use.n;
      spent -= use.amt;
    }
  }
  return { used, spent };
}

export interface CodeContext {
  /** Normalised. */
  code: string;
  /** As the customer or cashier typed it: what the results echo. */
  entered?: string;
  campaign: Campaign;
  /** The code's own counter: unique and personal codes (absent until first use). */
  usage?: CodeUsage;
  /** Whether the code has its own per-code limit (unique or personal, not the public code). */
  limitedCode: boolean;
  /** The customer's counter for this campaign, when the campaign limits uses per customer. */
  customerUsage?: Counter;
  /** Whether the customer belongs to one of the campaign's segments (campaigns restricted to segments). */
  inSegment?: boolean;
}

export const CouponResultSchema = z
  .object({
    code: z.string().describe('As entered'),
    valid: z.boolean(),
    reason: CouponReason.optional().describe('Why it cannot be used (invalid codes only)'),
    campaignId: z.string().optional().describe('Absent for unknown codes'),
    discount: z.number().int().describe('Minor units, over the whole basket'),
    lines: z.array(z.object({ lineNumber: z.number().int(), discount: z.number().int() })).describe('Basket lines it discounts (1-based)'),
  })
  .meta({ id: 'CouponResult' });
export type CouponResult = z.output<typeof CouponResultSchema>;

export interface EvaluationRequest {
  customerId?: string;
  channel: 'store' | 'online';
  locationId: string;
  lines: BasketLine[];
  /** When the checkout happens (now, or when an offline sale happened). */
  at: Date;
}

const lineBase = (line: BasketLine) => line.quantity * line.unitPrice - line.discount;

function isEligible(campaign: Campaign, line: BasketLine): boolean {
  const { eligible, excluded } = campaign;
  const category = line.category ?? '';
  if (excluded.skus.includes(line.sku) || excluded.categories.includes(category)) return false;
  if (eligible.skus.length === 0 && eligible.categories.length === 0) return true;
  return eligible.skus.includes(line.sku) || eligible.categories.includes(category);
}

/** The discount on each line, given what earlier coupons already took off (`taken`). */
export function discountLines(campaign: Campaign, lines: BasketLine[], taken: number[]): number[] {
  const remaining = lines.map((line, i) => (isEligible(campaign, line) ? Math.max(0, lineBase(line) - (taken[i] ?? 0)) : 0));
  const { discount } = campaign;
  if (discount.type === 'percentage') return remaining.map((r) => Math.round((r * discount.percent) / 100));
  if (discount.type === 'fixedPrice') return remaining.map((r, i) => (r > 0 ? Math.max(0, r - discount.price * lines[i]!.quantity) : 0));
  // A fixed amount is spread over the eligible lines in proportion, never more than they cost.
  const total = remaining.reduce((a, b) => a + b, 0);
  const amount = Math.min(discount.amount, total);
  if (total === 0) return remaining.map(() => 0);
  const shares = remaining.map((r) => Math.floor((r * amount) / total));
  let left = amount - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0 && i < shares.length; i += 1) {
    if (remaining[i]! > shares[i]!) {
      shares[i]! += 1;
      left -= 1;
    }
  }
  return shares;
}

/**
 * Evaluates every code in order; nothing is consumed. A code that fails gets the first reason
 * in the order a customer would understand it (does it exist, is it valid now, here, for you,
 * is anything left, does the basket qualify, does it combine).
 */
export function evaluateCoupons(
  contexts: Array<CodeContext | { code: string; entered?: string; campaign?: undefined }>,
  request: EvaluationRequest,
): CouponResult[] {
  const taken = request.lines.map(() => 0);
  const accepted: Campaign[] = [];
  const now = request.at.getTime();
  return contexts.map((context) => {
    const entered = context.entered ?? context.code;
    const refuse = (reason: CouponReason): CouponResult => ({
      code: entered,
      valid: false,
      reason,
      campaignId: context.campaign?.campaignId,
      discount: 0,
      lines: [],
    });
    if (!context.campaign) return refuse('unknown');
    const { campaign, usage, customerUsage } = context as CodeContext;
    if (now < Date.parse(campaign.validFrom)) return refuse('not-yet-valid');
    if (now >= Date.parse(campaign.validTo)) return refuse('expired');
    if (!campaign.channels.includes(request.channel)) return refuse('channel-not-allowed');
    if (campaign.locationIds && !campaign.locationIds.includes(request.locationId)) return refuse('location-not-allowed');
    if (usage?.customerId && usage.customerId !== request.customerId) return refuse(request.customerId ? 'not-this-customer' : 'customer-required');
    if (campaign.perCustomerLimit !== null && !request.customerId) return refuse('customer-required');
    if (campaign.segments?.length && !request.customerId) return refuse('customer-required');
    if (campaign.segments?.length && !(context as CodeContext).inSegment) return refuse('not-in-segment');
    if ((context as CodeContext).limitedCode && liveUses(usage ?? EMPTY_COUNTER, now).used >= campaign.usesPerCode) return refuse('already-redeemed');
    const budget = liveUses(campaign, now);
    if (campaign.budget.redemptions !== null && budget.used >= campaign.budget.redemptions) return refuse('budget-exhausted');
    if (campaign.perCustomerLimit !== null && liveUses(customerUsage ?? EMPTY_COUNTER, now).used >= campaign.perCustomerLimit)
      return refuse('customer-limit-reached');
    const basket = request.lines.reduce((sum, line) => sum + lineBase(line), 0);
    if (basket < campaign.minimumBasket) return refuse('minimum-not-reached');
    if (!request.lines.some((line) => isEligible(campaign, line) && lineBase(line) > 0)) return refuse('no-eligible-items');
    if (accepted.length > 0 && (!campaign.stackable || accepted.some((c) => !c.stackable || c.campaignId === campaign.campaignId)))
      return refuse('not-stackable');
    const perLine = discountLines(campaign, request.lines, taken);
    const discount = perLine.reduce((a, b) => a + b, 0);
    if (campaign.budget.amount !== null && budget.spent + discount > campaign.budget.amount) return refuse('budget-exhausted');
    perLine.forEach((d, i) => (taken[i] = taken[i]! + d));
    accepted.push(campaign);
    return {
      code: entered,
      valid: true,
      campaignId: campaign.campaignId,
      discount,
      lines: perLine.map((d, i) => ({ lineNumber: i + 1, discount: d })).filter((l) => l.discount > 0),
    };
  });
}
