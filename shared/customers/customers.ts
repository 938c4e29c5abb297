import { z } from 'zod';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { randomId, sha256Hex } from '../kernel/ids';
import { DomainError, notFound, type FieldIssue } from '../kernel/errors';
import type { Clock, CreateOutcome } from '../kernel/ports';

export const IdentifierType = z.enum(['email', 'phone', 'loyaltyCard', 'ecommerceId', 'posCustomerId']);
export type IdentifierType = z.infer<typeof IdentifierType>;

export const IdentifierInput = z.object({ type: IdentifierType, value: z.string().trim().min(1).max(254) }).strict();
export type IdentifierInput = z.infer<typeof IdentifierInput>;

/** When identifiers point at different customers, the most specific one decides. */
const PRIORITY: IdentifierType[] = ['loyaltyCard', 'ecommerceId', 'posCustomerId', 'email', 'phone'];

export interface NormalizedIdentifier {
  type: IdentifierType;
  value: string;
  /** Stable, non-personal lookup key: a hash, so ids and logs never carry an email or phone. */
  key: string;
}

export interface IdentifierLink extends NormalizedIdentifier {
  tenantId: string;
  customerId: string;
  linkedAt: string;
}

/** The short form of a transaction kept in a customer's summary and shown in the 360 view. */
export const RecentTransactionSchema = z.object({
  transactionId: z.string(),
  type: z.enum(['sale', 'return']),
  channel: z.enum(['store', 'online']),
  locationId: z.string(),
  occurredAt: z.string(),
  amount: z.number().int().describe('Net total in minor units'),
  currency: z.string(),
});
export type RecentTransaction = z.output<typeof RecentTransactionSchema>;

export const ProfileInput = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    birthDate: z.iso.date().optional().describe('YYYY-MM-DD'),
    gender: z.enum(['female', 'male', 'nonBinary', 'undisclosed']).optional(),
    postalCode: z.string().trim().min(1).max(16).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code such as ES')
      .optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag such as es or es-ES')
      .optional(),
  })
  .strict();
export type Profile = z.infer<typeof ProfileInput>;

export const ConsentPurpose = z.enum(['marketingEmail', 'marketingSms', 'marketingPush', 'paperlessReceipts']);
export type ConsentPurpose = z.infer<typeof ConsentPurpose>;

export const ConsentInput = z
  .object({
    purpose: ConsentPurpose,
    granted: z.boolean(),
    at: z.iso.datetime({ offset: true }).optional().describe('When the customer said so; defaults to now'),
  })
  .strict();
export type ConsentInput = z.infer<typeof ConsentInput>;

const ConsentStatement = z.object({
  granted: z.boolean(),
  at: z.string().describe('When the customer gave or withdrew it'),
  source: z.string().describe('The API key (id) through which it was recorded'),
});

export const ConsentStateSchema = ConsentStatement.extend({ history: z.array(ConsentStatement) });
export type ConsentState = z.output<typeof ConsentStateSchema>;

export interface CustomerRecord {
  tenantId: string;
  customerId: string;
  createdAt: string;
  profile: Profile;
  consents: Partial<Record<ConsentPurpose, ConsentState>>;
  /** Set on a merged customer: its id keeps answering, pointing here. */
  mergedInto: string | null;
  /** Set once the customer's personal data has been erased. */
  erasedAt: string | null;
  /** Channels the customer has bought in, kept by the activity consumer. */
  channels: Array<'store' | 'online'>;
  lastSeenAt: string | null;
  /** The newest transactions, newest first, at most RECENT_LIMIT. */
  recentTransactions: RecentTransaction[];
}

export const RECENT_LIMIT = 10;

/** The short form of a transaction kept in a customer's summary and shown in the 360 view. */
export function recentEntry(tx: {
  transactionId: string;
  type: 'sale' | 'return';
  channel: 'store' | 'online';
  locationId: string;
  occurredAt: string;
  currency: string;
  totals: { net: number };
}): RecentTransaction {
  return {
    transactionId: tx.transactionId,
    type: tx.type,
    channel: tx.channel,
    locationId: tx.locationId,
    occurredAt: tx.occurredAt,
    amount: tx.totals.net,
    currency: tx.currency,
  };
}

/** Who merged which customer into which, when and why. */
export const MergeRecordSchema = z.object({
  tenantId: z.string(),
  survivorId: z.string(),
  mergedId: z.string(),
  mergedAt: z.string(),
  mergedBy: z.string().describe('The API key (id) that merged them'),
  reason: z.string(),
  moved: z.record(z.string(), z.number().int()).describe('Items each capability moved to the survivor'),
});
export type MergeRecord = z.output<typeof MergeRecordSchema>;

/**
 * Normalises one identifier so the same person typed two ways is one key:
 * emails trimmed and lower-cased, phones to E.164 with the location's country, cards without spaces.
 */
export function normalizeIdentifier(tenantId: string, input: IdentifierInput, defaultCountry: string): NormalizedIdentifier | { error: string } {
  let value: string;
  switch (input.type) {
    case 'email': {
      value = input.value.trim().toLowerCase();
      if (!z.email().safeParse(value).success) return { error: 'is not a valid email address' };
      break;
    }
    case 'phone': {
      const phone = parsePhoneNumberFromString(input.value, defaultCountry as CountryCode);
      if (!phone || !phone.isPossible()) return { error: 'is not a valid phone number' };
      value = phone.number;
      break;
    }
    case 'loyaltyCard':
      value = input.value.replace(/[\s-]/g, '').toUpperCase();
      break;
    default:
      value = input.value.trim();
  }
  if (value.length === 0) return { error: 'is empty' };
  return { type: input.type, value, key: identifierKey(tenantId, input.type, value) };
}

export function identifierKey(tenantId: string, type: IdentifierType, value: string): string {
  return `idn_${sha256Hex(`${tenantId}\u001f${type}\u001f${value}`).slice(0, 40)}`;
}

export function normalizeIdentifiers(
  tenantId: string,
  inputs: IdentifierInput[],
  defaultCountry: string,
  fieldPrefix: string,
): { identifiers: NormalizedIdentifier[]; issues: FieldIssue[] } {
  const identifiers: NormalizedIdentifier[] = [];
  const issues: FieldIssue[] = [];
  inputs.forEach((input, index) => {
    const result = normalizeIdentifier(tenantId, input, defaultCountry);
    if ('error' in result) issues.push({ field: `${fieldPrefix}.${index}.value`, message: `${input.type} ${result.error}` });
    else if (!identifiers.some((i) => i.key === result.key)) identifiers.push(result);
  });
  return { identifiers, issues };
}

export const ResolutionSchema = z
  .object({
    customerId: z.string(),
    created: z.boolean(),
    linked: z.array(IdentifierType).describe('Identifier types linked by this call'),
    conflicts: z
      .array(z.object({ type: IdentifierType, customerId: z.string() }))
      .describe('Identifiers that already belong to another customer: reported, never merged silently'),
  })
  .meta({ id: 'CustomerIdentification' });
export type Resolution = z.output<typeof ResolutionSchema>;

export function newCustomer(tenantId: string, customerId: string, now: string): CustomerRecord {
  return {
    tenantId,
    customerId,
    createdAt: now,
    profile: {},
    consents: {},
    mergedInto: null,
    erasedAt: null,
    channels: [],
    lastSeenAt: null,
    recentTransactions: [],
  };
}

const MAX_MERGE_HOPS = 10;

/** The customer a (possibly merged) id stands for now, or undefined. Merged ids keep answering. */
export async function currentCustomer(store: CustomerStore, tenantId: string, customerId: string): Promise<CustomerRecord | undefined> {
  let customer = await store.getCustomer(tenantId, customerId);
  for (let hop = 0; customer?.mergedInto && hop < MAX_MERGE_HOPS; hop += 1) {
    customer = await store.getCustomer(tenantId, customer.mergedInto);
  }
  return customer && !customer.mergedInto ? customer : undefined;
}

/** As `currentCustomer`, for callers that need one: 404 when there is none, 410 once erased. */
export async function requireCurrentCustomer(store: CustomerStore, tenantId: string, customerId: string): Promise<CustomerRecord> {
  const customer = await currentCustomer(store, tenantId, customerId);
  if (!customer) throw notFound(`Customer ${customerId}`);
  if (customer.erasedAt) throw new DomainError('gone', `Customer ${customerId} was erased`);
  return customer;
}

const HISTORY_LIMIT = 50;

/** The newest statement wins, whatever order they arrive in; every statement stays in the history. */
export function applyConsent(current: ConsentState | undefined, input: { granted: boolean; at: string }, source: string): ConsentState {
  const entry = { granted: input.granted, at: input.at, source };
  const history = [...(current?.history ?? [])];
  if (!history.some((h) => h.at === entry.at && h.granted === entry.granted)) history.push(entry);
  history.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const latest = history[history.length - 1]!;
  return { granted: latest.granted, at: latest.at, source: latest.source, history: history.slice(-HISTORY_LIMIT) };
}

/** What a POS or web shop key sees of an identifier: enough to recognise it, not to reuse it. */
export function maskIdentifier(type: IdentifierType, value: string): string {
  if (type === 'email') {
    const [local = '', domain = ''] = value.split('@');
    return `${local.slice(0, 1)}***@${domain}`;
  }
  if (type === 'phone') return `${value.slice(0, 3)}${'*'.repeat(Math.max(0, value.length - 6))}${value.slice(-3)}`;
  return `${'*'.repeat(Math.max(0, value.length - 4))}${value.slice(-4)}`;
}

/**
 * Finds the one customer these identifiers belong to, creating it when none does, and links the
 * new ones. Uniqueness rests on the store: an identifier is claimed with an idempotent create, so
 * concurrent callers with the same new identifier converge on one customer.
 */
export class CustomerResolver {
  constructor(
    private readonly store: CustomerStore,
    private readonly clock: Clock,
  ) {}

  async resolve(tenantId: string, identifiers: NormalizedIdentifier[]): Promise<Resolution> {
    const ordered = [...identifiers].sort((a, b) => PRIORITY.indexOf(a.type) - PRIORITY.indexOf(b.type));
    const found = await Promise.all(ordered.map((i) => this.store.findIdentifier(tenantId, i.key)));
    const owner = found.find((link) => link !== undefined)?.customerId;
    if (owner) return this.linkMissing(tenantId, owner, ordered, found, false);

    const now = this.clock.now().toISOString();
    const first = ordered[0];
    if (!first) throw new Error('resolve needs at least one identifier');
    const candidate = randomId('c');
    const claim = await this.store.claimIdentifier({ ...first, tenantId, customerId: candidate, linkedAt: now });
    if (claim === 'exists') {
      // Someone claimed it between our read and our write: theirs is the customer.
      return this.resolve(tenantId, identifiers);
    }
    await this.store.createCustomer(newCustomer(tenantId, candidate, now));
    const rest = await this.linkMissing(tenantId, candidate, ordered, [{ ...first, tenantId, customerId: candidate, linkedAt: now }], true);
    return { ...rest, linked: [first.type, ...rest.linked] };
  }

  private async linkMissing(
    tenantId: string,
    customerId: string,
    ordered: NormalizedIdentifier[],
    found: Array<IdentifierLink | undefined>,
    created: boolean,
  ): Promise<Resolution> {
    const conflicts: Resolution['conflicts'] = [];
    const linked: IdentifierType[] = [];
    const now = this.clock.now().toISOString();
    await Promise.all(
      ordered.map(async (identifier, index) => {
        const existing = found[index];
        if (existing) {
          if (existing.customerId !== customerId) conflicts.push({ type: identifier.type, customerId: existing.customerId });
          return;
        }
        const outcome = await this.store.claimIdentifier({ ...identifier, tenantId, customerId, linkedAt: now });
        if (outcome === 'created') linked.push(identifier.type);
        if (outcome === 'exists') {
          const holder = await this.store.findIdentifier(tenantId, identifier.key);
          if (holder && holder.customerId !== customerId) conflicts.push({ type: identifier.type, customerId: holder.customerId });
        }
      }),
    );
    return { customerId, created, linked, conflicts };
  }
}

export interface CustomerStore {
  findIdentifier(tenantId: string, identifierKey: string): Promise<IdentifierLink | undefined>;
  /** Claims an identifier for a customer; `exists` means someone holds it (maybe another customer). */
  claimIdentifier(link: IdentifierLink): Promise<CreateOutcome>;
  createCustomer(customer: CustomerRecord): Promise<CreateOutcome>;
  getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined>;
  /**
   * Read-modify-write with optimistic concurrency; `mutate` may run more than once. `basis`, a
   * record this store's `getCustomer` just returned for the same customer, saves the read: the first
   * attempt changes it and replaces with the version it was read at; if the customer changed since,
   * it reads again as usual. A store that does not know the basis's version just reads.
   */
  updateCustomer(
    tenantId: string,
    customerId: string,
    mutate: (current: CustomerRecord) => CustomerRecord | undefined,
    basis?: CustomerRecord,
  ): Promise<CustomerRecord | undefined>;
  listIdentifiers(tenantId: string, customerId: string): Promise<IdentifierLink[]>;
  /** Points an identifier at another customer, only if it still points at `fromCustomerId`. */
  moveIdentifier(tenantId: string, identifierKey: string, fromCustomerId: string, toCustomerId: string): Promise<boolean>;
  deleteIdentifier(tenantId: string, identifierKey: string): Promise<void>;
  saveMergeRecord(record: MergeRecord): Promise<void>;
  listMergeRecords(tenantId: string, survivorId: string): Promise<MergeRecord[]>;
}
