import { defineModule } from '../kernel/module';
import { CachedTenantDirectory, CosmosTenantDirectory } from './adapters/cosmos-tenant-directory';
import { tenantRoutes } from './http';
import { TenancyService } from './tenancy';

/** Tenants (retail businesses), their locations and API keys; every other capability asks it who is calling. */
export const tenancyModule = defineModule({
  name: 'tenancy',
  containers: {
    tenants: { partitionKeyPaths: ['/tenantId'], purpose: 'Tenant settings, locations and hashed API keys: small, read through a cache' },
  },
  build({ kernel, documents }) {
    const tenancy = new TenancyService(new CachedTenantDirectory(new CosmosTenantDirectory(documents('tenants'))), kernel.clock);
    return { api: { tenancy }, routes: tenantRoutes(kernel.edge, tenancy), consumers: {}, timers: {} };
  },
});
