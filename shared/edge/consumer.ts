import type { InvocationContext } from '@azure/functions';
import { parseEvent, type CloudEvent } from '../kernel/events';
import type { DeadLetterStore, Logger } from '../kernel/ports';
import { EVENTS_TOPIC } from '../kernel/declarations';
import type { ConsumerSpec } from '../kernel/module';
import type { TopicFunction } from './definition';

/** The trigger may hand over the body parsed, as a string or as bytes, depending on content type. */
export function asMessageBody(message: unknown): unknown {
  if (Buffer.isBuffer(message)) return JSON.parse(message.toString('utf8'));
  if (typeof message === 'string') return JSON.parse(message);
  return message;
}

function messageIdOf(context: InvocationContext, body: unknown): string {
  const fromTrigger = context.triggerMetadata?.messageId;
  if (typeof fromTrigger === 'string') return fromTrigger;
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : context.invocationId;
}

/**
 * A consumer of the events topic: one subscription, one use case. The message is parsed against
 * the contracts the consumer accepts, once, here: one that does not match goes to the dead-letter
 * store with the reason and never reaches the handler. A throw makes the trigger redeliver, and
 * dead-letter after the subscription's max delivery count, so handlers must be idempotent.
 */
export function eventConsumer(
  name: string,
  spec: ConsumerSpec,
  handle: (event: CloudEvent, log: Logger) => Promise<unknown>,
  kit: { logger: Logger; deadLetters: DeadLetterStore },
): TopicFunction {
  return {
    kind: 'serviceBusTopic',
    name,
    topicName: EVENTS_TOPIC,
    subscriptionName: spec.subscription,
    accepts: spec.accepts,
    handler: async (message, context) => {
      let body: unknown;
      let parsed: ReturnType<typeof parseEvent>;
      try {
        body = asMessageBody(message);
        parsed = parseEvent(spec.accepts, body);
      } catch {
        body = String(message);
        parsed = { ok: false, reason: 'the message body is not JSON' };
      }
      if (!parsed.ok) {
        const messageId = messageIdOf(context, body);
        kit.logger.log('warn', 'dead-lettered a message that fails its contract', { function: name, messageId, reason: parsed.reason });
        await kit.deadLetters.put({ subscription: spec.subscription, messageId, body, reason: parsed.reason });
        return;
      }
      const { event } = parsed;
      const log = kit.logger.child({ invocationId: context.invocationId, function: name, eventId: event.id, tenantId: event.tenantid });
      await handle(event, log);
    },
  };
}
