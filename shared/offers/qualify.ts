import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { assertMayActFor, type Principal } from '../tenancy';
import { requireCurrentCustomer, type CustomerStore } from '../customers';
import { BasketLine, CouponResultSchema, type CouponResult, type EvaluationRequest } from '../coupons';
import type { LoyaltyProgram, LoyaltySummary } from '../loyalty';
import type { Clock } from '../kernel/ports';
import { transactionTotal } from '../transactions';

export const QualifyInput = z
  .object({
    channel: z.enum(['store', 'online']),
    locationId: idField(64),
    lines: z.array(BasketLine).min(1).max(500),
    recommendations: z.number().int().min(0).max(3).default(3).describe('How many recommended items to add (0: the recommender is not asked)'),
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
      .describe('Up to 3 items that go with the basket (the recommender), each with why'),
  })
  .meta({ id: 'OfferQualification' });
export type Qualification = z.output<typeof QualificationSchema>;

/** What qualify needs of the other capabilities. */
export interface QualifySources {
  /** Wallet codes and promotions, each evaluated alone by the coupons module's own evaluation (the one validation uses). */
  coupons(
    tenantId: string,
    request: EvaluationRequest & { customerId: string },
  ): Promise<Array<CouponResult & { name: string; source: 'wallet' | 'promotion' }>>;
  loyalty(tenantId: string, customerId: string): Promise<{ summary: LoyaltySummary; program: LoyaltyProgram } | null>;
  /** Items for the basket with why, from the recommender. */
  recommend(
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
    // Asked in parallel for the id given; a merged id is asked again for its survivor. The
    // recommendations depend on the basket only: asked once (each ask counts as a list served).
    const perCustomer = (id: string) => {
      const request = { customerId: id, channel: input.channel, locationId: input.locationId, lines: input.lines, at: this.clock.now() };
      return Promise.all([this.sources.coupons(tenantId, request), this.sources.loyalty(tenantId, id)]);
    };
    const recommend =
      input.recommendations > 0
        ? this.sources.recommend(tenantId, { channel: input.channel, locationId: input.locationId, skus: input.lines.map((l) => l.sku) }, input.recommendations)
        : Promise.resolve([]);
    const [customer, speculative, recommendations] = await Promise.all([
      requireCurrentCustomer(this.customers, tenantId, customerId),
      perCustomer(customerId),
      recommend,
    ]);
    const [coupons, loyalty] = customer.customerId === customerId ? speculative : await perCustomer(customer.customerId);
    return {
      customerId: customer.customerId,
      coupons: coupons.filter((c) => c.valid),
      // A code already used up is no longer in the wallet's offer; the others say why they do not apply here.
      walletNotApplicable: coupons
        .filter((c) => c.source === 'wallet' && !c.valid && c.reason !== 'already-redeemed')
        .map((c) => ({ code: c.code, reason: c.reason! })),
      points: loyalty && pointsFor(loyalty, input.lines),
      recommendations: recommendations.slice(0, input.recommendations),
    };
  }
}

function pointsFor({ summary, program }: { summary: LoyaltySummary; program: LoyaltyProgram }, lines: BasketLine[]): NonNullable<Qualification['points']> {
  const basket = transactionTotal(lines);
  const { pointValue, minimumPoints } = program.redemption;
  const affordable = Math.min(summary.spendable, Math.floor(basket / pointValue));
  const redeemable = affordable >= minimumPoints ? affordable : 0;
  return { spendable: summary.spendable, redeemable, value: Math.floor(redeemable * pointValue), currency: summary.currency };
}
