import { z } from 'zod';
import {
  ApiKeyRole,
  CreateApiKeyInput,
  CreateLocationInput,
  CreateTenantInput,
  ConnectStaffDirectoryInput,
  IssuedApiKeySchema,
  StaffDirectorySchema,
  LocationSchema,
  TenantSchema,
  issuedApiKeyView,
  type TenancyService,
} from './tenancy';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, id } from '../edge/schemas';

const TenantParams = z.object({ tenantId: id });
const DirectoryParams = TenantParams.extend(ConnectStaffDirectoryInput.shape);
const CallerSchema = z
  .object({
    keyId: z.string().describe("The key's handle, or `entra:<object id>` for a person signed in with Microsoft Entra ID"),
    role: ApiKeyRole,
    locationIds: z.array(z.string()).nullable().describe('The locations the key may act for; null: every location'),
    tenant: TenantSchema.pick({ tenantId: true, name: true, country: true, currency: true, timeZone: true }),
  })
  .meta({ id: 'Caller' });
const errors = {
  400: { description: 'Invalid input', schema: ProblemSchema },
  401: { description: 'Missing or wrong platform admin key', schema: ProblemSchema },
};

/** The platform operator's routes: onboard a retailer, its locations, its API keys and its staff's sign-in. */
export function tenantRoutes(edge: EdgeKit, tenancy: TenancyService): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'whoAmI',
      method: 'GET',
      route: 'v1/me',
      summary: "The caller's key (role, locations) and its tenant (name, country, currency, time zone): what a console shows and formats with",
      tags: ['Tenants'],
      auth: 'tenant',
      responses: { 200: { description: 'The caller', schema: CallerSchema }, 401: { description: 'Missing or wrong API key', schema: ProblemSchema } },
      handle: async ({ principal }) => {
        const tenant = await tenancy.getTenant(principal.tenantId);
        const { keyId, role, locationIds } = principal;
        return {
          status: 200,
          body: {
            keyId,
            role,
            locationIds,
            tenant: {
              tenantId: principal.tenantId,
              name: tenant?.name ?? principal.tenantId,
              country: tenant?.country ?? 'ES',
              currency: tenant?.currency ?? 'EUR',
              timeZone: tenant?.timeZone ?? 'UTC',
            },
          },
        };
      },
    }),
    endpoint(edge, {
      name: 'createTenant',
      method: 'POST',
      route: 'v1/tenants',
      summary: 'Create a tenant (one retail business)',
      tags: ['Platform'],
      auth: 'platform',
      body: CreateTenantInput,
      responses: { 201: { description: 'Created', schema: TenantSchema }, ...errors, 409: { description: 'Tenant id taken', schema: ProblemSchema } },
      handle: async ({ body }) => ({ status: 201, body: await tenancy.createTenant(body) }),
    }),
    endpoint(edge, {
      name: 'createLocation',
      method: 'POST',
      route: 'v1/tenants/{tenantId}/locations',
      summary: 'Add a store, warehouse or online shop',
      tags: ['Platform'],
      auth: 'platform',
      params: TenantParams,
      body: CreateLocationInput,
      responses: { 201: { description: 'Created', schema: LocationSchema }, ...errors, 404: { description: 'No such tenant', schema: ProblemSchema } },
      handle: async ({ params, body }) => ({ status: 201, body: await tenancy.createLocation(params.tenantId, body) }),
    }),
    endpoint(edge, {
      name: 'createApiKey',
      method: 'POST',
      route: 'v1/tenants/{tenantId}/api-keys',
      summary: 'Issue an API key; the key is shown once and stored hashed',
      tags: ['Platform'],
      auth: 'platform',
      params: TenantParams,
      body: CreateApiKeyInput,
      responses: {
        201: { description: 'Created; the key is in `apiKey`, this once', schema: IssuedApiKeySchema },
        ...errors,
        404: { description: 'No such tenant', schema: ProblemSchema },
      },
      handle: async ({ params, body }) => {
        const { apiKey, record } = await tenancy.issueApiKey(params.tenantId, body);
        return { status: 201, body: issuedApiKeyView(apiKey, record) };
      },
    }),
    endpoint(edge, {
      name: 'connectStaffDirectory',
      method: 'PUT',
      route: 'v1/tenants/{tenantId}/staff-directories/{directoryId}',
      summary:
        "Let the people of the retailer's Microsoft Entra ID directory sign in to this tenant, with the app roles Admin, Marketing, Store or Support; again: no change",
      tags: ['Platform'],
      auth: 'platform',
      params: DirectoryParams,
      responses: {
        200: { description: 'Connected', schema: StaffDirectorySchema },
        ...errors,
        404: { description: 'No such tenant', schema: ProblemSchema },
        409: { description: 'The directory signs staff in to another tenant (`directory-taken`)', schema: ProblemSchema },
      },
      handle: async ({ params }) => ({ status: 200, body: await tenancy.connectStaffDirectory(params.tenantId, { directoryId: params.directoryId }) }),
    }),
  ];
}
