import { z } from 'zod';
import { deterministicId } from '../kernel/ids';
import { deliverableTypes } from './deliverable';

/** An endpoint as stored: its signing secrets are sealed (see `SecretBox`), never kept in clear. */
export interface EndpointRecord {
  tenantId: string;
  endpointId: string;
  url: string;
  eventTypes: string[];
  description: string;
  enabled: boolean;
  /** Why the platform (or an admin) turned it off. */
  disabledReason: string | null;
  secret: string;
  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Last time a delivery succeeded (kept to the hour, so a success costs at most one write an hour). */
  lastSuccessAt: string | null;
}

export interface Attempt {
  at: string;
  /** The receiver's HTTP status; null when none came (refused, timed out, connection failed). */
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** The first bytes of the response body; the rest is never read or stored. */
  responseExcerpt: string;
}

/** One event for one endpoint: what was sent, every attempt, and what happens next. */
export interface DeliveryRecord {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  eventTime: string;
  /** Attempts of one key to one endpoint run one after the other (the customer, else the event's subject). */
  orderingKey: string;
  /** The JSON body sent, the same on every attempt. */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Attempt[];
  attemptCount: number;
  /** Attempts made before the last replay: a replay starts the retry schedule afresh. */
  replayedAfter: number;
  /** Epoch ms when the next attempt is due (a lease while one is in flight); null once delivered or failed. */
  due: number | null;
  createdAt: string;
  deliveredAt: string | null;
  failedReason: string | null;
}

/** One record per (endpoint, event): a redelivered event finds the record it made the first time. */
export const deliveryIdOf = (endpointId: string, eventId: string) => deterministicId('whd', endpointId, eventId);

/** Attempts kept in a delivery's log (the first ones and replays beyond are summarised by `attemptCount`). */
export const MAX_LOGGED_ATTEMPTS = 20;
/** Bytes of a response body kept in the log. */
export const EXCERPT_BYTES = 512;

const EventTypes = z
  .array(z.string().refine((t) => deliverableTypes().includes(t), { message: `must be one of ${deliverableTypes().join(', ')}` }))
  .min(1)
  .max(50)
  .transform((types) => [...new Set(types)]);

export const EndpointInput = z
  .object({
    url: z.string().trim().min(1).max(2048).describe('HTTPS URL the events are POSTed to'),
    eventTypes: EventTypes.describe('Event types delivered to it'),
    description: z.string().trim().max(200).default(''),
    enabled: z.boolean().default(true),
  })
  .strict();
export type EndpointInput = z.output<typeof EndpointInput>;

export const EndpointUpdate = z
  .object({
    url: z.string().trim().min(1).max(2048).optional(),
    eventTypes: EventTypes.optional(),
    description: z.string().trim().max(200).optional(),
    enabled: z.boolean().optional().describe('true turns a disabled endpoint back on (and clears the reason)'),
  })
  .strict();
export type EndpointUpdate = z.output<typeof EndpointUpdate>;

export const RotateInput = z
  .object({
    graceHours: z.number().int().min(0).max(168).default(24).describe('How long the old secret keeps signing beside the new one'),
  })
  .strict();

export const ReplayRangeInput = z
  .object({
    since: z.iso.datetime({ offset: true }).describe('Events from this time (inclusive)'),
    until: z.iso.datetime({ offset: true }).describe('Events up to this time (exclusive)'),
  })
  .strict()
  .refine((r) => Date.parse(r.since) < Date.parse(r.until), { path: ['until'], message: 'must be after since' });

export const EndpointViewSchema = z
  .object({
    endpointId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    secretRotationEndsAt: z.string().nullable().describe('While set, deliveries carry signatures of both the new and the previous secret'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });
export type EndpointView = z.output<typeof EndpointViewSchema>;

export const EndpointWithSecretSchema = EndpointViewSchema.extend({
  secret: z.string().describe('The signing secret (`whsec_...`): shown now, never again'),
}).meta({ id: 'WebhookEndpointWithSecret' });

export const EndpointListSchema = z.object({ items: z.array(EndpointViewSchema) }).meta({ id: 'WebhookEndpointList' });

const AttemptSchema = z.object({
  at: z.string(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  latencyMs: z.number().int(),
  responseExcerpt: z.string(),
});

export const DeliverySummarySchema = z
  .object({
    eventId: z.string().describe('The `webhook-id` header'),
    eventType: z.string(),
    eventTime: z.string(),
    status: z.enum(['pending', 'delivered', 'failed']),
    attemptCount: z.number().int(),
    lastStatus: z.number().int().nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    failedReason: z.string().nullable(),
  })
  .meta({ id: 'WebhookDeliverySummary' });
export type DeliverySummary = z.output<typeof DeliverySummarySchema>;

export const DeliveryViewSchema = DeliverySummarySchema.extend({ attempts: z.array(AttemptSchema) }).meta({ id: 'WebhookDelivery' });
export type DeliveryView = z.output<typeof DeliveryViewSchema>;

export const DeliveryPageSchema = z
  .object({ items: z.array(DeliverySummarySchema), continuationToken: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryPage' });

export const ReplayedSchema = z.object({ replayed: z.number().int().describe('Deliveries queued to be sent again') }).meta({ id: 'WebhookReplay' });

export const EventTypeListSchema = z
  .object({
    version: z.number().int().describe('Version of the envelope { id, type, version, timestamp, tenantId, subject, data }'),
    items: z.array(z.object({ type: z.string(), dataSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of `data`') })),
  })
  .meta({ id: 'WebhookEventTypes' });

export function endpointView(record: EndpointRecord, now: Date): EndpointView {
  const rotating = record.previousSecretExpiresAt && Date.parse(record.previousSecretExpiresAt) > now.getTime() ? record.previousSecretExpiresAt : null;
  return {
    endpointId: record.endpointId,
    url: record.url,
    eventTypes: record.eventTypes,
    description: record.description,
    enabled: record.enabled,
    disabledReason: record.disabledReason,
    secretRotationEndsAt: rotating,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function deliverySummary(d: DeliveryRecord): DeliverySummary {
  return {
    eventId: d.eventId,
    eventType: d.eventType,
    eventTime: d.eventTime,
    status: d.status,
    attemptCount: d.attemptCount,
    lastStatus: d.attempts.at(-1)?.status ?? null,
    nextAttemptAt: d.status === 'pending' && d.due !== null ? new Date(d.due).toISOString() : null,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
    failedReason: d.failedReason,
  };
}

export function deliveryView(d: DeliveryRecord): DeliveryView {
  return { ...deliverySummary(d), attempts: d.attempts };
}
