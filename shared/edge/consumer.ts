import { isCloudEvent, type CloudEvent } from '../kernel/events';
import type { Logger } from '../kernel/ports';
import { EVENTS_TOPIC } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from './definition';

/** The trigger may hand over the body parsed, as a string or as bytes, depending on content type. */
export function asMessageBody(message: unknown): unknown {
  if (Buffer.isBuffer(message)) return JSON.parse(message.toString('utf8'));
  if (typeof message === 'string') return JSON.parse(message);
  return message;
}

/**
 * A consumer of the events topic: one subscription, one use case. A throw makes the trigger
 * redeliver, and dead-letter after the subscription's max delivery count, so handlers must be
 * idempotent.
 */
export function eventConsumer(
  platform: Platform,
  name: string,
  subscriptionName: string,
  handle: (event: CloudEvent, log: Logger) => Promise<unknown>,
): TopicFunction {
  return {
    kind: 'serviceBusTopic',
    name,
    topicName: EVENTS_TOPIC,
    subscriptionName,
    handler: async (message, context) => {
      const event = asMessageBody(message);
      if (!isCloudEvent(event)) throw new Error('The message is not a CloudEvent');
      const log = platform.logger.child({ invocationId: context.invocationId, function: name, eventId: event.id, tenantId: event.tenantid });
      await handle(event, log);
    },
  };
}
