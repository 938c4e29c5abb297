import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { ZodType } from 'zod';
import type { EventRoute } from '../kernel/events';
import type { Logger } from '../kernel/ports';
import { ATTRIBUTES, parentOf, SpanKind, type PlatformTelemetry } from '../kernel/telemetry';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What the OpenAPI document says about an HTTP function; built from the same zod schemas it parses with. */
export interface OperationDoc {
  summary: string;
  tags: string[];
  security: 'none' | 'platform' | 'apiKey';
  /** The key roles the route is limited to (others get 403); absent: every role. */
  roles?: readonly string[];
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  headers?: Array<{ name: string; description: string }>;
  /** `contentType`: a body sent as it is (e.g. text/csv, schema `z.string()`) rather than as JSON. */
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
}

export interface HttpFunction {
  kind: 'http';
  name: string;
  method: HttpMethod;
  /** Route template as the Functions host reads it, without the `api/` prefix. */
  route: string;
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
  doc: OperationDoc;
}

export interface TopicFunction {
  kind: 'serviceBusTopic';
  name: string;
  topicName: string;
  subscriptionName: string;
  /** The events its subscription lets through (the SQL filter in Azure, the same filter locally). */
  accepts: readonly EventRoute[];
  handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

export interface TimerFunction {
  kind: 'timer';
  name: string;
  /**
   * NCRONTAB with seconds. The local host runs it as written; in Azure the trigger reads it from
   * the app setting `scheduleSetting(name)`, which the Bicep templates set to this value (tested),
   * so an administrator can change a schedule without a new build.
   */
  schedule: string;
  description: string;
  handler: (timer: Timer, context: InvocationContext) => Promise<void>;
}

/** Every function is described once; Azure registration and the local host both read this. */
export type FunctionDefinition = HttpFunction | TopicFunction | TimerFunction;

/** The app setting that holds a timer's schedule in Azure. */
export const scheduleSetting = (timerName: string) => `Schedule_${timerName}`;

/**
 * A timer function: the log line of each run carries its invocation id; a throw is the host's to
 * report. With telemetry on, each run is a span of its own trace (under the host's span, when it
 * traces), so what a run publishes (the outbox sweeper's resent events) carries that trace to
 * its consumers.
 */
export function timerFunction(
  name: string,
  spec: { schedule: string; description: string },
  run: (log: Logger) => Promise<unknown>,
  logger: Logger,
  telemetry?: PlatformTelemetry,
): TimerFunction {
  return {
    kind: 'timer',
    name,
    schedule: spec.schedule,
    description: spec.description,
    handler: async (_timer, context) => {
      if (!telemetry?.enabled) {
        await run(logger.child({ invocationId: context.invocationId, function: name }));
        return;
      }
      await telemetry.inSpan(
        `timer ${name}`,
        SpanKind.SERVER,
        parentOf({}, context.traceContext),
        { 'faas.trigger': 'timer', 'faas.invocation_id': context.invocationId, [ATTRIBUTES.function]: name },
        (span) => run(logger.child({ invocationId: context.invocationId, function: name, traceId: span.spanContext().traceId })),
      );
    },
  };
}
