import type { CampaignAudiences } from '../coupons';

/** A rule tree as the segments capability reads it: the daily timer asks for customers whose trait equals a value. */
export interface TraitQuery {
  all: Array<{ trait: 'daysUntilBirthday' | 'daysSinceLastPurchase'; operator: 'equals'; value: number }>;
}

/**
 * What offers need of customer segments: membership (segment triggers and conditions, campaigns
 * restricted to segments), existence (rules naming a segment) and customers by trait (birthday,
 * lapsed). The segments capability answers it when the platform has one.
 */
export interface SegmentDirectory extends CampaignAudiences {
  customersMatching(tenantId: string, query: TraitQuery): AsyncIterable<string>;
}
