import type { HttpResponseInit } from '@azure/functions';
import { DomainError, type DomainErrorCode, type FieldIssue } from '../kernel/errors';

const STATUS: Record<DomainErrorCode, number> = {
  'validation-failed': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  gone: 410,
  'already-exists': 409,
  conflict: 409,
  'idempotency-key-reused': 422,
  'idempotency-request-in-flight': 409,
  unprocessable: 422,
  'payload-too-large': 413,
  'too-many-requests': 429,
  'unsupported-media-type': 415,
  'dependency-unavailable': 503,
};

const TITLES: Record<DomainErrorCode | 'internal-error', string> = {
  'validation-failed': 'The request is not valid',
  unauthenticated: 'A valid API key is required',
  forbidden: 'This API key may not do this',
  'not-found': 'Not found',
  gone: 'Gone',
  'already-exists': 'Already exists',
  conflict: 'Conflict',
  'idempotency-key-reused': 'Idempotency-Key reused with a different request',
  'idempotency-request-in-flight': 'A request with this Idempotency-Key is in progress',
  unprocessable: 'The request breaks a business rule',
  'payload-too-large': 'The request body is too large',
  'too-many-requests': 'Too many requests',
  'unsupported-media-type': 'The request body must be application/json',
  'dependency-unavailable': 'Temporarily unavailable',
  'internal-error': 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The one code an integrator branches on: the rule that was broken when there is one (`insufficient-stock`), else the category. */
  code: string;
  /** The family the status comes from: `validation-failed`, `forbidden`, `unprocessable`, ... */
  category: string;
  instance?: string;
  /** The same as `code` when a business rule was broken; kept for clients written before `code` carried it. */
  reason?: string;
  errors?: FieldIssue[];
}

/** RFC 9457 problem details; `type` and `code` are stable (`type` is `urn:unifica:problem:<code>`), `detail` is for people. */
export function problem(category: DomainErrorCode | 'internal-error', detail: string, extra: Partial<Problem> = {}): Problem {
  const code = extra.code ?? category;
  return {
    type: `urn:unifica:problem:${code}`,
    title: TITLES[category],
    status: category === 'internal-error' ? 500 : STATUS[category],
    detail,
    code,
    category,
    ...extra,
  };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): HttpResponseInit {
  return { status: p.status, jsonBody: p, headers: { 'content-type': 'application/problem+json', ...headers } };
}

/**
 * Domain errors keep their message, and their `reason` (the rule broken) becomes the problem's
 * `code`; anything else becomes a bare 500 (the cause is logged, not sent).
 */
export function problemFor(error: unknown, invocationId: string): Problem {
  if (error instanceof DomainError) {
    // A dependency's reason names the operation that failed: for the log, not for the caller.
    const reason = error.code === 'dependency-unavailable' ? undefined : error.details.reason;
    return problem(error.code, error.message, {
      instance: invocationId,
      ...(error.details.issues ? { errors: error.details.issues } : {}),
      ...(reason ? { code: reason, reason } : {}),
    });
  }
  return problem('internal-error', 'Something went wrong on our side; quote the instance id if it persists', { instance: invocationId });
}
