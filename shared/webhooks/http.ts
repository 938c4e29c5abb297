import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { PageQuery, ProblemSchema, id } from '../edge/schemas';
import type { WebhookDeliveries } from './deliveries';
import type { WebhookEndpoints } from './endpoints';
import {
  DeliveryPageSchema,
  DeliveryViewSchema,
  EndpointInput,
  EndpointListSchema,
  EndpointUpdate,
  EndpointViewSchema,
  EndpointWithSecretSchema,
  EventTypeListSchema,
  ReplayedSchema,
  ReplayRangeInput,
  RotateInput,
} from './webhooks';

const problems = {
  404: { description: 'No such endpoint or message (or another tenant’s)', schema: ProblemSchema },
};
const EndpointParams = z.object({ endpointId: id });
const MessageParams = z.object({ endpointId: id, eventId: id });
const disabled = { 422: { description: 'The endpoint is disabled (`endpoint-disabled`): enable it first', schema: ProblemSchema } };
const common = { tags: ['Webhooks'], auth: 'tenant' as const, roles: ['admin' as const] };

export function webhookRoutes(edge: EdgeKit, endpoints: WebhookEndpoints, deliveries: WebhookDeliveries): HttpFunction[] {
  return [
    endpoint(edge, {
      ...common,
      name: 'createWebhookEndpoint',
      method: 'POST',
      route: 'v1/webhooks/endpoints',
      summary: 'Register an endpoint for some event types; the signing secret is in this response only',
      body: EndpointInput,
      // Not replayable with Idempotency-Key: a stored reply would keep the secret in clear for a day.
      responses: { 201: { description: 'Registered', schema: EndpointWithSecretSchema }, 422: { description: 'Too many endpoints', schema: ProblemSchema } },
      handle: async ({ principal, body }) => {
        const created = await endpoints.create(principal, body);
        return { status: 201, body: created, headers: { location: `/api/v1/webhooks/endpoints/${created.endpointId}` } };
      },
    }),
    endpoint(edge, {
      ...common,
      name: 'listWebhookEndpoints',
      method: 'GET',
      route: 'v1/webhooks/endpoints',
      summary: "The tenant's webhook endpoints",
      responses: { 200: { description: 'Every endpoint', schema: EndpointListSchema } },
      handle: async ({ principal }) => ({ status: 200, body: { items: await endpoints.list(principal.tenantId) } }),
    }),
    endpoint(edge, {
      ...common,
      name: 'listWebhookEventTypes',
      method: 'GET',
      route: 'v1/webhooks/event-types',
      summary: 'The event types an endpoint may subscribe to, with the JSON Schema of each payload',
      responses: { 200: { description: 'Event types', schema: EventTypeListSchema } },
      handle: async () => ({ status: 200, body: endpoints.eventTypes() }),
    }),
    endpoint(edge, {
      ...common,
      name: 'getWebhookEndpoint',
      method: 'GET',
      route: 'v1/webhooks/endpoints/{endpointId}',
      summary: 'One endpoint (never its secret)',
      params: EndpointParams,
      responses: { 200: { description: 'The endpoint', schema: EndpointViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await endpoints.get(principal.tenantId, params.endpointId) }),
    }),
    endpoint(edge, {
      ...common,
      name: 'updateWebhookEndpoint',
      method: 'PATCH',
      route: 'v1/webhooks/endpoints/{endpointId}',
      summary: 'Change the URL, event types or description; enable (clears the reason) or disable',
      params: EndpointParams,
      body: EndpointUpdate,
      responses: { 200: { description: 'Updated', schema: EndpointViewSchema }, ...problems },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await endpoints.update(principal.tenantId, params.endpointId, body) }),
    }),
    endpoint(edge, {
      ...common,
      name: 'deleteWebhookEndpoint',
      method: 'DELETE',
      route: 'v1/webhooks/endpoints/{endpointId}',
      summary: 'Remove an endpoint; its pending deliveries fail',
      params: EndpointParams,
      responses: { 204: { description: 'Removed' }, ...problems },
      handle: async ({ principal, params }) => {
        await endpoints.delete(principal.tenantId, params.endpointId);
        return { status: 204 };
      },
    }),
    endpoint(edge, {
      ...common,
      name: 'rotateWebhookSecret',
      method: 'POST',
      route: 'v1/webhooks/endpoints/{endpointId}/secret/rotate',
      summary: 'A new signing secret, shown once; the old one keeps signing beside it for `graceHours` (default 24)',
      params: EndpointParams,
      body: RotateInput,
      responses: { 200: { description: 'Rotated', schema: EndpointWithSecretSchema }, ...problems },
      handle: async ({ principal, params, body }) => ({
        status: 200,
        body: await endpoints.rotateSecret(principal.tenantId, params.endpointId, body.graceHours),
      }),
    }),
    endpoint(edge, {
      ...common,
      name: 'listWebhookMessages',
      method: 'GET',
      route: 'v1/webhooks/endpoints/{endpointId}/messages',
      summary: "The endpoint's delivery log, newest first: status, attempts, next attempt",
      params: EndpointParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of messages', schema: DeliveryPageSchema }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await deliveries.page(principal.tenantId, params.endpointId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      ...common,
      name: 'getWebhookMessage',
      method: 'GET',
      route: 'v1/webhooks/endpoints/{endpointId}/messages/{eventId}',
      summary: 'One message: every attempt with its status, latency and the first bytes of the response',
      params: MessageParams,
      responses: { 200: { description: 'The message', schema: DeliveryViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await deliveries.get(principal.tenantId, params.endpointId, params.eventId) }),
    }),
    endpoint(edge, {
      ...common,
      name: 'replayWebhookMessage',
      method: 'POST',
      route: 'v1/webhooks/endpoints/{endpointId}/messages/{eventId}/replay',
      summary: 'Send one message again now, whatever became of it',
      params: MessageParams,
      responses: { 202: { description: 'Queued; the log shows the attempt', schema: DeliveryViewSchema }, ...problems, ...disabled },
      handle: async ({ principal, params, log }) => ({
        status: 202,
        body: await deliveries.replay(principal.tenantId, params.endpointId, params.eventId, log),
      }),
    }),
    endpoint(edge, {
      ...common,
      name: 'replayWebhookMessages',
      method: 'POST',
      route: 'v1/webhooks/endpoints/{endpointId}/replay',
      summary: 'Send again every message of events in a time range (up to 1,000)',
      params: EndpointParams,
      body: ReplayRangeInput,
      responses: { 202: { description: 'Queued', schema: ReplayedSchema }, ...problems, ...disabled },
      handle: async ({ principal, params, body }) => ({
        status: 202,
        body: await deliveries.replayRange(principal.tenantId, params.endpointId, body.since, body.until),
      }),
    }),
  ];
}
