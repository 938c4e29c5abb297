/** Response and path schemas for the OpenAPI document; request schemas live with the domain. */
import { z } from 'zod';

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
