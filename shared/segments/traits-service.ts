import { z } from 'zod';
import { DomainError } from '../kernel/errors';
import type { Clock, EventPublisher, Logger } from '../kernel/ports';
import { currentCustomer, requireCurrentCustomer, type Audience, type CustomerParticipant, type CustomerRecord, type CustomerStore } from '../customers';
import { transactionView, type TransactionEvent, type TransactionStore } from '../transactions';
import { leaveAll, newTraitsDocument, reevaluate, type TraitsDocument } from './membership';
import type { ExportFiles, SegmentRecord, SegmentStore, TraitsStore } from './ports';
import {
  applyTransaction,
  deriveTraits,
  emptyTraits,
  quintileCuts,
  type ProfileFacts,
  type RfmThresholds,
  type Traits,
  type TraitsState,
  mergeProfile,
} from './traits';

const MAX_ATTEMPTS = 25;
/** Documents per page when scanning a tenant's traits (about 1.2 KB each): fewer round trips, well under 4 MB a page. */
const PAGE = 1000;
const CACHE_MS = 10_000;

/** The tenant's segments and RFM cut points, cached a few seconds: every identified sale evaluates them. */
export class SegmentDirectory {
  private readonly segmentsCache = new Map<string, { value: SegmentRecord[]; until: number }>();
  private readonly rfmCache = new Map<string, { value: RfmThresholds | undefined; until: number }>();
  constructor(private readonly store: SegmentStore) {}

  async segments(tenantId: string): Promise<SegmentRecord[]> {
    const cached = this.segmentsCache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await this.store.list(tenantId);
    this.segmentsCache.set(tenantId, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  async rfm(tenantId: string): Promise<RfmThresholds | undefined> {
    const cached = this.rfmCache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.value;
    const value = await this.store.getRfm(tenantId);
    this.rfmCache.set(tenantId, { value, until: Date.now() + CACHE_MS });
    return value;
  }

  /** After a change made here: the next read sees it at once (other instances within the cache time). */
  forget(tenantId: string): void {
    this.segmentsCache.delete(tenantId);
    this.rfmCache.delete(tenantId);
  }
}

/** The loyalty tier of a customer, when the tenant has a program. */
export type TierSource = (tenantId: string, customerId: string) => Promise<string | null>;

export function profileFacts(customer: CustomerRecord, loyaltyTier: string | null): ProfileFacts {
  const { profile } = customer;
  return {
    birthDate: profile.birthDate ?? null,
    gender: profile.gender ?? null,
    postalCode: profile.postalCode ?? null,
    country: profile.country ?? null,
    consents: Object.entries(customer.consents)
      .filter(([, c]) => c?.granted)
      .map(([purpose]) => purpose)
      .sort(),
    loyaltyTier,
  };
}

const sameFacts = (a: ProfileFacts, b: ProfileFacts) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Behaviour traits kept incrementally from the transaction events, and the memberships they imply.
 * One identified sale costs three Cosmos DB operations: the customer (profile, consents, merges,
 * erasure), the traits document, and its etag-checked replace, which carries the membership changes
 * and their events (an outbox; clearing it after the publish is two more, only when a membership changed).
 */
export class TraitsService {
  constructor(
    private readonly store: TraitsStore,
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly directory: SegmentDirectory,
    private readonly segmentStore: SegmentStore,
    private readonly files: ExportFiles,
    private readonly tier: TierSource,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
  ) {}

  /** `transaction.recorded` (identified) and `transaction.claimed`: count it once, then re-evaluate the customer's segments. */
  async handle(event: TransactionEvent, log: Logger): Promise<'applied' | 'unchanged' | 'ignored'> {
    const tx = event.data;
    const tenantId = event.tenantid;
    if (!tx.customerId) return 'ignored';
    const customer = await currentCustomer(this.customers, tenantId, tx.customerId);
    if (!customer || customer.erasedAt) return 'ignored';
    const [segments, rfm] = await Promise.all([this.directory.segments(tenantId), this.directory.rfm(tenantId)]);
    const { written } = await this.change(tenantId, customer.customerId, (doc, now) => {
      const counted = applyTransaction(doc, tx, now);
      if (!counted) return undefined;
      const next: TraitsDocument = { ...doc, ...counted, profile: profileFacts(customer, doc.profile.loyaltyTier), updatedAt: now.toISOString() };
      return reevaluate(next, segments, now, rfm) ?? next;
    });
    log.log('info', `traits ${written ? 'applied' : 'unchanged'}`, { transactionId: tx.transactionId });
    return written ? 'applied' : 'unchanged';
  }

  /** Traits as of now (of the survivor, for a merged id), or undefined for a customer without any (contract: `traits.get`). */
  async get(tenantId: string, customerId: string): Promise<Traits | undefined> {
    const doc = await this.documentOf(tenantId, customerId);
    if (!doc) return undefined;
    return deriveTraits(doc, this.clock.now(), await this.directory.rfm(tenantId));
  }

  /** The traits document of the customer an id stands for now (following merges). */
  async documentOf(tenantId: string, customerId: string): Promise<TraitsDocument | undefined> {
    const stored = await this.store.read(tenantId, customerId);
    if (stored) return stored.doc;
    const customer = await currentCustomer(this.customers, tenantId, customerId);
    if (!customer || customer.customerId === customerId) return undefined;
    return (await this.store.read(tenantId, customer.customerId))?.doc;
  }

  /** `GET /customers/{id}/traits`: 404 for an unknown customer, 410 once erased; a customer without purchases has empty traits. */
  async view(tenantId: string, customerId: string, audience: Audience): Promise<{ customerId: string; updatedAt: string | null; traits: Traits }> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    const stored = await this.store.read(tenantId, customer.customerId);
    const now = this.clock.now();
    const state = stored?.doc ?? { ...emptyTraits(tenantId, customer.customerId), profile: profileFacts(customer, null) };
    return {
      customerId: customer.customerId,
      updatedAt: stored?.doc.updatedAt ?? null,
      traits: present(deriveTraits(state, now, await this.directory.rfm(tenantId)), audience),
    };
  }

  /**
   * The one way a traits document changes: read, mutate, write with the etag (create when absent),
   * retry a lost race; then publish what its outbox holds. `mutate` returns undefined for "no change".
   */
  async change(
    tenantId: string,
    customerId: string,
    mutate: (doc: TraitsDocument, now: Date) => TraitsDocument | undefined,
    options: { mustPublish?: boolean } = {},
  ): Promise<{ doc: TraitsDocument; written: boolean }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.clock.now();
      const stored = await this.store.read(tenantId, customerId);
      const current = stored?.doc ?? newTraitsDocument(emptyTraits(tenantId, customerId), now);
      const next = mutate(current, now);
      if (!next) return { doc: current, written: false };
      const written = stored ? await this.store.replace(next, stored.etag) : (await this.store.create(next)) === 'created';
      if (written) {
        await this.flush(next, options.mustPublish);
        return { doc: next, written: true };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
    }
    throw new DomainError('conflict', 'The customer traits are changing too often; retry shortly');
  }

  /** Publishes the outbox and clears it; on failure it stays, and the sweeper resends it. */
  async flush(doc: TraitsDocument, mustPublish = false): Promise<void> {
    if (doc.outbox.length === 0) return;
    try {
      await this.publisher.publish(doc.outbox);
    } catch (error) {
      if (mustPublish) throw error;
      return;
    }
    await this.store.clearOutbox(doc.tenantId, doc.customerId, doc.outboxseq);
  }

  /** Timer: resends the membership events of documents whose publish was not confirmed. */
  async sweep(olderThanMs: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    const pending = await this.store.pending(before, 200);
    for (const doc of pending) await this.flush(doc);
    return pending.length;
  }

  /**
   * Daily: RFM cut points per tenant (first pass), then the profile, consents and loyalty tier of
   * each customer refreshed and every segment re-evaluated at today's date (second pass), writing
   * only documents whose facts or memberships change; sizes are recorded per segment and day.
   */
  async daily(log: Logger): Promise<{ customers: number; changed: number }> {
    const now = this.clock.now();
    const values = new Map<string, { recency: number[]; frequency: number[]; monetary: number[] }>();
    for await (const doc of this.every()) {
      const traits = deriveTraits(doc, now);
      if (traits.orders === 0 || traits.daysSinceLastPurchase === null) continue;
      const v = values.get(doc.tenantId) ?? { recency: [], frequency: [], monetary: [] };
      v.recency.push(traits.daysSinceLastPurchase);
      v.frequency.push(traits.orders365d);
      v.monetary.push(traits.spend365d);
      values.set(doc.tenantId, v);
    }
    for (const [tenantId, v] of values) {
      await this.segmentStore.saveRfm(tenantId, { recency: quintileCuts(v.recency), frequency: quintileCuts(v.frequency), monetary: quintileCuts(v.monetary) });
      this.directory.forget(tenantId);
    }
    let customers = 0;
    let changed = 0;
    const sizes = new Map<string, Map<string, number>>();
    for await (const doc of this.every()) {
      customers += 1;
      const customer = await currentCustomer(this.customers, doc.tenantId, doc.customerId);
      if (!customer || customer.erasedAt || customer.customerId !== doc.customerId) continue;
      const facts = profileFacts(customer, await this.tier(doc.tenantId, doc.customerId));
      const [segments, rfm] = await Promise.all([this.directory.segments(doc.tenantId), this.directory.rfm(doc.tenantId)]);
      const review = (current: TraitsDocument, at: Date) => {
        const refreshed = sameFacts(current.profile, facts) ? current : { ...current, profile: facts, updatedAt: at.toISOString() };
        return reevaluate(refreshed, segments, at, rfm) ?? (refreshed === current ? undefined : refreshed);
      };
      let final = doc;
      if (review(doc, now)) {
        const result = await this.change(doc.tenantId, doc.customerId, review);
        if (result.written) changed += 1;
        final = result.doc;
      }
      const tenantSizes = sizes.get(doc.tenantId) ?? new Map(segments.map((s) => [s.segmentId, 0]));
      for (const id of final.segmentIds) if (tenantSizes.has(id)) tenantSizes.set(id, tenantSizes.get(id)! + 1);
      sizes.set(doc.tenantId, tenantSizes);
    }
    const day = now.toISOString().slice(0, 10);
    for (const [tenantId, bySegment] of sizes) {
      for (const [segmentId, size] of bySegment) await this.segmentStore.saveSize(tenantId, segmentId, day, size);
    }
    log.log('info', 'segments daily review', { customers, changed });
    return { customers, changed };
  }

  private async *every(): AsyncGenerator<TraitsDocument> {
    let token: string | undefined;
    do {
      const page = await this.store.pageAll(PAGE, token);
      yield* page.items;
      token = page.continuationToken ?? undefined;
    } while (token);
  }

  /**
   * Merge: the survivor's traits are rebuilt from its transactions (the transactions participant
   * moved the merged customer's to it first), so nothing is counted twice; the merged customer
   * leaves its segments and its document goes. Re-runnable.
   */
  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    const from = await this.store.read(tenantId, fromId);
    const records = await this.transactions.listAllForCustomer(tenantId, intoId);
    const views = records.map(transactionView).sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    const [segments, rfm] = await Promise.all([this.directory.segments(tenantId), this.directory.rfm(tenantId)]);
    await this.change(tenantId, intoId, (doc, now) => {
      let state: TraitsState = emptyTraits(tenantId, intoId);
      for (const tx of views) state = applyTransaction(state, tx, now) ?? state;
      const rebuilt: TraitsDocument = {
        ...doc,
        ...state,
        profile: from ? mergeProfile(doc.profile, from.doc.profile) : doc.profile,
        updatedAt: now.toISOString(),
      };
      return reevaluate(rebuilt, segments, now, rfm) ?? rebuilt;
    });
    if (!from) return 0;
    await this.retire(tenantId, fromId);
    return 1;
  }

  /** Leaves every segment (the events must go out), then deletes the document. */
  private async retire(tenantId: string, customerId: string): Promise<void> {
    const names = new Map((await this.directory.segments(tenantId)).map((s) => [s.segmentId, s.name]));
    // mustPublish: a failed publish throws before the delete, and a re-run finds the document and finishes.
    await this.change(
      tenantId,
      customerId,
      (current, now) => {
        const left = leaveAll(current, names, now);
        const cleared = newTraitsDocument(emptyTraits(tenantId, customerId), now);
        return { ...cleared, memberships: left.memberships, outbox: left.outbox, outboxseq: left.outboxseq, eventPending: left.outbox.length > 0 };
      },
      { mustPublish: true },
    );
    await this.store.delete(tenantId, customerId);
  }

  /** Erasure: out of every segment (with the left events), traits deleted, and the rows of member exports removed. */
  async erase(tenantId: string, customerId: string): Promise<void> {
    if (await this.store.read(tenantId, customerId)) await this.retire(tenantId, customerId);
    await this.files.scrub(tenantId, customerId);
  }

  async memberships(tenantId: string, customerId: string): Promise<Array<{ segmentId: string; name: string; since: string }>> {
    const doc = (await this.store.read(tenantId, customerId))?.doc;
    if (!doc) return [];
    const segments = new Map((await this.directory.segments(tenantId)).map((s) => [s.segmentId, s.name]));
    return doc.segmentIds
      .filter((id) => segments.has(id))
      .map((segmentId) => ({ segmentId, name: segments.get(segmentId)!, since: doc.memberships[segmentId]?.since ?? doc.updatedAt }));
  }
}

/**
 * What a POS or web shop key sees, as in the 360 view's profile: behaviour in full, but no age,
 * gender or birthday, and the postal code cut to its first two characters (the province in Spain).
 */
export function present(traits: Traits, audience: Audience): Traits {
  if (audience === 'full') return traits;
  return {
    ...traits,
    age: null,
    gender: null,
    daysUntilBirthday: null,
    postalCode: traits.postalCode === null ? null : `${traits.postalCode.slice(0, 2)}***`,
  };
}

const MembershipSchema = z.object({ segmentId: z.string(), name: z.string(), since: z.string() });

/** Segments' part of the 360 view, export, merges and erasure. */
export class SegmentsParticipant implements CustomerParticipant {
  readonly name = 'segments';
  readonly viewSchema: z.ZodObject;
  readonly exportSchema: z.ZodObject;
  constructor(
    private readonly traits: TraitsService,
    private readonly clock: Clock,
    private readonly rfm: (tenantId: string) => Promise<RfmThresholds | undefined>,
    traitsSchema: z.ZodType,
  ) {
    const section = z.object({ traits: traitsSchema.nullable(), segments: z.array(MembershipSchema) });
    this.viewSchema = section;
    this.exportSchema = section;
  }
  move(tenantId: string, fromId: string, intoId: string) {
    return this.traits.move(tenantId, fromId, intoId);
  }
  async view(tenantId: string, customerId: string, audience: Audience) {
    const doc = await this.traits.documentOf(tenantId, customerId);
    const traits = doc ? present(deriveTraits(doc, this.clock.now(), await this.rfm(tenantId)), audience) : null;
    return { traits, segments: await this.traits.memberships(tenantId, customerId) };
  }
  export(tenantId: string, customerId: string) {
    return this.view(tenantId, customerId, 'full');
  }
  erase(tenantId: string, customerId: string) {
    return this.traits.erase(tenantId, customerId);
  }
}
