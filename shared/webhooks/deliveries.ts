import { DomainError, notFound } from '../kernel/errors';
import type { CloudEvent } from '../kernel/events';
import type { Clock, Logger } from '../kernel/ports';
import { PAYLOAD_VERSION } from './deliverable';
import type { Dispatcher } from './dispatcher';
import type { WebhookEndpoints } from './endpoints';
import type { DeliveryStore, Sender } from './ports';
import { MAX_ATTEMPTS, retryDelayMs } from './schedule';
import { signatureHeader } from './signing';
import {
  deliveryIdOf,
  deliverySummary,
  deliveryView,
  type Attempt,
  type DeliveryRecord,
  type DeliverySummary,
  type DeliveryView,
  type EndpointRecord,
} from './webhooks';

/** How long an endpoint may go without a single success before a delivery that used up its attempts turns it off. */
const DISABLE_AFTER_MS = 24 * 3_600_000;
/** Deliveries the timer takes per run, and per endpoint (so one endpoint's backlog never fills a run). */
const DUE_PER_RUN = 200;

export interface DeliverySettings {
  timeoutMs: number;
  /** Attempts in flight per endpoint. */
  perEndpoint: number;
}

/**
 * Delivery of events to endpoints, at least once. For each event the consumer writes one record
 * per subscribed endpoint (its id derived from endpoint and event, so a redelivered event changes
 * nothing) and hands the first attempt to the dispatcher, without waiting for it: the record is
 * leased for one attempt's timeout, so if this process stops, the timer finds it due and tries
 * again. Every attempt is signed afresh (Standard Webhooks), logged with its status, latency and a
 * capped excerpt of the response, and a failure is retried on `retryDelayMs`'s schedule.
 */
export class WebhookDeliveries {
  constructor(
    private readonly endpoints: WebhookEndpoints,
    private readonly store: DeliveryStore,
    private readonly sender: Sender,
    private readonly dispatcher: Dispatcher,
    private readonly clock: Clock,
    private readonly settings: DeliverySettings,
  ) {}

  /** The consumer: records a delivery for every enabled endpoint subscribed to the event, then starts the attempts. */
  async handle(event: CloudEvent, log: Logger): Promise<{ recorded: number }> {
    const subscribed = (await this.endpoints.cached(event.tenantid)).filter((e) => e.enabled && e.eventTypes.includes(event.type));
    if (subscribed.length === 0) return { recorded: 0 };
    const payload = JSON.stringify({
      id: event.id,
      type: event.type,
      version: PAYLOAD_VERSION,
      timestamp: event.time,
      tenantId: event.tenantid,
      subject: event.subject,
      data: event.data,
    });
    const now = this.clock.now();
    const created = await Promise.all(
      subscribed.map(async (endpoint) => {
        const record: DeliveryRecord = {
          id: deliveryIdOf(endpoint.endpointId, event.id),
          tenantId: event.tenantid,
          endpointId: endpoint.endpointId,
          eventId: event.id,
          eventType: event.type,
          eventTime: event.time,
          orderingKey: orderingKeyOf(event),
          payload,
          status: 'pending',
          attempts: [],
          attemptCount: 0,
          replayedAfter: 0,
          // Leased for the first attempt, which starts now.
          due: this.leaseFrom(now.getTime()),
          createdAt: now.toISOString(),
          deliveredAt: null,
          failedReason: null,
        };
        if ((await this.store.create(record)) === 'exists') return false;
        // Started, not awaited: a slow receiver never holds the consumer (nor the other events behind it).
        void this.dispatch(endpoint, record, log);
        return true;
      }),
    );
    const recorded = created.filter(Boolean).length;
    return { recorded };
  }

  /** The timer: claims due deliveries (a few per endpoint) and attempts them; resolves when those attempts end. */
  async deliverDue(log: Logger): Promise<{ attempted: number }> {
    const now = this.clock.now().getTime();
    // In event order, so one customer's messages due together (a replayed range) go out in the order they happened.
    const due = (await this.store.due(now, DUE_PER_RUN)).sort((a, b) => a.eventTime.localeCompare(b.eventTime));
    const perEndpoint = new Map<string, number>();
    const runs: Promise<void>[] = [];
    for (const record of due) {
      const taken = perEndpoint.get(record.endpointId) ?? 0;
      if (taken >= this.settings.perEndpoint) continue;
      if (!(await this.store.claim(record, this.leaseFrom(now)))) continue;
      perEndpoint.set(record.endpointId, taken + 1);
      const endpoint = await this.endpoints.record(record.tenantId, record.endpointId);
      if (!endpoint || !endpoint.enabled) {
        const reason = endpoint ? `endpoint disabled: ${endpoint.disabledReason ?? 'by an admin'}` : 'endpoint deleted';
        await this.store.reschedule(record, { status: 'failed', due: null, failedReason: reason, replayedAfter: record.replayedAfter });
        continue;
      }
      runs.push(this.dispatch(endpoint, record, log));
    }
    await Promise.all(runs);
    return { attempted: runs.length };
  }

  async get(tenantId: string, endpointId: string, eventId: string): Promise<DeliveryView> {
    return deliveryView(await this.require(tenantId, endpointId, eventId));
  }

  async page(
    tenantId: string,
    endpointId: string,
    limit: number,
    continuationToken?: string,
  ): Promise<{ items: DeliverySummary[]; continuationToken: string | null }> {
    await this.endpoints.get(tenantId, endpointId);
    const page = await this.store.page(tenantId, endpointId, limit, continuationToken);
    return { items: page.items.map(deliverySummary), continuationToken: page.continuationToken };
  }

  /** Sends one message again now, whatever became of it (delivered, failed or still retrying). */
  async replay(tenantId: string, endpointId: string, eventId: string, log: Logger): Promise<DeliveryView> {
    const endpoint = await this.requireEnabled(tenantId, endpointId);
    const record = await this.require(tenantId, endpointId, eventId);
    const next = { status: 'pending' as const, due: this.leaseFrom(this.clock.now().getTime()), failedReason: null, replayedAfter: record.attemptCount };
    await this.store.reschedule(record, next);
    void this.dispatch(endpoint, { ...record, ...next }, log);
    return deliveryView({ ...record, ...next });
  }

  /** Makes every message of events in [since, until) due again; the timer sends them, in event order per customer. */
  async replayRange(tenantId: string, endpointId: string, since: string, until: string): Promise<{ replayed: number }> {
    await this.requireEnabled(tenantId, endpointId);
    const records = await this.store.inRange(tenantId, endpointId, new Date(since).toISOString(), new Date(until).toISOString(), 1_000);
    const due = this.clock.now().getTime();
    for (const record of records) await this.store.reschedule(record, { status: 'pending', due, failedReason: null, replayedAfter: record.attemptCount });
    return { replayed: records.length };
  }

  /** Deliveries handed to a lane whose outcome is not written yet: none when everything started has finished. */
  get pending(): number {
    return this.unfinished;
  }

  private unfinished = 0;

  /**
   * Queues the attempt in the endpoint's lane. The lane is held only while the receiver answers
   * (or times out): writing the outcome happens beside it, so a slow store does not slow the lane.
   */
  private dispatch(endpoint: EndpointRecord, record: DeliveryRecord, log: Logger): Promise<void> {
    let outcome: Promise<void> = Promise.resolve();
    this.unfinished += 1;
    const { accepted, done } = this.dispatcher.submit(endpoint.endpointId, record.orderingKey, async () => {
      const attempt = await this.send(endpoint, record);
      outcome = this.recordOutcome(endpoint, record, attempt, log).catch((error: unknown) =>
        // Unwritten, the delivery stays leased: the timer attempts it again when the lease ends.
        log.log('warn', 'webhook outcome not written', { eventId: record.eventId, error: (error as Error).message }),
      );
    });
    // A full lane leaves the record leased: the timer takes it when the lease ends.
    if (!accepted) log.log('warn', 'webhook lane full; the timer will send it', { endpointId: endpoint.endpointId, eventId: record.eventId });
    return done.then(() => outcome).finally(() => (this.unfinished -= 1));
  }

  /** One attempt, signed now (Standard Webhooks): the timestamp is the attempt's. */
  private async send(endpoint: EndpointRecord, record: DeliveryRecord): Promise<Attempt> {
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'unifica-webhooks/1',
      'webhook-id': record.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(this.endpoints.signingSecrets(endpoint), record.eventId, timestamp, record.payload),
    };
    const at = this.clock.now();
    const result = await this.sender.send(endpoint.url, headers, record.payload, this.settings.timeoutMs);
    return { at: at.toISOString(), ...result };
  }

  /** The attempt and what follows it, in one write; a success noted on the endpoint (hourly), a hopeless one disabled. */
  private async recordOutcome(endpoint: EndpointRecord, record: DeliveryRecord, attempt: Attempt, log: Logger): Promise<void> {
    const ok = attempt.status !== null && attempt.status >= 200 && attempt.status < 300;
    // A replay starts the retry schedule afresh.
    const delay = ok ? undefined : retryDelayMs(record.attemptCount + 1 - record.replayedAfter);
    const now = this.clock.now();
    const failed = !ok && delay === undefined;
    await this.store.recordAttempt(record, attempt, {
      status: ok ? 'delivered' : failed ? 'failed' : 'pending',
      due: ok || failed ? null : now.getTime() + delay!,
      deliveredAt: ok ? now.toISOString() : null,
      failedReason: failed ? `${MAX_ATTEMPTS} attempts failed; last: ${describe(attempt)}` : null,
    });
    log.log(ok ? 'debug' : 'info', 'webhook attempt', {
      endpointId: endpoint.endpointId,
      eventId: record.eventId,
      status: attempt.status,
      ms: attempt.latencyMs,
    });
    if (ok) await this.endpoints.noteSuccess(endpoint);
    if (failed && (!endpoint.lastSuccessAt || now.getTime() - Date.parse(endpoint.lastSuccessAt) >= DISABLE_AFTER_MS)) {
      const reason = `Disabled at ${now.toISOString()}: every attempt to deliver ${record.eventId} failed over about 24 hours and nothing was delivered in that time (last: ${describe(attempt)})`;
      await this.endpoints.disable(endpoint.tenantId, endpoint.endpointId, reason);
      log.log('warn', 'webhook endpoint disabled after repeated failure', { endpointId: endpoint.endpointId });
    }
  }

  private leaseFrom(now: number): number {
    // Past the attempt's own timeout, with room for writing its outcome.
    return now + this.settings.timeoutMs + 30_000;
  }

  private async require(tenantId: string, endpointId: string, eventId: string): Promise<DeliveryRecord> {
    const record = await this.store.get(tenantId, endpointId, deliveryIdOf(endpointId, eventId));
    if (!record) throw notFound(`Message ${eventId} for endpoint ${endpointId}`);
    return record;
  }

  private async requireEnabled(tenantId: string, endpointId: string): Promise<EndpointRecord> {
    const endpoint = await this.endpoints.record(tenantId, endpointId);
    if (!endpoint) throw notFound(`Webhook endpoint ${endpointId}`);
    if (!endpoint.enabled) throw new DomainError('unprocessable', 'The endpoint is disabled: enable it before replaying', { reason: 'endpoint-disabled' });
    return endpoint;
  }
}

/** Keeps a customer's messages in order to each endpoint: their customer id, else the event's subject. */
function orderingKeyOf(event: CloudEvent): string {
  const data = event.data as { customerId?: unknown } | null;
  return typeof data?.customerId === 'string' ? `customer:${data.customerId}` : event.subject;
}

function describe(result: { status: number | null; error: string | null }): string {
  return result.status !== null ? `HTTP ${result.status}` : (result.error ?? 'no response');
}
