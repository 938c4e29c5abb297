/** Response and path schemas for the OpenAPI document; request schemas live with the domain. */
import { z } from 'zod';
import { TransactionInput, TransactionLineInput, TenderInput } from '../transactions/transactions';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    reason: z.string().optional().describe('Stable code of the business rule that was broken'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const TransactionSchema = z
  .object({
    transactionId: z.string(),
    customerId: z.string().nullable(),
    type: z.enum(['sale', 'return']),
    channel: z.enum(['store', 'online']),
    locationId: z.string(),
    terminalId: z.string().nullable(),
    externalId: z.string(),
    occurredAt: z.string(),
    recordedAt: z.string(),
    currency: z.string(),
    lines: z.array(TransactionLineInput.extend({ lineNumber: z.number().int(), total: z.number().int() })),
    coupons: z.array(z.string()),
    tenders: z.array(TenderInput),
    totals: z.object({ gross: z.number().int(), discount: z.number().int(), net: z.number().int(), items: z.number().int() }),
    originalTransactionId: z.string().nullable(),
    returned: z.record(z.string(), z.number().int()).optional().describe('Sales: quantities returned so far, by SKU'),
    identityConflicts: z.array(z.object({ type: z.string(), customerId: z.string() })).optional(),
  })
  .meta({ id: 'Transaction' });

export const TransactionInputSchema = TransactionInput.meta({ id: 'TransactionInput' });

export const TransactionPageSchema = z.object({
  items: z.array(TransactionSchema),
  continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page'),
});

export const HealthSchema = z.object({
  status: z.enum(['up', 'degraded']),
  dependencies: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), detail: z.string().optional() })),
});

export const id = z.string().min(1).max(128);

/** The problems every tenant-scoped operation can answer with. */
export const commonProblems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  404: { description: 'Not found (or another tenant’s)', schema: ProblemSchema },
};

/** Paging parameters shared by every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  continuationToken: z.string().max(4096).optional(),
});
