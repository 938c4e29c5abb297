import { isCloudEvent } from '../../shared/domain/events';
import { EVENTS_TOPIC, SUBSCRIPTIONS } from '../../shared/messaging';
import type { Platform } from '../../shared/platform';
import type { TopicFunction } from '../definition';
import { asMessageBody } from './message';

/** Keeps each customer's activity summary up to date from `transaction.recorded`. */
export function customerActivityFunction(platform: Platform): TopicFunction {
  return {
    kind: 'serviceBusTopic',
    name: 'customerActivity',
    topicName: EVENTS_TOPIC,
    subscriptionName: SUBSCRIPTIONS.customerActivity,
    handler: async (message, context) => {
      const event = asMessageBody(message);
      if (!isCloudEvent(event)) throw new Error('The message is not a CloudEvent');
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'customerActivity', eventId: event.id, tenantId: event.tenantid });
      // A throw here makes the trigger redeliver, and dead-letter after the max delivery count.
      await platform.activity.handle(event, log);
    },
  };
}
