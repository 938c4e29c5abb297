import { defineModule } from '../kernel/module';
import { CachedTenantDirectory, CosmosTenantDirectory } from './adapters/cosmos-tenant-directory';
import { tenantRoutes } from './http';
import { TenancyService } from './tenancy';
import { FailedKeys } from './failed-keys';

/** Tenants (retail businesses), their locations and API keys; every other capability asks it who is calling. */
export const tenancyModule = defineModule({
  name: 'tenancy',
  containers: {
    tenants: { partitionKeyPaths: ['/tenantId'], purpose: 'Tenant settings, locations and hashed API keys: small, read through a cache' },
  },
  build({ kernel, documents }) {
    const directory = new CachedTenantDirectory(new CosmosTenantDirectory(documents('tenants')));
    const tenancy = new TenancyService(directory, kernel.clock, new FailedKeys(kernel.clock, kernel.telemetry));
    return { api: { tenancy }, routes: tenantRoutes(kernel.edge, tenancy), consumers: {}, timers: {} };
  },
});
