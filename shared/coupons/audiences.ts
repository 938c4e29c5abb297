import { extensionPoint } from '../kernel/extensions';

/**
 * Who belongs to a segment, as campaigns restricted to segments need it. Contributed by the
 * capability that knows segments; `available: false` when none does (campaigns naming segments
 * are then refused at creation, and never valid).
 */
export interface CampaignAudiences {
  readonly available: boolean;
  exists(tenantId: string, segmentId: string): Promise<boolean>;
  isMember(tenantId: string, segmentId: string, customerId: string): Promise<boolean>;
}

export const campaignAudiences = extensionPoint<CampaignAudiences>('coupons.campaignAudiences');
