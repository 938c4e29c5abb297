import { z } from 'zod';
import { defineEvent, type EventOf } from '../kernel/events';

/** A personal code was issued into a customer's wallet: the data of `coupon.issued`. */
export const CouponIssuedSchema = z
  .object({
    campaignId: z.string(),
    code: z.string().describe('Crockford base32, in groups of 4'),
    customerId: z.string(),
    issuedAt: z.string(),
    source: z.string().describe('`api` for a code issued by an admin call, or the offer rule that issued it (`rule:<ruleId>`)'),
  })
  .meta({ id: 'CouponIssuedData' });
export type CouponIssuedData = z.output<typeof CouponIssuedSchema>;

/** A code was redeemed by a sale (held at checkout and confirmed, or sent offline): the data of `coupon.redeemed`. */
export const CouponRedeemedSchema = z
  .object({
    campaignId: z.string(),
    code: z.string().describe('As entered'),
    customerId: z.string().nullable(),
    transactionId: z.string(),
    holdId: z.string(),
    channel: z.enum(['store', 'online']),
    locationId: z.string(),
    discount: z.number().int().describe('Minor units'),
    at: z.string(),
  })
  .meta({ id: 'CouponRedeemedData' });
export type CouponRedeemedData = z.output<typeof CouponRedeemedSchema>;

/** Routing attribute `campaignid`. */
export const CouponIssued = defineEvent('coupon.issued', CouponIssuedSchema, (d) => ({ campaignid: d.campaignId }));
/** Routing attributes `campaignid` and `channel`. */
export const CouponRedeemed = defineEvent('coupon.redeemed', CouponRedeemedSchema, (d) => ({ campaignid: d.campaignId, channel: d.channel }));
export type CouponIssuedEvent = EventOf<typeof CouponIssued>;
export type CouponRedeemedEvent = EventOf<typeof CouponRedeemed>;
