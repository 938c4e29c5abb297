import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { ZodType } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What the OpenAPI document says about an HTTP function; built from the same zod schemas it parses with. */
export interface OperationDoc {
  summary: string;
  tags: string[];
  security: 'none' | 'platform' | 'apiKey';
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  headers?: Array<{ name: string; description: string }>;
  responses: Record<number, { description: string; schema?: ZodType }>;
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
  handler: (message: unknown, context: InvocationContext) => Promise<void>;
}

export interface TimerFunction {
  kind: 'timer';
  name: string;
  /** NCRONTAB with seconds, as the Functions timer trigger reads it. */
  schedule: string;
  handler: (timer: Timer, context: InvocationContext) => Promise<void>;
}

/** Every function is described once; Azure registration and the local host both read this. */
export type FunctionDefinition = HttpFunction | TopicFunction | TimerFunction;
