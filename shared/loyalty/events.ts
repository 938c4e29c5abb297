import { z } from 'zod';
import { defineEvent, type EventOf } from '../kernel/events';

/** What a change did to a customer's points and tier: the data of `loyalty.points.changed`. */
export const PointsChangeSchema = z
  .object({
    customerId: z.string(),
    spendable: z.number().int().describe('Spendable points after the change'),
    pending: z.number().int().describe('Points earned and not spendable yet, after the change'),
    tier: z.string().nullable().describe('Tier code after the change'),
    previousTier: z.string().nullable().describe('Tier code before the change'),
    change: z.number().int().describe('Spendable plus pending points after, minus before'),
    entries: z.array(z.string()).describe('Keys of the ledger entries the change wrote (empty when time alone moved points)'),
    at: z.string(),
  })
  .meta({ id: 'LoyaltyPointsChange' });
export type PointsChange = z.output<typeof PointsChangeSchema>;

/**
 * A customer's points or tier changed (accrual, reversal, redemption, bonus, expiry, points
 * becoming spendable, a tier review). Routing attribute `tierchanged`.
 */
export const LoyaltyPointsChanged = defineEvent('loyalty.points.changed', PointsChangeSchema, (data) => ({ tierchanged: data.tier !== data.previousTier }));
export type LoyaltyPointsChangedEvent = EventOf<typeof LoyaltyPointsChanged>;
