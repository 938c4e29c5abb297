/** Response and path schemas for the OpenAPI document; request schemas live with the domain. */
import { z } from 'zod';
import { idParam } from '../kernel/id-rules';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable and specific: the business rule broken (e.g. `insufficient-stock`, `location-not-allowed`) or, when none, the category'),
    category: z.string().describe('The family of the problem, which decides the status: `validation-failed`, `forbidden`, `unprocessable`, ...'),
    instance: z.string().optional(),
    reason: z.string().optional().describe('Deprecated: the same as `code` when a business rule was broken'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

export const HealthSchema = z
  .object({
    status: z.enum(['up', 'degraded']),
    dependencies: z.record(z.string(), z.object({ ok: z.boolean(), ms: z.number(), detail: z.string().optional() })),
  })
  .meta({ id: 'Health' });

/**
 * This document, loosely: its own schema is the OpenAPI 3.1 specification's, not repeated here.
 * The top-level fields it always has are checked; the rest (`additionalProperties`) is allowed.
 */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
  })
  .meta({ id: 'OpenApiDocument', description: 'OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0)' });

/** Every id a route names in its path: refused with 400 (naming the parameter) unless it follows the id rule. */
export const id = idParam(128);

/** Continuation tokens are the platform's own, sealed (see `Documents.query`): base64url, nothing else. */
export const continuationToken = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+$/, 'is not a continuation token this API issued');

/** The problems every tenant-scoped operation can answer with. */
export const commonProblems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  404: { description: 'Not found (or another tenant’s)', schema: ProblemSchema },
};

/** What a route naming a customer answers for one that was erased. */
export const erasedCustomer = { 410: { description: 'The customer was erased', schema: ProblemSchema } };

/** Paging parameters shared by every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  continuationToken: continuationToken.optional(),
});
