import { defineModule } from '../kernel/module';
import { CachedTenantDirectory, CosmosTenantDirectory } from './adapters/cosmos-tenant-directory';
import { tenantRoutes } from './http';
import { TenancyService } from './tenancy';
import { FailedKeys } from './failed-keys';
import { EntraTokens } from './adapters/entra-tokens';

/** Tenants (retail businesses), their locations, API keys and staff sign-in; every other capability asks it who is calling. */
export const tenancyModule = defineModule({
  name: 'tenancy',
  containers: {
    tenants: { partitionKeyPaths: ['/tenantId'], purpose: 'Tenant settings, locations and hashed API keys: small, read through a cache' },
  },
  build({ kernel, documents }) {
    const directory = new CachedTenantDirectory(new CosmosTenantDirectory(documents('tenants')));
    const staffTokens = kernel.config.staffSignIn && new EntraTokens(kernel.config.staffSignIn, kernel.clock);
    const tenancy = new TenancyService(directory, kernel.clock, new FailedKeys(kernel.clock, kernel.telemetry), staffTokens);
    return { api: { tenancy }, routes: tenantRoutes(kernel.edge, tenancy), consumers: {}, timers: {} };
  },
});
