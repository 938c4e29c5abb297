import type { InvocationContext } from '@azure/functions';
import { parseEvent, type CloudEvent } from '../kernel/events';
import type { DeadLetterStore, Logger } from '../kernel/ports';
import { EVENTS_TOPIC, MAX_DELIVERY_COUNT } from '../kernel/declarations';
import { ATTRIBUTES, DIAGNOSTIC_ID, parentOf, SpanKind, TRACEPARENT, TRACESTATE, type PlatformTelemetry, type Span } from '../kernel/telemetry';
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

/** The message's application properties as the trigger hands them over (an object, or its JSON). */
function applicationPropertiesOf(context: InvocationContext): Record<string, unknown> {
  const metadata = context.triggerMetadata ?? {};
  const properties: unknown = metadata.applicationProperties ?? metadata.userProperties;
  if (typeof properties === 'string') {
    try {
      return JSON.parse(properties) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return properties !== null && typeof properties === 'object' ? (properties as Record<string, unknown>) : {};
}

function deliveryCountOf(context: InvocationContext): number | undefined {
  const count = Number(context.triggerMetadata?.deliveryCount);
  return Number.isInteger(count) && count > 0 ? count : undefined;
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
  kit: { logger: Logger; deadLetters: DeadLetterStore; telemetry?: PlatformTelemetry },
): TopicFunction {
  const consume = async (message: unknown, context: InvocationContext, span?: Span): Promise<void> => {
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
      if (span) kit.telemetry!.deadLettered(spec.subscription, 'contract');
      return;
    }
    const { event } = parsed;
    const fields = { invocationId: context.invocationId, function: name, eventId: event.id, tenantId: event.tenantid };
    const log = kit.logger.child(span ? { ...fields, traceId: span.spanContext().traceId } : fields);
    if (!span) {
      await handle(event, log);
      return;
    }
    const deliveryCount = deliveryCountOf(context);
    span.setAttributes({
      [ATTRIBUTES.eventType]: event.type,
      [ATTRIBUTES.eventId]: event.id,
      [ATTRIBUTES.eventSubject]: event.subject,
      [ATTRIBUTES.tenantId]: event.tenantid,
    });
    kit.telemetry!.delivered(spec.subscription, event, deliveryCount);
    try {
      await handle(event, log);
    } catch (error) {
      // The last delivery failed: Service Bus (or the local bus) dead-letters the message now.
      if (deliveryCount !== undefined && deliveryCount >= MAX_DELIVERY_COUNT) kit.telemetry!.deadLettered(spec.subscription, 'max-deliveries');
      throw error;
    }
  };

  /** One consumer span per delivery, continuing the trace the message carries (see `parentOf`). */
  const traced = (telemetry: PlatformTelemetry, message: unknown, context: InvocationContext) => {
    const properties = applicationPropertiesOf(context);
    const deliveryCount = deliveryCountOf(context);
    const messageId = context.triggerMetadata?.messageId;
    return telemetry.inSpan(
      `process ${EVENTS_TOPIC}/${spec.subscription}`,
      SpanKind.CONSUMER,
      parentOf({ traceparent: properties[TRACEPARENT], tracestate: properties[TRACESTATE], diagnosticId: properties[DIAGNOSTIC_ID] }, context.traceContext),
      {
        'messaging.system': 'servicebus',
        'messaging.operation.type': 'process',
        'messaging.destination.name': EVENTS_TOPIC,
        [ATTRIBUTES.subscription]: spec.subscription,
        ...(typeof messageId === 'string' ? { 'messaging.message.id': messageId } : {}),
        ...(deliveryCount !== undefined ? { 'messaging.servicebus.message.delivery_count': deliveryCount } : {}),
        'faas.trigger': 'pubsub',
        'faas.invocation_id': context.invocationId,
        [ATTRIBUTES.function]: name,
      },
      (span) => consume(message, context, span),
    );
  };

  return {
    kind: 'serviceBusTopic',
    name,
    topicName: EVENTS_TOPIC,
    subscriptionName: spec.subscription,
    accepts: spec.accepts,
    // Telemetry off: the delivery runs as it is, with no span and no metric call.
    handler: (message, context) => (kit.telemetry?.enabled ? traced(kit.telemetry, message, context) : consume(message, context)),
  };
}
