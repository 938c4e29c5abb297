import { z } from 'zod';
import {
  CustomerSearchInput,
  CustomerSearchResultSchema,
  IdentifyInput,
  MergeInput,
  MergeResultSchema,
  type CustomerService,
  type MergeResult,
} from './customer-service';
import { ResolutionSchema } from './customers';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, commonProblems as problems, erasedCustomer, id } from '../edge/schemas';

const CustomerParams = z.object({ customerId: id });

export function customerRoutes(edge: EdgeKit, customers: CustomerService): HttpFunction[] {
  // Each capability adds its section to the 360 view and the export: the schemas are read once every module is built.
  const CustomerViewSchema = z.lazy(() => customers.viewSchema()).meta({ id: 'CustomerView' });
  const CustomerExportSchema = z.lazy(() => customers.exportSchema()).meta({ id: 'CustomerExport' });
  return [
    endpoint(edge, {
      name: 'identifyCustomer',
      method: 'POST',
      route: 'v1/customers/identify',
      summary: 'The one customer these identifiers belong to, created when none does; links new identifiers',
      tags: ['Customers'],
      auth: 'tenant',
      body: IdentifyInput,
      responses: {
        200: { description: 'Known customer', schema: ResolutionSchema },
        201: { description: 'New customer', schema: ResolutionSchema },
        ...problems,
      },
      handle: async ({ principal, body }) => {
        const result = await customers.identify(principal, body);
        return { status: result.created ? 201 : 200, body: result };
      },
    }),
    endpoint(edge, {
      name: 'searchCustomers',
      method: 'POST',
      route: 'v1/customers/search',
      summary: 'Find customers by email, phone, loyalty card or id (a POST, so no identifier is in a URL or a log); masked unless admin or support',
      tags: ['Customers'],
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin', 'marketing', 'store', 'support'],
      body: CustomerSearchInput,
      responses: { 200: { description: 'The customers found (none, or one per kind the query could be)', schema: CustomerSearchResultSchema }, ...problems },
      handle: async ({ principal, body }) => ({ status: 200, body: await customers.search(principal, body) }),
    }),
    endpoint(edge, {
      name: 'getCustomer',
      method: 'GET',
      route: 'v1/customers/{customerId}',
      summary: 'The 360 view: profile, identifiers (masked unless admin or support), consents, last transactions, behaviour',
      tags: ['Customers'],
      auth: 'tenant',
      params: CustomerParams,
      responses: {
        200: { description: 'The customer (a merged id answers with its survivor)', schema: CustomerViewSchema },
        ...problems,
        410: { description: 'Erased', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await customers.view(principal, params.customerId) }),
    }),
    endpoint(edge, {
      name: 'mergeCustomers',
      method: 'POST',
      route: 'v1/customers/{customerId}/merge',
      summary: 'Merge another customer into this one (the survivor); idempotent, recorded with who, when and why',
      tags: ['Customers'],
      auth: 'tenant',
      roles: ['admin', 'support'],
      params: CustomerParams,
      body: MergeInput,
      responses: {
        200: { description: 'Merged (or already merged)', schema: MergeResultSchema },
        ...problems,
        409: { description: 'Merged into another customer already', schema: ProblemSchema },
        422: { description: 'Merged into itself (`merge-into-itself`), or into a customer merged elsewhere (`survivor-was-merged`)', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body }) => {
        const { record, alreadyMerged } = await customers.merge(principal, params.customerId, body);
        return { status: 200, body: { ...record, alreadyMerged } satisfies MergeResult };
      },
    }),
    endpoint(edge, {
      name: 'exportCustomer',
      method: 'GET',
      route: 'v1/customers/{customerId}/export',
      summary: 'Everything held about the person, as JSON (data protection access request)',
      tags: ['Customers', 'Data protection'],
      auth: 'tenant',
      roles: ['admin', 'support'],
      params: CustomerParams,
      responses: {
        200: { description: 'The export', schema: CustomerExportSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
        ...erasedCustomer,
      },
      handle: async ({ principal, params }) => ({
        status: 200,
        body: await customers.export(principal.tenantId, params.customerId),
        headers: { 'content-disposition': `attachment; filename="customer-${params.customerId}.json"` },
      }),
    }),
    endpoint(edge, {
      name: 'eraseCustomer',
      method: 'DELETE',
      route: 'v1/customers/{customerId}',
      summary: 'Erase the personal data (right to erasure); invoices stay, naming nobody',
      tags: ['Customers', 'Data protection'],
      auth: 'tenant',
      roles: ['admin'],
      params: CustomerParams,
      responses: { 204: { description: 'Erased' }, ...problems, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal, params }) => {
        await customers.erase(principal, params.customerId);
        return { status: 204 };
      },
    }),
  ];
}
