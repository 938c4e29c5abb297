import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z, ZodType } from 'zod';
import { DomainError, type FieldIssue } from '../kernel/errors';
import { IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from '../kernel/idempotency';
import type { ApiKeyRole, Principal } from '../tenancy';
import type { Logger } from '../kernel/ports';
import type { IdempotentRequests } from '../kernel/idempotency';
import type { HttpFunction, HttpMethod, OperationDoc } from './definition';
import { problemFor, problemResponse } from './problem';

/** Large enough for a 500-line basket, small enough that nobody can make us buffer megabytes. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Infer<T> = T extends ZodType ? z.output<T> : undefined;

/** What every HTTP function needs besides its use cases: who is calling, replays, logging. */
export interface EdgeKit {
  logger: Logger;
  idempotency: IdempotentRequests;
  /** The operator's key (PLATFORM_ADMIN_KEY). */
  platformAdminKey: string;
  /** A tenant's principal for an API key, or undefined when the key is unknown. */
  authenticate(apiKey: string): Promise<Principal | undefined>;
}

/** `platform`: the operator's PLATFORM_ADMIN_KEY; `tenant`: a tenant's API key, limited to `roles`. */
export type AuthKind = 'none' | 'platform' | 'tenant';
/** A tenant route's handler gets the caller's principal; the others get none. */
type PrincipalOf<A extends AuthKind> = A extends 'tenant' ? Principal : undefined;

interface EndpointSpec<A extends AuthKind, P extends ZodType | undefined, Q extends ZodType | undefined, B extends ZodType | undefined> {
  name: string;
  method: HttpMethod;
  route: string;
  summary: string;
  tags: string[];
  auth: A;
  roles?: ApiKeyRole[];
  params?: P;
  query?: Q;
  body?: B;
  /** Honour the Idempotency-Key header. */
  idempotent?: boolean;
  responses: OperationDoc['responses'];
  handle(input: { principal: PrincipalOf<A>; params: Infer<P>; query: Infer<Q>; body: Infer<B>; log: Logger; request: HttpRequest }): Promise<Reply>;
}

/**
 * The thin edge every HTTP function shares: authenticate, parse with zod, call the use case,
 * map the result or the error to a response. No SDK calls, SQL or settings here.
 */
export function endpoint<A extends AuthKind, P extends ZodType | undefined, Q extends ZodType | undefined, B extends ZodType | undefined>(
  edge: EdgeKit,
  spec: EndpointSpec<A, P, Q, B>,
): HttpFunction {
  const handler = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let log = edge.logger.child({ invocationId: context.invocationId, function: spec.name });
    const started = Date.now();
    let response: HttpResponseInit;
    try {
      const principal = await authenticate(edge, spec, request);
      if (principal) log = log.child({ tenantId: principal.tenantId, keyId: principal.keyId });
      const params = parse(spec.params, request.params, 'path') as Infer<P>;
      const query = parse(spec.query, Object.fromEntries(request.query.entries()), 'query') as Infer<Q>;
      const body = (spec.body ? parse(spec.body, await readJson(request), '') : undefined) as Infer<B>;
      const run = () => spec.handle({ principal: principal as PrincipalOf<A>, params, query, body, log, request }).catch((e) => toReply(e, context, log));

      const idempotencyKey = request.headers.get('idempotency-key');
      if (spec.idempotent && idempotencyKey !== null && principal) {
        if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
          throw new DomainError('validation-failed', 'The Idempotency-Key header is not valid', {
            issues: [{ field: 'header Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
          });
        }
        const fingerprint = requestFingerprint(spec.method, spec.route, { params, body });
        const result = await edge.idempotency.run(principal, idempotencyKey, fingerprint, run);
        response = toResponse({ ...result, headers: { ...result.headers, ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}) } });
      } else {
        response = toResponse(await run());
      }
    } catch (error) {
      response = toResponse(toReply(error, context, log));
    }
    log.log('info', 'request', { method: spec.method, route: spec.route, status: response.status, ms: Date.now() - started });
    return response;
  };

  return {
    kind: 'http',
    name: spec.name,
    method: spec.method,
    route: spec.route,
    handler,
    doc: {
      summary: spec.summary,
      tags: spec.tags,
      security: spec.auth === 'none' ? 'none' : spec.auth === 'platform' ? 'platform' : 'apiKey',
      params: spec.params,
      query: spec.query,
      body: spec.body,
      headers: spec.idempotent ? [{ name: 'Idempotency-Key', description: 'Replays the first response for 24 hours' }] : undefined,
      responses: spec.responses,
    },
  };
}

function toReply(error: unknown, context: InvocationContext, log: Logger): Reply {
  const p = problemFor(error, context.invocationId);
  if (p.status >= 500) log.log('error', 'request failed', { error: describe(error) });
  const headers = p.status === 503 ? { 'retry-after': '2' } : undefined;
  const response = problemResponse(p, headers);
  return { status: p.status, body: p, headers: response.headers as Record<string, string> };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function toResponse(reply: Reply): HttpResponseInit {
  const headers = { ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}), ...reply.headers };
  return { status: reply.status, headers, ...(reply.body !== undefined ? { jsonBody: reply.body } : {}) };
}

async function authenticate(edge: EdgeKit, spec: { auth: AuthKind; roles?: ApiKeyRole[] }, request: HttpRequest): Promise<Principal | undefined> {
  if (spec.auth === 'none') return undefined;
  const key = request.headers.get('x-api-key');
  if (!key) throw new DomainError('unauthenticated', 'Send your API key in the x-api-key header');
  if (spec.auth === 'platform') {
    if (!sameSecret(key, edge.platformAdminKey)) throw new DomainError('unauthenticated', 'The platform admin key is not valid');
    return undefined;
  }
  const principal = await edge.authenticate(key);
  if (!principal) throw new DomainError('unauthenticated', 'The API key is not valid');
  if (spec.roles && !spec.roles.includes(principal.role)) {
    throw new DomainError('forbidden', `This operation needs a key with role ${spec.roles.join(' or ')}`);
  }
  return principal;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

async function readJson(request: HttpRequest): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const type = request.headers.get('content-type');
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new DomainError('unsupported-media-type', `Send the body as application/json, not ${type.split(';')[0]}`);
  }
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) throw tooLarge();
  if (text.trim() === '') throw new DomainError('validation-failed', 'The request body is empty', { issues: [{ field: '(body)', message: 'is required' }] });
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('validation-failed', 'The request body is not valid JSON', { issues: [{ field: '(body)', message: 'is not valid JSON' }] });
  }
}

function tooLarge(): DomainError {
  return new DomainError('payload-too-large', `The request body may not exceed ${MAX_BODY_BYTES} bytes`);
}

function parse(schema: ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const field = [where, path].filter(Boolean).join('.') || '(body)';
    return { field, message: issue.message };
  });
  throw new DomainError('validation-failed', `${issues.length} field(s) are not valid`, { issues });
}
