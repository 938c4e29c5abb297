import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { familiesOfLine } from '../transactions';

/**
 * Offer rules as data (trigger -> conditions -> actions) and their pure evaluation: which version
 * is in force at an event's time, whether the trigger fires, which conditions hold, whether a
 * frequency cap allows another activation. No storage here.
 */

const text = z.string().trim().min(1).max(64);
const minorUnits = z.number().int('must be a whole number of minor units (cents)').nonnegative().max(100_000_000_00);
const channel = z.enum(['store', 'online']);
const eventName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1 to 64 lower-case letters, digits, ".", "_" or "-"');

export const Trigger = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('sale') })
    .strict()
    .describe('A sale in either channel (with the conditions below)'),
  z
    .object({ type: z.literal('first-purchase') })
    .strict()
    .describe("The customer's first sale"),
  z
    .object({ type: z.literal('return') })
    .strict()
    .describe('A return'),
  z.object({ type: z.literal('segment-entered'), segmentId: idField(64) }).strict(),
  z.object({ type: z.literal('segment-left'), segmentId: idField(64) }).strict(),
  z.object({ type: z.literal('tier-changed'), toTier: text.optional().describe('Only into this tier; absent: any change') }).strict(),
  z
    .object({ type: z.literal('points-threshold'), threshold: z.number().int().positive().max(100_000_000) })
    .strict()
    .describe('Spendable plus pending points reach the threshold from below'),
  z.object({ type: z.literal('birthday'), daysBefore: z.number().int().min(0).max(60) }).strict(),
  z
    .object({ type: z.literal('lapsed'), days: z.number().int().min(1).max(3650) })
    .strict()
    .describe('No purchase for this many days'),
  z
    .object({ type: z.literal('api-event'), name: eventName })
    .strict()
    .describe('An event the retailer sends (POST /api/v1/offers/events)'),
]);
export type Trigger = z.output<typeof Trigger>;
export type TriggerType = Trigger['type'];

/** Triggers a sale or return raises: the only ones basket, channel and location conditions apply to. */
export const SALE_TRIGGERS: readonly TriggerType[] = ['sale', 'first-purchase', 'return'];
/** Triggers the daily timer evaluates (they need customer traits). */
export const TIMED_TRIGGERS: readonly TriggerType[] = ['birthday', 'lapsed'];

export const Conditions = z
  .object({
    minimumBasket: minorUnits.optional().describe('Net total of the sale, minor units'),
    skus: z.array(text).min(1).max(1000).optional().describe('Any of these SKUs bought'),
    families: z.array(text).min(1).max(200).optional().describe("Any line in these catalogue families (the line's category when it has no families)"),
    brands: z.array(text).min(1).max(200).optional(),
    categories: z.array(text).min(1).max(200).optional(),
    channels: z.array(channel).min(1).max(2).optional(),
    locationIds: z.array(idField(64)).min(1).max(1000).optional(),
    segmentIds: z.array(idField(64)).min(1).max(20).optional().describe('The customer belongs to at least one'),
  })
  .strict();
export type Conditions = z.output<typeof Conditions>;
const SALE_CONDITIONS = ['minimumBasket', 'skus', 'families', 'brands', 'categories', 'channels', 'locationIds'] as const;

export const MarketingPurpose = z.enum(['marketingEmail', 'marketingSms', 'marketingPush']);
export type MarketingPurpose = z.output<typeof MarketingPurpose>;

export const Action = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('issue-coupon'), campaignId: idField(64) })
    .strict()
    .describe('A personal code of the campaign, into the wallet'),
  z
    .object({
      type: z.literal('award-points'),
      points: z.number().int().positive().max(1_000_000),
      reverseOnReturn: z.boolean().default(false).describe('Taken back when the sale that earned them is returned in full'),
    })
    .strict(),
  z
    .object({
      type: z.literal('notify'),
      purposes: z.array(MarketingPurpose).min(1).max(3).default(['marketingEmail']).describe('Channels, each sent only with its marketing consent'),
      message: z.string().trim().min(1).max(500).optional(),
    })
    .strict()
    .describe('An `offer.issued` CloudEvent for the retailer’s messaging system'),
]);
export type Action = z.output<typeof Action>;

export const FrequencyCap = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('once') })
    .strict()
    .describe('Once per customer, ever'),
  z
    .object({ type: z.literal('every'), days: z.number().int().positive().max(3650) })
    .strict()
    .describe('At most once every `days` days per customer'),
]);
export type FrequencyCap = z.output<typeof FrequencyCap>;

export const RuleInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    trigger: Trigger,
    conditions: Conditions.default({}),
    actions: z.array(Action).min(1).max(5),
    validFrom: z.iso.datetime({ offset: true }).optional().describe('Default: from now'),
    validTo: z.iso.datetime({ offset: true }).optional().describe('Default: no end'),
    active: z.boolean().default(true),
    budget: z
      .object({ activations: z.number().int().positive().max(100_000_000).describe('Times the rule may act in all') })
      .strict()
      .optional(),
    cap: FrequencyCap.optional().describe('Per customer; absent: once per triggering event'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.validFrom && rule.validTo && Date.parse(rule.validTo) <= Date.parse(rule.validFrom)) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'must be after validFrom' });
    }
    if (!SALE_TRIGGERS.includes(rule.trigger.type)) {
      for (const name of SALE_CONDITIONS) {
        if (rule.conditions[name] !== undefined)
          ctx.addIssue({ code: 'custom', path: ['conditions', name], message: `applies only to sale, first-purchase and return triggers` });
      }
    }
    rule.actions.forEach((action, i) => {
      if (action.type === 'award-points' && action.reverseOnReturn && !['sale', 'first-purchase'].includes(rule.trigger.type)) {
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'reverseOnReturn'], message: 'needs a sale or first-purchase trigger' });
      }
    });
  });
export type RuleInput = z.output<typeof RuleInput>;

/** One version of a rule: what was in force from `since`. */
export interface RuleVersion {
  version: number;
  since: string;
  name: string;
  trigger: Trigger;
  conditions: Conditions;
  actions: Action[];
  validFrom: string;
  validTo: string | null;
  active: boolean;
  budget: { activations: number } | null;
  cap: FrequencyCap | null;
}

export interface Rule {
  tenantId: string;
  ruleId: string;
  /** Oldest first; an edit appends one, never changes one. */
  versions: RuleVersion[];
  createdAt: string;
  updatedAt: string;
}

export function versionOf(input: RuleInput, version: number, since: string): RuleVersion {
  return {
    version,
    since,
    name: input.name,
    trigger: input.trigger,
    conditions: input.conditions,
    actions: input.actions,
    validFrom: input.validFrom ? new Date(input.validFrom).toISOString() : since,
    validTo: input.validTo ? new Date(input.validTo).toISOString() : null,
    active: input.active,
    budget: input.budget ?? null,
    cap: input.cap ?? null,
  };
}

export const current = (rule: Rule): RuleVersion => rule.versions[rule.versions.length - 1]!;

/** The version in force at `at`: the newest one made at or before it (an event applies the rule as it was when it happened). */
export function versionAt(rule: Rule, at: string): RuleVersion | undefined {
  const t = Date.parse(at);
  let found: RuleVersion | undefined;
  for (const v of rule.versions) if (Date.parse(v.since) <= t) found = v;
  return found;
}

/** Why a version does not act at `at`, if it does not. */
export function inactiveReason(version: RuleVersion | undefined, at: string): 'no-version' | 'paused' | 'not-yet-valid' | 'expired' | undefined {
  if (!version) return 'no-version';
  if (!version.active) return 'paused';
  const t = Date.parse(at);
  if (t < Date.parse(version.validFrom)) return 'not-yet-valid';
  if (version.validTo && t >= Date.parse(version.validTo)) return 'expired';
  return undefined;
}

/** A sale line as conditions read it: the catalogue's fields when present. */
export interface SaleLineFacts {
  sku: string;
  category?: string;
  families?: string[];
  brand?: string;
}

/** What happened, as rules read it. */
export interface TriggerEvent {
  type: TriggerType;
  /** With the rule and customer, identifies the activation: the same event always gives the same key. */
  key: string;
  customerId: string;
  at: string;
  sale?: { transactionId: string; channel: 'store' | 'online'; locationId: string; total: number; lines: SaleLineFacts[] };
  segmentId?: string;
  tier?: string | null;
  previousTier?: string | null;
  balance?: number;
  previousBalance?: number;
  name?: string;
  /** Birthday and lapsed: the parameter the timer matched (days before, or days since). */
  days?: number;
}

/** Whether this trigger fires for the event (its type and its parameters). */
export function triggerFires(trigger: Trigger, event: TriggerEvent): boolean {
  if (trigger.type !== event.type) return false;
  switch (trigger.type) {
    case 'segment-entered':
    case 'segment-left':
      return trigger.segmentId === event.segmentId;
    case 'tier-changed':
      return event.tier !== event.previousTier && (trigger.toTier === undefined || trigger.toTier === event.tier);
    case 'points-threshold':
      return (event.previousBalance ?? 0) < trigger.threshold && (event.balance ?? 0) >= trigger.threshold;
    case 'birthday':
      return trigger.daysBefore === event.days;
    case 'lapsed':
      return trigger.days === event.days;
    case 'api-event':
      return trigger.name === event.name;
    default:
      return true;
  }
}

export interface ConditionResult {
  condition: keyof Conditions;
  held: boolean;
  detail: string;
}

const lineMatches = (lines: SaleLineFacts[], test: (line: SaleLineFacts) => boolean) => lines.some(test);

/**
 * Each condition of the version and whether it held. `membership` answers the segment condition
 * (looked up beforehand, only when the rule has one).
 */
export function evaluateConditions(conditions: Conditions, event: TriggerEvent, membership: Record<string, boolean> = {}): ConditionResult[] {
  const results: ConditionResult[] = [];
  const sale = event.sale;
  const add = (condition: keyof Conditions, held: boolean, detail: string) => results.push({ condition, held, detail });
  if (conditions.minimumBasket !== undefined) {
    add('minimumBasket', (sale?.total ?? 0) >= conditions.minimumBasket, `basket ${sale?.total ?? 0}, minimum ${conditions.minimumBasket}`);
  }
  const lines = sale?.lines ?? [];
  if (conditions.skus) {
    const wanted = new Set(conditions.skus);
    add(
      'skus',
      lineMatches(lines, (l) => wanted.has(l.sku)),
      `any of ${conditions.skus.join(', ')}`,
    );
  }
  if (conditions.families) {
    const wanted = new Set(conditions.families);
    const held = lineMatches(lines, (l) => familiesOfLine(l).some((f) => wanted.has(f)));
    add('families', held, `any line in ${conditions.families.join(', ')}`);
  }
  if (conditions.brands) {
    const wanted = new Set(conditions.brands);
    add(
      'brands',
      lineMatches(lines, (l) => l.brand !== undefined && wanted.has(l.brand)),
      `any line of ${conditions.brands.join(', ')}`,
    );
  }
  if (conditions.categories) {
    const wanted = new Set(conditions.categories);
    add(
      'categories',
      lineMatches(lines, (l) => l.category !== undefined && wanted.has(l.category)),
      `any line in ${conditions.categories.join(', ')}`,
    );
  }
  if (conditions.channels) add('channels', sale !== undefined && conditions.channels.includes(sale.channel), `channel ${sale?.channel ?? 'none'}`);
  if (conditions.locationIds)
    add('locationIds', sale !== undefined && conditions.locationIds.includes(sale.locationId), `location ${sale?.locationId ?? 'none'}`);
  if (conditions.segmentIds) {
    const member = conditions.segmentIds.filter((s) => membership[s]);
    add('segmentIds', member.length > 0, member.length > 0 ? `member of ${member.join(', ')}` : 'member of none');
  }
  return results;
}

/** A per-customer cap's state: how many times the rule acted for the customer, and when last (epoch ms of the event). */
export interface CapState {
  n: number;
  last: number;
}

const DAY_MS = 86_400_000;

/** The newest event time a previous activation may have had for the cap to allow one at `at`. */
export function capCutoff(cap: Extract<FrequencyCap, { type: 'every' }>, at: string): number {
  return Date.parse(at) - cap.days * DAY_MS;
}

/** Whether the cap allows another activation at `at`. */
export function capAllows(cap: FrequencyCap | null, state: CapState | undefined, at: string): boolean {
  if (!cap || !state || state.n === 0) return true;
  if (cap.type === 'once') return false;
  return state.last <= capCutoff(cap, at);
}
