import { SUBSCRIPTIONS } from '../../shared/messaging';
import type { Platform } from '../../shared/platform';
import type { TopicFunction } from '../definition';
import { eventConsumer } from './message';

/** Keeps each customer's activity summary up to date from `transaction.recorded`. */
export function customerActivityFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'customerActivity', SUBSCRIPTIONS.customerActivity, (event, log) => platform.activity.handle(event, log));
}
