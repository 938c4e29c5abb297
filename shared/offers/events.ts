import { z } from 'zod';
import { defineEvent, type EventOf } from '../kernel/events';
import { MarketingPurpose } from './rules';

export const OfferBenefitSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('coupon'), campaignId: z.string(), code: z.string() }),
  z.object({ type: z.literal('points'), points: z.number().int() }),
]);
export type OfferBenefit = z.output<typeof OfferBenefitSchema>;

/** What the retailer's messaging system needs to tell a customer about a benefit: the data of `offer.issued`. */
export const OfferIssuedSchema = z
  .object({
    activationId: z.string(),
    ruleId: z.string(),
    ruleVersion: z.number().int(),
    ruleName: z.string(),
    customerId: z.string(),
    trigger: z.object({ type: z.string(), key: z.string(), at: z.string() }),
    benefits: z.array(OfferBenefitSchema).describe('What the rule put in the customer’s wallet or account'),
    purposes: z.array(MarketingPurpose).describe('The channels the customer consented to, of those the rule asked for: send only through these'),
    message: z.string().optional(),
    at: z.string(),
  })
  .meta({ id: 'OfferIssuedData' });
export type OfferIssuedData = z.output<typeof OfferIssuedSchema>;

/** An offer rule acted for a customer who consented to hear about it. Routing attribute `ruleid`. */
export const OfferIssued = defineEvent('offer.issued', OfferIssuedSchema, (d) => ({ ruleid: d.ruleId }));
export type OfferIssuedEvent = EventOf<typeof OfferIssued>;
