import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { z, ZodType } from 'zod';
import { DomainError, type FieldIssue } from '../kernel/errors';
import { IDEMPOTENCY_KEY_PATTERN, requestFingerprint } from '../kernel/idempotency';
import { ApiKeyRole, CHANNEL_ROLES, type Principal } from '../tenancy';
import type { Logger } from '../kernel/ports';
import { ATTRIBUTES, parentOf, SpanKind, SpanStatusCode, type PlatformTelemetry, type Span } from '../kernel/telemetry';
import type { IdempotentRequests } from '../kernel/idempotency';
import type { HttpFunction, HttpMethod, OperationDoc } from './definition';
import { problem, problemFor, problemResponse } from './problem';
import { ProblemSchema } from './schemas';

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
  /**
   * A tenant's principal for an API key, or undefined when the key is unknown; `client` is the
   * caller's address (see `clientOf`), by which failed keys are throttled.
   */
  authenticate(apiKey: string, client: string): Promise<Principal | undefined>;
  /** A staff member's principal for a Microsoft Entra ID access token, or undefined when the token is not valid here; `client` as for keys. */
  authenticateStaff?(token: string, client: string): Promise<Principal | undefined>;
  /**
   * Tests only: every 2xx reply is checked against the response declared for its status (see
   * `contractViolation`); a mismatch is logged as an error and answered 500
   * `response-contract-violated`, so a handler cannot drift from its OpenAPI document unnoticed.
   */
  checkResponses?: boolean;
  /** Spans and metrics; absent or off, a request runs with no telemetry call at all. */
  telemetry?: PlatformTelemetry;
}

/**
 * `platform`: the operator's PLATFORM_ADMIN_KEY; `tenant`: a tenant's API key or a staff member's
 * sign-in token, limited to `roles` (absent: the channels' roles, and staff roles too on a GET).
 */
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
  /**
   * A JSON body the handler must see byte for byte (to verify a signature over it before trusting
   * it): the edge applies the same limits as to `body` and hands the text over unparsed as
   * `rawBody`; the schema documents it and the handler parses with it once the signature holds.
   */
  rawBody?: ZodType;
  /** Honour the Idempotency-Key header. */
  idempotent?: boolean;
  /** A larger body than MAX_BODY_BYTES, for routes that take batches (e.g. 1,000 catalogue items). */
  maxBodyBytes?: number;
  responses: OperationDoc['responses'];
  handle(input: {
    principal: PrincipalOf<A>;
    params: Infer<P>;
    query: Infer<Q>;
    body: Infer<B>;
    rawBody: string | undefined;
    log: Logger;
    request: HttpRequest;
  }): Promise<Reply>;
}

/**
 * The thin edge every HTTP function shares: authenticate, parse with zod, call the use case,
 * map the result or the error to a response. No SDK calls, SQL or settings here.
 */
export function endpoint<A extends AuthKind, P extends ZodType | undefined, Q extends ZodType | undefined, B extends ZodType | undefined>(
  edge: EdgeKit,
  spec: EndpointSpec<A, P, Q, B>,
): HttpFunction {
  // What the edge itself may answer is declared here, once; a route adds what its use cases answer.
  const responses: OperationDoc['responses'] = { ...edgeResponses({ ...spec, body: spec.body ?? spec.rawBody }), ...spec.responses };
  const serve = async (request: HttpRequest, context: InvocationContext, span?: Span): Promise<HttpResponseInit> => {
    const fields = { invocationId: context.invocationId, function: spec.name };
    let log = edge.logger.child(span ? { ...fields, traceId: span.spanContext().traceId } : fields);
    const started = Date.now();
    let reply: Reply;
    try {
      const principal = await authenticate(edge, spec, request);
      if (principal) {
        log = log.child({ tenantId: principal.tenantId, keyId: principal.keyId });
        span?.setAttribute(ATTRIBUTES.tenantId, principal.tenantId);
      }
      const params = parse(spec.params, request.params, 'path') as Infer<P>;
      const query = parse(spec.query, Object.fromEntries(request.query.entries()), 'query') as Infer<Q>;
      const maxBytes = spec.maxBodyBytes ?? MAX_BODY_BYTES;
      const body = (spec.body ? parse(spec.body, await readJson(request, maxBytes), '') : undefined) as Infer<B>;
      const rawBody = spec.rawBody ? await readText(request, maxBytes) : undefined;
      const run = () =>
        spec.handle({ principal: principal as PrincipalOf<A>, params, query, body, rawBody, log, request }).catch((e) => toReply(e, context, log));

      const idempotencyKey = request.headers.get('idempotency-key');
      if (spec.idempotent && idempotencyKey !== null && principal) {
        if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
          throw new DomainError('validation-failed', 'The Idempotency-Key header is not valid', {
            issues: [{ field: 'header Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' }],
          });
        }
        const fingerprint = requestFingerprint(spec.method, spec.route, { params, body });
        const { replayed, ...result } = await edge.idempotency.run(principal, idempotencyKey, fingerprint, run);
        reply = { ...result, headers: { ...result.headers, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) } };
      } else {
        reply = await run();
      }
    } catch (error) {
      reply = toReply(error, context, log);
    }
    if (edge.checkResponses) {
      const violation = contractViolation(responses, reply) ?? undeclaredStatus(responses, reply);
      if (violation) reply = contractViolated(violation, reply.status, context, log);
    }
    const response = toResponse(reply, responses[reply.status]?.contentType);
    log.log('info', 'request', { method: spec.method, route: spec.route, status: response.status, ms: Date.now() - started });
    if (span) recordStatus(span, reply.status, spec.name, edge.telemetry!);
    return response;
  };
  const traced = (telemetry: PlatformTelemetry, request: HttpRequest, context: InvocationContext) =>
    telemetry.inSpan(
      `${spec.method} /api/${spec.route}`,
      SpanKind.SERVER,
      parentOf({ traceparent: request.headers.get('traceparent'), tracestate: request.headers.get('tracestate') }, context.traceContext),
      {
        'http.request.method': spec.method,
        'http.route': `/api/${spec.route}`,
        'faas.trigger': 'http',
        'faas.invocation_id': context.invocationId,
        [ATTRIBUTES.function]: spec.name,
      },
      (span) => serve(request, context, span),
    );
  // Telemetry off: the request runs as it is, with no span and no metric call.
  const handler = (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> =>
    edge.telemetry?.enabled ? traced(edge.telemetry, request, context) : serve(request, context);

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
      roles: spec.roles,
      params: spec.params,
      query: spec.query,
      body: spec.body ?? spec.rawBody,
      headers: spec.idempotent ? [{ name: 'Idempotency-Key', description: 'Replays the first response for 24 hours' }] : undefined,
      responses,
    },
  };
}

/**
 * The statuses the edge answers before or around a handler, from what the route declares: input
 * (400; with a body 413 and 415), a key (401, 503 when the store is unavailable or too slow, and for
 * tenant keys 429 once failed keys are throttled), roles (403), Idempotency-Key (409, 422), and
 * 500 for anything unforeseen.
 */
export function edgeResponses(spec: {
  auth: AuthKind;
  method?: HttpMethod;
  roles?: readonly string[];
  params?: unknown;
  query?: unknown;
  body?: unknown;
  idempotent?: boolean;
}): OperationDoc['responses'] {
  const r: OperationDoc['responses'] = {};
  const p = (status: number, description: string) => (r[status] = { description, schema: ProblemSchema });
  if (spec.params || spec.query || spec.body) p(400, 'Invalid input; `errors` lists each field');
  if (spec.auth !== 'none') p(401, spec.auth === 'platform' ? 'Missing or wrong platform admin key' : 'Missing or wrong API key');
  if (spec.auth === 'tenant') {
    const roles = spec.roles
      ? `Only the role ${spec.roles.join(' or ')} (\`role-not-allowed\`). `
      : spec.method === 'GET'
        ? ''
        : 'Back-office staff roles (marketing, store, support) only read here (`role-not-allowed`). ';
    p(403, `${roles}A staff sign-in whose directory is not connected (\`directory-not-connected\`) or who has no role (\`no-role\`)`);
  }
  if (spec.idempotent) {
    p(409, 'A request with this Idempotency-Key is in progress (`idempotency-request-in-flight`)');
    p(422, 'Idempotency-Key reused with another request (`idempotency-key-reused`)');
  }
  if (spec.body) {
    p(413, 'Body too large');
    p(415, 'The body is not application/json');
  }
  if (spec.auth === 'tenant')
    p(429, 'Too many failed API keys or staff sign-in tokens from this client, or keys for this tenant (`authentication-throttled`); see Retry-After');
  p(500, 'Something went wrong on our side; quote `instance`');
  if (spec.auth !== 'none') p(503, 'The data store is unavailable or did not answer in time; retry after Retry-After');
  return r;
}

/** Tests: an error status the route does not declare (its OpenAPI document would not tell an integrator). */
export function undeclaredStatus(responses: OperationDoc['responses'], reply: Reply): string | undefined {
  return responses[reply.status] ? undefined : `status ${reply.status} is not declared`;
}

/** The status on the request's span (5xx is an error) and 429s counted as throttled requests. */
function recordStatus(span: Span, status: number, functionName: string, telemetry: PlatformTelemetry): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  if (status === 429) telemetry.throttled('http', functionName);
}

function toReply(error: unknown, context: InvocationContext, log: Logger): Reply {
  const p = problemFor(error, context.invocationId);
  if (p.status >= 500) log.log('error', 'request failed', { error: describe(error) });
  const retryAfter = error instanceof DomainError ? error.details.retryAfterSeconds : undefined;
  const headers = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : p.status === 503 ? { 'retry-after': '2' } : undefined;
  const response = problemResponse(p, headers);
  return { status: p.status, body: p, headers: response.headers as Record<string, string> };
}

/**
 * What is wrong with a 2xx reply against the responses declared for the operation, or undefined.
 * The body is checked as the client receives it (after JSON serialisation) and strictly: it must
 * parse with the declared schema, and parsing must not change it. So a missing or mistyped field
 * fails, and so does a field the schema does not declare (zod objects strip unknown keys, which
 * shows up as a difference), and a value the schema would fill in (a `default`). Extra fields pass
 * only where a schema says so itself (`z.looseObject`, `.catchall`), as the OpenAPI document then
 * says too (`additionalProperties`).
 */
export function contractViolation(responses: OperationDoc['responses'], reply: Reply): string | undefined {
  if (reply.status < 200 || reply.status >= 300) return undefined;
  const declared = responses[reply.status];
  if (!declared) return `status ${reply.status} is not declared`;
  if (!declared.schema) return reply.body === undefined ? undefined : `status ${reply.status} declares no body, but one was sent`;
  if (reply.body === undefined) return `status ${reply.status} declares a body, but none was sent`;
  const sent: unknown = JSON.parse(JSON.stringify(reply.body));
  const result = declared.schema.safeParse(sent);
  if (!result.success) {
    return result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
  }
  return firstDifference(sent, result.data, '');
}

/** Where `parsed` differs from what was sent: an undeclared field, or a value the schema changed or added. */
function firstDifference(sent: unknown, parsed: unknown, path: string): string | undefined {
  const at = path || '(body)';
  if (Array.isArray(sent) && Array.isArray(parsed)) {
    if (sent.length !== parsed.length) return `${at}: the schema changed the array`;
    for (let i = 0; i < sent.length; i += 1) {
      const found = firstDifference(sent[i], parsed[i], `${path}${path ? '.' : ''}${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (isPlainObject(sent) && isPlainObject(parsed)) {
    for (const key of Object.keys(sent)) {
      const child = `${path}${path ? '.' : ''}${key}`;
      if (!(key in parsed)) return `${child}: not declared in the schema`;
      const found = firstDifference(sent[key], parsed[key], child);
      if (found) return found;
    }
    const added = Object.keys(parsed).find((key) => !(key in sent) && parsed[key] !== undefined);
    return added === undefined ? undefined : `${path}${path ? '.' : ''}${added}: missing, and the schema fills it in`;
  }
  return Object.is(sent, parsed) ? undefined : `${at}: the schema turns ${JSON.stringify(sent)} into ${JSON.stringify(parsed)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contractViolated(violation: string, status: number, context: InvocationContext, log: Logger): Reply {
  log.log('error', 'response contract violated', { status, violation });
  const p = {
    ...problem('internal-error', `The ${status} response does not match its declared schema: ${violation}`, { instance: context.invocationId }),
    type: 'urn:unifica:problem:response-contract-violated',
    code: 'response-contract-violated',
  };
  return { status: 500, body: p, headers: problemResponse(p).headers as Record<string, string> };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function toResponse(reply: Reply, contentType?: string): HttpResponseInit {
  if (contentType && typeof reply.body === 'string') {
    return { status: reply.status, headers: { 'content-type': contentType, 'x-content-type-options': 'nosniff', ...reply.headers }, body: reply.body };
  }
  const headers = {
    ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}),
    'x-content-type-options': 'nosniff',
    ...reply.headers,
  };
  return { status: reply.status, headers, ...(reply.body !== undefined ? { jsonBody: reply.body } : {}) };
}

async function authenticate(
  edge: EdgeKit,
  spec: { auth: AuthKind; method: HttpMethod; roles?: ApiKeyRole[] },
  request: HttpRequest,
): Promise<Principal | undefined> {
  if (spec.auth === 'none') return undefined;
  const key = request.headers.get('x-api-key');
  const token = spec.auth === 'tenant' && !key ? /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] : undefined;
  if (!key && !token) throw new DomainError('unauthenticated', 'Send your API key in the x-api-key header (or a staff sign-in token as Authorization: Bearer)');
  if (spec.auth === 'platform') {
    if (!sameSecret(key!, edge.platformAdminKey)) throw new DomainError('unauthenticated', 'The platform admin key is not valid');
    return undefined;
  }
  const principal = token ? await edge.authenticateStaff?.(token, clientOf(request)) : await edge.authenticate(key!, clientOf(request));
  if (!principal) throw new DomainError('unauthenticated', token ? 'The sign-in token is not valid here' : 'The API key is not valid');
  if (!allowedRoles(spec).includes(principal.role)) {
    const roles = spec.roles ?? CHANNEL_ROLES;
    throw new DomainError('forbidden', `This operation needs the role ${roles.join(' or ')}`, { reason: 'role-not-allowed' });
  }
  return principal;
}

/** A route's own list, or: the channels' roles, and on a GET every role (staff read what the channels read). */
function allowedRoles(spec: { method: HttpMethod; roles?: readonly ApiKeyRole[] }): readonly ApiKeyRole[] {
  return spec.roles ?? (spec.method === 'GET' ? ApiKeyRole.options : CHANNEL_ROLES);
}

/**
 * The caller's address: the last entry of X-Forwarded-For, the one the platform's own front end
 * added (App Service's front ends in Azure, the local host here), without its port. Entries before
 * it are whatever the client sent, so they are never trusted.
 */
export function clientOf(request: HttpRequest): string {
  const last = (request.headers.get('x-forwarded-for') ?? '').split(',').pop()?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracketed) return bracketed[1]!;
  return /^[\d.]+:\d+$/.test(last) ? last.slice(0, last.lastIndexOf(':')) : last || 'unknown';
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

async function readJson(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const text = await readText(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('validation-failed', 'The request body is not valid JSON', { issues: [{ field: '(body)', message: 'is not valid JSON' }] });
  }
}

/** The body's text, within the size limit, of a JSON content type, not empty. */
async function readText(request: HttpRequest, maxBytes: number): Promise<string> {
  // Decided from the header, before a byte of the body is read.
  const length = request.headers.get('content-length');
  if (length !== null && !/^\d{1,15}$/.test(length.trim())) {
    throw new DomainError('validation-failed', 'The Content-Length header is not valid', {
      issues: [{ field: 'header Content-Length', message: 'must be a number of bytes' }],
    });
  }
  if (Number(length ?? '0') > maxBytes) throw tooLarge(maxBytes);
  const type = request.headers.get('content-type');
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new DomainError('unsupported-media-type', `Send the body as application/json, not ${type.split(';')[0]}`);
  }
  const text = await request.text();
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw tooLarge(maxBytes);
  if (text.trim() === '') throw new DomainError('validation-failed', 'The request body is empty', { issues: [{ field: '(body)', message: 'is required' }] });
  return text;
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('payload-too-large', `The request body may not exceed ${maxBytes} bytes`);
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
