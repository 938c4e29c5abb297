/**
 * Who is in which segment, kept on the customer's traits document itself: a change of traits and
 * the memberships it causes are one write, and the events it owes travel in the same write (an
 * outbox), so a crash between the write and the publish loses nothing.
 */
import { z } from 'zod';
import { createEvent, defineEvent, type CloudEvent } from '../kernel/events';
import { deterministicId } from '../kernel/ids';
import { evaluate, type Rule } from './rules';
import { deriveTraits, type RfmThresholds, type TraitsState } from './traits';

export const SegmentEventSchema = z.object({
  segmentId: z.string(),
  segmentName: z.string(),
  customerId: z.string(),
  at: z.string().describe('When the membership changed, ISO 8601'),
});
export type SegmentEventData = z.output<typeof SegmentEventSchema>;

const routing = (data: SegmentEventData) => ({ segmentid: data.segmentId });
/** A customer now satisfies a segment's definition (after a sale, a return, a merge, the daily review or a backfill). */
export const SegmentEntered = defineEvent('customer.segment.entered', SegmentEventSchema, routing);
/** A customer no longer satisfies a segment's definition (or was erased or merged away). */
export const SegmentLeft = defineEvent('customer.segment.left', SegmentEventSchema, routing);

export interface MembershipState {
  /** The segments the customer is in now (queried with ARRAY_CONTAINS for members and sizes). */
  segmentIds: string[];
  /** Per segment ever evaluated in: how many times membership changed (numbers the events) and since when it holds. */
  memberships: Record<string, { seq: number; since: string }>;
  /** Events written with the change, not yet confirmed published. */
  outbox: CloudEvent[];
  /** Bumped whenever events are added: the publisher clears the outbox only if nothing was added since. */
  outboxseq: number;
  eventPending: boolean;
}

export interface TraitsDocument extends TraitsState, MembershipState {
  updatedAt: string;
}

/** What membership evaluation needs of a segment. */
export interface SegmentRef {
  segmentId: string;
  name: string;
  definition: Rule;
}

export function membershipEvent(tenantId: string, segment: { segmentId: string; name: string }, customerId: string, entered: boolean, seq: number, at: string) {
  return createEvent(entered ? SegmentEntered : SegmentLeft, {
    // The n-th change of this customer in this segment: a redelivery or a retry makes the same id, which the bus deduplicates.
    id: deterministicId('evt', tenantId, segment.segmentId, customerId, String(seq)),
    source: `/tenants/${tenantId}/segments/${segment.segmentId}`,
    subject: `customers/${customerId}`,
    time: at,
    tenantid: tenantId,
    data: { segmentId: segment.segmentId, segmentName: segment.name, customerId, at },
  });
}

/**
 * Re-evaluates the given segments for one customer at `now`: the document with its memberships
 * changed and the events owed added to its outbox, or undefined when nothing changed.
 */
export function reevaluate(doc: TraitsDocument, segments: readonly SegmentRef[], now: Date, rfm?: RfmThresholds): TraitsDocument | undefined {
  const traits = deriveTraits(doc, now, rfm);
  const at = now.toISOString();
  let next: TraitsDocument | undefined;
  for (const segment of segments) {
    const member = evaluate(segment.definition, traits, now);
    if (member === doc.segmentIds.includes(segment.segmentId)) continue;
    next ??= { ...doc, segmentIds: [...doc.segmentIds], memberships: { ...doc.memberships }, outbox: [...doc.outbox] };
    const seq = (next.memberships[segment.segmentId]?.seq ?? 0) + 1;
    next.memberships[segment.segmentId] = { seq, since: at };
    next.segmentIds = member ? [...next.segmentIds, segment.segmentId] : next.segmentIds.filter((id) => id !== segment.segmentId);
    next.outbox.push(membershipEvent(doc.tenantId, segment, doc.customerId, member, seq, at));
  }
  if (next) {
    next.outboxseq = doc.outboxseq + 1;
    next.eventPending = true;
    next.updatedAt = at;
  }
  return next;
}

/** Leaves every segment (erasure, a merge): the document with no memberships and the left events owed. */
export function leaveAll(doc: TraitsDocument, names: ReadonlyMap<string, string>, now: Date): TraitsDocument {
  const at = now.toISOString();
  const next: TraitsDocument = { ...doc, segmentIds: [], memberships: { ...doc.memberships }, outbox: [...doc.outbox] };
  for (const segmentId of doc.segmentIds) {
    const seq = (doc.memberships[segmentId]?.seq ?? 0) + 1;
    next.memberships[segmentId] = { seq, since: at };
    next.outbox.push(membershipEvent(doc.tenantId, { segmentId, name: names.get(segmentId) ?? segmentId }, doc.customerId, false, seq, at));
  }
  if (doc.segmentIds.length > 0) {
    next.outboxseq = doc.outboxseq + 1;
    next.eventPending = true;
  }
  return next;
}

export function newTraitsDocument(state: TraitsState, now: Date): TraitsDocument {
  return { ...state, segmentIds: [], memberships: {}, outbox: [], outboxseq: 0, eventPending: false, updatedAt: now.toISOString() };
}
