import { SUBSCRIPTIONS } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from '../edge/definition';
import { eventConsumer } from '../edge/consumer';

/** From `transaction.recorded`: confirms coupon holds, redeems codes sent offline, restores uses on returns, activates gift cards sold. */
export function couponRedemptionsFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'couponRedemptions', SUBSCRIPTIONS.coupons, async (event, log) => {
    await platform.giftCards.handle(event, log);
    await platform.coupons.handle(event, log);
  });
}
