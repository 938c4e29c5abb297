import { z, type ZodType } from 'zod';
import type { HealthProbe } from '../kernel/ports';
import type { HttpFunction } from './definition';
import { endpoint, type EdgeKit } from './endpoint';
import { HealthSchema, OpenApiDocumentSchema } from './schemas';

const PROBE_TIMEOUT_MS = 3_000;

export function healthFunction(edge: EdgeKit, probes: readonly HealthProbe[]): HttpFunction {
  return endpoint(edge, {
    name: 'health',
    method: 'GET',
    route: 'health',
    summary: 'Liveness and the state of each dependency',
    tags: ['System'],
    auth: 'none',
    responses: { 200: { description: 'Up', schema: HealthSchema }, 503: { description: 'A dependency is down', schema: HealthSchema } },
    handle: async ({ log }) => {
      const results = await Promise.all(
        probes.map(async (probe) => {
          const started = Date.now();
          try {
            const result = await Promise.race([
              probe.check(),
              new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), PROBE_TIMEOUT_MS).unref()),
            ]);
            return [probe.name, { ok: result.ok, ms: Date.now() - started }] as const;
          } catch (error) {
            log.log('warn', 'health probe failed', { probe: probe.name, error: (error as Error).message });
            return [probe.name, { ok: false, ms: Date.now() - started, detail: 'unreachable' }] as const;
          }
        }),
      );
      const ok = results.every(([, r]) => r.ok);
      return { status: ok ? 200 : 503, body: { status: ok ? 'up' : 'degraded', dependencies: Object.fromEntries(results) } };
    },
  });
}

/** OpenAPI 3.1 built from the function list and the zod schemas the handlers parse with. */
export function openApiDocument(functions: HttpFunction[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, unknown> = {};
  // Schemas named with `.meta({ id })` become components; zod's local $defs refs are pointed there.
  const jsonSchema = (schema: ZodType, io: 'input' | 'output') => {
    const { $schema: _s, $defs, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
    const rewrite = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (_m, name: string) => `"#/components/schemas/${name}"`));
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[name] ??= rewrite(def);
    return rewrite(rest) as Record<string, unknown>;
  };
  for (const fn of functions) {
    const { doc } = fn;
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', doc.params],
      ['query', doc.query],
    ] as const) {
      if (!schema) continue;
      const s = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: property });
      }
    }
    for (const header of doc.headers ?? [])
      parameters.push({ name: header.name, in: 'header', required: false, description: header.description, schema: { type: 'string' } });
    const path = `/api/${fn.route}`;
    paths[path] ??= {};
    paths[path][fn.method.toLowerCase()] = {
      operationId: fn.name,
      summary: doc.summary,
      tags: doc.tags,
      ...(doc.security === 'none'
        ? { security: [] }
        : { security: doc.security === 'platform' ? [{ platformKey: [] }] : [{ apiKey: [] }, { staffToken: [] }] }),
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } } } } : {}),
      responses: Object.fromEntries(
        Object.entries(doc.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema
              ? {
                  content: {
                    [r.contentType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: { schema: jsonSchema(r.schema, 'output') },
                  },
                }
              : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'unifica',
      version: '1',
      description: 'Omnichannel services for retailers: one customer, one history, in store and online. Errors are RFC 9457 application/problem+json.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: "A tenant's key (role pos, ecommerce, admin, marketing, store or support)" },
        staffToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A Microsoft Entra ID access token of the retailer's staff, for the API's audience; the app roles Admin, Marketing, Store, Support give the role",
        },
        platformKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The platform operator key (PLATFORM_ADMIN_KEY)' },
      },
    },
    paths,
  };
}

export function openApiFunction(edge: EdgeKit, listed: () => HttpFunction[]): HttpFunction {
  let cached: Record<string, unknown> | undefined;
  return endpoint(edge, {
    name: 'openapi',
    method: 'GET',
    route: 'openapi.json',
    summary: 'This document',
    tags: ['System'],
    auth: 'none',
    responses: { 200: { description: 'OpenAPI 3.1', schema: OpenApiDocumentSchema } },
    handle: async () => ({ status: 200, body: (cached ??= openApiDocument(listed())) }),
  });
}
