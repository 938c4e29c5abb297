/**
 * Domain failures carry a stable code; the HTTP edge maps each code to a status and an
 * RFC 9457 problem document. Nothing here knows about HTTP beyond the code names.
 */
export type DomainErrorCode =
  | 'validation-failed'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'gone'
  | 'already-exists'
  | 'conflict'
  | 'idempotency-key-reused'
  | 'idempotency-request-in-flight'
  | 'unprocessable'
  | 'payload-too-large'
  | 'too-many-requests'
  | 'unsupported-media-type'
  | 'dependency-unavailable';

export interface FieldIssue {
  /** JSON path of the offending field, e.g. `lines.0.quantity`. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** `retryAfterSeconds`: when trying again makes sense (the edge sends it as Retry-After). */
    readonly details: { issues?: FieldIssue[]; reason?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} was not found`);
export const invalid = (issues: FieldIssue[], message = 'The request is not valid') => new DomainError('validation-failed', message, { issues });
/** A well-formed request that breaks a business rule; `reason` is a stable machine-readable code. */
export const unprocessable = (reason: string, message: string) => new DomainError('unprocessable', message, { reason });
/** Too many attempts: refused until the window lets the caller try again (whole seconds, at least 1: the edge sends Retry-After). */
export function throttled(reason: string, message: string, retryAfterMs: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new DomainError('too-many-requests', `${message}; retry in ${retryAfterSeconds} s`, { reason, retryAfterSeconds });
}
