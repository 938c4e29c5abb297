import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit, type Timer } from '@azure/functions';
import { Cron } from 'croner';
import type { FunctionDefinition, HttpFunction, TimerFunction } from '../shared/edge/definition';
import { problem } from '../shared/edge/problem';
import type { InProcessBus } from './in-process-bus';
import type { Logger } from '../shared/kernel/ports';

/** What the Functions host would refuse before a handler runs (its own limit is 100 MB). */
const HOST_BODY_LIMIT = 4 * 1024 * 1024;

/** Slow clients: the request line and headers, then the body, each get this long (README, Security). */
export const LOCAL_HOST_TIMEOUTS = { headersMs: 10_000, bodyMs: 10_000 };

interface Route {
  fn: HttpFunction;
  pattern: RegExp;
  names: string[];
  literals: number;
}

/** Compiles a Functions route template (`v1/x/{id}`) to a matcher under `/api/`. */
export function compileRoute(fn: HttpFunction): Route {
  const names: string[] = [];
  let literals = 0;
  const source = fn.route
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)(\?)?\}$/.exec(segment);
      if (!param) {
        literals += 1;
        return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
      }
      names.push(param[1]!);
      return param[2] ? '(?:/([^/]+))?' : '/([^/]+)';
    })
    .join('');
  return { fn, pattern: new RegExp(`^/api${source}/?$`), names, literals };
}

export interface LocalHostOptions {
  functions: FunctionDefinition[];
  bus: InProcessBus;
  logger: Logger;
  port: number;
  /** Run timers on their schedules (off in tests, which trigger them by name). */
  timers: boolean;
  /** Extra local-only routes (e.g. the dead-letter view), answered before the function list. */
  localRoutes?: (method: string, path: string, headers: Record<string, string>) => Promise<HttpResponseInit | undefined>;
  /** Tests: shorter deadlines for slow clients (default `LOCAL_HOST_TIMEOUTS`). */
  timeouts?: Partial<typeof LOCAL_HOST_TIMEOUTS>;
}

export interface LocalHost {
  url: string;
  port: number;
  /** Runs a timer function now, as its schedule would. */
  runTimer(name: string): Promise<void>;
  stop(): Promise<void>;
}

function invocation(functionName: string, logger: Logger, triggerMetadata?: Record<string, unknown>): InvocationContext {
  const log = logger.child({ function: functionName });
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    triggerMetadata,
    logHandler: (level, ...args) => {
      const mapped = level === 'error' || level === 'critical' ? 'error' : level === 'warning' ? 'warn' : level === 'information' ? 'info' : 'debug';
      log.log(mapped, args.map(String).join(' '));
    },
  });
}

/**
 * Serves the function list the way the Functions host does: HTTP under /api with the same route
 * templates, Service Bus-triggered handlers fed by the in-process bus, timers on their NCRONTAB
 * schedules. Handlers receive the library's own HttpRequest and InvocationContext.
 */
export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const routes = options.functions
    .filter((f): f is HttpFunction => f.kind === 'http')
    .map(compileRoute)
    .sort((a, b) => b.literals - a.literals);
  const timers = options.functions.filter((f): f is TimerFunction => f.kind === 'timer');

  for (const fn of options.functions) {
    if (fn.kind !== 'serviceBusTopic') continue;
    options.bus.subscribe(fn.subscriptionName, fn.accepts, (message, delivery) => fn.handler(message, invocation(fn.name, options.logger, { ...delivery })));
  }

  const runTimer = async (fn: TimerFunction) => {
    const timer: Timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
    try {
      await fn.handler(timer, invocation(fn.name, options.logger));
    } catch (error) {
      options.logger.log('error', 'timer failed', { function: fn.name, error: (error as Error).message });
    }
  };
  const crons = options.timers ? timers.map((fn) => new Cron(fn.schedule, { protect: true }, () => runTimer(fn))) : [];

  const timeouts = {
    headersMs: options.timeouts?.headersMs ?? LOCAL_HOST_TIMEOUTS.headersMs,
    bodyMs: options.timeouts?.bodyMs ?? LOCAL_HOST_TIMEOUTS.bodyMs,
  };
  // Node answers 408 and closes a connection whose request line and headers take longer than
  // headersTimeout (checked every connectionsCheckingInterval); the body has its own deadline in readBody.
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.headersMs + timeouts.bodyMs + 1_000,
    connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
  };
  const server: Server = createServer(serverOptions, (req, res) => {
    void serve(req, res).catch((error) => {
      options.logger.log('error', 'local host failed to serve', { error: (error as Error).message });
      if (!res.headersSent)
        send(res, { status: 500, jsonBody: problem('internal-error', 'The local host failed'), headers: { 'content-type': 'application/problem+json' } });
    });
  });
  server.keepAliveTimeout = 30_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
    // As App Service's front ends do: the address the connection came from, after whatever the client sent.
    headers['x-forwarded-for'] = [headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
    const tooLarge = () => problemInit(problem('payload-too-large', `The host accepts bodies up to ${HOST_BODY_LIMIT} bytes`));
    // Content-Length is read before the body: a body announced too large is refused unread.
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > HOST_BODY_LIMIT) return refuseUnread(req, res, tooLarge());
    const body = await readBody(req, timeouts.bodyMs);
    if (body === 'too-large') return refuseUnread(req, res, tooLarge());
    if (body === 'timed-out') {
      const p = problem('validation-failed', `The body did not arrive within ${timeouts.bodyMs / 1000} s`);
      return refuseUnread(
        req,
        res,
        problemInit({
          ...p,
          status: 408,
          title: 'Request timeout',
          code: 'request-timeout',
          category: 'request-timeout',
          type: 'urn:unifica:problem:request-timeout',
        }),
      );
    }
    const local = await options.localRoutes?.(method, url.pathname, headers);
    if (local) return send(res, local);

    const matches = routes.map((r) => ({ route: r, match: r.pattern.exec(url.pathname) })).filter((m) => m.match);
    const hit = matches.find((m) => m.route.fn.method === method);
    if (!hit) {
      if (matches.length > 0) {
        const allow = [...new Set(matches.map((m) => m.route.fn.method))].join(', ');
        return send(res, {
          ...problemInit({
            ...problem('not-found', `Use ${allow} on this path`),
            status: 405,
            title: 'Method not allowed',
            code: 'method-not-allowed',
            type: 'urn:unifica:problem:method-not-allowed',
          }),
          headers: { allow, 'content-type': 'application/problem+json' },
        });
      }
      return send(res, problemInit(problem('not-found', `No route ${method} ${url.pathname}`)));
    }
    const params: Record<string, string> = {};
    const undecodable: string[] = [];
    hit.route.names.forEach((name, i) => {
      const value = hit.match![i + 1];
      if (value === undefined) return;
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        undecodable.push(name);
      }
    });
    if (undecodable.length > 0) {
      const issues = undecodable.map((name) => ({ field: `path.${name}`, message: 'is not valid percent-encoding' }));
      return send(res, problemInit(problem('validation-failed', 'The path is not valid', { errors: issues })));
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query: Object.fromEntries(url.searchParams.entries()),
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    send(res, await hit.route.fn.handler(request, invocation(hit.route.fn.name, options.logger)));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    runTimer: async (name) => {
      const fn = timers.find((t) => t.name === name);
      if (!fn) throw new Error(`No timer function ${name}`);
      await runTimer(fn);
    },
    stop: async () => {
      crons.forEach((c) => c.stop());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function problemInit(p: ReturnType<typeof problem>): HttpResponseInit {
  return { status: p.status, jsonBody: p, headers: { 'content-type': 'application/problem+json' } };
}

/** The body, unless it is larger than the host accepts or does not arrive within `deadlineMs`. */
async function readBody(req: IncomingMessage, deadlineMs: number): Promise<Buffer | 'too-large' | 'timed-out'> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed-out'>((resolve) => (timer = setTimeout(() => resolve('timed-out'), deadlineMs)));
  const read = (async () => {
    // Stopping early must not destroy the socket: the answer still goes out on it.
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      size += (chunk as Buffer).length;
      if (size > HOST_BODY_LIMIT) return 'too-large' as const;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  })();
  read.catch(() => undefined); // abandoned at the deadline: the connection is closed under it
  try {
    return await Promise.race([read, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Answers without reading the rest of the body, and closes the connection, which still carries it. */
function refuseUnread(req: IncomingMessage, res: ServerResponse, init: HttpResponseInit): void {
  send(res, { ...init, headers: { ...(init.headers as Record<string, string>), connection: 'close' } });
  res.once('finish', () => req.destroy());
}

function send(res: ServerResponse, init: HttpResponseInit): void {
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  let payload: string | Uint8Array | undefined;
  if (init.jsonBody !== undefined) {
    payload = JSON.stringify(init.jsonBody);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  } else if (typeof init.body === 'string' || init.body instanceof Uint8Array) {
    payload = init.body;
  }
  res.statusCode = init.status ?? 200;
  headers.forEach((value, key) => res.setHeader(key, value));
  res.end(payload);
}
