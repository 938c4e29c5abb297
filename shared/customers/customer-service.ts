import { z } from 'zod';
import { ID_PATTERN, idField } from '../kernel/id-rules';
import { DomainError, invalid, notFound, unprocessable } from '../kernel/errors';
import {
  applyConsent,
  ConsentInput,
  ConsentPurpose,
  ConsentStateSchema,
  MergeRecordSchema,
  type CustomerResolver,
  requireCurrentCustomer,
  currentCustomer,
  IdentifierInput,
  IdentifierType,
  normalizeIdentifier,
  normalizeIdentifiers,
  ProfileInput,
  type CustomerRecord,
  type MergeRecord,
  type Resolution,
} from './customers';
import { mergeActivity } from './activity';
import { identifierFor, type CustomerParticipant, type Audience } from './participants';
import { seesPersonalData, type Principal, type TenancyService } from '../tenancy';
import type { Clock } from '../kernel/ports';
import type { CustomerStore } from './customers';

export const IdentifyInput = z
  .object({
    identifiers: z.array(IdentifierInput).min(1).max(10),
    locationId: idField(64).optional().describe("Whose country reads local phone numbers; the tenant's when absent"),
    profile: ProfileInput.optional(),
    consents: z.array(ConsentInput).max(10).optional(),
  })
  .strict();
export type IdentifyInput = z.infer<typeof IdentifyInput>;

export const MergeInput = z
  .object({
    customerId: idField(64).describe('The customer merged into the survivor'),
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export type MergeInput = z.infer<typeof MergeInput>;

const channels = z.array(z.enum(['store', 'online'])).describe('Channels the customer has bought in');

/** The customer's own fields in the 360 view; each participant adds its section (see `CustomerService.viewSchema`). */
const CustomerViewFields = z.object({
  customerId: z.string(),
  mergedFrom: z.string().optional().describe('The id asked for, when it was merged into `customerId`'),
  createdAt: z.string(),
  profile: ProfileInput.describe('Masked (first name and language only) unless the caller is an admin or support'),
  consents: z.partialRecord(ConsentPurpose, ConsentStateSchema.omit({ source: true })),
  channels,
  lastSeenAt: z.string().nullable(),
});
export type CustomerView = z.output<typeof CustomerViewFields> & Record<string, unknown>;

/** The customer's own fields in a data-protection export; each participant adds its section. */
const CustomerExportFields = z.object({
  exportedAt: z.string(),
  customer: z.object({
    customerId: z.string(),
    createdAt: z.string(),
    profile: ProfileInput,
    consents: z.partialRecord(ConsentPurpose, ConsentStateSchema),
    channels,
    lastSeenAt: z.string().nullable(),
  }),
  merges: z.array(MergeRecordSchema).describe('Customers merged into this one'),
});
export type CustomerExport = z.output<typeof CustomerExportFields> & Record<string, unknown>;

export const MergeResultSchema = MergeRecordSchema.extend({
  alreadyMerged: z.boolean().describe('True when this call found the merge done and changed nothing'),
}).meta({ id: 'CustomerMerge' });
export type MergeResult = z.output<typeof MergeResultSchema>;

/**
 * One customer across channels: identify, the 360 view, merge, export and erasure. Everything attached to a customer is reached through the participants.
 */
export class CustomerService {
  constructor(
    private readonly customers: CustomerStore,
    private readonly resolver: CustomerResolver,
    private readonly tenancy: TenancyService,
    private readonly participants: readonly CustomerParticipant[],
    private readonly clock: Clock,
  ) {}

  private schemas?: { participants: number; view: z.ZodObject; export: z.ZodObject };

  /**
   * The 360 view as the participants make it up: read when a response is described or checked, once
   * every module has contributed its participant (not while the modules are being built).
   */
  viewSchema(): z.ZodObject {
    return this.composedSchemas().view;
  }

  /** The export, as the participants make it up (see `viewSchema`). */
  exportSchema(): z.ZodObject {
    return this.composedSchemas().export;
  }

  private composedSchemas() {
    if (this.schemas?.participants !== this.participants.length) {
      const sections = (pick: (p: CustomerParticipant) => z.ZodObject) => Object.assign({}, ...this.participants.map((p) => pick(p).shape)) as z.ZodRawShape;
      this.schemas = {
        participants: this.participants.length,
        view: CustomerViewFields.extend(sections((p) => p.viewSchema)),
        export: CustomerExportFields.extend(sections((p) => p.exportSchema)),
      };
    }
    return this.schemas;
  }

  async identify(principal: Principal, input: IdentifyInput): Promise<Resolution> {
    const { tenantId } = principal;
    let country = (await this.tenancy.getTenant(tenantId))?.country ?? 'ES';
    if (input.locationId) {
      const location = await this.tenancy.getLocation(tenantId, input.locationId);
      if (!location) throw invalid([{ field: 'locationId', message: `location ${input.locationId} does not exist` }]);
      country = location.country;
    }
    const { identifiers, issues } = normalizeIdentifiers(tenantId, input.identifiers, country, 'identifiers');
    if (issues.length > 0) throw invalid(issues);
    const resolution = await this.resolver.resolve(tenantId, identifiers);
    if (input.profile || input.consents) {
      const now = this.clock.now().toISOString();
      await this.customers.updateCustomer(tenantId, resolution.customerId, (current) => ({
        ...current,
        profile: { ...current.profile, ...input.profile },
        consents: (input.consents ?? []).reduce(
          (consents, c) => ({ ...consents, [c.purpose]: applyConsent(consents[c.purpose], { granted: c.granted, at: c.at ?? now }, principal.keyId) }),
          current.consents,
        ),
      }));
    }
    return resolution;
  }

  /**
   * The customers an identifier (or a customer id) leads to: at most one per kind it could be, each
   * a point read. Masked as the 360 view is: a POS or web shop key sees first names and masked
   * identifiers only. Erased customers are not found.
   */
  async search(principal: Principal, input: CustomerSearchInput): Promise<CustomerSearchResult> {
    const { tenantId } = principal;
    const country = (await this.tenancy.getTenant(tenantId))?.country ?? 'ES';
    const kinds = input.type
      ? [input.type]
      : input.query.includes('@')
        ? (['email'] as const)
        : (['customerId', ...IdentifierType.options.filter((t) => t !== 'email')] as const);
    const found = await Promise.all(
      kinds.map(async (kind) => {
        if (kind === 'customerId')
          return {
            kind,
            customer: input.query.length <= 128 && ID_PATTERN.test(input.query) ? await currentCustomer(this.customers, tenantId, input.query) : undefined,
          };
        const identifier = normalizeIdentifier(tenantId, { type: kind, value: input.query }, country);
        const link = 'error' in identifier ? undefined : await this.customers.findIdentifier(tenantId, identifier.key);
        return { kind, customer: link && (await currentCustomer(this.customers, tenantId, link.customerId)) };
      }),
    );
    const audience: Audience = seesPersonalData(principal) ? 'full' : 'masked';
    const seen = new Set<string>();
    const items: CustomerSearchResult['items'] = [];
    for (const { kind, customer } of found) {
      if (!customer || customer.erasedAt || seen.has(customer.customerId)) continue;
      seen.add(customer.customerId);
      const profile = audience === 'full' ? customer.profile : maskProfile(customer.profile);
      const links = await this.customers.listIdentifiers(tenantId, customer.customerId);
      items.push({
        customerId: customer.customerId,
        matchedBy: kind,
        ...(profile.name ? { name: profile.name } : {}),
        identifiers: links.map((l) => identifierFor(l, audience)),
        channels: customer.channels,
        lastSeenAt: customer.lastSeenAt,
      });
    }
    return { items };
  }

  /** The customer a (possibly merged) id stands for now. */
  current(tenantId: string, customerId: string): Promise<CustomerRecord> {
    return requireCurrentCustomer(this.customers, tenantId, customerId);
  }

  async view(principal: Principal, customerId: string): Promise<CustomerView> {
    const customer = await this.current(principal.tenantId, customerId);
    const audience: Audience = seesPersonalData(principal) ? 'full' : 'masked';
    const sections = await Promise.all(this.participants.map((p) => p.view(principal.tenantId, customer.customerId, audience)));
    return {
      customerId: customer.customerId,
      ...(customer.customerId !== customerId ? { mergedFrom: customerId } : {}),
      createdAt: customer.createdAt,
      profile: audience === 'full' ? customer.profile : maskProfile(customer.profile),
      consents: Object.fromEntries(Object.entries(customer.consents).map(([purpose, c]) => [purpose, { granted: c.granted, at: c.at, history: c.history }])),
      channels: customer.channels,
      lastSeenAt: customer.lastSeenAt,
      ...Object.assign({}, ...sections),
    };
  }

  /**
   * Merges `input.customerId` into `survivorId`. The merged customer is marked first, so a re-run
   * after a crash finds it and finishes; every participant then moves its part. A second call
   * changes nothing and answers with the same record.
   */
  async merge(principal: Principal, survivorId: string, input: MergeInput): Promise<{ record: MergeRecord; alreadyMerged: boolean }> {
    const { tenantId } = principal;
    if (survivorId === input.customerId) throw unprocessable('merge-into-itself', 'A customer cannot be merged into itself');
    const survivor = await this.customers.getCustomer(tenantId, survivorId);
    if (!survivor || survivor.erasedAt) throw notFound(`Customer ${survivorId}`);
    if (survivor.mergedInto) throw unprocessable('survivor-was-merged', `Customer ${survivorId} was merged into ${survivor.mergedInto}; merge into that one`);
    const other = await this.customers.getCustomer(tenantId, input.customerId);
    if (!other || other.erasedAt) throw notFound(`Customer ${input.customerId}`);
    if (other.mergedInto && other.mergedInto !== survivorId) {
      throw new DomainError('conflict', `Customer ${input.customerId} was already merged into ${other.mergedInto}`);
    }
    const alreadyMerged = other.mergedInto === survivorId;
    const previous = (await this.customers.listMergeRecords(tenantId, survivorId)).find((m) => m.mergedId === input.customerId);

    const now = this.clock.now().toISOString();
    let taken: CustomerRecord | undefined;
    await this.customers.updateCustomer(tenantId, input.customerId, (current) => {
      if (current.mergedInto && current.mergedInto !== survivorId) throw new DomainError('conflict', `Customer ${input.customerId} was merged meanwhile`);
      if (current.mergedInto === survivorId) return undefined;
      taken = current;
      // The survivor takes the personal data; the merged id keeps only its pointer.
      return { ...current, mergedInto: survivorId, profile: {}, consents: {}, recentTransactions: [], channels: [], lastSeenAt: null };
    });

    const moved: Record<string, number> = {};
    for (const participant of this.participants) {
      moved[participant.name] = await participant.move(tenantId, input.customerId, survivorId);
    }
    if (taken && !alreadyMerged) {
      const from = taken;
      await this.customers.updateCustomer(tenantId, survivorId, (current) => {
        const base: CustomerRecord = {
          ...current,
          profile: { ...from.profile, ...current.profile },
          consents: mergeConsents(current.consents, from.consents),
          channels: [...new Set([...current.channels, ...from.channels])].sort(),
        };
        return from.recentTransactions.reduce(mergeActivity, base);
      });
    }
    if (previous) {
      return { record: previous, alreadyMerged: true };
    }
    const record: MergeRecord = { tenantId, survivorId, mergedId: input.customerId, mergedAt: now, mergedBy: principal.keyId, reason: input.reason, moved };
    await this.customers.saveMergeRecord(record);
    return { record, alreadyMerged };
  }

  async export(tenantId: string, customerId: string): Promise<CustomerExport> {
    const customer = await this.current(tenantId, customerId);
    const sections = await Promise.all(this.participants.map((p) => p.export(tenantId, customer.customerId)));
    return {
      exportedAt: this.clock.now().toISOString(),
      customer: {
        customerId: customer.customerId,
        createdAt: customer.createdAt,
        profile: customer.profile,
        consents: customer.consents,
        channels: customer.channels,
        lastSeenAt: customer.lastSeenAt,
      },
      merges: await this.customers.listMergeRecords(tenantId, customer.customerId),
      ...Object.assign({}, ...sections),
    };
  }

  /** Erasure (right to be forgotten): every participant removes what names the person; the customer keeps only its id. */
  async erase(principal: Principal, customerId: string): Promise<void> {
    const { tenantId } = principal;
    const customer = await this.customers.getCustomer(tenantId, customerId);
    if (!customer) throw notFound(`Customer ${customerId}`);
    const target = customer.mergedInto ? await this.current(tenantId, customerId).catch(() => customer) : customer;
    for (const participant of this.participants) await participant.erase(tenantId, target.customerId);
    for (const record of await this.customers.listMergeRecords(tenantId, target.customerId)) {
      await this.customers.saveMergeRecord({ ...record, reason: '[erased]' });
    }
    const erasedAt = this.clock.now().toISOString();
    await this.customers.updateCustomer(tenantId, target.customerId, (current) => ({
      ...current,
      profile: {},
      consents: {},
      recentTransactions: [],
      channels: [],
      lastSeenAt: null,
      erasedAt: current.erasedAt ?? erasedAt,
    }));
  }
}

function mergeConsents(a: CustomerRecord['consents'], b: CustomerRecord['consents']): CustomerRecord['consents'] {
  const result = { ...a };
  for (const [purpose, state] of Object.entries(b) as Array<[keyof typeof b, NonNullable<(typeof b)[keyof typeof b]>]>) {
    result[purpose] = state.history.reduce((current, h) => applyConsent(current, h, h.source), result[purpose]);
  }
  return result;
}

function maskProfile(profile: CustomerRecord['profile']): Partial<CustomerRecord['profile']> {
  // Store staff may greet the customer by first name and see the language; nothing else.
  return {
    ...(profile.name ? { name: profile.name.split(' ')[0] } : {}),
    ...(profile.language ? { language: profile.language } : {}),
  };
}

export const CustomerSearchInput = z
  .object({
    query: z.string().trim().min(1).max(254).describe('An email, phone, loyalty card, e-commerce or POS customer id, or a customer id'),
    type: z
      .enum([...IdentifierType.options, 'customerId'])
      .optional()
      .describe('What the query is; absent: every kind it could be'),
  })
  .strict();
export type CustomerSearchInput = z.infer<typeof CustomerSearchInput>;

export const CustomerSearchResultSchema = z
  .object({
    items: z.array(
      z.object({
        customerId: z.string(),
        matchedBy: z.enum([...IdentifierType.options, 'customerId']),
        name: z.string().optional().describe('First name only unless the caller is an admin or support'),
        identifiers: z.array(z.object({ type: IdentifierType, value: z.string().describe('Masked unless the caller is an admin or support') })),
        channels,
        lastSeenAt: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'CustomerSearchResult' });
export type CustomerSearchResult = z.output<typeof CustomerSearchResultSchema>;
