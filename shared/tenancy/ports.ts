import type { CreateOutcome } from '../kernel/ports';
import type { ApiKeyRecord, Location, Tenant } from './tenancy';

export interface TenantDirectory {
  createTenant(tenant: Tenant): Promise<CreateOutcome>;
  getTenant(tenantId: string): Promise<Tenant | undefined>;
  createLocation(location: Location): Promise<CreateOutcome>;
  getLocation(tenantId: string, locationId: string): Promise<Location | undefined>;
  createApiKey(key: ApiKeyRecord): Promise<CreateOutcome>;
  getApiKey(tenantId: string, keyHash: string): Promise<ApiKeyRecord | undefined>;
}
