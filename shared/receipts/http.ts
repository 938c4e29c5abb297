import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ReceiptPageSchema, ReceiptWithLinksSchema, type ReceiptService } from './receipt-service';
import { SeriesVerificationSchema } from './receipts';
import { ProblemSchema, id } from '../edge/schemas';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  404: { description: 'Not found (or another tenant’s), or not issued yet', schema: ProblemSchema },
};

export function receiptRoutes(edge: EdgeKit, receipts: ReceiptService): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'getReceipt',
      method: 'GET',
      route: 'v1/transactions/{transactionId}/receipt',
      summary: 'The receipt of a transaction, with signed links to its page and JSON',
      tags: ['Receipts'],
      auth: 'tenant',
      params: z.object({ transactionId: id }),
      responses: { 200: { description: 'The receipt', schema: ReceiptWithLinksSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await receipts.get(principal.tenantId, params.transactionId) }),
    }),
    endpoint(edge, {
      name: 'listCustomerReceipts',
      method: 'GET',
      route: 'v1/customers/{customerId}/receipts',
      summary: "A customer's receipts from both channels, newest first",
      tags: ['Receipts', 'Customers'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(25),
        continuationToken: z.string().max(4096).optional(),
      }),
      responses: {
        200: { description: 'A page of receipts', schema: ReceiptPageSchema },
        ...problems,
        410: { description: 'Erased', schema: ProblemSchema },
      },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await receipts.forCustomer(principal.tenantId, params.customerId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      name: 'verifyReceiptSeries',
      method: 'GET',
      route: 'v1/receipts/series/{seriesId}/verify',
      summary: 'Recompute a numbering series and its fingerprint chain; reports the first break',
      tags: ['Receipts'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ seriesId: id }),
      responses: { 200: { description: 'The verification', schema: SeriesVerificationSchema }, ...problems, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal, params }) => ({ status: 200, body: await receipts.verify(principal.tenantId, params.seriesId) }),
    }),
  ];
}
