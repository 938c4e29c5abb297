import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { CancelInput, ExportInput, ReceiptPageSchema, ReceiptWithLinksSchema, RecordsExportSchema, type ReceiptService } from './receipt-service';
import { SeriesVerificationSchema } from './receipts';
import { CancellationSchema, ChainVerificationSchema } from './chain';
import { PageQuery, ProblemSchema, id } from '../edge/schemas';

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
      query: PageQuery,
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
      summary: 'Recompute a numbering series (numbers 1..n, each record intact); reports the first break',
      tags: ['Receipts'],
      auth: 'tenant',
      roles: ['admin', 'store', 'support'],
      params: z.object({ seriesId: id }),
      responses: {
        200: { description: 'The verification', schema: SeriesVerificationSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await receipts.verify(principal.tenantId, params.seriesId) }),
    }),
    endpoint(edge, {
      name: 'verifyReceiptInstallation',
      method: 'GET',
      route: 'v1/receipts/installations/{installationId}/verify',
      summary: "Walk an installation's chain (registrations and cancellations, in the order generated, across its series) and report the first break",
      tags: ['Receipts'],
      auth: 'tenant',
      roles: ['admin', 'store', 'support'],
      params: z.object({ installationId: id }),
      responses: {
        200: { description: 'The verification', schema: ChainVerificationSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await receipts.verifyInstallation(principal.tenantId, params.installationId) }),
    }),
    endpoint(edge, {
      name: 'exportReceiptRecords',
      method: 'POST',
      route: 'v1/receipts/installations/{installationId}/exports',
      summary: "An installation's records for a period, as AEAT's XML and as CSV, behind signed links (for an inspector)",
      tags: ['Receipts'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ installationId: id }),
      body: ExportInput,
      responses: {
        201: { description: 'Written; the links open without an API key until expiresAt', schema: RecordsExportSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
        422: { description: 'Too many records in the period (`export-too-large`)', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body }) => ({ status: 201, body: await receipts.exportRecords(principal.tenantId, params.installationId, body) }),
    }),
    endpoint(edge, {
      name: 'cancelReceipt',
      method: 'POST',
      route: 'v1/transactions/{transactionId}/receipt/cancellation',
      summary:
        'Cancel a receipt issued in error (anulación): a cancellation record joins its installation’s chain; the invoice keeps its number, marked cancelled',
      tags: ['Receipts'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ transactionId: id }),
      body: CancelInput,
      responses: {
        201: { description: 'Cancelled', schema: CancellationSchema },
        200: { description: 'Already cancelled: the cancellation made then', schema: CancellationSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
        409: { description: 'The installation is busy; retry', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body }) => {
        const { created, cancellation } = await receipts.cancel(principal, params.transactionId, body);
        return { status: created ? 201 : 200, body: cancellation };
      },
    }),
  ];
}
