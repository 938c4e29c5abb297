/**
 * Traces and metrics through the OpenTelemetry API alone (`@opentelemetry/api`, no SDK): the SDK is
 * registered by the entry point when telemetry is on (Azure Monitor in Azure, the console or an
 * OTLP collector locally); without one every call here is a no-op. With telemetry off the edge does
 * not even make the calls: `PlatformTelemetry.enabled` is false and each wrapper runs the handler as
 * it is.
 *
 * What goes into a span or a metric is ids and names only (routes as templates, function,
 * subscription and container names, event types, ids and subjects, tenant ids, status codes),
 * never a request body, a query string, a header value or an error message, so no personal data.
 */
import {
  context as otelContext,
  createTraceState,
  isSpanContextValid,
  metrics,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Counter,
  type Histogram,
  type Link,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { messageProperties, type CloudEvent } from './events';
import type { Clock, EventPublisher, Telemetry } from './ports';

/** The instrumentation scope of every span and metric the platform makes. */
export const TELEMETRY_SCOPE = 'unifica';

/** The metrics the platform records (alerts and the workbook in infra-bicep query these names). */
export const METRICS = {
  /** Events accepted by the topic, by `type` and the event's routing attributes (e.g. `channel`, `txtype`): sales ingested per channel. */
  eventsPublished: 'unifica.events.published',
  /** Age of an event (now minus its `time`) when a consumer handles it, in ms, by subscription. */
  consumerLag: 'unifica.consumer.lag',
  /** Deliveries with a delivery count above 1, by subscription. */
  consumerRetries: 'unifica.consumer.retries',
  /** Messages dead-lettered, by subscription and reason (`contract`: fails its event contract; `max-deliveries`: the last delivery failed). */
  deadLetters: 'unifica.dead_letters',
  /** 429s: answered by the API (`source` http, by function) or by Cosmos DB after the SDK's own retries (`source` cosmosdb, by container). */
  throttled: 'unifica.throttled',
  /** Cosmos DB operations, by container and kind (reads, writes, queries). */
  cosmosOperations: 'unifica.cosmosdb.operations',
  /** Request units charged per Cosmos DB operation, by container and kind. */
  cosmosRequestCharge: 'unifica.cosmosdb.request_charge',
} as const;

/** Custom attributes the workbook and the alerts filter on. */
export const ATTRIBUTES = {
  function: 'unifica.function',
  tenantId: 'unifica.tenant_id',
  subscription: 'messaging.destination.subscription.name',
  eventType: 'cloudevents.event_type',
  eventId: 'cloudevents.event_id',
  eventSubject: 'cloudevents.event_subject',
} as const;

/**
 * The W3C trace context as message application properties. `Diagnostic-Id` carries the same
 * traceparent under the name the Service Bus SDK and the Functions host's Service Bus trigger read.
 */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const DIAGNOSTIC_ID = 'Diagnostic-Id';

const TRACEPARENT_FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `00-<trace id>-<span id>-<flags>`, or undefined for an invalid span context. */
export function formatTraceparent(span: SpanContext): string | undefined {
  if (!isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** A remote span context from a W3C traceparent (version 00) and tracestate; undefined when absent or malformed. */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT_FORMAT.exec(traceparent.trim().toLowerCase());
  if (!match) return undefined;
  const span: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(typeof tracestate === 'string' && tracestate.trim() ? { traceState: createTraceState(tracestate.trim()) } : {}),
  };
  return isSpanContextValid(span) ? span : undefined;
}

/**
 * The trace context of `context` (the active one by default) as message properties: empty when no
 * span is recording there, which is always the case with telemetry off.
 */
export function traceProperties(context: Context = otelContext.active()): Record<string, string> {
  const span = trace.getSpanContext(context);
  const traceparent = span && formatTraceparent(span);
  if (!traceparent) return {};
  const tracestate = span.traceState?.serialize();
  return { [TRACEPARENT]: traceparent, ...(tracestate ? { [TRACESTATE]: tracestate } : {}), [DIAGNOSTIC_ID]: traceparent };
}

/** What the Functions host hands an invocation (`InvocationContext.traceContext`): its own span, when it traces. */
export interface HostTraceContext {
  traceParent?: string | null;
  traceState?: string | null;
}

/**
 * Where a span of an invocation hangs: the trace context that came with the request or message
 * (`carrier`: a traceparent header, or the message's application properties) continues the trace.
 * When the host traced the invocation in the same trace (it read the same traceparent, or
 * Diagnostic-Id), its span is the closer parent; a host span of another trace becomes a link. With
 * neither, the span starts a trace of its own (under the host's span, when there is one).
 */
export function parentOf(
  carrier: { traceparent?: unknown; tracestate?: unknown; diagnosticId?: unknown },
  host?: HostTraceContext,
): { parent: Context; links: Link[] } {
  const sent = parseTraceparent(carrier.traceparent, carrier.tracestate) ?? parseTraceparent(carrier.diagnosticId);
  const hosted = parseTraceparent(host?.traceParent, host?.traceState);
  if (sent && hosted && hosted.traceId !== sent.traceId) return { parent: trace.setSpanContext(ROOT_CONTEXT, sent), links: [{ context: hosted }] };
  const parent = hosted ?? sent;
  return { parent: parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT, links: [] };
}

/** Cosmos DB operation kinds, as `CosmosMetrics` counts them. */
export type StoreOperationKind = 'reads' | 'writes' | 'queries';

/**
 * The platform's telemetry: the business events and metrics of the `Telemetry` port, the spans the
 * edge makes per invocation, and the metrics above. Built once per process by the composition
 * root, after the entry point registered the SDK (instruments are taken from the global meter
 * provider at construction).
 */
export class PlatformTelemetry implements Telemetry {
  readonly tracer = trace.getTracer(TELEMETRY_SCOPE);
  private readonly meter = metrics.getMeter(TELEMETRY_SCOPE);
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(
    /** False: nothing is traced or measured, and the edge wrappers take their direct path. */
    readonly enabled: boolean,
    private readonly clock: Clock,
  ) {}

  private counter(name: string, description?: string, unit?: string): Counter {
    let counter = this.counters.get(name);
    if (!counter) this.counters.set(name, (counter = this.meter.createCounter(name, { description, unit })));
    return counter;
  }

  private histogram(name: string, description?: string, unit?: string): Histogram {
    let histogram = this.histograms.get(name);
    if (!histogram) this.histograms.set(name, (histogram = this.meter.createHistogram(name, { description, unit })));
    return histogram;
  }

  // ---- the Telemetry port: business events and metrics of the capabilities -------------------------

  trackEvent(name: string, properties?: Record<string, string>): void {
    if (this.enabled) this.counter(`unifica.${name}`).add(1, properties);
  }

  trackMetric(name: string, value: number, properties?: Record<string, string>): void {
    if (this.enabled) this.histogram(`unifica.${name}`).record(value, properties);
  }

  // ---- spans -------------------------------------------------------------------------------------

  /**
   * Runs `run` in a span of `kind` under `parent` (see `parentOf`), as the active span, so what it
   * publishes carries it. The span ends with `run`; a throw marks it as an error by the error's
   * name only (messages may hold what a caller sent).
   */
  async inSpan<T>(
    name: string,
    kind: SpanKind,
    where: { parent: Context; links?: Link[] },
    attributes: Attributes,
    run: (span: Span) => Promise<T>,
  ): Promise<T> {
    const span = this.tracer.startSpan(name, { kind, attributes, links: where.links }, where.parent);
    try {
      return await otelContext.with(trace.setSpan(where.parent, span), () => run(span));
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType(error) });
      span.setAttribute('error.type', errorType(error));
      throw error;
    } finally {
      span.end();
    }
  }

  /** Publishes to `topic` in a producer span, so each message carries it as its parent, and counts what went out. */
  tracedPublisher(publisher: EventPublisher, topic: string): EventPublisher {
    return {
      publish: (events) =>
        this.inSpan(`send ${topic}`, SpanKind.PRODUCER, { parent: otelContext.active() }, publishAttributes(events, topic), async () => {
          await publisher.publish(events);
          for (const event of events) this.counter(METRICS.eventsPublished, 'Events sent to the topic').add(1, eventDimensions(event));
        }),
    };
  }

  // ---- metrics -----------------------------------------------------------------------------------

  /** A consumer took an event: its age, and a retry when it was delivered before. */
  delivered(subscription: string, event: CloudEvent, deliveryCount: number | undefined): void {
    const age = this.clock.now().getTime() - Date.parse(event.time);
    const dimensions = { [ATTRIBUTES.subscription]: subscription, [ATTRIBUTES.eventType]: event.type };
    if (Number.isFinite(age)) this.histogram(METRICS.consumerLag, 'Age of an event when its consumer handles it', 'ms').record(Math.max(0, age), dimensions);
    if (deliveryCount !== undefined && deliveryCount > 1) this.counter(METRICS.consumerRetries, 'Deliveries after a failed one').add(1, dimensions);
  }

  deadLettered(subscription: string, reason: 'contract' | 'max-deliveries'): void {
    this.counter(METRICS.deadLetters, 'Messages dead-lettered').add(1, { [ATTRIBUTES.subscription]: subscription, reason });
  }

  throttled(source: 'http' | 'cosmosdb', where: string): void {
    this.counter(METRICS.throttled, 'Requests answered 429').add(1, { source, [source === 'http' ? ATTRIBUTES.function : 'db.collection.name']: where });
  }

  storeOperation(container: string, kind: StoreOperationKind): void {
    this.counter(METRICS.cosmosOperations, 'Cosmos DB operations').add(1, { 'db.collection.name': container, kind });
  }

  storeCharge(container: string, kind: StoreOperationKind, requestUnits: number): void {
    this.histogram(METRICS.cosmosRequestCharge, 'Request units per Cosmos DB operation', 'RU').record(requestUnits, { 'db.collection.name': container, kind });
  }
}

function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}

/** The dimensions of a published event: its type and routing attributes (low-cardinality by design: subscription filters compare them), not its tenant. */
function eventDimensions(event: CloudEvent): Attributes {
  const { tenantId: _tenant, ...dimensions } = messageProperties(event);
  return dimensions;
}

function publishAttributes(events: CloudEvent[], topic: string): Attributes {
  const base: Attributes = {
    'messaging.system': 'servicebus',
    'messaging.operation.type': 'send',
    'messaging.destination.name': topic,
    'messaging.batch.message_count': events.length,
  };
  if (events.length === 1) {
    const [event] = events as [CloudEvent];
    return {
      ...base,
      'messaging.message.id': event.id,
      [ATTRIBUTES.eventType]: event.type,
      [ATTRIBUTES.eventId]: event.id,
      [ATTRIBUTES.eventSubject]: event.subject,
      [ATTRIBUTES.tenantId]: event.tenantid,
    };
  }
  return {
    ...base,
    [ATTRIBUTES.eventType]: [...new Set(events.map((e) => e.type))],
    [ATTRIBUTES.eventId]: events.map((e) => e.id),
    [ATTRIBUTES.eventSubject]: events.map((e) => e.subject),
  };
}

export { SpanKind, SpanStatusCode };
export type { Span };
