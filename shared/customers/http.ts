import { z } from 'zod';
import { ClaimInput, IdentifyInput, MergeInput } from './customer-service';
import type { Platform } from '../platform';
import type { HttpFunction } from '../edge/definition';
import { endpoint } from '../edge/endpoint';
import { ProblemSchema, TransactionSchema, commonProblems as problems, id } from '../edge/schemas';

const CustomerParams = z.object({ customerId: id });

const IdentifyResultSchema = z.object({
  customerId: z.string(),
  created: z.boolean(),
  linked: z.array(z.string()).describe('Identifier types linked by this call'),
  conflicts: z.array(z.object({ type: z.string(), customerId: z.string() })).describe('Identifiers that belong to another customer: not merged'),
});

export function customerFunctions(platform: Platform): HttpFunction[] {
  const { customers } = platform;
  return [
    endpoint(platform, {
      name: 'identifyCustomer',
      method: 'POST',
      route: 'v1/customers/identify',
      summary: 'The one customer these identifiers belong to, created when none does; links new identifiers',
      tags: ['Customers'],
      auth: 'tenant',
      body: IdentifyInput,
      responses: { 200: { description: 'Known customer', schema: IdentifyResultSchema }, 201: { description: 'New customer', schema: IdentifyResultSchema }, ...problems },
      handle: async ({ principal, body }) => {
        const result = await customers.identify(principal!, body);
        return { status: result.created ? 201 : 200, body: result };
      },
    }),
    endpoint(platform, {
      name: 'getCustomer',
      method: 'GET',
      route: 'v1/customers/{customerId}',
      summary: 'The 360 view: profile, identifiers (masked unless admin), consents, last transactions, behaviour',
      tags: ['Customers'],
      auth: 'tenant',
      params: CustomerParams,
      responses: { 200: { description: 'The customer (a merged id answers with its survivor)' }, ...problems, 410: { description: 'Erased', schema: ProblemSchema } },
      handle: async ({ principal, params }) => ({ status: 200, body: await customers.view(principal!, params.customerId) }),
    }),
    endpoint(platform, {
      name: 'mergeCustomers',
      method: 'POST',
      route: 'v1/customers/{customerId}/merge',
      summary: 'Merge another customer into this one (the survivor); idempotent, recorded with who, when and why',
      tags: ['Customers'],
      auth: 'tenant',
      roles: ['admin'],
      params: CustomerParams,
      body: MergeInput,
      responses: { 200: { description: 'Merged (or already merged)' }, ...problems, 409: { description: 'Merged into another customer already', schema: ProblemSchema } },
      handle: async ({ principal, params, body }) => {
        const { record, alreadyMerged } = await customers.merge(principal!, params.customerId, body);
        return { status: 200, body: { ...record, alreadyMerged } };
      },
    }),
    endpoint(platform, {
      name: 'claimPurchase',
      method: 'POST',
      route: 'v1/customers/{customerId}/claims',
      summary: 'Attach an anonymous store sale to the customer, from the ticket number, store, date and total on the receipt',
      tags: ['Customers'],
      auth: 'tenant',
      params: CustomerParams,
      body: ClaimInput,
      responses: {
        201: { description: 'Claimed', schema: TransactionSchema },
        200: { description: 'Already claimed by this customer', schema: TransactionSchema },
        ...problems,
        409: { description: 'Claimed by someone else', schema: ProblemSchema },
        422: { description: 'Date or total does not match the ticket', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body, log }) => {
        const { transaction, alreadyClaimed } = await customers.claim(principal!, params.customerId, body, log);
        return { status: alreadyClaimed ? 200 : 201, body: transaction };
      },
    }),
    endpoint(platform, {
      name: 'exportCustomer',
      method: 'GET',
      route: 'v1/customers/{customerId}/export',
      summary: 'Everything held about the person, as JSON (data protection access request)',
      tags: ['Customers', 'Data protection'],
      auth: 'tenant',
      roles: ['admin'],
      params: CustomerParams,
      responses: { 200: { description: 'The export' }, ...problems, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal, params }) => ({
        status: 200,
        body: await customers.export(principal!.tenantId, params.customerId),
        headers: { 'content-disposition': `attachment; filename="customer-${params.customerId}.json"` },
      }),
    }),
    endpoint(platform, {
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
        await customers.erase(principal!, params.customerId);
        return { status: 204 };
      },
    }),
  ];
}
