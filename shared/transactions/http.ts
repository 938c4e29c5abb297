import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import type { Telemetry } from '../kernel/ports';
import type { RecordedReply, TransactionIngest } from './ingest';
import type { TransactionHistory } from './history';
import { ClaimInput, type PurchaseClaims } from './claims';
import { PageQuery, ProblemSchema, commonProblems, erasedCustomer, id } from '../edge/schemas';
import { TransactionInput, TransactionPageSchema, TransactionViewSchema as TransactionSchema } from './transactions';

const TransactionInputSchema = TransactionInput.meta({ id: 'TransactionInput' });

/** The transaction and what other capabilities reply beside it (`recordedReplies`): today the receipts' paper decision. */
const RecordedTransactionSchema = TransactionSchema.extend({
  receipt: z.object({
    paper: z.boolean().describe('False when the customer chose paperless receipts (and for online sales)'),
    url: z.string().describe('Where the digital receipt is served once issued'),
  }),
}).meta({ id: 'RecordedTransaction' });

const problems = {
  ...commonProblems,
  403: { description: 'The key may not act for this location or channel', schema: ProblemSchema },
};

export interface TransactionUseCases {
  ingest: TransactionIngest;
  history: TransactionHistory;
  claims: PurchaseClaims;
  telemetry: Telemetry;
  recordedReplies: readonly RecordedReply[];
}

export function transactionRoutes(edge: EdgeKit, { ingest, history, claims, telemetry, recordedReplies }: TransactionUseCases): HttpFunction[] {
  return [
    endpoint(edge, {
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
        const result = await ingest.ingest(principal, body, log);
        const { transactionId } = result.transaction;
        if (result.outcome === 'created') telemetry.trackEvent('transaction.recorded', { tenantId: principal.tenantId });
        const replies = await Promise.all(recordedReplies.map((reply) => reply(principal.tenantId, result.transaction, result.newCustomer ?? false)));
        return {
          status: result.outcome === 'created' ? 201 : 200,
          body: Object.assign({}, result.transaction, ...replies),
          headers: { location: `/api/v1/transactions/${transactionId}` },
        };
      },
    }),
    endpoint(edge, {
      name: 'getTransaction',
      method: 'GET',
      route: 'v1/transactions/{transactionId}',
      summary: 'Read one transaction',
      tags: ['Transactions'],
      auth: 'tenant',
      params: z.object({ transactionId: id }),
      responses: { 200: { description: 'The transaction', schema: TransactionSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await history.get(principal.tenantId, params.transactionId) }),
    }),
    endpoint(edge, {
      name: 'listCustomerTransactions',
      method: 'GET',
      route: 'v1/customers/{customerId}/transactions',
      summary: "A customer's transactions from every channel, newest first",
      tags: ['Transactions', 'Customers'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      query: PageQuery,
      responses: { 200: { description: 'A page of transactions', schema: TransactionPageSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await history.forCustomer(principal.tenantId, params.customerId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      name: 'claimPurchase',
      method: 'POST',
      route: 'v1/customers/{customerId}/claims',
      summary: 'Attach an anonymous store sale to the customer, from the ticket number, store, date and total on the receipt',
      tags: ['Customers'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      body: ClaimInput,
      responses: {
        201: { description: 'Claimed', schema: TransactionSchema },
        200: { description: 'Already claimed by this customer', schema: TransactionSchema },
        ...problems,
        409: { description: 'Claimed by someone else', schema: ProblemSchema },
        ...erasedCustomer,
        422: { description: 'Date or total does not match the ticket', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body, log }) => {
        const { transaction, alreadyClaimed } = await claims.claim(principal, params.customerId, body, log);
        return { status: alreadyClaimed ? 200 : 201, body: transaction };
      },
    }),
  ];
}
