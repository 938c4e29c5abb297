import { z } from 'zod';
import { DomainError, notFound, throttled } from '../kernel/errors';
import { randomId, randomSecret, sha256Hex } from '../kernel/ids';
import type { Clock, CreateOutcome } from '../kernel/ports';
import type { FailedKeys } from './failed-keys';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2 to 40 characters');
const country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code, e.g. ES');
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code, e.g. EUR');
const timeZone = z.string().refine(isTimeZone, 'an IANA time zone, e.g. Europe/Madrid');

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const CreateTenantInput = z
  .object({
    tenantId: slug.optional().describe('Chosen by the operator; generated when absent'),
    name: z.string().trim().min(1).max(120),
    country: country.describe('Default country for locations and phone numbers'),
    currency,
    timeZone: timeZone.default('UTC'),
    taxId: z.string().trim().min(1).max(32).optional().describe('The issuer tax id printed on receipts (NIF in Spain)'),
    returnPolicy: z.string().trim().min(1).max(500).optional().describe('Printed on every receipt'),
  })
  .strict();
export type CreateTenantInput = z.infer<typeof CreateTenantInput>;

export const LocationType = z.enum(['store', 'warehouse', 'online']);
export type LocationType = z.infer<typeof LocationType>;

export const CreateLocationInput = z
  .object({
    locationId: slug.optional(),
    name: z.string().trim().min(1).max(120),
    type: LocationType,
    country,
    currency,
    timeZone,
  })
  .strict();
export type CreateLocationInput = z.infer<typeof CreateLocationInput>;

/**
 * What a caller may do. `pos` and `ecommerce` are the channels' systems, `admin` the retailer's
 * administrators; `marketing`, `store` and `support` are back-office staff (a key for a tool, or a
 * person signed in with Microsoft Entra ID): they read what the channels read and change only what a
 * route grants their role by name.
 */
export const ApiKeyRole = z.enum(['pos', 'ecommerce', 'admin', 'marketing', 'store', 'support']);
export type ApiKeyRole = z.infer<typeof ApiKeyRole>;

/** The roles a route without its own list admits: the channels and administrators; staff roles too when it only reads (GET). */
export const CHANNEL_ROLES: readonly ApiKeyRole[] = ['pos', 'ecommerce', 'admin'];
export const STAFF_ROLES = ['admin', 'support', 'marketing', 'store'] as const satisfies readonly ApiKeyRole[];
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Administrators and customer service see customers' personal data in full; every other role sees it masked. */
export function seesPersonalData(principal: Pick<Principal, 'role'>): boolean {
  return principal.role === 'admin' || principal.role === 'support';
}

export const CreateApiKeyInput = z
  .object({
    role: ApiKeyRole,
    locationIds: z.array(slug).min(1).max(500).optional().describe('Restricts writes to these locations'),
    name: z.string().trim().max(120).optional(),
  })
  .strict();
export type CreateApiKeyInput = z.infer<typeof CreateApiKeyInput>;

export interface Tenant {
  tenantId: string;
  name: string;
  country: string;
  currency: string;
  timeZone: string;
  /** Issuer tax id for receipts; Spanish fiscal records need it. */
  taxId?: string | null;
  returnPolicy?: string | null;
  createdAt: string;
}

/** A tenant as created: every field present (older stored tenants may lack `taxId` and `returnPolicy`, hence `Tenant`). */
export const TenantSchema = z
  .object({
    tenantId: z.string(),
    name: z.string(),
    country: z.string(),
    currency: z.string(),
    timeZone: z.string(),
    taxId: z.string().nullable().describe('Issuer tax id printed on receipts; Spanish fiscal records need it'),
    returnPolicy: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Tenant' });
export type TenantView = z.output<typeof TenantSchema>;

export const LocationSchema = z
  .object({
    tenantId: z.string(),
    locationId: z.string(),
    name: z.string(),
    type: LocationType,
    country: z.string(),
    currency: z.string(),
    timeZone: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Location' });
export type Location = z.output<typeof LocationSchema>;

export interface ApiKeyRecord {
  tenantId: string;
  /** SHA-256 of the secret part: the key itself is never stored. */
  keyHash: string;
  /** A short public handle for logs and idempotency scoping. */
  keyId: string;
  role: ApiKeyRole;
  locationIds: string[] | null;
  name: string | null;
  createdAt: string;
}

/** What issuing a key answers: the key itself, shown this once, and what it may do. */
export const IssuedApiKeySchema = z
  .object({
    apiKey: z.string().describe('Send it in the x-api-key header; it is not stored and cannot be shown again'),
    keyId: z.string(),
    tenantId: z.string(),
    role: ApiKeyRole,
    locationIds: z.array(z.string()).nullable().describe('The locations it may act for; null: every location'),
    name: z.string().nullable(),
  })
  .meta({ id: 'IssuedApiKey' });
export type IssuedApiKey = z.output<typeof IssuedApiKeySchema>;

export function issuedApiKeyView(apiKey: string, record: ApiKeyRecord): IssuedApiKey {
  return { apiKey, keyId: record.keyId, tenantId: record.tenantId, role: record.role, locationIds: record.locationIds, name: record.name };
}

/** The caller, as decided by its API key or its staff sign-in token. */
export interface Principal {
  tenantId: string;
  /** The key's handle, or `entra:<object id>` for a person signed in with Microsoft Entra ID. */
  keyId: string;
  role: ApiKeyRole;
  locationIds: string[] | null;
}

/** What a verified staff sign-in token says: the person, her directory and the app roles she was given there. */
export interface StaffClaims {
  /** The Microsoft Entra ID tenant (directory) that signed her in: the token's `tid`. */
  directoryId: string;
  /** Her object id in that directory: the token's `oid`. */
  objectId: string;
  /** The app roles assigned to her (`roles`), e.g. `Admin`, `Marketing`, `Store`, `Support`. */
  roles: string[];
}

/** Checks a staff member's access token (signature, issuer, audience, lifetime); undefined when it is not valid. */
export interface StaffTokenVerifier {
  verify(token: string): Promise<StaffClaims | undefined>;
}

/** The platform role of a signed-in person: her app roles matched case-insensitively, the first of STAFF_ROLES she has. */
export function staffRoleOf(appRoles: readonly string[]): StaffRole | undefined {
  const given = new Set(appRoles.map((r) => r.toLowerCase()));
  return STAFF_ROLES.find((role) => given.has(role));
}

export const ConnectStaffDirectoryInput = z
  .object({ directoryId: z.uuid().describe("The retailer's Microsoft Entra ID tenant id (directory id), whose staff sign in to the console") })
  .strict();
export type ConnectStaffDirectoryInput = z.infer<typeof ConnectStaffDirectoryInput>;

export const StaffDirectorySchema = z.object({ tenantId: z.string(), directoryId: z.string(), connectedAt: z.string() }).meta({ id: 'StaffDirectory' });
export type StaffDirectory = z.output<typeof StaffDirectorySchema>;

const KEY_PREFIX = 'uk';

/** Keys look like `uk.<tenantId>.<secret>`: the tenant part finds the partition, the secret proves it. */
export function parseApiKey(raw: string): { tenantId: string; secret: string } | undefined {
  const parts = raw.trim().split('.');
  if (parts.length !== 3 || parts[0] !== KEY_PREFIX) return undefined;
  const [, tenantId, secret] = parts as [string, string, string];
  if (!slug.safeParse(tenantId).success || secret.length < 32) return undefined;
  return { tenantId, secret };
}

export class TenancyService {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly clock: Clock,
    private readonly failedKeys?: FailedKeys,
    private readonly staffTokens?: StaffTokenVerifier,
  ) {}

  /**
   * Lets the people of a retailer's Microsoft Entra ID directory sign in to its tenant: a directory
   * serves one tenant, so a token names its tenant by itself. Connecting it again is a no-op.
   */
  async connectStaffDirectory(tenantId: string, input: ConnectStaffDirectoryInput): Promise<StaffDirectory> {
    await this.requireTenant(tenantId);
    const directoryId = input.directoryId.toLowerCase();
    const connection: StaffDirectory = { tenantId, directoryId, connectedAt: this.clock.now().toISOString() };
    if ((await this.directory.connectStaffDirectory(connection)) === 'created') return connection;
    const existing = (await this.directory.getStaffDirectory(directoryId))!;
    if (existing.tenantId !== tenantId) {
      throw new DomainError('already-exists', `Directory ${directoryId} already signs staff in to another tenant`, { reason: 'directory-taken' });
    }
    return existing;
  }

  /**
   * The principal of a person signed in with Microsoft Entra ID: undefined for a token that is not
   * valid here (401; 429 once `client` has had its allowance of wrong keys and tokens); 403 when her
   * directory is not connected to a tenant or she has no role.
   */
  async authenticateStaff(token: string, client = 'unknown'): Promise<Principal | undefined> {
    const claims = await this.staffTokens?.verify(token);
    if (!claims) {
      // Counted with wrong keys, for the same alerts and the same allowance per client; a valid token is never refused.
      const wait = this.failedKeys?.blockedFor(client, undefined);
      if (wait !== undefined) throw throttled('authentication-throttled', 'Too many wrong API keys or sign-in tokens', wait);
      this.failedKeys?.recordFailure(client, undefined, 'staff-token');
      return undefined;
    }
    const connection = await this.directory.getStaffDirectory(claims.directoryId.toLowerCase());
    if (!connection) {
      throw new DomainError('forbidden', 'Your organisation is not connected to a tenant of this platform', { reason: 'directory-not-connected' });
    }
    const role = staffRoleOf(claims.roles);
    if (!role)
      throw new DomainError('forbidden', 'You have no role here: ask your administrator for admin, marketing, store or support', { reason: 'no-role' });
    return { tenantId: connection.tenantId, keyId: `entra:${claims.objectId}`, role, locationIds: null };
  }

  async createTenant(input: CreateTenantInput): Promise<TenantView> {
    const tenant: TenantView = {
      tenantId: input.tenantId ?? randomId('t').replace('_', '-'),
      name: input.name,
      country: input.country,
      currency: input.currency,
      timeZone: input.timeZone,
      taxId: input.taxId ?? null,
      returnPolicy: input.returnPolicy ?? null,
      createdAt: this.clock.now().toISOString(),
    };
    if ((await this.directory.createTenant(tenant)) === 'exists') {
      throw new DomainError('already-exists', `Tenant ${tenant.tenantId} already exists`);
    }
    return tenant;
  }

  async createLocation(tenantId: string, input: CreateLocationInput): Promise<Location> {
    await this.requireTenant(tenantId);
    const location: Location = {
      tenantId,
      locationId: input.locationId ?? randomId('loc').replace('_', '-'),
      name: input.name,
      type: input.type,
      country: input.country,
      currency: input.currency,
      timeZone: input.timeZone,
      createdAt: this.clock.now().toISOString(),
    };
    if ((await this.directory.createLocation(location)) === 'exists') {
      throw new DomainError('already-exists', `Location ${location.locationId} already exists`);
    }
    return location;
  }

  /** Returns the key once; only its hash is kept. */
  async issueApiKey(tenantId: string, input: CreateApiKeyInput): Promise<{ apiKey: string; record: ApiKeyRecord }> {
    await this.requireTenant(tenantId);
    for (const locationId of input.locationIds ?? []) {
      if (!(await this.directory.getLocation(tenantId, locationId))) {
        throw new DomainError('validation-failed', 'Unknown location', {
          issues: [{ field: 'locationIds', message: `location ${locationId} does not exist` }],
        });
      }
    }
    const secret = randomSecret();
    const keyHash = sha256Hex(secret);
    const record: ApiKeyRecord = {
      tenantId,
      keyHash,
      keyId: `key_${keyHash.slice(0, 12)}`,
      role: input.role,
      locationIds: input.locationIds ?? null,
      name: input.name ?? null,
      createdAt: this.clock.now().toISOString(),
    };
    await this.directory.createApiKey(record);
    return { apiKey: `${KEY_PREFIX}.${tenantId}.${secret}`, record };
  }

  /**
   * The principal of a key, or undefined for a wrong one. Wrong keys are throttled per client and
   * per tenant prefix (see `FailedKeys`): past the limit, a key neither cached nor recently found
   * valid is refused with 429 before any store read.
   */
  async authenticate(rawKey: string, client = 'unknown'): Promise<Principal | undefined> {
    const parsed = parseApiKey(rawKey);
    const keyHash = parsed && sha256Hex(parsed.secret);
    const cached = parsed && this.directory.cachedApiKey?.(parsed.tenantId, keyHash!);
    if (cached) return principalOf(cached);
    const wait = this.failedKeys?.blockedFor(client, parsed?.tenantId, keyHash);
    if (wait !== undefined) throw throttled('authentication-throttled', 'Too many wrong API keys', wait);
    if (!parsed) {
      this.failedKeys?.recordFailure(client, undefined, 'malformed');
      return undefined;
    }
    const record = this.failedKeys?.isKnownUnknown(parsed.tenantId, keyHash!) ? undefined : await this.directory.getApiKey(parsed.tenantId, keyHash!);
    if (!record) {
      this.failedKeys?.recordFailure(client, parsed.tenantId, 'unknown', keyHash!);
      return undefined;
    }
    this.failedKeys?.recordSuccess(parsed.tenantId, keyHash!);
    return principalOf(record);
  }

  async getLocation(tenantId: string, locationId: string): Promise<Location | undefined> {
    return this.directory.getLocation(tenantId, locationId);
  }

  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    return this.directory.getTenant(tenantId);
  }

  listLocations(tenantId: string): Promise<Location[]> {
    return this.directory.listLocations(tenantId);
  }

  private async requireTenant(tenantId: string): Promise<Tenant> {
    const tenant = await this.directory.getTenant(tenantId);
    if (!tenant) throw notFound(`Tenant ${tenantId}`);
    return tenant;
  }
}

function principalOf(record: ApiKeyRecord): Principal {
  return { tenantId: record.tenantId, keyId: record.keyId, role: record.role, locationIds: record.locationIds };
}

/** A key limited to some locations may only act for those. */
export function assertMayActFor(principal: Principal, locationId: string): void {
  if (principal.locationIds && !principal.locationIds.includes(locationId)) {
    throw new DomainError('forbidden', `This API key may not act for location ${locationId}`, { reason: 'location-not-allowed' });
  }
}

export interface TenantDirectory {
  createTenant(tenant: Tenant): Promise<CreateOutcome>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  createLocation(location: Location): Promise<CreateOutcome>;
  getLocation(tenantId: string, locationId: string): Promise<Location | undefined>;
  /** Every location of a tenant (a query within its partition). */
  listLocations(tenantId: string): Promise<Location[]>;
  createApiKey(key: ApiKeyRecord): Promise<CreateOutcome>;
  getApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord | undefined>;
  /** 'exists' when the directory is already connected (to this tenant or another). */
  connectStaffDirectory(connection: StaffDirectory): Promise<CreateOutcome>;
  getStaffDirectory(directoryId: string): Promise<StaffDirectory | undefined>;
  /** A key the directory holds in memory, without reading the store (a cache's answer); undefined when it does not. */
  cachedApiKey?(tenantId: string, keyHash: string): ApiKeyRecord | undefined;
}
