import { SUBSCRIPTIONS } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from '../edge/definition';
import { eventConsumer } from '../edge/consumer';

/** Sales earn points and returns reverse them, from `transaction.recorded` and `transaction.claimed`. */
export function loyaltyAccrualFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'loyaltyAccrual', SUBSCRIPTIONS.loyalty, (event, log) => platform.loyalty.handle(event, log));
}
