import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { DomainError, invalid, notFound, unprocessable } from '../kernel/errors';
import { randomId, randomSecret, deterministicId } from '../kernel/ids';
import { assertMayActFor, type Principal } from '../tenancy';
import { requireCurrentCustomer } from '../customers';
import type { EventOf } from '../kernel/events';
import { returnedQuantities, quantitiesBySku, type TransactionRecorded, type TransactionView } from '../transactions';
import {
  EMPTY_COUNTER,
  MAX_SERIAL,
  campaignIdOf,
  campaignKeyOfCode,
  CouponReason,
  CouponResultSchema,
  Discount,
  evaluateCoupons,
  formatCode,
  isUniqueCodeOf,
  keyOfCampaignId,
  newCampaignKey,
  normalizeCode,
  uniqueCode,
  type Campaign,
  type CampaignInput,
  type CodeContext,
  type CodeUsage,
  type Counter,
  type CouponRequest,
  type CouponResult,
  type EvaluationRequest,
  type PendingUse,
} from './coupon-rules';
import type { Clock, CreateOutcome, EventPublisher, Logger, Page } from '../kernel/ports';
import { createEvent } from '../kernel/events';
import { CouponIssued, CouponRedeemed } from './events';
import type { CampaignAudiences } from './audiences';
import type { CustomerStore } from '../customers';
import type { TransactionStore } from '../transactions';
import type { Audience, CustomerParticipant } from '../customers';

/** Which counter document a use is counted in. */
export type CounterRef = { kind: 'campaign'; key: string } | { kind: 'code'; code: string } | { kind: 'customer'; key: string; customerId: string };

export const HoldStatus = z.enum(['active', 'confirmed', 'released', 'refused', 'restored']);
export type HoldStatus = z.output<typeof HoldStatus>;

export interface HoldRecord {
  tenantId: string;
  holdId: string;
  status: HoldStatus;
  /** False while the counters still have to follow the last status change (a crash is finished by the sweeper). */
  settled: boolean;
  expiresAt: string;
  channel: 'store' | 'online';
  locationId: string;
  customerId: string | null;
  results: CouponResult[];
  claims: Array<{ ref: CounterRef; use: PendingUse }>;
  transactionId: string | null;
  /** Why the codes could not be redeemed (offline sales, or a hold that expired before its sale). */
  reason: CouponReason | 'hold-expired' | null;
  /** True from its confirmation until its `coupon.redeemed` events are confirmed published. */
  eventPending?: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A personal code issued by another capability (an offer), once per `issueId`. */
export interface IssueRecord {
  tenantId: string;
  issueId: string;
  code: string;
  campaignId: string;
  customerId: string;
  createdAt: string;
}

export interface CounterLimits {
  maxUsed: number | null;
  maxSpent: number | null;
}

export interface CouponStore {
  createCampaign(campaign: Campaign): Promise<CreateOutcome>;
  getCampaign(tenantId: string, key: string): Promise<Campaign | undefined>;
  /** The tenant's campaigns, newest first, a page at a time. */
  listCampaigns(tenantId: string, limit: number, continuationToken?: string): Promise<Page<Campaign>>;
  /** Reserves `count` serials; returns the first. */
  reserveSerials(tenantId: string, key: string, count: number): Promise<number>;
  claimPublicCode(tenantId: string, code: string, campaignKey: string): Promise<CreateOutcome>;
  findPublicCode(tenantId: string, code: string): Promise<string | undefined>;
  getCodeUsage(tenantId: string, code: string): Promise<CodeUsage | undefined>;
  createCodeUsage(usage: CodeUsage): Promise<CreateOutcome>;
  getCustomerUsage(tenantId: string, key: string, customerId: string): Promise<Counter | undefined>;
  /** Creates a counter that starts with one use held (a code or customer counter used for the first time). */
  createCounter(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse, extra: Record<string, unknown>): Promise<CreateOutcome>;
  readCounter(tenantId: string, ref: CounterRef): Promise<Counter | undefined>;
  /** Holds a use in one atomic step if the limits allow; `applied` also when this hold already holds it. */
  claim(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse, limits: CounterLimits): Promise<'applied' | 'refused' | 'missing'>;
  /** Gives a held use back; false when this hold held nothing there (already released or settled). */
  release(tenantId: string, ref: CounterRef, holdId: string): Promise<boolean>;
  /** Turns a held use into a confirmed one. */
  settle(tenantId: string, ref: CounterRef, holdId: string): Promise<boolean>;
  /** Gives a confirmed use back, once per hold. */
  restore(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse): Promise<boolean>;
  createHold(hold: HoldRecord): Promise<CreateOutcome>;
  getHold(tenantId: string, holdId: string): Promise<HoldRecord | undefined>;
  updateHold(tenantId: string, holdId: string, mutate: (hold: HoldRecord) => HoldRecord | undefined): Promise<HoldRecord | undefined>;
  /** Active holds past expiry, and holds whose counters did not follow a status change before `staleBefore`. */
  listHoldsToSweep(nowIso: string, staleBefore: string, limit: number): Promise<HoldRecord[]>;
  listHoldsForTransaction(tenantId: string, transactionId: string): Promise<HoldRecord[]>;
  /** What a campaign gave: its codes' uses in holds confirmed by a sale or still held at `now` (not expired), and their discount. */
  campaignUsage(tenantId: string, campaignId: string, now: string): Promise<{ redemptions: number; discount: number }>;
  listPersonalCodes(tenantId: string, customerId: string): Promise<CodeUsage[]>;
  getIssue(tenantId: string, issueId: string): Promise<IssueRecord | undefined>;
  createIssue(issue: IssueRecord): Promise<CreateOutcome>;
  /** Clears a code's `eventPending` once its `coupon.issued` is published. */
  markCodeAnnounced(tenantId: string, code: string): Promise<void>;
  /** Personal codes whose `coupon.issued` was not confirmed published, issued before `issuedBefore`. */
  unannouncedCodes(issuedBefore: string, limit: number): Promise<CodeUsage[]>;
  /** Campaigns with a public code (the promotions anyone may use). */
  publicCampaigns(tenantId: string): Promise<Campaign[]>;
  /** Each confirmed use of the campaign's codes: the code as entered and the channel of the sale. */
  confirmedRedemptions(tenantId: string, campaignId: string): Promise<Array<{ code: string; channel: 'store' | 'online' }>>;
  moveCode(tenantId: string, code: string, fromCustomerId: string, intoCustomerId: string): Promise<boolean>;
}

export const HOLD_MINUTES = 10;
const PROMOTIONS_CACHE_MS = 5_000;
export const MAX_CODES_PER_REQUEST = 100_000;

export const CodesInput = z
  .union([z.object({ count: z.number().int().positive().max(MAX_CODES_PER_REQUEST) }).strict(), z.object({ customerId: idField(128) }).strict()])
  .describe('`count` unique codes, or one personal code for `customerId`');
export type CodesInput = z.infer<typeof CodesInput>;

const channel = z.enum(['store', 'online']);
const ItemFilter = z.object({ skus: z.array(z.string()), categories: z.array(z.string()) });

/** A campaign as the API shows it: its rules and what it has given so far, never its signing secret or counters. */
export const CampaignViewSchema = z
  .object({
    tenantId: z.string(),
    campaignId: z.string(),
    name: z.string(),
    discount: Discount,
    validFrom: z.string(),
    validTo: z.string(),
    channels: z.array(channel),
    locationIds: z.array(z.string()).nullable().describe('null: every location'),
    minimumBasket: z.number().int(),
    eligible: ItemFilter.describe('Empty: every item is eligible'),
    excluded: ItemFilter,
    budget: z.object({ redemptions: z.number().int().nullable(), amount: z.number().int().nullable() }),
    perCustomerLimit: z.number().int().nullable(),
    stackable: z.boolean(),
    publicCode: z.string().nullable(),
    usesPerCode: z.number().int(),
    segments: z.array(z.string()).optional().describe('Only members of these segments may use it'),
    createdAt: z.string(),
    codesIssued: z.number().int().describe('Unique and personal codes issued'),
    redemptions: z
      .number()
      .int()
      .describe('Uses confirmed by a sale (at checkout or sent offline) or held now, whatever the budget; a use a full return gave back is not counted'),
    discountGiven: z.number().int().describe('Minor units, of those uses'),
  })
  .meta({ id: 'Campaign' });
export type CampaignView = z.output<typeof CampaignViewSchema>;

/** A campaign in a list: its rules and codes issued; what it gave is counted when one is opened (one aggregate query each). */
export const CampaignSummarySchema = CampaignViewSchema.omit({ redemptions: true, discountGiven: true }).meta({ id: 'CampaignSummary' });
export type CampaignSummary = z.output<typeof CampaignSummarySchema>;

export const CampaignPageSchema = z
  .object({
    items: z.array(CampaignSummarySchema).describe('Newest first'),
    continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page'),
  })
  .meta({ id: 'CampaignPage' });
export type CampaignPage = z.output<typeof CampaignPageSchema>;

export const IssuedCodesSchema = z
  .object({
    campaignId: z.string(),
    codes: z.array(z.string()).describe('Crockford base32, 16 characters in groups of 4'),
    customerId: z.string().optional().describe('The owner of a personal code (the survivor, for a merged id)'),
  })
  .meta({ id: 'IssuedCouponCodes' });
export type IssuedCodes = z.output<typeof IssuedCodesSchema>;

export const CouponValidationSchema = z
  .object({ results: z.array(CouponResultSchema).describe('One per distinct code'), discount: z.number().int().describe('Of the valid codes, minor units') })
  .meta({ id: 'CouponValidation' });
export type CouponValidation = z.output<typeof CouponValidationSchema>;

export const HoldViewSchema = z
  .object({
    holdId: z.string(),
    status: HoldStatus.describe('An active hold past its expiry reads as released'),
    expiresAt: z.string(),
    channel,
    locationId: z.string(),
    customerId: z.string().nullable(),
    transactionId: z.string().nullable().describe('The sale that confirmed it (or redeemed the codes offline)'),
    reason: z
      .union([CouponReason, z.literal('hold-expired')])
      .nullable()
      .describe('Why the codes were not (or no longer) redeemed'),
    codes: z.array(CouponResultSchema),
    discount: z.number().int(),
  })
  .meta({ id: 'CouponHold' });
export type HoldView = z.output<typeof HoldViewSchema>;

export const HoldListSchema = z.object({ items: z.array(HoldViewSchema) }).meta({ id: 'CouponHoldList' });

export const WalletItemSchema = z.object({
  code: z.string(),
  campaignId: z.string(),
  name: z.string(),
  discount: Discount,
  validFrom: z.string(),
  validTo: z.string(),
  channels: z.array(channel),
  usesLeft: z.number().int(),
  issuedAt: z.string().nullable(),
  source: z.string().optional().describe('Who issued it: `api` (an admin call) or the offer rule (`rule:<ruleId>`; the 360 view says why)'),
});
export type WalletItem = z.output<typeof WalletItemSchema>;

export const WalletSchema = z
  .object({ customerId: z.string().describe('The survivor, for a merged id'), items: z.array(WalletItemSchema) })
  .meta({ id: 'CouponWallet' });
export type Wallet = z.output<typeof WalletSchema>;

/** Coupons' section of the 360 view and of the export: the personal codes. */
const CouponsSection = z.object({ coupons: z.array(WalletItemSchema) });

/**
 * Campaigns, codes, validation and redemption. Every limit is a counter in one document, moved
 * by conditional single-document patches, so concurrent checkouts can never pass it; a hold
 * records its claims first, so a crash or an expiry gives back exactly what it took.
 */
export class CouponService {
  private readonly promotions = new Map<string, { campaigns: Campaign[]; until: number }>();

  constructor(
    private readonly store: CouponStore,
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly clock: Clock,
    private readonly publisher: EventPublisher,
    /** Contributed once every module is built: who belongs to a segment. */
    private readonly audiences: readonly CampaignAudiences[] = [],
  ) {}

  async createCampaign(principal: Principal, input: CampaignInput): Promise<CampaignView> {
    if (input.segments) await this.checkSegments(principal.tenantId, input.segments);
    let campaign: Campaign | undefined;
    for (let attempt = 0; attempt < 5 && !campaign; attempt += 1) {
      const key = newCampaignKey();
      const candidate = buildCampaign(principal.tenantId, key, input, this.clock.now().toISOString());
      if ((await this.store.createCampaign(candidate)) === 'created') campaign = candidate;
    }
    if (!campaign) throw new DomainError('conflict', 'Could not allocate a campaign key; retry');
    if (campaign.publicCode && (await this.store.claimPublicCode(principal.tenantId, campaign.publicCode, campaign.key)) === 'exists') {
      const owner = await this.store.findPublicCode(principal.tenantId, campaign.publicCode);
      if (owner !== campaign.key) throw invalid([{ field: 'publicCode', message: 'is already used by another campaign' }]);
    }
    this.promotions.delete(principal.tenantId);
    return campaignView(campaign);
  }

  private async checkSegments(tenantId: string, segments: string[]): Promise<void> {
    const audience = this.audiences.find((a) => a.available);
    if (!audience) {
      throw new DomainError('unprocessable', 'segments are not available on this platform', {
        reason: 'segments-unavailable',
        issues: [{ field: 'segments', message: 'segments are not available' }],
      });
    }
    const known = await Promise.all(segments.map((segmentId) => audience.exists(tenantId, segmentId)));
    const issues = segments.flatMap((segmentId, i) => (known[i] ? [] : [{ field: `segments.${i}`, message: `segment ${segmentId} does not exist` }]));
    if (issues.length > 0) throw invalid(issues);
  }

  /** The campaign and what it gave, counted from its holds in every configuration (with or without a budget or per-code limits). */
  async getCampaign(tenantId: string, campaignId: string): Promise<CampaignView> {
    const campaign = await this.requireCampaign(tenantId, campaignId);
    return campaignView(campaign, await this.store.campaignUsage(tenantId, campaign.campaignId, this.clock.now().toISOString()));
  }

  async listCampaigns(tenantId: string, limit: number, continuationToken?: string): Promise<CampaignPage> {
    const page = await this.store.listCampaigns(tenantId, limit, continuationToken);
    return {
      items: page.items.map((campaign) => {
        const { redemptions: _r, discountGiven: _d, ...summary } = campaignView(campaign);
        return summary;
      }),
      continuationToken: page.continuationToken,
    };
  }

  /** Unique codes in bulk (computed, nothing stored per code), or one personal code for a customer. */
  async issueCodes(principal: Principal, campaignId: string, input: CodesInput): Promise<IssuedCodes> {
    const campaign = await this.requireCampaign(principal.tenantId, campaignId);
    if ('count' in input) {
      const first = await this.reserve(campaign, input.count);
      return { campaignId, codes: Array.from({ length: input.count }, (_, i) => formatCode(uniqueCode(campaign, first + i))) };
    }
    const customer = await requireCurrentCustomer(this.customers, principal.tenantId, input.customerId);
    const code = uniqueCode(campaign, await this.reserve(campaign, 1));
    await this.putPersonalCode(campaign, code, customer.customerId, 'api');
    return { campaignId, codes: [formatCode(code)], customerId: customer.customerId };
  }

  /**
   * A personal code issued on another capability's behalf (an offer), at most once per `issueId`:
   * retries and concurrent attempts with the same id end with the same code. A lost race wastes a
   * serial, never issues a second code.
   */
  async issuePersonal(
    tenantId: string,
    campaignId: string,
    customerId: string,
    issueId: string,
    source: string,
  ): Promise<{ code: string; customerId: string }> {
    const existing = await this.store.getIssue(tenantId, issueId);
    let issue = existing;
    if (!issue) {
      const [campaign, customer] = await Promise.all([
        this.requireCampaign(tenantId, campaignId),
        requireCurrentCustomer(this.customers, tenantId, customerId),
      ]);
      const candidate: IssueRecord = {
        tenantId,
        issueId,
        code: uniqueCode(campaign, await this.reserve(campaign, 1)),
        campaignId: campaign.campaignId,
        customerId: customer.customerId,
        createdAt: this.clock.now().toISOString(),
      };
      issue = (await this.store.createIssue(candidate)) === 'created' ? candidate : await this.store.getIssue(tenantId, issueId);
      if (!issue) throw new DomainError('conflict', 'The code is being issued; retry shortly');
    }
    if (!existing || !(await this.store.getCodeUsage(tenantId, issue.code))) {
      const campaign = await this.requireCampaign(tenantId, issue.campaignId);
      await this.putPersonalCode(campaign, issue.code, issue.customerId, source, issue.createdAt);
    }
    return { code: formatCode(issue.code), customerId: issue.customerId };
  }

  /** Writes the personal code with its `coupon.issued` pending, then publishes it (the sweeper resends a failed publish). */
  private async putPersonalCode(campaign: Campaign, code: string, customerId: string, source: string, issuedAt = this.clock.now().toISOString()) {
    const usage: CodeUsage = {
      ...EMPTY_COUNTER,
      tenantId: campaign.tenantId,
      code,
      campaignId: campaign.campaignId,
      customerId,
      issuedAt,
      source,
      eventPending: true,
    };
    if ((await this.store.createCodeUsage(usage)) === 'exists') {
      const stored = await this.store.getCodeUsage(campaign.tenantId, code);
      if (!stored?.eventPending) return;
    }
    await this.announceIssued(usage);
  }

  private async announceIssued(usage: CodeUsage, log?: Logger): Promise<boolean> {
    try {
      await this.publisher.publish([
        createEvent(CouponIssued, {
          id: deterministicId('evt', usage.tenantId, usage.code, 'issued'),
          source: `/tenants/${usage.tenantId}/coupons`,
          subject: `campaigns/${usage.campaignId}`,
          time: usage.issuedAt ?? this.clock.now().toISOString(),
          tenantid: usage.tenantId,
          data: {
            campaignId: usage.campaignId,
            code: formatCode(usage.code),
            customerId: usage.customerId!,
            issuedAt: usage.issuedAt ?? this.clock.now().toISOString(),
            source: usage.source ?? 'api',
          },
        }),
      ]);
      await this.store.markCodeAnnounced(usage.tenantId, usage.code);
      return true;
    } catch (error) {
      log?.log('warn', 'coupon.issued not published yet; the sweeper resends it', { campaignId: usage.campaignId, error: (error as Error).message });
      return false;
    }
  }

  /** Publishes a confirmed hold's `coupon.redeemed` events, then clears the mark; the sweeper resends a failed publish. */
  private async announceRedeemed(hold: HoldRecord): Promise<void> {
    if (!hold.eventPending || hold.status !== 'confirmed' || !hold.transactionId) return;
    const at = hold.updatedAt;
    const events = hold.results
      .filter((r) => r.valid && r.campaignId)
      .map((r) =>
        createEvent(CouponRedeemed, {
          id: deterministicId('evt', hold.tenantId, hold.holdId, normalizeCode(r.code), 'redeemed'),
          source: `/tenants/${hold.tenantId}/coupons`,
          subject: `campaigns/${r.campaignId}`,
          time: at,
          tenantid: hold.tenantId,
          data: {
            campaignId: r.campaignId!,
            code: r.code,
            customerId: hold.customerId,
            transactionId: hold.transactionId!,
            holdId: hold.holdId,
            channel: hold.channel,
            locationId: hold.locationId,
            discount: r.discount,
            at,
          },
        }),
      );
    if (events.length > 0) await this.publisher.publish(events);
    await this.store.updateHold(hold.tenantId, hold.holdId, (h) => (h.eventPending ? { ...h, eventPending: false } : undefined));
  }

  /** Campaigns with a public code, kept for a few seconds per tenant (the till asks on every basket). */
  async publicCampaigns(tenantId: string): Promise<Campaign[]> {
    const cached = this.promotions.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.campaigns;
    const campaigns = await this.store.publicCampaigns(tenantId);
    this.promotions.set(tenantId, { campaigns, until: Date.now() + PROMOTIONS_CACHE_MS });
    return campaigns;
  }

  /** How many of these codes were redeemed, by channel. */
  async redemptionsByChannel(tenantId: string, campaignId: string, codes: string[]): Promise<{ store: number; online: number }> {
    const wanted = new Set(codes.map(normalizeCode));
    const counts = { store: 0, online: 0 };
    for (const use of await this.store.confirmedRedemptions(tenantId, campaignId)) if (wanted.has(normalizeCode(use.code))) counts[use.channel] += 1;
    return counts;
  }

  /** Nothing is consumed. */
  async validate(principal: Principal, input: CouponRequest): Promise<CouponValidation> {
    assertMayActFor(principal, input.locationId);
    const results = await this.evaluate(principal.tenantId, input.codes, { ...input, at: this.clock.now() });
    return { results, discount: results.reduce((sum, r) => sum + r.discount, 0) };
  }

  /** Reserves every code for HOLD_MINUTES; all or nothing. */
  async hold(principal: Principal, input: CouponRequest): Promise<HoldRecord> {
    assertMayActFor(principal, input.locationId);
    const now = this.clock.now();
    const contexts = await this.contexts(principal.tenantId, input.codes, input.customerId);
    const results = evaluateCoupons(contexts, { ...input, at: now });
    const refused = results.find((r) => !r.valid);
    if (refused) throw unprocessable(refused.reason!, `Coupon ${refused.code} cannot be used: ${refused.reason}`);
    const hold = this.newHold(principal.tenantId, randomId('hold'), input, results, contexts as CodeContext[], now);
    await this.store.createHold(hold);
    const failure = await this.claimAll(hold, contexts as CodeContext[]);
    if (failure) {
      await this.store.updateHold(hold.tenantId, hold.holdId, (h) => ({
        ...h,
        status: 'refused',
        reason: failure,
        settled: true,
        updatedAt: now.toISOString(),
      }));
      throw unprocessable(failure, `The coupons could not be held: ${failure}`);
    }
    return hold;
  }

  async getHold(tenantId: string, holdId: string): Promise<HoldRecord> {
    const hold = await this.store.getHold(tenantId, holdId);
    if (!hold) throw notFound(`Hold ${holdId}`);
    return asRead(hold, this.clock.now());
  }

  /** Gives the uses back before expiry (an abandoned checkout). */
  async release(tenantId: string, holdId: string): Promise<HoldRecord> {
    const current = await this.getHold(tenantId, holdId);
    if (current.status !== 'active') throw unprocessable('hold-not-active', `The hold is ${current.status}`);
    const hold = await this.transition(tenantId, holdId, ['active'], 'released');
    if (hold?.status !== 'released') throw unprocessable('hold-not-active', `The hold is ${hold?.status}`);
    return this.finish(hold);
  }

  /** The coupons applied to a transaction, and why not when they could not be; 404 for a transaction this tenant does not have. */
  async forTransaction(tenantId: string, transactionId: string): Promise<HoldRecord[]> {
    if (!(await this.transactions.locate(tenantId, transactionId))) throw notFound(`Transaction ${transactionId}`);
    return this.store.listHoldsForTransaction(tenantId, transactionId);
  }

  /** The `transaction.recorded` consumer: confirms holds, redeems offline codes, restores uses on returns. */
  async handle(event: EventOf<typeof TransactionRecorded>, log: Logger): Promise<string> {
    const tx = event.data;
    const tenantId = event.tenantid;
    if (tx.type === 'return') return this.restoreOnReturn(tenantId, tx, log);
    if (tx.couponHoldId) return this.confirm(tenantId, tx.couponHoldId, tx, log);
    if (tx.coupons.length > 0) return this.redeemOffline(tenantId, tx, log);
    return 'ignored';
  }

  /** The timer: releases expired holds and finishes status changes a crash interrupted. */
  async sweep(log: Logger, limit = 200): Promise<number> {
    const now = this.clock.now();
    const stale = new Date(now.getTime() - 60_000).toISOString();
    const holds = await this.store.listHoldsToSweep(now.toISOString(), stale, limit);
    for (const hold of holds) {
      const current = hold.status === 'active' ? await this.transition(hold.tenantId, hold.holdId, ['active'], 'released') : hold;
      if (current) await this.finish(current);
    }
    for (const usage of await this.store.unannouncedCodes(stale, limit)) await this.announceIssued(usage, log);
    if (holds.length > 0) log.log('info', 'coupon holds swept', { count: holds.length });
    return holds.length;
  }

  /** The wallet of a customer id, following a merge to its survivor. */
  async walletOf(tenantId: string, customerId: string): Promise<Wallet> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    return { customerId: customer.customerId, items: await this.wallet(tenantId, customer.customerId) };
  }

  async wallet(tenantId: string, customerId: string): Promise<WalletItem[]> {
    const codes = await this.store.listPersonalCodes(tenantId, customerId);
    const campaigns = await this.campaignsOf(tenantId, codes);
    const now = this.clock.now().getTime();
    const wallet: WalletItem[] = [];
    for (const usage of codes) {
      const campaign = campaigns.get(usage.campaignId);
      if (!campaign) continue;
      const usesLeft = Math.max(
        0,
        campaign.usesPerCode -
          (usage.used -
            Object.values(usage.pending)
              .filter((u) => u.exp <= now)
              .reduce((n, u) => n + u.n, 0)),
      );
      wallet.push({
        code: formatCode(usage.code),
        campaignId: campaign.campaignId,
        name: campaign.name,
        discount: campaign.discount,
        validFrom: campaign.validFrom,
        validTo: campaign.validTo,
        channels: campaign.channels,
        usesLeft,
        issuedAt: usage.issuedAt,
        ...(usage.source ? { source: usage.source } : {}),
      });
    }
    return wallet;
  }

  // --- internals ---

  private async requireCampaign(tenantId: string, campaignId: string): Promise<Campaign> {
    const key = keyOfCampaignId(campaignId);
    const campaign = key && (await this.store.getCampaign(tenantId, key));
    if (!campaign) throw notFound(`Campaign ${campaignId}`);
    return campaign;
  }

  private async reserve(campaign: Campaign, count: number): Promise<number> {
    const first = await this.store.reserveSerials(campaign.tenantId, campaign.key, count);
    if (first + count > MAX_SERIAL) throw unprocessable('code-space-exhausted', `A campaign can have at most ${MAX_SERIAL} codes`);
    return first;
  }

  private async evaluate(tenantId: string, codes: string[], request: EvaluationRequest): Promise<CouponResult[]> {
    return evaluateCoupons(await this.contexts(tenantId, codes, request.customerId), request);
  }

  /** What each code needs read: 2 point reads per code (in parallel for a unique code), 3 when the campaign limits uses per customer. */
  private async contexts(tenantId: string, rawCodes: string[], customerId: string | undefined) {
    const entered = new Map<string, string>();
    for (const raw of rawCodes) if (!entered.has(normalizeCode(raw))) entered.set(normalizeCode(raw), raw);
    return Promise.all(
      [...entered].map(async ([code, raw]): Promise<CodeContext | { code: string; entered: string }> => {
        const uniqueKey = campaignKeyOfCode(code);
        const publicKey = uniqueKey ? undefined : await this.store.findPublicCode(tenantId, code);
        const key = publicKey ?? uniqueKey;
        const [campaign, usage] = await Promise.all([
          key ? this.store.getCampaign(tenantId, key) : undefined,
          publicKey ? undefined : key ? this.store.getCodeUsage(tenantId, code) : undefined,
        ]);
        if (!campaign || (!publicKey && !isUniqueCodeOf(campaign, code))) return { code, entered: raw };
        return this.context(tenantId, { code, entered: raw, campaign, usage, limitedCode: !publicKey }, customerId);
      }),
    );
  }

  /** A code's context once its campaign (and code counter) are known: what the customer's limit and the campaign's segments need read. */
  private async context(tenantId: string, known: Omit<CodeContext, 'customerUsage' | 'inSegment'>, customerId: string | undefined): Promise<CodeContext> {
    const { campaign } = known;
    const [customerUsage, inSegment] = await Promise.all([
      campaign.perCustomerLimit !== null && customerId ? this.store.getCustomerUsage(tenantId, campaign.key, customerId) : undefined,
      campaign.segments?.length && customerId ? this.isInSegments(tenantId, campaign.segments, customerId) : undefined,
    ]);
    return { ...known, customerUsage, inSegment };
  }

  /**
   * What a customer could use on a basket: every personal code in the wallet and every public
   * promotion, each evaluated alone by the evaluation validation uses (a customer chooses among
   * them; validation then checks the combination). Nothing is consumed. The wallet's codes come
   * from the one query that lists them; promotions from the few-seconds cache of public campaigns.
   */
  async offersFor(
    tenantId: string,
    request: EvaluationRequest & { customerId: string },
  ): Promise<Array<CouponResult & { name: string; source: 'wallet' | 'promotion' }>> {
    const [usages, promotions] = await Promise.all([this.store.listPersonalCodes(tenantId, request.customerId), this.publicCampaigns(tenantId)]);
    const campaigns = await this.campaignsOf(tenantId, usages);
    const known = [
      ...usages.flatMap((usage) => {
        const campaign = campaigns.get(usage.campaignId);
        return campaign ? [{ source: 'wallet' as const, code: usage.code, entered: formatCode(usage.code), campaign, usage, limitedCode: true }] : [];
      }),
      ...promotions.map((campaign) => ({ source: 'promotion' as const, code: campaign.publicCode!, campaign, limitedCode: false })),
    ];
    return Promise.all(
      known.map(async ({ source, ...code }) => {
        const [result] = evaluateCoupons([await this.context(tenantId, code, request.customerId)], request);
        return { ...result!, name: code.campaign.name, source };
      }),
    );
  }

  /** The campaign of each personal code, each read once, in parallel (undefined: gone). */
  private async campaignsOf(tenantId: string, usages: Array<{ campaignId: string }>): Promise<Map<string, Campaign | undefined>> {
    const ids = [...new Set(usages.map((u) => u.campaignId))];
    return new Map(
      await Promise.all(
        ids.map(async (id) => {
          const key = keyOfCampaignId(id);
          return [id, key === undefined ? undefined : await this.store.getCampaign(tenantId, key)] as const;
        }),
      ),
    );
  }

  private async isInSegments(tenantId: string, segments: string[], customerId: string): Promise<boolean> {
    const audience = this.audiences.find((a) => a.available);
    if (!audience) return false;
    for (const segmentId of segments) if (await audience.isMember(tenantId, segmentId, customerId)) return true;
    return false;
  }

  private newHold(
    tenantId: string,
    holdId: string,
    input: Omit<CouponRequest, 'codes' | 'lines'>,
    results: CouponResult[],
    contexts: CodeContext[],
    now: Date,
  ): HoldRecord {
    const exp = now.getTime() + HOLD_MINUTES * 60_000;
    const claims: HoldRecord['claims'] = [];
    results.forEach((result, i) => {
      const { campaign, limitedCode } = contexts[i]!;
      const use = { n: 1, amt: result.discount, exp };
      if (limitedCode) claims.push({ ref: { kind: 'code', code: contexts[i]!.code }, use });
      if (campaign.perCustomerLimit !== null) claims.push({ ref: { kind: 'customer', key: campaign.key, customerId: input.customerId! }, use });
      if (campaign.budget.redemptions !== null || campaign.budget.amount !== null) claims.push({ ref: { kind: 'campaign', key: campaign.key }, use });
    });
    return {
      tenantId,
      holdId,
      status: 'active',
      settled: true,
      expiresAt: new Date(exp).toISOString(),
      channel: input.channel,
      locationId: input.locationId,
      customerId: input.customerId ?? null,
      results,
      claims,
      transactionId: null,
      reason: null,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
  }

  /** Claims every counter; on the first refusal gives back what was claimed and says why. */
  private async claimAll(hold: HoldRecord, contexts: CodeContext[]): Promise<CouponReason | undefined> {
    const byKey = new Map(contexts.map((c) => [c.campaign.key, c.campaign]));
    const done: HoldRecord['claims'] = [];
    for (const claim of hold.claims) {
      const ref = claim.ref;
      const campaign = byKey.get(ref.kind === 'code' ? ref.code.slice(0, 5) : ref.key)!;
      const limits: CounterLimits =
        ref.kind === 'campaign'
          ? { maxUsed: campaign.budget.redemptions, maxSpent: campaign.budget.amount }
          : { maxUsed: ref.kind === 'code' ? campaign.usesPerCode : campaign.perCustomerLimit, maxSpent: null };
      const extra = ref.kind === 'code' ? { code: ref.code, campaignId: campaign.campaignId, customerId: null, issuedAt: null } : {};
      // A code never used has no counter yet: create it with the use rather than patch a missing document.
      const counterExists = ref.kind !== 'code' || contexts.some((c) => c.code === ref.code && c.usage);
      if (!(await this.claimOne(hold, claim, limits, extra, counterExists))) {
        for (const taken of done) await this.store.release(hold.tenantId, taken.ref, hold.holdId);
        return ref.kind === 'campaign' ? 'budget-exhausted' : ref.kind === 'code' ? 'already-redeemed' : 'customer-limit-reached';
      }
      done.push(claim);
    }
    return undefined;
  }

  private async claimOne(
    hold: HoldRecord,
    { ref, use }: HoldRecord['claims'][number],
    limits: CounterLimits,
    extra: Record<string, unknown>,
    counterExists: boolean,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const outcome = attempt === 0 && !counterExists ? 'missing' : await this.store.claim(hold.tenantId, ref, hold.holdId, use, limits);
      if (outcome === 'applied') return true;
      if (outcome === 'missing') {
        if ((await this.store.createCounter(hold.tenantId, ref, hold.holdId, use, extra)) === 'created') return true;
        continue;
      }
      // Refused: expired holds count as released; give their uses back and try once more.
      const counter = await this.store.readCounter(hold.tenantId, ref);
      const now = this.clock.now().getTime();
      const expired = Object.entries(counter?.pending ?? {}).filter(([, u]) => u.exp <= now);
      if (expired.length === 0) return false;
      for (const [holdId] of expired) await this.store.release(hold.tenantId, ref, holdId);
    }
    return false;
  }

  /** Moves a hold from one of `from` to `to`; the counters follow in `finish`. */
  private transition(tenantId: string, holdId: string, from: HoldStatus[], to: HoldStatus, change: Partial<HoldRecord> = {}) {
    const updatedAt = this.clock.now().toISOString();
    // A confirmation owes its `coupon.redeemed` events: marked in the same write.
    const announce = to === 'confirmed' ? { eventPending: true } : {};
    return this.store.updateHold(tenantId, holdId, (h) =>
      from.includes(h.status) ? { ...h, ...change, ...announce, status: to, settled: false, updatedAt } : undefined,
    );
  }

  /** Makes the counters match the hold's status; idempotent, so a crash is finished by a rerun. */
  private async finish(hold: HoldRecord): Promise<HoldRecord> {
    if (hold.settled) {
      await this.announceRedeemed(hold);
      return hold;
    }
    let givenAway = 0;
    for (const { ref, use } of hold.claims) {
      if (hold.status === 'released') await this.store.release(hold.tenantId, ref, hold.holdId);
      if (hold.status === 'confirmed' && !(await this.store.settle(hold.tenantId, ref, hold.holdId))) givenAway += 1;
      if (hold.status === 'restored') await this.store.restore(hold.tenantId, ref, hold.holdId, use);
    }
    // A sale confirming a hold whose expired use another checkout already took: the limit holds, and the record says why.
    const reason = givenAway > 0 ? 'hold-expired' : hold.reason;
    const finished =
      (await this.store.updateHold(hold.tenantId, hold.holdId, (h) =>
        h.status === hold.status && !h.settled ? { ...h, settled: true, reason } : undefined,
      )) ?? hold;
    await this.announceRedeemed(finished);
    return finished;
  }

  private async confirm(tenantId: string, holdId: string, tx: TransactionView, log: Logger): Promise<string> {
    const hold = await this.transition(tenantId, holdId, ['active'], 'confirmed', { transactionId: tx.transactionId });
    if (!hold) {
      log.log('warn', 'a transaction names an unknown coupon hold; redeeming the codes it lists', { holdId, transactionId: tx.transactionId });
      return tx.coupons.length > 0 ? this.redeemOffline(tenantId, tx, log) : 'unknown-hold';
    }
    if (hold.status === 'confirmed' || hold.status === 'restored') return (await this.finish(hold)).status;
    // Released (expired or abandoned) before its sale arrived: redeem its codes as an offline sale would.
    log.log('info', 'coupon hold was no longer active; redeeming its codes with the sale', { holdId, status: hold.status });
    return this.redeemOffline(tenantId, { ...tx, coupons: hold.results.map((r) => r.code) }, log);
  }

  /** Codes a POS sent with the sale: redeemed now, under a hold id derived from the sale; refusals are recorded. */
  private async redeemOffline(tenantId: string, tx: TransactionView, log: Logger): Promise<string> {
    const holdId = deterministicId('hold', tenantId, tx.transactionId);
    const existing = await this.store.getHold(tenantId, holdId);
    if (existing && existing.status !== 'active') return (await this.finish(existing)).status;
    // Evaluated as the basket was before the POS took the coupons off, at the time of the sale.
    const lines = tx.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: l.unitPrice, discount: 0, category: l.category }));
    const request = { customerId: tx.customerId ?? undefined, channel: tx.channel, locationId: tx.locationId, lines };
    const contexts = await this.contexts(tenantId, tx.coupons, request.customerId);
    const results = evaluateCoupons(contexts, { ...request, at: new Date(tx.occurredAt) });
    const refused = results.find((r) => !r.valid);
    const now = this.clock.now();
    if (refused && !existing) {
      await this.store.createHold({
        ...this.newHold(tenantId, holdId, request, [], [], now),
        transactionId: tx.transactionId,
        status: 'refused',
        reason: refused.reason!,
        results,
      });
      log.log('info', 'offline coupons refused', { transactionId: tx.transactionId, reason: refused.reason });
      return 'refused';
    }
    const hold = existing ?? { ...this.newHold(tenantId, holdId, request, results, contexts as CodeContext[], now), transactionId: tx.transactionId };
    if (!existing) await this.store.createHold(hold);
    const failure = await this.claimAll(hold, contexts as CodeContext[]);
    if (failure) {
      await this.store.updateHold(tenantId, holdId, (h) => ({ ...h, status: 'refused', reason: failure, settled: true }));
      log.log('info', 'offline coupons refused', { transactionId: tx.transactionId, reason: failure });
      return 'refused';
    }
    const confirmed = await this.transition(tenantId, holdId, ['active'], 'confirmed', { transactionId: tx.transactionId });
    return (await this.finish(confirmed!)).status;
  }

  /**
   * Policy: a coupon's use comes back when its sale is returned in full (every unit), so the
   * customer may use it again; a partial return keeps the discount given and the use spent.
   */
  private async restoreOnReturn(tenantId: string, tx: TransactionView, log: Logger): Promise<string> {
    if (!tx.originalTransactionId) return 'ignored';
    const records = await this.store.listHoldsForTransaction(tenantId, tx.originalTransactionId);
    const holds = records.filter((h) => h.status === 'confirmed' || h.status === 'restored');
    if (records.length > 0 && holds.length === 0) return 'ignored';
    const locator = await this.transactions.locate(tenantId, tx.originalTransactionId);
    const sale = locator && (await this.transactions.get(locator));
    if (!sale) return 'ignored';
    const sold = quantitiesBySku(sale.lines);
    const returned = returnedQuantities(sale.returned);
    if (Object.entries(sold).some(([sku, n]) => (returned[sku] ?? 0) < n)) return 'partial-return';
    if (holds.length === 0) {
      // The return's event came before its sale's: fail, so the return is redelivered after the sale redeems.
      if (sale.coupons.length > 0) throw new Error('The sale returned has coupons not redeemed yet');
      return 'ignored';
    }
    for (const hold of holds) {
      const current = hold.status === 'confirmed' ? await this.transition(tenantId, hold.holdId, ['confirmed'], 'restored') : hold;
      if (current) await this.finish(current);
    }
    log.log('info', 'coupon uses restored after a full return', { transactionId: tx.originalTransactionId });
    return 'restored';
  }
}

/** An active hold past its expiry reads as released, whether or not the sweeper has run. */
function asRead(hold: HoldRecord, now: Date): HoldRecord {
  return hold.status === 'active' && Date.parse(hold.expiresAt) <= now.getTime() ? { ...hold, status: 'released', reason: 'hold-expired' } : hold;
}

export function holdView(hold: HoldRecord): HoldView {
  const { holdId, status, expiresAt, results, transactionId, reason, customerId, channel, locationId } = hold;
  return {
    holdId,
    status,
    expiresAt,
    channel,
    locationId,
    customerId,
    transactionId,
    reason,
    codes: results,
    discount: results.reduce((sum, r) => sum + r.discount, 0),
  };
}

function buildCampaign(tenantId: string, key: string, input: CampaignInput, now: string): Campaign {
  return {
    ...EMPTY_COUNTER,
    tenantId,
    campaignId: campaignIdOf(key),
    key,
    name: input.name,
    discount: input.discount,
    validFrom: new Date(input.validFrom).toISOString(),
    validTo: new Date(input.validTo).toISOString(),
    channels: input.channels,
    locationIds: input.locationIds ?? null,
    minimumBasket: input.minimumBasket,
    eligible: input.eligible ?? { skus: [], categories: [] },
    excluded: input.excluded ?? { skus: [], categories: [] },
    budget: { redemptions: input.budget?.redemptions ?? null, amount: input.budget?.amount ?? null },
    perCustomerLimit: input.perCustomerLimit ?? null,
    stackable: input.stackable,
    publicCode: input.publicCode ? normalizeCode(input.publicCode) : null,
    usesPerCode: input.usesPerCode,
    ...(input.segments ? { segments: input.segments } : {}),
    secret: randomSecret(),
    nextSerial: 0,
    createdAt: now,
  };
}

/**
 * The campaign as the API shows it. What it gave comes from its holds (`usage`): the campaign's own
 * counters exist only to enforce a budget, so a campaign without one would report nothing.
 */
export function campaignView(campaign: Campaign, usage: { redemptions: number; discount: number } = { redemptions: 0, discount: 0 }): CampaignView {
  const { secret: _secret, pending: _pending, restored: _restored, key: _key, nextSerial, used: _used, spent: _spent, ...rest } = campaign;
  return { ...rest, codesIssued: nextSerial, redemptions: usage.redemptions, discountGiven: usage.discount };
}

/** Personal coupons in the customer's wallet and 360 view; they follow the customer through a merge. */
export class CouponParticipant implements CustomerParticipant {
  readonly name = 'coupons';
  readonly viewSchema = CouponsSection;
  readonly exportSchema = CouponsSection;
  constructor(
    private readonly coupons: CouponService,
    private readonly store: CouponStore,
  ) {}

  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    let moved = 0;
    for (const usage of await this.store.listPersonalCodes(tenantId, fromId)) {
      if (await this.store.moveCode(tenantId, usage.code, fromId, intoId)) moved += 1;
    }
    return moved;
  }

  async view(tenantId: string, customerId: string, _audience: Audience): Promise<z.output<typeof CouponsSection>> {
    return { coupons: await this.coupons.wallet(tenantId, customerId) };
  }

  async export(tenantId: string, customerId: string): Promise<z.output<typeof CouponsSection>> {
    return { coupons: await this.coupons.wallet(tenantId, customerId) };
  }

  /** Personal codes carry only the customer id, which names nobody once the rest is erased. */
  async erase(): Promise<void> {}
}
