import type { ApiKeyRecord, Location, StaffDirectory, Tenant } from '../tenancy';
import type { CreateOutcome } from '../../kernel/ports';
import type { TenantDirectory } from '../tenancy';
import { strip, type Documents } from '../../kernel/adapters/documents';

/**
 * Tenant, locations and keys share the tenant's partition: `tenant`, `location:<id>`, `apikey:<hash>`.
 * A staff directory's connection has its own partition, `entra:<directory id>`, so a token finds its
 * tenant with one point read and a directory can be connected only once.
 */
export class CosmosTenantDirectory implements TenantDirectory {
  constructor(private readonly docs: Documents) {}

  createTenant(tenant: Tenant): Promise<CreateOutcome> {
    return this.docs.create({ ...tenant, id: 'tenant', kind: 'tenant' });
  }
  async getTenant(tenantId: string): Promise<Tenant | undefined> {
    return this.read<Tenant>(tenantId, 'tenant');
  }
  createLocation(location: Location): Promise<CreateOutcome> {
    return this.docs.create({ ...location, id: `location:${location.locationId}`, kind: 'location' });
  }
  getLocation(tenantId: string, locationId: string): Promise<Location | undefined> {
    return this.read<Location>(tenantId, `location:${locationId}`);
  }
  async listLocations(tenantId: string): Promise<Location[]> {
    const docs = await this.docs.queryAll<Location & { id: string; kind: string }>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'location'", [
      { name: '@t', value: tenantId },
    ]);
    return docs.map(({ id: _id, kind: _kind, ...location }) => location);
  }
  createApiKey(key: ApiKeyRecord): Promise<CreateOutcome> {
    return this.docs.create({ ...key, id: `apikey:${key.keyHash}`, kind: 'apiKey' });
  }
  getApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.read<ApiKeyRecord>(tenantId, `apikey:${keyHash}`);
  }

  connectStaffDirectory(connection: StaffDirectory): Promise<CreateOutcome> {
    return this.docs.create({
      ...connection,
      id: 'staffDirectory',
      kind: 'staffDirectory',
      tenantId: `entra:${connection.directoryId}`,
      boundTo: connection.tenantId,
    });
  }
  async getStaffDirectory(directoryId: string): Promise<StaffDirectory | undefined> {
    const doc = await this.read<StaffDirectory & { boundTo: string }>(`entra:${directoryId}`, 'staffDirectory');
    return doc && { tenantId: doc.boundTo, directoryId: doc.directoryId, connectedAt: doc.connectedAt };
  }

  private async read<T>(tenantId: string, id: string): Promise<T | undefined> {
    const doc = await this.docs.read<T & { tenantId: string }>(id, tenantId);
    // The tenant predicate is checked here too, not only through the partition key.
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, kind: _kind, ...rest } = strip<T & { id: string; kind: string }>(doc);
    return rest as T;
  }
}

/**
 * Keys, locations and tenants change rarely and are read on every request: keep positive answers
 * for a short while. A revoked key or changed location takes effect within `ttlMs`.
 */
export class CachedTenantDirectory implements TenantDirectory {
  private readonly cache = new Map<string, { value: unknown; until: number }>();

  constructor(
    private readonly inner: TenantDirectory,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  createTenant(tenant: Tenant) {
    return this.inner.createTenant(tenant);
  }
  createLocation(location: Location) {
    return this.inner.createLocation(location);
  }
  createApiKey(key: ApiKeyRecord) {
    return this.inner.createApiKey(key);
  }
  connectStaffDirectory(connection: StaffDirectory) {
    return this.inner.connectStaffDirectory(connection);
  }
  getStaffDirectory(directoryId: string) {
    return this.cached(`d|${directoryId}`, () => this.inner.getStaffDirectory(directoryId));
  }
  getTenant(tenantId: string) {
    return this.cached(`t|${tenantId}`, () => this.inner.getTenant(tenantId));
  }
  getLocation(tenantId: string, locationId: string) {
    return this.cached(`l|${tenantId}|${locationId}`, () => this.inner.getLocation(tenantId, locationId));
  }
  listLocations(tenantId: string) {
    return this.inner.listLocations(tenantId);
  }
  getApiKey(tenantId: string, keyHash: string) {
    return this.cached(`k|${tenantId}|${keyHash}`, () => this.inner.getApiKey(tenantId, keyHash));
  }
  cachedApiKey(tenantId: string, keyHash: string): ApiKeyRecord | undefined {
    const hit = this.cache.get(`k|${tenantId}|${keyHash}`);
    return hit && hit.until > Date.now() ? (hit.value as ApiKeyRecord) : undefined;
  }

  private async cached<T>(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.until > Date.now()) return hit.value as T;
    const value = await load();
    if (value !== undefined) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(key, { value, until: Date.now() + this.ttlMs });
    }
    return value;
  }
}
