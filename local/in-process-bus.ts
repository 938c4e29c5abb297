import { context as otelContext, ROOT_CONTEXT } from '@opentelemetry/api';
import { matches, messageProperties, type CloudEvent, type EventRoute, type RoutingValue } from '../shared/kernel/events';
import { MAX_DELIVERY_COUNT } from '../shared/kernel/declarations';
import type { DeadLetterStore, EventPublisher } from '../shared/kernel/ports';
import { traceProperties } from '../shared/kernel/telemetry';

/** What the Service Bus trigger hands a handler beside the body (its trigger metadata). */
export interface Delivery {
  deliveryCount: number;
  messageId: string;
  /** `type`, the routing attributes and, with telemetry on, the W3C trace context, as the publisher set them. */
  applicationProperties: Record<string, RoutingValue>;
  enqueuedTimeUtc: string;
}

export type MessageHandler = (message: unknown, delivery: Delivery) => Promise<void>;

export interface DeadLetter {
  subscription: string;
  messageId: string;
  body: unknown;
  deliveryCount: number;
  reason: string;
  deadLetteredAt: string;
}

interface Options {
  /** As the Service Bus subscription's MaxDeliveryCount (default 10 there too). */
  maxDeliveryCount?: number;
  /** Duplicate detection window on messageId (Service Bus default: 10 minutes). */
  duplicateWindowMs?: number;
  /** Wait before redelivering a failed message, by attempt number. */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Messages handled at once per subscription, like the trigger's maxConcurrentCalls. */
  concurrency?: number;
  /** Send the active W3C trace context with each message, as the Service Bus publisher does with telemetry on. */
  traceContext?: boolean;
}

interface Pending {
  messageId: string;
  body: string;
  deliveryCount: number;
  applicationProperties: Record<string, RoutingValue>;
  enqueuedTimeUtc: string;
}

/**
 * The local stand-in for a Service Bus topic with one subscription per consumer. It gives the
 * handlers what the trigger gives them in Azure: a copy of each message per subscription,
 * at-least-once delivery, redelivery after a failure up to the max delivery count, then a
 * dead-letter store; duplicate detection on messageId within a window; and each subscription's
 * filter, the same routes that become its SQL filter in Azure, on the same message properties.
 */
export class InProcessBus implements EventPublisher, DeadLetterStore {
  private readonly subscriptions = new Map<string, { handler: MessageHandler; accepts: readonly EventRoute[]; queue: Pending[]; running: number }>();
  private delivered = 0;
  private readonly seen = new Map<string, number>();
  private readonly deadLettered: DeadLetter[] = [];
  private readonly waiters: Array<() => void> = [];
  private scheduled = 0;
  private failuresToInject = 0;
  private gate: Promise<void> | undefined;
  private deliveryGate: Promise<void> | undefined;
  private offered = 0;
  private accepted = 0;
  private readonly byType = new Map<string, { offered: number; accepted: number }>();
  private readonly maxDeliveryCount: number;
  private readonly duplicateWindowMs: number;
  private readonly retryDelayMs: (n: number) => number;
  private readonly concurrency: number;
  private readonly traceContext: boolean;

  constructor(options: Options = {}) {
    this.maxDeliveryCount = options.maxDeliveryCount ?? MAX_DELIVERY_COUNT;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 10 * 60_000;
    this.retryDelayMs = options.retryDelayMs ?? ((n) => Math.min(20 * 2 ** n, 1_000));
    this.concurrency = options.concurrency ?? 16;
    this.traceContext = options.traceContext ?? false;
  }

  subscribe(subscription: string, accepts: readonly EventRoute[], handler: MessageHandler): void {
    if (this.subscriptions.has(subscription)) throw new Error(`Subscription ${subscription} already has a handler`);
    this.subscriptions.set(subscription, { handler, accepts, queue: [], running: 0 });
  }

  /** A consumer found a message it can never handle (it fails its contract): kept with the reason, not redelivered. */
  async put(entry: { subscription: string; messageId: string; body: unknown; reason: string }): Promise<void> {
    this.deadLettered.push({ ...entry, deliveryCount: 1, deadLetteredAt: new Date().toISOString() });
  }

  async publish(events: CloudEvent[]): Promise<void> {
    if (this.gate) await this.gate;
    this.offered += events.length;
    for (const event of events) this.countsOf(event.type).offered += 1;
    if (this.failuresToInject > 0) {
      this.failuresToInject -= 1;
      throw new Error('The message broker is unavailable (injected fault)');
    }
    const now = Date.now();
    // A Map iterates in insertion order, which is time order: stop at the first id still in the window.
    for (const [id, at] of this.seen) {
      if (now - at <= this.duplicateWindowMs) break;
      this.seen.delete(id);
    }
    for (const event of events) {
      if (this.seen.has(event.id)) continue;
      this.seen.set(event.id, now);
      this.accepted += 1;
      this.countsOf(event.type).accepted += 1;
      const body = JSON.stringify(event);
      const properties = messageProperties(event);
      // What the Service Bus publisher sends too: the trace context travels with the message, not with the call.
      const applicationProperties = this.traceContext ? { ...properties, ...traceProperties() } : properties;
      const enqueuedTimeUtc = new Date(now).toISOString();
      for (const [name, sub] of this.subscriptions) {
        if (!matches(sub.accepts, properties)) continue;
        sub.queue.push({ messageId: event.id, body, deliveryCount: 0, applicationProperties, enqueuedTimeUtc });
        this.pump(name);
      }
    }
  }

  /** Makes the next `count` publish calls fail, as an outage of the broker would. */
  failNextPublishes(count: number): void {
    this.failuresToInject = count;
  }

  /** Holds every publish until the returned function is called, as a slow broker would. */
  holdPublishes(): () => void {
    return this.hold('gate');
  }

  /** Holds every delivery until the returned function is called, as lagging consumers would. */
  holdDeliveries(): () => void {
    return this.hold('deliveryGate');
  }

  private hold(gate: 'gate' | 'deliveryGate'): () => void {
    let release!: () => void;
    this[gate] = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this[gate] = undefined;
      release();
    };
  }

  /** Messages offered by publishers, accepted after duplicate detection, and deliveries to consumers (function executions), since start. */
  get stats(): { offered: number; accepted: number; delivered: number } {
    return { offered: this.offered, accepted: this.accepted, delivered: this.delivered };
  }

  /** The same counts for one event type (other consumers publish events of their own). */
  statsOf(type: string): { offered: number; accepted: number } {
    return { ...this.countsOf(type) };
  }

  private countsOf(type: string): { offered: number; accepted: number } {
    let counts = this.byType.get(type);
    if (!counts) this.byType.set(type, (counts = { offered: 0, accepted: 0 }));
    return counts;
  }

  deadLetters(): DeadLetter[] {
    return [...this.deadLettered];
  }

  /** Resolves when every accepted message has been handled or dead-lettered. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private isIdle(): boolean {
    if (this.scheduled > 0) return false;
    for (const sub of this.subscriptions.values()) if (sub.queue.length > 0 || sub.running > 0) return false;
    return true;
  }

  private pump(name: string): void {
    const sub = this.subscriptions.get(name)!;
    while (sub.running < this.concurrency && sub.queue.length > 0) {
      const message = sub.queue.shift()!;
      sub.running += 1;
      void this.deliver(name, sub.handler, message).finally(() => {
        sub.running -= 1;
        this.pump(name);
        this.notifyIfIdle();
      });
    }
  }

  private async deliver(subscription: string, handler: MessageHandler, message: Pending): Promise<void> {
    const deliveryCount = message.deliveryCount + 1;
    if (this.deliveryGate) await this.deliveryGate;
    this.delivered += 1;
    try {
      // Each delivery gets its own copy, as a broker would hand over, and starts from no trace context
      // at all, as in another process: only what the message carries links it to its publisher.
      const delivery: Delivery = {
        deliveryCount,
        messageId: message.messageId,
        applicationProperties: { ...message.applicationProperties },
        enqueuedTimeUtc: message.enqueuedTimeUtc,
      };
      await otelContext.with(ROOT_CONTEXT, () => handler(JSON.parse(message.body), delivery));
    } catch (error) {
      if (deliveryCount >= this.maxDeliveryCount) {
        this.deadLettered.push({
          subscription,
          messageId: message.messageId,
          body: JSON.parse(message.body),
          deliveryCount,
          reason: (error as Error)?.message ?? String(error),
          deadLetteredAt: new Date().toISOString(),
        });
        return;
      }
      this.scheduled += 1;
      setTimeout(() => {
        this.scheduled -= 1;
        this.subscriptions.get(subscription)?.queue.push({ ...message, deliveryCount });
        this.pump(subscription);
        this.notifyIfIdle();
      }, this.retryDelayMs(deliveryCount)).unref();
    }
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
