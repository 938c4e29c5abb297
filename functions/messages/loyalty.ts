import { SUBSCRIPTIONS } from '../../shared/messaging';
import type { Platform } from '../../shared/platform';
import type { TopicFunction } from '../definition';
import { eventConsumer } from './message';

/** Sales earn points and returns reverse them, from `transaction.recorded` and `transaction.claimed`. */
export function loyaltyAccrualFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'loyaltyAccrual', SUBSCRIPTIONS.loyalty, (event, log) => platform.loyalty.handle(event, log));
}
