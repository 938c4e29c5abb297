import { z } from 'zod';
import { DomainError, invalid, notFound } from '../kernel/errors';
import { randomId } from '../kernel/ids';
import type { Clock, Logger } from '../kernel/ports';
import { maskIdentifier, requireCurrentCustomer, type CustomerStore } from '../customers';
import { seesPersonalData, type Principal } from '../tenancy';
import { reevaluate } from './membership';
import type { BackfillState, ExportFiles, SegmentRecord, SegmentStore, TraitsStore } from './ports';
import { evaluate, FIELDS, OPERATORS, validateRule, type Rule } from './rules';
import { deriveTraits } from './traits';
import type { SegmentDirectory, TraitsService } from './traits-service';

export const SegmentInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500).optional(),
    definition: z.unknown().describe('The rule tree (SegmentRule): `{ all | any: [rules] }`, `{ not: rule }` or `{ trait, operator, value, key? }`'),
  })
  .strict();
export type SegmentInput = z.infer<typeof SegmentInput>;

export const PreviewInput = z.object({ definition: SegmentInput.shape.definition }).strict();

export const ExportInput = z
  .object({
    unmasked: z.boolean().default(false).describe('Identifiers in full; needs a reason, which is logged'),
    reason: z.string().trim().min(3).max(500).optional(),
  })
  .strict();
export type ExportInput = z.infer<typeof ExportInput>;

const BackfillSchema = z.object({
  status: z.enum(['pending', 'running', 'done']),
  version: z.number().int(),
  processed: z.number().int().describe('Customers evaluated so far'),
  matched: z.number().int().describe('Of those, members'),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const SegmentViewSchema = z
  .object({
    segmentId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    definition: z.unknown(),
    version: z.number().int().describe('Each edit adds one and restarts the backfill'),
    createdAt: z.string(),
    updatedAt: z.string(),
    size: z.number().int().describe('Members now'),
    backfill: BackfillSchema,
  })
  .meta({ id: 'Segment' });
export type SegmentView = z.output<typeof SegmentViewSchema>;

export const SegmentListSchema = z.object({ items: z.array(SegmentViewSchema) }).meta({ id: 'SegmentList' });

const Operator = z.object({ operator: z.string(), value: z.string().describe('What `value` holds, or `none`') });
export const SegmentFieldsSchema = z
  .object({
    traits: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['number', 'string', 'date', 'boolean', 'set', 'map']),
        description: z.string(),
        values: z.array(z.string()).optional(),
        key: z.string().optional().describe('Map traits: what `key` names'),
        operators: z.array(z.string()),
      }),
    ),
    operators: z.record(z.string(), z.array(Operator)).describe('Per trait type'),
    groups: z.array(z.string()),
  })
  .meta({ id: 'SegmentFields' });

export const PreviewSchema = z
  .object({
    count: z.number().int(),
    sample: z.array(
      z.object({
        customerId: z.string(),
        orders: z.number().int(),
        totalSpend: z.number().int(),
        age: z.number().int().nullable().optional().describe('Admin keys only'),
        postalCode: z.string().nullable().describe('Masked to its first two characters unless the caller is an admin or support'),
      }),
    ),
  })
  .meta({ id: 'SegmentPreview' });
export type Preview = z.output<typeof PreviewSchema>;

export const MemberPageSchema = z
  .object({
    items: z.array(z.object({ customerId: z.string(), since: z.string().nullable() })),
    continuationToken: z.string().nullable(),
  })
  .meta({ id: 'SegmentMemberPage' });

export const CustomerSegmentsSchema = z
  .object({ customerId: z.string(), items: z.array(z.object({ segmentId: z.string(), name: z.string(), since: z.string() })) })
  .meta({ id: 'CustomerSegments' });

export const SegmentExportSchema = z
  .object({
    exportId: z.string(),
    url: z.string().describe('Signed, read-only, expires at `expiresAt`'),
    expiresAt: z.string(),
    rows: z.number().int(),
    masked: z.boolean(),
  })
  .meta({ id: 'SegmentExport' });

export const SizeHistorySchema = z
  .object({ segmentId: z.string(), items: z.array(z.object({ day: z.string(), size: z.number().int() })) })
  .meta({ id: 'SegmentSizeHistory' });

/** Documents per page when scanning a tenant's traits (about 1.2 KB each): fewer round trips, well under 4 MB a page. */
const PAGE = 1000;
const SAMPLE = 20;
/** A backfill runner holds its job this long without saving progress; past it, another run resumes it. */
export const BACKFILL_LEASE_MS = 2 * 60_000;
const EXPORT_LINK_MS = 15 * 60_000;

const OPERATOR_VALUES: Record<string, string> = {
  equals: 'a value of the trait type',
  notEquals: 'a value of the trait type',
  greaterThan: 'number',
  greaterThanOrEqual: 'number',
  lessThan: 'number',
  lessThanOrEqual: 'number',
  between: '[low, high] (numbers or dates, inclusive)',
  in: 'list of values',
  notIn: 'list of values',
  startsWith: 'string',
  before: 'date',
  after: 'date',
  withinLastDays: 'whole days (N: today and the N-1 days before)',
  notWithinLastDays: 'whole days',
  contains: 'string',
  notContains: 'string',
  containsAny: 'list of strings',
  containsAll: 'list of strings',
};

export function fieldsDocument(): z.output<typeof SegmentFieldsSchema> {
  return {
    traits: FIELDS.map((f) => ({
      name: f.name,
      type: f.type,
      description: f.description,
      ...(f.values ? { values: [...f.values] } : {}),
      ...(f.keyDescription ? { key: f.keyDescription } : {}),
      operators: [...OPERATORS[f.type]],
    })),
    operators: Object.fromEntries(
      Object.entries(OPERATORS).map(([type, operators]) => [type, operators.map((operator) => ({ operator, value: OPERATOR_VALUES[operator] ?? 'none' }))]),
    ),
    groups: ['all', 'any', 'not'],
  };
}

/** A valid rule tree, or 400 naming every wrong node. */
export function parseDefinition(definition: unknown): Rule {
  const issues = validateRule(definition);
  if (issues.length > 0) throw invalid(issues, 'The segment definition is not valid');
  return definition as Rule;
}

/** Tests and benchmarks: stop after `maxPages` (as a crash would), page size. */
export interface BackfillOptions {
  maxPages?: number;
  pageSize?: number;
}

function freshBackfill(version: number): BackfillState {
  return { status: 'pending', version, continuationToken: null, processed: 0, matched: 0, leaseUntil: null, startedAt: null, finishedAt: null };
}

/**
 * Segments: definitions as data, their members kept in real time by the traits consumer, a
 * resumable backfill per definition version, preview, reads and member exports.
 */
export class SegmentService {
  constructor(
    private readonly store: SegmentStore,
    private readonly traitsStore: TraitsStore,
    private readonly traits: TraitsService,
    private readonly directory: SegmentDirectory,
    private readonly customers: CustomerStore,
    private readonly files: ExportFiles,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: SegmentInput): Promise<SegmentView> {
    const definition = parseDefinition(input.definition);
    const now = this.clock.now().toISOString();
    const segment: SegmentRecord = {
      tenantId: principal.tenantId,
      segmentId: randomId('seg'),
      name: input.name,
      description: input.description ?? null,
      definition,
      version: 1,
      createdAt: now,
      updatedAt: now,
      backfill: freshBackfill(1),
    };
    await this.store.create(segment);
    this.directory.forget(principal.tenantId);
    return this.view(segment);
  }

  /** A new version of the definition: the backfill starts over (a run in progress notices and stops). */
  async update(principal: Principal, segmentId: string, input: SegmentInput): Promise<SegmentView> {
    const definition = parseDefinition(input.definition);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const { segment, etag } = await this.require(principal.tenantId, segmentId);
      const version = segment.version + 1;
      const next: SegmentRecord = {
        ...segment,
        name: input.name,
        description: input.description ?? null,
        definition,
        version,
        updatedAt: this.clock.now().toISOString(),
        backfill: freshBackfill(version),
      };
      if (await this.store.replace(next, etag)) {
        this.directory.forget(principal.tenantId);
        return this.view(next);
      }
    }
    throw new DomainError('conflict', 'The segment is changing too often; retry shortly');
  }

  async remove(principal: Principal, segmentId: string): Promise<void> {
    await this.require(principal.tenantId, segmentId);
    await this.store.delete(principal.tenantId, segmentId);
    this.directory.forget(principal.tenantId);
  }

  async get(principal: Principal, segmentId: string): Promise<SegmentView> {
    return this.view((await this.require(principal.tenantId, segmentId)).segment);
  }

  async list(principal: Principal): Promise<SegmentView[]> {
    const segments = await this.store.list(principal.tenantId);
    return Promise.all(segments.map((s) => this.view(s)));
  }

  /** Contract: whether the segment exists in the tenant. */
  async exists(tenantId: string, segmentId: string): Promise<boolean> {
    return (await this.store.get(tenantId, segmentId)) !== undefined;
  }

  /** Contract: whether the customer (or the survivor it was merged into) is a member now. */
  async isMember(tenantId: string, segmentId: string, customerId: string): Promise<boolean> {
    const [doc, segments] = await Promise.all([this.traits.documentOf(tenantId, customerId), this.directory.segments(tenantId)]);
    // A deleted segment's id stays on its former members' documents: it counts for nothing.
    return (doc?.segmentIds.includes(segmentId) ?? false) && segments.some((s) => s.segmentId === segmentId);
  }

  /** Contract: the ids of the tenant's customers whose traits satisfy a rule tree now, a page at a time. */
  async *customersMatching(tenantId: string, definition: unknown): AsyncGenerator<string> {
    const rule = parseDefinition(definition);
    let token: string | undefined;
    do {
      const now = this.clock.now();
      const rfm = await this.directory.rfm(tenantId);
      const page = await this.traitsStore.page(tenantId, PAGE, token);
      for (const doc of page.items) if (evaluate(rule, deriveTraits(doc, now, rfm), now)) yield doc.customerId;
      token = page.continuationToken ?? undefined;
    } while (token);
  }

  /** A draft definition evaluated now, nothing saved: how many, and the first 20. */
  async preview(principal: Principal, definition: unknown): Promise<Preview> {
    const rule = parseDefinition(definition);
    const full = seesPersonalData(principal);
    const sample: Preview['sample'] = [];
    let count = 0;
    let token: string | undefined;
    do {
      const now = this.clock.now();
      const rfm = await this.directory.rfm(principal.tenantId);
      const page = await this.traitsStore.page(principal.tenantId, PAGE, token);
      for (const doc of page.items) {
        const traits = deriveTraits(doc, now, rfm);
        if (!evaluate(rule, traits, now)) continue;
        count += 1;
        if (sample.length < SAMPLE) {
          sample.push({
            customerId: doc.customerId,
            orders: traits.orders,
            totalSpend: traits.totalSpend,
            ...(full ? { age: traits.age } : {}),
            postalCode: traits.postalCode === null || full ? traits.postalCode : `${traits.postalCode.slice(0, 2)}***`,
          });
        }
      }
      token = page.continuationToken ?? undefined;
    } while (token);
    return { count, sample };
  }

  async members(principal: Principal, segmentId: string, limit: number, continuationToken?: string) {
    await this.require(principal.tenantId, segmentId);
    return this.traitsStore.members(principal.tenantId, segmentId, limit, continuationToken);
  }

  async customerSegments(principal: Principal, customerId: string) {
    const customer = await requireCurrentCustomer(this.customers, principal.tenantId, customerId);
    return { customerId: customer.customerId, items: await this.traits.memberships(principal.tenantId, customer.customerId) };
  }

  async sizeHistory(principal: Principal, segmentId: string) {
    await this.require(principal.tenantId, segmentId);
    return { segmentId, items: await this.store.sizeHistory(principal.tenantId, segmentId) };
  }

  /**
   * Members as CSV in Blob Storage behind a signed link. Identifiers are masked unless an admin
   * asks for them in full with a reason; every export is logged with who, when, whether unmasked and why.
   */
  async export(principal: Principal, segmentId: string, input: ExportInput, log: Logger): Promise<z.output<typeof SegmentExportSchema>> {
    if (input.unmasked && principal.role !== 'admin') {
      throw new DomainError('forbidden', 'Only an admin may export identifiers unmasked', { reason: 'unmasked-export-requires-admin' });
    }
    if (input.unmasked && !input.reason) throw invalid([{ field: 'reason', message: 'is required to export identifiers unmasked' }]);
    await this.require(principal.tenantId, segmentId);
    const now = this.clock.now();
    const exportId = randomId('exp');
    const rows: string[][] = [['customerId', 'since', 'email', 'phone', 'loyaltyCard']];
    let token: string | undefined;
    do {
      const page = await this.traitsStore.members(principal.tenantId, segmentId, PAGE, token);
      for (const member of page.items) {
        const links = await this.customers.listIdentifiers(principal.tenantId, member.customerId);
        const value = (type: 'email' | 'phone' | 'loyaltyCard') => {
          const link = links.find((l) => l.type === type);
          return link ? (input.unmasked ? link.value : maskIdentifier(type, link.value)) : '';
        };
        rows.push([member.customerId, member.since ?? '', value('email'), value('phone'), value('loyaltyCard')]);
      }
      token = page.continuationToken ?? undefined;
    } while (token);
    const name = `${segmentId}/${exportId}.csv`;
    await this.files.save(principal.tenantId, name, rows);
    const entry = {
      tenantId: principal.tenantId,
      segmentId,
      exportId,
      keyId: principal.keyId,
      unmasked: input.unmasked,
      reason: input.reason ?? null,
      at: now.toISOString(),
    };
    await this.store.logExport(entry);
    log.log(input.unmasked ? 'warn' : 'info', 'segment members exported', { ...entry });
    const expiresOn = new Date(now.getTime() + EXPORT_LINK_MS);
    return {
      exportId,
      url: await this.files.link(principal.tenantId, name, expiresOn),
      expiresAt: expiresOn.toISOString(),
      rows: rows.length - 1,
      masked: !input.unmasked,
    };
  }

  /** Timer: runs the backfills that are due (new, edited, or left by a crashed run), each to its end. */
  async runBackfills(log: Logger, options: BackfillOptions = {}): Promise<number> {
    const due = await this.store.backfillsDue(this.clock.now().toISOString(), 10);
    for (const segment of due) await this.backfill(segment.tenantId, segment.segmentId, log, options);
    return due.length;
  }

  /**
   * One backfill: takes the lease, then page by page re-evaluates the segment for every customer
   * with traits and saves its place (an etag-checked write, which also renews the lease). A crash
   * leaves the saved place, where the next run resumes once the lease runs out; an edit changes the
   * version, so this run stops at its next save and the new one starts from the beginning.
   */
  async backfill(tenantId: string, segmentId: string, log: Logger, options: BackfillOptions = {}): Promise<BackfillState | undefined> {
    const { maxPages = Number.POSITIVE_INFINITY, pageSize = PAGE } = options;
    let held = await this.claim(tenantId, segmentId);
    if (!held) return undefined;
    for (let pages = 0; pages < maxPages; pages += 1) {
      const { segment } = held;
      const now = this.clock.now();
      const rfm = await this.directory.rfm(tenantId);
      const page = await this.traitsStore.page(tenantId, pageSize, segment.backfill.continuationToken ?? undefined);
      let matched = 0;
      for (const doc of page.items) {
        if (reevaluate(doc, [segment], now, rfm)) {
          const result = await this.traits.change(tenantId, doc.customerId, (current, at) => reevaluate(current, [segment], at, rfm));
          if (result.doc.segmentIds.includes(segmentId)) matched += 1;
        } else if (doc.segmentIds.includes(segmentId)) matched += 1;
      }
      const done = page.continuationToken === null;
      const backfill: BackfillState = {
        ...segment.backfill,
        continuationToken: page.continuationToken,
        processed: segment.backfill.processed + page.items.length,
        matched: segment.backfill.matched + matched,
        status: done ? 'done' : 'running',
        leaseUntil: done ? null : new Date(this.clock.now().getTime() + BACKFILL_LEASE_MS).toISOString(),
        finishedAt: done ? this.clock.now().toISOString() : null,
      };
      const next = { ...segment, backfill };
      if (!(await this.store.replace(next, held.etag))) {
        log.log('info', 'segment backfill stopped: the segment changed', { tenantId, segmentId });
        return undefined;
      }
      if (done) {
        log.log('info', 'segment backfill done', { tenantId, segmentId, processed: backfill.processed, matched: backfill.matched });
        return backfill;
      }
      held = await this.store.get(tenantId, segmentId);
      // Edited or deleted since the save: the next run starts the new version from its first page.
      if (!held || held.segment.version !== segment.version) return undefined;
    }
    return held.segment.backfill;
  }

  /** Takes the backfill's lease if it is due: pending, or running with its lease run out. */
  private async claim(tenantId: string, segmentId: string): Promise<{ segment: SegmentRecord; etag: string } | undefined> {
    const current = await this.store.get(tenantId, segmentId);
    if (!current) return undefined;
    const { segment, etag } = current;
    const now = this.clock.now();
    const { backfill } = segment;
    if (backfill.status === 'done' || (backfill.leaseUntil && Date.parse(backfill.leaseUntil) > now.getTime())) return undefined;
    const next: SegmentRecord = {
      ...segment,
      backfill: {
        ...backfill,
        status: 'running',
        startedAt: backfill.startedAt ?? now.toISOString(),
        leaseUntil: new Date(now.getTime() + BACKFILL_LEASE_MS).toISOString(),
      },
    };
    if (!(await this.store.replace(next, etag))) return undefined;
    return this.store.get(tenantId, segmentId);
  }

  private async require(tenantId: string, segmentId: string): Promise<{ segment: SegmentRecord; etag: string }> {
    const found = await this.store.get(tenantId, segmentId);
    if (!found || found.segment.tenantId !== tenantId) throw notFound(`Segment ${segmentId}`);
    return found;
  }

  private async view(segment: SegmentRecord): Promise<SegmentView> {
    const { continuationToken: _token, leaseUntil: _lease, ...backfill } = segment.backfill;
    return {
      segmentId: segment.segmentId,
      name: segment.name,
      description: segment.description,
      definition: segment.definition,
      version: segment.version,
      createdAt: segment.createdAt,
      updatedAt: segment.updatedAt,
      size: await this.traitsStore.count(segment.tenantId, segment.segmentId),
      backfill,
    };
  }
}

const TRAIT_SCHEMAS = {
  number: z.number().nullable(),
  string: z.string().nullable(),
  date: z.string().nullable(),
  boolean: z.boolean(),
  set: z.array(z.string()),
  map: z.record(z.string(), z.number().int()),
} as const;

/** Every trait, typed as `GET /api/v1/segments/fields` describes it. */
export const TraitsSchema = z
  .object(Object.fromEntries(FIELDS.map((f) => [f.name, TRAIT_SCHEMAS[f.type].describe(f.description)])))
  .meta({ id: 'CustomerTraitValues' });

export const CustomerTraitsSchema = z
  .object({
    customerId: z.string(),
    updatedAt: z.string().nullable().describe('When a transaction, a merge or the daily review last changed them'),
    traits: TraitsSchema,
  })
  .meta({ id: 'CustomerTraits' });
