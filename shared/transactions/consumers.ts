import { SUBSCRIPTIONS } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from '../edge/definition';
import { eventConsumer } from '../edge/consumer';

/** Keeps each customer's activity summary up to date from `transaction.recorded`. */
export function customerActivityFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'customerActivity', SUBSCRIPTIONS.customerActivity, (event, log) => platform.activity.handle(event, log));
}
