import type { CampaignAudiences } from '../coupons';

/** A trait condition as the segments capability reads rule trees: the daily timer asks for customers whose trait equals a value. */
export interface TraitQuery {
  all: Array<{ trait: 'daysUntilBirthday' | 'daysSinceLastPurchase'; op: 'eq'; value: number }>;
}

/**
 * What offers need of customer segments: membership (segment triggers and conditions, campaigns
 * restricted to segments), existence (rules naming a segment) and customers by trait (birthday,
 * lapsed). The segments capability answers it when the platform has one.
 */
export interface SegmentDirectory extends CampaignAudiences {
  customersMatching(tenantId: string, query: TraitQuery): AsyncIterable<string>;
}

/** The directory of a platform without segments: it knows none, and says so. */
export const NO_SEGMENTS: SegmentDirectory = {
  available: false,
  exists: () => Promise.resolve(false),
  isMember: () => Promise.resolve(false),
  customersMatching: async function* () {},
};
