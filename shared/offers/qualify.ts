import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { assertMayActFor, type Principal } from '../tenancy';
import { requireCurrentCustomer, type CustomerStore } from '../customers';
import { BasketLine, CouponResultSchema, type Campaign, type CouponResult, type EvaluationRequest, type WalletItem } from '../coupons';
import type { LoyaltyProgram, LoyaltySummary } from '../loyalty';
import type { Clock } from '../kernel/ports';

export const QualifyInput = z
  .object({
    channel: z.enum(['store', 'online']),
    locationId: idField(64),
    lines: z.array(BasketLine).min(1).max(500),
  })
  .strict();
export type QualifyInput = z.output<typeof QualifyInput>;

const OfferCoupon = CouponResultSchema.extend({
  source: z.enum(['wallet', 'promotion']),
  name: z.string(),
});

export const QualificationSchema = z
  .object({
    customerId: z.string().describe('The survivor, for a merged id'),
    coupons: z.array(OfferCoupon).describe('Wallet coupons and public promotions that apply, each evaluated alone exactly as validation does; nothing is held'),
    walletNotApplicable: z.array(z.object({ code: z.string(), reason: z.string() })).describe('Wallet coupons that do not apply to this basket, and why'),
    points: z
      .object({
        spendable: z.number().int(),
        redeemable: z.number().int().describe('What may be redeemed on this basket: no more than it costs, none below the minimum'),
        value: z.number().int().describe('What the redeemable points pay, minor units'),
        currency: z.string(),
      })
      .nullable()
      .describe('null without a loyalty program'),
    recommendations: z
      .array(z.object({ sku: z.string(), explanation: z.string() }))
      .max(3)
      .describe('Up to 3 items for the basket, when the platform recommends'),
  })
  .meta({ id: 'OfferQualification' });
export type Qualification = z.output<typeof QualificationSchema>;

/** What qualify needs of the other capabilities. */
export interface QualifySources {
  wallet(tenantId: string, customerId: string): Promise<WalletItem[]>;
  publicCampaigns(tenantId: string): Promise<Campaign[]>;
  /** The coupons module's own evaluation (the one validation uses). */
  evaluateCodes(tenantId: string, codes: string[], request: EvaluationRequest): Promise<CouponResult[]>;
  loyalty(tenantId: string, customerId: string): Promise<{ summary: LoyaltySummary; program: LoyaltyProgram } | null>;
  recommend?(
    tenantId: string,
    basket: { channel: 'store' | 'online'; locationId: string; skus: string[] },
    limit: number,
  ): Promise<Array<{ sku: string; explanation: string }>>;
}

/**
 * What a customer can get right now for a basket, in one answer for the till or the cart: every
 * wallet coupon and public promotion evaluated alone (a customer chooses among them; validation
 * then checks the combination), points and their value, recommendations. Nothing is consumed.
 */
export class Qualifier {
  constructor(
    private readonly customers: CustomerStore,
    private readonly sources: QualifySources,
    private readonly clock: Clock,
  ) {}

  async qualify(principal: Principal, customerId: string, input: QualifyInput): Promise<Qualification> {
    assertMayActFor(principal, input.locationId);
    const { tenantId } = principal;
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    const request: EvaluationRequest = {
      customerId: customer.customerId,
      channel: input.channel,
      locationId: input.locationId,
      lines: input.lines,
      at: this.clock.now(),
    };
    const [wallet, promotions, loyalty, recommendations] = await Promise.all([
      this.sources.wallet(tenantId, customer.customerId),
      this.sources.publicCampaigns(tenantId),
      this.sources.loyalty(tenantId, customer.customerId),
      this.sources.recommend?.(tenantId, { channel: input.channel, locationId: input.locationId, skus: input.lines.map((l) => l.sku) }, 3) ?? [],
    ]);
    const usable = wallet.filter((item) => item.usesLeft > 0);
    const evaluateAlone = (code: string) => this.sources.evaluateCodes(tenantId, [code], request).then((results) => results[0]!);
    const [walletResults, promotionResults] = await Promise.all([
      Promise.all(usable.map((item) => evaluateAlone(item.code))),
      Promise.all(promotions.map((campaign) => evaluateAlone(campaign.publicCode!))),
    ]);
    const coupons: Qualification['coupons'] = [];
    const walletNotApplicable: Qualification['walletNotApplicable'] = [];
    walletResults.forEach((result, i) => {
      if (result.valid) coupons.push({ ...result, source: 'wallet', name: usable[i]!.name });
      else walletNotApplicable.push({ code: result.code, reason: result.reason! });
    });
    promotionResults.forEach((result, i) => {
      if (result.valid) coupons.push({ ...result, source: 'promotion', name: promotions[i]!.name });
    });
    return {
      customerId: customer.customerId,
      coupons,
      walletNotApplicable,
      points: loyalty && pointsFor(loyalty, input.lines),
      recommendations: recommendations.slice(0, 3),
    };
  }
}

function pointsFor({ summary, program }: { summary: LoyaltySummary; program: LoyaltyProgram }, lines: BasketLine[]): NonNullable<Qualification['points']> {
  const basket = lines.reduce((n, l) => n + l.quantity * l.unitPrice - l.discount, 0);
  const { pointValue, minimumPoints } = program.redemption;
  const affordable = Math.min(summary.spendable, Math.floor(basket / pointValue));
  const redeemable = affordable >= minimumPoints ? affordable : 0;
  return { spendable: summary.spendable, redeemable, value: Math.floor(redeemable * pointValue), currency: summary.currency };
}
