import { ServiceBusClient, type ServiceBusSender } from '@azure/service-bus';
import type { TokenCredential } from '@azure/identity';
import { messageProperties, type CloudEvent } from '../events';
import type { EventPublisher, HealthProbe } from '../ports';

/** Publishes CloudEvents to the topic; the event id is the message id, so the topic's duplicate detection applies. */
export class ServiceBusPublisher implements EventPublisher {
  private readonly client: ServiceBusClient;
  private readonly sender: ServiceBusSender;

  constructor(fullyQualifiedNamespace: string, topicName: string, credential: TokenCredential) {
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
        // `type` and the event's routing attributes: what the subscriptions' SQL filters read.
        applicationProperties: messageProperties(event),
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
