import { z } from 'zod';
import type { Platform } from '../platform';
import type { HttpFunction } from '../edge/definition';
import { endpoint } from '../edge/endpoint';
import { PageQuery, ProblemSchema, TransactionInputSchema, TransactionPageSchema, TransactionSchema, commonProblems, id } from '../edge/schemas';

const RecordedTransactionSchema = TransactionSchema.extend({
  receipt: z.object({
    paper: z.boolean().describe('False when the customer chose paperless receipts (and for online sales)'),
    url: z.string().describe('Where the digital receipt is served once issued'),
  }),
});

const problems = {
  ...commonProblems,
  403: { description: 'The key may not act for this location or channel', schema: ProblemSchema },
};

export function transactionFunctions(platform: Platform): HttpFunction[] {
  return [
    endpoint(platform, {
      name: 'recordTransaction',
      method: 'POST',
      route: 'v1/transactions',
      summary: 'Record a sale or return from a store or the online shop',
      tags: ['Transactions'],
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin'],
      body: TransactionInputSchema,
      idempotent: true,
      responses: {
        201: { description: 'Recorded; `receipt.paper` tells the till whether to print', schema: RecordedTransactionSchema },
        200: { description: 'Already recorded (same channel, location and externalId): the first record', schema: RecordedTransactionSchema },
        ...problems,
        409: { description: 'A request with this Idempotency-Key is in progress', schema: ProblemSchema },
        413: { description: 'Body too large', schema: ProblemSchema },
        422: { description: 'Idempotency-Key reused with another body, or a business rule (see `reason`)', schema: ProblemSchema },
      },
      handle: async ({ principal, body, log }) => {
        const result = await platform.ingest.ingest(principal!, body, log);
        const { transactionId } = result.transaction;
        if (result.outcome === 'created') platform.telemetry.trackEvent('transaction.recorded', { tenantId: principal!.tenantId });
        const receipt = await platform.receipts.paperFor(principal!.tenantId, result.transaction, result.newCustomer);
        return {
          status: result.outcome === 'created' ? 201 : 200,
          body: { ...result.transaction, receipt },
          headers: { location: `/api/v1/transactions/${transactionId}` },
        };
      },
    }),
    endpoint(platform, {
      name: 'getTransaction',
      method: 'GET',
      route: 'v1/transactions/{transactionId}',
      summary: 'Read one transaction',
      tags: ['Transactions'],
      auth: 'tenant',
      params: z.object({ transactionId: id }),
      responses: { 200: { description: 'The transaction', schema: TransactionSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await platform.history.get(principal!.tenantId, params.transactionId) }),
    }),
    endpoint(platform, {
      name: 'listCustomerTransactions',
      method: 'GET',
      route: 'v1/customers/{customerId}/transactions',
      summary: "A customer's transactions from every channel, newest first",
      tags: ['Transactions', 'Customers'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      query: PageQuery,
      responses: { 200: { description: 'A page of transactions', schema: TransactionPageSchema }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await platform.history.forCustomer(principal!.tenantId, params.customerId, query.limit, query.continuationToken),
      }),
    }),
  ];
}
