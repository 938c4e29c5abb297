import { ServiceBusClient, type ServiceBusSender } from '@azure/service-bus';
import type { TokenCredential } from '@azure/identity';
import { messageProperties, type CloudEvent } from '../events';
import type { EventPublisher, HealthProbe } from '../ports';
import { traceProperties } from '../telemetry';

/** Publishes CloudEvents to the topic; the event id is the message id, so the topic's duplicate detection applies. */
export class ServiceBusPublisher implements EventPublisher {
  private readonly client: ServiceBusClient;
  private readonly sender: ServiceBusSender;

  /** `traceContext`: send the active W3C trace context with each message (telemetry on). */
  constructor(
    fullyQualifiedNamespace: string,
    topicName: string,
    credential: TokenCredential,
    private readonly traceContext = false,
  ) {
    this.client = new ServiceBusClient(fullyQualifiedNamespace, credential);
    this.sender = this.client.createSender(topicName);
  }

  async publish(events: CloudEvent[]): Promise<void> {
    await this.sender.sendMessages(
      events.map((event) => ({
        body: event,
        messageId: event.id,
        contentType: 'application/cloudevents+json',
        subject: event.type,
        // `type` and the event's routing attributes: what the subscriptions' SQL filters read; with
        // telemetry on, the W3C trace context (traceparent, tracestate, Diagnostic-Id) beside them.
        applicationProperties: this.traceContext ? { ...messageProperties(event), ...traceProperties() } : messageProperties(event),
      })),
    );
  }

  healthProbe(): HealthProbe {
    return { name: 'serviceBus', check: async () => ({ ok: !this.sender.isClosed }) };
  }

  async close(): Promise<void> {
    await this.sender.close();
    await this.client.close();
  }
}
