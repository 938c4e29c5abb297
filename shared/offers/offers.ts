import { z } from 'zod';
import { DomainError, invalid, notFound, type FieldIssue } from '../kernel/errors';
import { createEvent, type EventOf } from '../kernel/events';
import { deterministicId, randomId } from '../kernel/ids';
import { idField } from '../kernel/id-rules';
import type { Clock, CreateOutcome, EventPublisher, Logger } from '../kernel/ports';
import { requireCurrentCustomer, type CustomerStore } from '../customers';
import { quantitiesBySku, returnedQuantities, transactionTotal, type TransactionRecorded, type TransactionStore, type TransactionView } from '../transactions';
import type { LoyaltyPointsChangedEvent } from '../loyalty';
import { OfferIssued, type OfferBenefit, type OfferIssuedData } from './events';
import type { SegmentDirectory } from './segments';
import {
  Action,
  capAllows,
  Conditions,
  current,
  evaluateConditions,
  FrequencyCap,
  inactiveReason,
  type RuleInput,
  TIMED_TRIGGERS,
  Trigger,
  triggerFires,
  versionAt,
  versionOf,
  type CapState,
  type ConditionResult,
  type MarketingPurpose,
  type Rule,
  type RuleVersion,
  type TriggerEvent,
} from './rules';

/** Why an activation did not act. */
export type Stop = 'frequency-cap' | 'budget-exhausted';

/** One (rule, customer, triggering event): created once, acts at most once. */
export interface Activation {
  tenantId: string;
  activationId: string;
  ruleId: string;
  ruleVersion: number;
  ruleName: string;
  customerId: string;
  trigger: { type: string; key: string; at: string; transactionId: string | null };
  /** claiming: taking its place in the cap and budget; acting: its actions are being carried out. */
  status: 'claiming' | 'acting' | 'acted' | 'capped';
  reason: Stop | null;
  benefits: OfferBenefit[];
  /** Bonus points awards to take back when the sale is returned in full. */
  reversibleAwards: Array<{ awardId: string; points: number }>;
  reversed: boolean;
  /** The consented channels the notification went to; null when the rule does not notify. */
  notified: MarketingPurpose[] | null;
  /** The notify action's message, for `offer.issued`. */
  message?: string;
  /** True until its `offer.issued` is confirmed published. */
  eventPending: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface OfferStore {
  createRule(rule: Rule): Promise<CreateOutcome>;
  getRule(tenantId: string, ruleId: string): Promise<{ rule: Rule; etag: string } | undefined>;
  replaceRule(rule: Rule, etag: string): Promise<boolean>;
  listRules(tenantId: string): Promise<Rule[]>;
  /** Rules with a birthday or lapsed trigger in some version, across tenants (the daily timer). */
  timedRules(): Promise<Rule[]>;
  getActivation(tenantId: string, activationId: string): Promise<Activation | undefined>;
  createActivation(activation: Activation): Promise<CreateOutcome>;
  updateActivation(tenantId: string, activationId: string, mutate: (a: Activation) => Activation | undefined): Promise<Activation | undefined>;
  activationsOfRule(tenantId: string, ruleId: string): Promise<Activation[]>;
  activationsOfCustomer(tenantId: string, customerId: string): Promise<Activation[]>;
  activationsOfSale(tenantId: string, transactionId: string): Promise<Activation[]>;
  unannounced(changedBefore: string, limit: number): Promise<Activation[]>;
  readCap(tenantId: string, ruleId: string, customerId: string): Promise<(CapState & { pending: Record<string, unknown> }) | undefined>;
  /** Takes the customer's place in the rule's cap in one atomic step; `applied` also when this activation already holds it. */
  claimCap(tenantId: string, ruleId: string, customerId: string, activationId: string, atMs: number, cap: FrequencyCap): Promise<'applied' | 'refused'>;
  releaseCap(tenantId: string, ruleId: string, customerId: string, activationId: string): Promise<void>;
  readBudget(tenantId: string, ruleId: string): Promise<{ used: number; pending: Record<string, unknown> } | undefined>;
  /** Takes one of the rule's budget in one atomic step; `applied` also when this activation already holds it. */
  claimBudget(tenantId: string, ruleId: string, activationId: string, limit: number): Promise<'applied' | 'refused'>;
  /** Forgets which activation held a place in the counters named (its activation records it now). */
  settle(tenantId: string, ruleId: string, customerId: string, activationId: string, counters: { cap: boolean; budget: boolean }): Promise<void>;
}

/** What offers need of coupons. */
export interface CouponPort {
  issuePersonal(tenantId: string, campaignId: string, customerId: string, issueId: string, source: string): Promise<{ code: string; customerId: string }>;
  getCampaign(tenantId: string, campaignId: string): Promise<unknown>;
  redemptionsByChannel(tenantId: string, campaignId: string, codes: string[]): Promise<{ store: number; online: number }>;
}

/** What offers need of loyalty. */
export interface PointsPort {
  awardBonus(
    tenantId: string,
    customerId: string,
    input: { awardId: string; points: number; reference: string; transactionId: string | null },
  ): Promise<{ customerId: string; points: number } | undefined>;
  reverseBonus(tenantId: string, customerId: string, awardId: string): Promise<boolean>;
}

const RULE_CACHE_MS = 5_000;
const MAX_ATTEMPTS = 20;
/** How many of a customer's newest transactions tell a first purchase apart. */
const FIRST_PURCHASE_WINDOW = 20;

export const RuleViewSchema = z
  .object({
    ruleId: z.string(),
    version: z.number().int(),
    since: z.string().describe('When this version came into force'),
    name: z.string(),
    trigger: Trigger,
    conditions: Conditions,
    actions: z.array(Action),
    validFrom: z.string(),
    validTo: z.string().nullable(),
    active: z.boolean(),
    budget: z.object({ activations: z.number().int() }).nullable(),
    cap: FrequencyCap.nullable(),
    versions: z.array(z.object({ version: z.number().int(), since: z.string(), active: z.boolean() })).describe('Every version, oldest first'),
    createdAt: z.string(),
  })
  .meta({ id: 'OfferRule' });
export type RuleView = z.output<typeof RuleViewSchema>;

export const RuleListSchema = z.object({ items: z.array(RuleViewSchema) }).meta({ id: 'OfferRuleList' });

export const ApiEventInput = z
  .object({
    eventId: idField(128).describe('Unique per event: a repeat with the same id acts on nothing more'),
    name: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1 to 64 lower-case letters, digits, ".", "_" or "-"'),
    customerId: idField(128),
    occurredAt: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
  })
  .strict();
export type ApiEventInput = z.output<typeof ApiEventInput>;

const ActivationViewSchema = z.object({
  activationId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  ruleName: z.string(),
  customerId: z.string(),
  trigger: z.object({ type: z.string(), key: z.string(), at: z.string(), transactionId: z.string().nullable() }),
  status: z.enum(['claiming', 'acting', 'acted', 'capped']),
  reason: z.enum(['frequency-cap', 'budget-exhausted']).nullable(),
  benefits: z.array(z.record(z.string(), z.unknown())),
  reversed: z.boolean(),
  notified: z.array(z.string()).nullable(),
  createdAt: z.string(),
});
export type ActivationView = z.output<typeof ActivationViewSchema>;

export const ApiEventResultSchema = z
  .object({ eventId: z.string(), activations: z.array(ActivationViewSchema).describe('The rules that acted (or were capped) for the event') })
  .meta({ id: 'OfferEventResult' });

export const SimulationInput = z
  .object({
    customerId: idField(128),
    at: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
    event: z
      .object({
        type: z.enum([
          'sale',
          'first-purchase',
          'return',
          'segment-entered',
          'segment-left',
          'tier-changed',
          'points-threshold',
          'birthday',
          'lapsed',
          'api-event',
        ]),
        channel: z.enum(['store', 'online']).optional(),
        locationId: idField(64).optional(),
        lines: z
          .array(
            z
              .object({
                sku: idField(64),
                quantity: z.number().int().positive().max(100_000),
                unitPrice: z.number().int().nonnegative(),
                discount: z.number().int().nonnegative().default(0),
                category: z.string().trim().min(1).max(64).optional(),
                families: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
                brand: z.string().trim().min(1).max(64).optional(),
              })
              .strict(),
          )
          .max(500)
          .optional(),
        segmentId: idField(64).optional(),
        tier: z.string().nullable().optional(),
        previousTier: z.string().nullable().optional(),
        balance: z.number().int().optional(),
        previousBalance: z.number().int().optional(),
        name: z.string().optional(),
        days: z.number().int().optional(),
      })
      .strict(),
  })
  .strict();
export type SimulationInput = z.output<typeof SimulationInput>;

export const SimulationSchema = z
  .object({
    ruleId: z.string(),
    version: z.number().int().nullable().describe('The version in force at the time asked'),
    inForce: z.boolean(),
    inactiveReason: z.enum(['no-version', 'paused', 'not-yet-valid', 'expired']).nullable(),
    triggerFires: z.boolean(),
    conditions: z.array(z.object({ condition: z.string(), held: z.boolean(), detail: z.string() })),
    actions: z.array(z.object({ type: z.string(), wouldRun: z.boolean(), detail: z.string() })),
    stoppedBy: z.enum(['frequency-cap', 'budget-exhausted']).nullable().describe('The cap or budget that would stop it now'),
    wouldAct: z.boolean(),
  })
  .meta({ id: 'OfferSimulation' });
export type Simulation = z.output<typeof SimulationSchema>;

export const RuleReportSchema = z
  .object({
    ruleId: z.string(),
    triggered: z.number().int().describe('Events for which the trigger fired and the conditions held'),
    acted: z.number().int(),
    capped: z.number().int().describe('Stopped by the frequency cap or the budget'),
    cappedBy: z.object({ frequencyCap: z.number().int(), budget: z.number().int() }),
    couponsIssued: z.number().int(),
    couponsRedeemed: z.object({ store: z.number().int(), online: z.number().int() }).describe('Issued codes redeemed, by the channel of the sale'),
    pointsAwarded: z.number().int(),
    budget: z.object({ activations: z.number().int(), used: z.number().int() }).nullable(),
  })
  .meta({ id: 'OfferRuleReport' });
export type RuleReport = z.output<typeof RuleReportSchema>;

/** Offers' section of the 360 view and the export: what the customer was given and why. */
export const OffersSection = z.object({
  offers: z.array(
    z.object({
      activationId: z.string(),
      ruleId: z.string(),
      ruleName: z.string(),
      why: z.string().describe('The trigger that earned it, e.g. `first-purchase` on transaction tx_...'),
      at: z.string(),
      benefits: z.array(z.record(z.string(), z.unknown())),
      reversed: z.boolean(),
    }),
  ),
});
export type OffersSection = z.output<typeof OffersSection>;

export function ruleView(rule: Rule): RuleView {
  const v = current(rule);
  return {
    ruleId: rule.ruleId,
    version: v.version,
    since: v.since,
    name: v.name,
    trigger: v.trigger,
    conditions: v.conditions,
    actions: v.actions,
    validFrom: v.validFrom,
    validTo: v.validTo,
    active: v.active,
    budget: v.budget,
    cap: v.cap,
    versions: rule.versions.map(({ version, since, active }) => ({ version, since, active })),
    createdAt: rule.createdAt,
  };
}

export function activationView(a: Activation): ActivationView {
  const { activationId, ruleId, ruleVersion, ruleName, customerId, trigger, status, reason, benefits, reversed, notified, createdAt } = a;
  return { activationId, ruleId, ruleVersion, ruleName, customerId, trigger, status, reason, benefits, reversed, notified, createdAt };
}

/**
 * The engine: rules as versioned data, evaluated against what customers do. Each (rule, customer,
 * triggering event) has one activation with a deterministic id, created idempotently; its place in
 * the per-customer cap and in the rule's budget is taken by a conditional single-document patch
 * that records the activation (the counters coupons use for campaign limits), so redelivery and
 * concurrency never act twice nor pass a limit; its actions are idempotent by the same id.
 */
export class OfferService {
  private readonly rules = new Map<string, { rules: Rule[]; until: number }>();

  constructor(
    private readonly store: OfferStore,
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly coupons: CouponPort,
    private readonly points: PointsPort,
    private readonly segments: SegmentDirectory,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
  ) {}

  // --- rules ---

  async createRule(tenantId: string, input: RuleInput): Promise<RuleView> {
    await this.checkReferences(tenantId, input);
    const now = this.clock.now().toISOString();
    const rule: Rule = { tenantId, ruleId: randomId('rule'), versions: [versionOf(input, 1, now)], createdAt: now, updatedAt: now };
    await this.store.createRule(rule);
    this.rules.delete(tenantId);
    return ruleView(rule);
  }

  async getRule(tenantId: string, ruleId: string): Promise<RuleView> {
    return ruleView(await this.requireRule(tenantId, ruleId));
  }

  async listRules(tenantId: string): Promise<RuleView[]> {
    return (await this.store.listRules(tenantId)).map(ruleView);
  }

  /** An edit is a new version in force from now; events that happened before keep the version of their time. */
  async updateRule(tenantId: string, ruleId: string, input: RuleInput): Promise<RuleView> {
    await this.requireRule(tenantId, ruleId);
    await this.checkReferences(tenantId, input);
    return this.addVersion(tenantId, ruleId, (_latest, version, since) => versionOf(input, version, since));
  }

  /** Pausing and resuming are versions too, so an event is judged by the state of its time. */
  async setActive(tenantId: string, ruleId: string, active: boolean): Promise<RuleView> {
    return this.addVersion(tenantId, ruleId, (latest, version, since) => (latest.active === active ? undefined : { ...latest, version, since, active }));
  }

  private async addVersion(tenantId: string, ruleId: string, next: (latest: RuleVersion, version: number, since: string) => RuleVersion | undefined) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const stored = await this.store.getRule(tenantId, ruleId);
      if (!stored) throw notFound(`Rule ${ruleId}`);
      const latest = current(stored.rule);
      const now = this.clock.now().toISOString();
      // A version starts strictly after the previous one, so the version in force at any instant is one.
      const since = Date.parse(now) > Date.parse(latest.since) ? now : new Date(Date.parse(latest.since) + 1).toISOString();
      const version = next(latest, latest.version + 1, since);
      if (!version) return ruleView(stored.rule);
      const rule = { ...stored.rule, versions: [...stored.rule.versions, version], updatedAt: now };
      if (await this.store.replaceRule(rule, stored.etag)) {
        this.rules.delete(tenantId);
        return ruleView(rule);
      }
    }
    throw new DomainError('conflict', 'The rule is being changed; retry shortly');
  }

  /** Campaigns and segments a rule names must exist; segment-based rules need segments on the platform. */
  private async checkReferences(tenantId: string, input: RuleInput): Promise<void> {
    const segmentFields: string[] = [];
    if (input.trigger.type === 'segment-entered' || input.trigger.type === 'segment-left') segmentFields.push('trigger.segmentId');
    if (TIMED_TRIGGERS.includes(input.trigger.type)) segmentFields.push('trigger.type');
    if (input.conditions.segmentIds) segmentFields.push('conditions.segmentIds');
    if (segmentFields.length > 0 && !this.segments.available) {
      throw new DomainError('unprocessable', 'segments are not available on this platform', {
        reason: 'segments-unavailable',
        issues: segmentFields.map((field) => ({
          field,
          message: field === 'trigger.type' ? 'needs customer traits, which segments provide: segments are not available' : 'segments are not available',
        })),
      });
    }
    const issues: FieldIssue[] = [];
    await Promise.all([
      ...input.actions.map(async (action, i) => {
        if (action.type !== 'issue-coupon') return;
        try {
          await this.coupons.getCampaign(tenantId, action.campaignId);
        } catch (error) {
          if (!(error instanceof DomainError && error.code === 'not-found')) throw error;
          issues.push({ field: `actions.${i}.campaignId`, message: `campaign ${action.campaignId} does not exist` });
        }
      }),
      ...(input.trigger.type === 'segment-entered' || input.trigger.type === 'segment-left'
        ? [this.requireSegment(tenantId, input.trigger.segmentId, 'trigger.segmentId', issues)]
        : []),
      ...(input.conditions.segmentIds ?? []).map((segmentId, i) => this.requireSegment(tenantId, segmentId, `conditions.segmentIds.${i}`, issues)),
    ]);
    if (issues.length > 0) throw invalid(issues.sort((a, b) => a.field.localeCompare(b.field)));
  }

  private async requireSegment(tenantId: string, segmentId: string, field: string, issues: FieldIssue[]): Promise<void> {
    if (!(await this.segments.exists(tenantId, segmentId))) issues.push({ field, message: `segment ${segmentId} does not exist` });
  }

  private async requireRule(tenantId: string, ruleId: string): Promise<Rule> {
    const stored = await this.store.getRule(tenantId, ruleId);
    if (!stored) throw notFound(`Rule ${ruleId}`);
    return stored.rule;
  }

  /** The tenant's rules, kept a few seconds in the process: a sale that triggers nothing costs no read most of the time. */
  private async rulesOf(tenantId: string): Promise<Rule[]> {
    const cached = this.rules.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.rules;
    const rules = await this.store.listRules(tenantId);
    this.rules.set(tenantId, { rules, until: Date.now() + RULE_CACHE_MS });
    return rules;
  }

  // --- triggers ---

  /** `transaction.recorded` of an identified customer: sale, first purchase, return (and bonus points taken back on a full return). */
  async handleTransaction(event: EventOf<typeof TransactionRecorded>, log: Logger): Promise<number> {
    const tx = event.data;
    const tenantId = event.tenantid;
    if (!tx.customerId) return 0;
    const rules = await this.rulesOf(tenantId);
    const at = event.time;
    const wants = (type: string) => rules.some((r) => r.versions.some((v) => v.trigger.type === type));
    const sale = saleFacts(tx);
    const events: TriggerEvent[] = [];
    if (tx.type === 'return') {
      if (rules.some((r) => r.versions.some((v) => v.actions.some((a) => a.type === 'award-points' && a.reverseOnReturn)))) {
        await this.reverseOnReturn(tenantId, tx, log);
      }
      if (wants('return')) events.push({ type: 'return', key: tx.transactionId, customerId: tx.customerId, at, sale });
    } else {
      if (wants('sale')) events.push({ type: 'sale', key: tx.transactionId, customerId: tx.customerId, at, sale });
      if (wants('first-purchase') && (await this.isFirstPurchase(tenantId, tx))) {
        events.push({ type: 'first-purchase', key: tx.transactionId, customerId: tx.customerId, at, sale });
      }
    }
    let acted = 0;
    for (const e of events) acted += (await this.dispatch(tenantId, rules, e, log)).length;
    return acted;
  }

  /** `loyalty.points.changed`: tier changes and balances crossing a threshold. */
  async handlePointsChanged(event: LoyaltyPointsChangedEvent, log: Logger): Promise<number> {
    const rules = await this.rulesOf(event.tenantid);
    const d = event.data;
    const base = { key: event.id, customerId: d.customerId, at: event.time };
    const events: TriggerEvent[] = [
      { ...base, type: 'tier-changed', tier: d.tier, previousTier: d.previousTier },
      { ...base, type: 'points-threshold', balance: d.spendable + d.pending, previousBalance: d.spendable + d.pending - d.change },
    ];
    let acted = 0;
    for (const e of events) acted += (await this.dispatch(event.tenantid, rules, e, log)).length;
    return acted;
  }

  /** A customer entered or left a segment (the segments capability's events). */
  async handleSegmentChange(
    tenantId: string,
    change: { eventId: string; segmentId: string; customerId: string; at: string; entered: boolean },
    log: Logger,
  ): Promise<number> {
    const rules = await this.rulesOf(tenantId);
    const e: TriggerEvent = {
      type: change.entered ? 'segment-entered' : 'segment-left',
      key: change.eventId,
      customerId: change.customerId,
      at: change.at,
      segmentId: change.segmentId,
    };
    return (await this.dispatch(tenantId, rules, e, log)).length;
  }

  /** An event the retailer sends (an app install...): evaluated at once, idempotent by its id. */
  async receiveApiEvent(tenantId: string, input: ApiEventInput, log: Logger): Promise<{ eventId: string; activations: ActivationView[] }> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, input.customerId);
    const at = input.occurredAt ? new Date(input.occurredAt).toISOString() : this.clock.now().toISOString();
    const e: TriggerEvent = { type: 'api-event', key: input.eventId, customerId: customer.customerId, at, name: input.name };
    const activations = await this.dispatch(tenantId, await this.rulesOf(tenantId), e, log);
    return { eventId: input.eventId, activations: activations.map(activationView) };
  }

  /**
   * The daily timer: birthday (N days before) and lapsed (no purchase for N days) rules, with the
   * customers whose traits match today, as the segments capability computes them.
   */
  async runDaily(log: Logger): Promise<number> {
    if (!this.segments.available) return 0;
    const now = this.clock.now();
    const at = now.toISOString();
    let acted = 0;
    for (const rule of await this.store.timedRules()) {
      const version = versionAt(rule, at);
      if (inactiveReason(version, at) || !version) continue;
      const trigger = version.trigger;
      if (trigger.type !== 'birthday' && trigger.type !== 'lapsed') continue;
      const trait = trigger.type === 'birthday' ? 'daysUntilBirthday' : 'daysSinceLastPurchase';
      const days = trigger.type === 'birthday' ? trigger.daysBefore : trigger.days;
      for await (const customerId of this.segments.customersMatching(rule.tenantId, { all: [{ trait, operator: 'equals', value: days }] })) {
        // Once a year for a birthday; once per purchase that went quiet for a lapse.
        const key =
          trigger.type === 'birthday'
            ? `birthday:${new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 4)}`
            : `lapsed:${new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10)}`;
        const e: TriggerEvent = { type: trigger.type, key, customerId, at, days };
        acted += (await this.dispatch(rule.tenantId, [rule], e, log)).length;
      }
    }
    return acted;
  }

  /** Every rule whose version at the event's time fires and whose conditions hold gets an activation. */
  private async dispatch(tenantId: string, rules: Rule[], e: TriggerEvent, log: Logger): Promise<Activation[]> {
    const activations: Activation[] = [];
    for (const rule of rules) {
      const version = versionAt(rule, e.at);
      if (!version || inactiveReason(version, e.at) || !triggerFires(version.trigger, e)) continue;
      const conditions = evaluateConditions(version.conditions, e, await this.membership(tenantId, version, e.customerId));
      if (conditions.some((c) => !c.held)) continue;
      activations.push(await this.activate(tenantId, rule, version, e, log));
    }
    return activations;
  }

  private async membership(tenantId: string, version: RuleVersion, customerId: string): Promise<Record<string, boolean>> {
    const ids = version.conditions.segmentIds ?? [];
    const answers = await Promise.all(ids.map((id) => this.segments.isMember(tenantId, id, customerId)));
    return Object.fromEntries(ids.map((id, i) => [id, answers[i]!]));
  }

  /**
   * Whether the sale is the customer's first: no other sale of theirs happened before it (among
   * their newest transactions; a customer with a full page of them has bought before).
   */
  private async isFirstPurchase(tenantId: string, tx: TransactionView): Promise<boolean> {
    const page = await this.transactions.listForCustomer(tenantId, tx.customerId!, FIRST_PURCHASE_WINDOW);
    if (page.continuationToken) return false;
    const at = Date.parse(tx.occurredAt);
    return !page.items.some(
      (other) =>
        other.type === 'sale' &&
        other.transactionId !== tx.transactionId &&
        (Date.parse(other.occurredAt) < at || (Date.parse(other.occurredAt) === at && other.transactionId < tx.transactionId)),
    );
  }

  // --- acting, exactly once ---

  private async activate(tenantId: string, rule: Rule, version: RuleVersion, e: TriggerEvent, log: Logger): Promise<Activation> {
    const activationId = deterministicId('act', tenantId, rule.ruleId, e.customerId, e.type, e.key);
    const now = this.clock.now().toISOString();
    const fresh: Activation = {
      tenantId,
      activationId,
      ruleId: rule.ruleId,
      ruleVersion: version.version,
      ruleName: version.name,
      customerId: e.customerId,
      trigger: { type: e.type, key: e.key, at: e.at, transactionId: e.sale?.transactionId ?? null },
      // Without a cap or a budget there is no place to claim: straight to acting.
      status: version.cap || version.budget ? 'claiming' : 'acting',
      reason: null,
      benefits: [],
      reversibleAwards: [],
      reversed: false,
      notified: null,
      eventPending: false,
      createdAt: now,
      updatedAt: now,
    };
    // The create decides: the first delivery creates it, a redelivery or a concurrent one reads where it is.
    let activation = (await this.store.createActivation(fresh)) === 'created' ? fresh : await this.store.getActivation(tenantId, activationId);
    if (!activation) throw new DomainError('conflict', 'The activation is being written; retry shortly');
    if (activation.status === 'claiming') activation = await this.claim(activation, version);
    if (activation.status === 'acting') activation = await this.act(activation, version, log);
    if (activation.eventPending) await this.announce(activation, log);
    return activation;
  }

  /** Takes the activation's place in the cap, then the budget; gives the cap back when the budget refuses. */
  private async claim(activation: Activation, version: RuleVersion): Promise<Activation> {
    const { tenantId, ruleId, customerId, activationId } = activation;
    let stop: Stop | null = null;
    if (version.cap && (await this.store.claimCap(tenantId, ruleId, customerId, activationId, Date.parse(activation.trigger.at), version.cap)) === 'refused') {
      stop = 'frequency-cap';
    }
    if (!stop && version.budget && (await this.store.claimBudget(tenantId, ruleId, activationId, version.budget.activations)) === 'refused') {
      if (version.cap) await this.store.releaseCap(tenantId, ruleId, customerId, activationId);
      stop = 'budget-exhausted';
    }
    const updatedAt = this.clock.now().toISOString();
    const next = await this.store.updateActivation(tenantId, activationId, (a) =>
      a.status === 'claiming' ? { ...a, status: stop ? 'capped' : 'acting', reason: stop, updatedAt } : undefined,
    );
    return next ?? activation;
  }

  /** Each action is idempotent by the activation id: a rerun after a crash finishes what is missing. */
  private async act(activation: Activation, version: RuleVersion, log: Logger): Promise<Activation> {
    const { tenantId, customerId, activationId } = activation;
    const benefits: OfferBenefit[] = [];
    const reversibleAwards: Activation['reversibleAwards'] = [];
    let notified: MarketingPurpose[] | null = null;
    let message: string | undefined;
    for (const [i, action] of version.actions.entries()) {
      const actionId = `${activationId}-${i}`;
      if (action.type === 'issue-coupon') {
        const issued = await this.coupons.issuePersonal(tenantId, action.campaignId, customerId, actionId, `rule:${activation.ruleId}`);
        benefits.push({ type: 'coupon', campaignId: action.campaignId, code: issued.code });
      } else if (action.type === 'award-points') {
        const award = await this.points.awardBonus(tenantId, customerId, {
          awardId: actionId,
          points: action.points,
          reference: activation.ruleId,
          transactionId: activation.trigger.transactionId,
        });
        if (award) {
          benefits.push({ type: 'points', points: award.points });
          if (action.reverseOnReturn) reversibleAwards.push({ awardId: actionId, points: award.points });
        } else {
          log.log('info', 'bonus points not awarded: the tenant has no loyalty program', { ruleId: activation.ruleId });
        }
      } else {
        notified = await this.consentedPurposes(tenantId, customerId, action);
        message = action.message;
      }
    }
    const updatedAt = this.clock.now().toISOString();
    const acted = await this.store.updateActivation(tenantId, activationId, (a) =>
      a.status === 'acting'
        ? {
            ...a,
            status: 'acted',
            benefits,
            reversibleAwards,
            notified,
            ...(message ? { message } : {}),
            eventPending: notified !== null && notified.length > 0,
            updatedAt,
          }
        : undefined,
    );
    await this.store.settle(tenantId, activation.ruleId, customerId, activationId, { cap: version.cap !== null, budget: version.budget !== null });
    return acted ?? activation;
  }

  /** The channels the customer has granted marketing consent for, of those the rule asks for. */
  private async consentedPurposes(tenantId: string, customerId: string, action: Extract<Action, { type: 'notify' }>): Promise<MarketingPurpose[]> {
    const customer = await this.customers.getCustomer(tenantId, customerId);
    if (!customer || customer.erasedAt) return [];
    return action.purposes.filter((purpose) => customer.consents[purpose]?.granted === true);
  }

  /** Publishes `offer.issued`, then clears the mark; the sweeper resends what was not confirmed. */
  private async announce(activation: Activation, log: Logger): Promise<boolean> {
    const data: OfferIssuedData = {
      activationId: activation.activationId,
      ruleId: activation.ruleId,
      ruleVersion: activation.ruleVersion,
      ruleName: activation.ruleName,
      customerId: activation.customerId,
      trigger: { type: activation.trigger.type, key: activation.trigger.key, at: activation.trigger.at },
      benefits: activation.benefits,
      purposes: activation.notified ?? [],
      ...(activation.message ? { message: activation.message } : {}),
      at: activation.updatedAt,
    };
    try {
      await this.publisher.publish([
        createEvent(OfferIssued, {
          id: deterministicId('evt', activation.tenantId, activation.activationId, 'offer-issued'),
          source: `/tenants/${activation.tenantId}/offers`,
          subject: `customers/${activation.customerId}`,
          time: activation.updatedAt,
          tenantid: activation.tenantId,
          data,
        }),
      ]);
      await this.store.updateActivation(activation.tenantId, activation.activationId, (a) => (a.eventPending ? { ...a, eventPending: false } : undefined));
      return true;
    } catch (error) {
      log.log('warn', 'offer.issued not published yet; the sweeper resends it', { activationId: activation.activationId, error: (error as Error).message });
      return false;
    }
  }

  /** Resends `offer.issued` events not confirmed published. */
  async sweep(log: Logger, limit = 200): Promise<number> {
    const stale = new Date(this.clock.now().getTime() - 60_000).toISOString();
    const pending = await this.store.unannounced(stale, limit);
    for (const activation of pending) await this.announce(activation, log);
    return pending.length;
  }

  /** Policy: bonus points a rule marks reversible are taken back when the sale that earned them is returned in full. */
  private async reverseOnReturn(tenantId: string, ret: TransactionView, log: Logger): Promise<void> {
    if (!ret.originalTransactionId) return;
    const activations = (await this.store.activationsOfSale(tenantId, ret.originalTransactionId)).filter((a) => a.reversibleAwards.length > 0 && !a.reversed);
    if (activations.length === 0) return;
    const locator = await this.transactions.locate(tenantId, ret.originalTransactionId);
    const sale = locator && (await this.transactions.get(locator));
    if (!sale) return;
    const sold = quantitiesBySku(sale.lines);
    const returned = returnedQuantities(sale.returned);
    if (Object.entries(sold).some(([sku, n]) => (returned[sku] ?? 0) < n)) return;
    for (const activation of activations) {
      for (const award of activation.reversibleAwards) await this.points.reverseBonus(tenantId, activation.customerId, award.awardId);
      await this.store.updateActivation(tenantId, activation.activationId, (a) => (a.reversed ? undefined : { ...a, reversed: true }));
      log.log('info', 'bonus points taken back after a full return', { activationId: activation.activationId });
    }
  }

  // --- explaining and reporting ---

  /** What the rule would do for this customer and event now: nothing is written. */
  async simulate(tenantId: string, ruleId: string, input: SimulationInput): Promise<Simulation> {
    const rule = await this.requireRule(tenantId, ruleId);
    const customer = await requireCurrentCustomer(this.customers, tenantId, input.customerId);
    const at = input.at ? new Date(input.at).toISOString() : this.clock.now().toISOString();
    const version = versionAt(rule, at);
    const reason = inactiveReason(version, at) ?? null;
    const lines = input.event.lines ?? [];
    const e: TriggerEvent = {
      ...input.event,
      key: 'simulation',
      customerId: customer.customerId,
      at,
      sale: input.event.lines
        ? {
            transactionId: 'simulation',
            channel: input.event.channel ?? 'store',
            locationId: input.event.locationId ?? '',
            total: transactionTotal(lines),
            lines,
          }
        : undefined,
    };
    if (!version) {
      return {
        ruleId,
        version: null,
        inForce: false,
        inactiveReason: reason,
        triggerFires: false,
        conditions: [],
        actions: [],
        stoppedBy: null,
        wouldAct: false,
      };
    }
    const fires = triggerFires(version.trigger, e);
    const conditions: ConditionResult[] = evaluateConditions(version.conditions, e, await this.membership(tenantId, version, customer.customerId));
    const [cap, budget] = await Promise.all([
      version.cap ? this.store.readCap(tenantId, ruleId, customer.customerId) : undefined,
      version.budget ? this.store.readBudget(tenantId, ruleId) : undefined,
    ]);
    const stoppedBy: Stop | null = !capAllows(version.cap, cap, at)
      ? 'frequency-cap'
      : version.budget && (budget?.used ?? 0) >= version.budget.activations
        ? 'budget-exhausted'
        : null;
    const wouldAct = !reason && fires && conditions.every((c) => c.held) && !stoppedBy;
    const customerRecord = await this.customers.getCustomer(tenantId, customer.customerId);
    const actions = version.actions.map((action) => {
      if (action.type === 'issue-coupon') return { type: action.type, wouldRun: wouldAct, detail: `a personal code of ${action.campaignId}` };
      if (action.type === 'award-points')
        return { type: action.type, wouldRun: wouldAct, detail: `${action.points} bonus points${action.reverseOnReturn ? ', reversed on a full return' : ''}` };
      const consented = action.purposes.filter((p) => customerRecord?.consents[p]?.granted === true);
      return {
        type: action.type,
        wouldRun: wouldAct && consented.length > 0,
        detail: consented.length > 0 ? `offer.issued for ${consented.join(', ')}` : 'no marketing consent for the channels asked',
      };
    });
    return { ruleId, version: version.version, inForce: !reason, inactiveReason: reason, triggerFires: fires, conditions, actions, stoppedBy, wouldAct };
  }

  async report(tenantId: string, ruleId: string): Promise<RuleReport> {
    const rule = await this.requireRule(tenantId, ruleId);
    const activations = await this.store.activationsOfRule(tenantId, ruleId);
    const codes = new Map<string, string[]>();
    let pointsAwarded = 0;
    for (const a of activations) {
      for (const b of a.benefits) {
        if (b.type === 'coupon') codes.set(b.campaignId, [...(codes.get(b.campaignId) ?? []), b.code]);
        else if (!a.reversed) pointsAwarded += b.points;
      }
    }
    const couponsRedeemed = { store: 0, online: 0 };
    for (const [campaignId, list] of codes) {
      const byChannel = await this.coupons.redemptionsByChannel(tenantId, campaignId, list);
      couponsRedeemed.store += byChannel.store;
      couponsRedeemed.online += byChannel.online;
    }
    const budget = current(rule).budget;
    const count = (test: (a: Activation) => boolean) => activations.filter(test).length;
    return {
      ruleId,
      triggered: activations.length,
      acted: count((a) => a.status === 'acted'),
      capped: count((a) => a.status === 'capped'),
      cappedBy: { frequencyCap: count((a) => a.reason === 'frequency-cap'), budget: count((a) => a.reason === 'budget-exhausted') },
      couponsIssued: [...codes.values()].reduce((n, l) => n + l.length, 0),
      couponsRedeemed,
      pointsAwarded,
      budget: budget ? { activations: budget.activations, used: (await this.store.readBudget(tenantId, ruleId))?.used ?? 0 } : null,
    };
  }

  /** A merge: the merged customer's benefits are the survivor's. */
  async moveBenefits(tenantId: string, fromId: string, intoId: string): Promise<number> {
    let moved = 0;
    for (const a of await this.store.activationsOfCustomer(tenantId, fromId)) {
      const updated = await this.store.updateActivation(tenantId, a.activationId, (x) => (x.customerId === fromId ? { ...x, customerId: intoId } : undefined));
      if (updated?.customerId === intoId) moved += 1;
    }
    return moved;
  }

  /** What the customer was given and why, newest first. */
  async benefitsOf(tenantId: string, customerId: string): Promise<OffersSection> {
    const activations = (await this.store.activationsOfCustomer(tenantId, customerId)).filter((a) => a.status === 'acted');
    return {
      offers: activations
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((a) => ({
          activationId: a.activationId,
          ruleId: a.ruleId,
          ruleName: a.ruleName,
          why: `${a.trigger.type}${a.trigger.transactionId ? ` on transaction ${a.trigger.transactionId}` : ` (${a.trigger.key})`}`,
          at: a.createdAt,
          benefits: a.benefits,
          reversed: a.reversed,
        })),
    };
  }
}

/** The sale as conditions read it (the catalogue's fields on its lines pass through when present). */
function saleFacts(tx: TransactionView): NonNullable<TriggerEvent['sale']> {
  return {
    transactionId: tx.transactionId,
    channel: tx.channel,
    locationId: tx.locationId,
    total: tx.totals.net,
    lines: tx.lines.map((line) => {
      const enriched = line as typeof line & { families?: string[]; brand?: string };
      return { sku: line.sku, category: line.category, families: enriched.families, brand: enriched.brand };
    }),
  };
}
