import { z, type ZodType } from 'zod';
import { loadConfig } from '../shared/kernel/config';
import { createPlatform } from '../shared/platform';
import type { HttpFunction } from '../shared/edge/definition';
import { openApiDocument } from '../shared/edge/system';

const azureConfig = {
  CosmosDb__accountEndpoint: 'https://a.documents.azure.com/',
  ServiceBus__fullyQualifiedNamespace: 'n.servicebus.windows.net',
  BlobStorage__serviceUri: 'https://s.blob.core.windows.net',
  PLATFORM_ADMIN_KEY: 'k'.repeat(40),
};

function httpFunctions(): HttpFunction[] {
  const platform = createPlatform(loadConfig(azureConfig));
  const http = platform.functions.filter((f): f is HttpFunction => f.kind === 'http');
  void platform.close();
  return http;
}

const routes = httpFunctions();
const nameOf = (schema: ZodType) => z.globalRegistry.get(schema)?.id;

/** Every 2xx response but 204: each has a body. */
const successes = routes.flatMap((fn) =>
  Object.entries(fn.doc.responses)
    .filter(([status]) => Number(status) >= 200 && Number(status) < 300 && Number(status) !== 204)
    .map(([status, response]) => ({ fn, status, operation: `${fn.name} ${status}`, schema: response.schema })),
);

/** Every zod schema the document is built from, with the direction it describes. */
const allSchemas = routes.flatMap((fn) => [
  ...[fn.doc.params, fn.doc.query, fn.doc.body].flatMap((schema) => (schema ? [{ schema, io: 'input' as const }] : [])),
  ...Object.values(fn.doc.responses).flatMap((r) => (r.schema ? [{ schema: r.schema, io: 'output' as const }] : [])),
]);

describe('response schemas in the OpenAPI document', () => {
  it('covers every route', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(successes.length).toBeGreaterThan(routes.length);
  });

  it('describes every 2xx response with a body (all but 204) by a schema', () => {
    expect(successes.filter((s) => !s.schema).map((s) => s.operation)).toEqual([]);
  });

  it('names each of those schemas (`.meta({ id })`), so the document lists it as a component', () => {
    expect(successes.filter((s) => s.schema && !nameOf(s.schema)).map((s) => s.operation)).toEqual([]);
  });

  it('declares no body for 204', () => {
    const with204 = routes.filter((fn) => fn.doc.responses[204]);
    expect(with204.length).toBeGreaterThan(0);
    expect(with204.filter((fn) => fn.doc.responses[204]!.schema).map((fn) => fn.name)).toEqual([]);
  });

  it('gives one name to one schema only', () => {
    const byName = new Map<string, ZodType>();
    const clashes: string[] = [];
    for (const { schema } of allSchemas) {
      const name = nameOf(schema);
      if (!name) continue;
      const seen = byName.get(name);
      if (seen && seen !== schema) clashes.push(name);
      byName.set(name, seen ?? schema);
    }
    expect(clashes).toEqual([]);
  });

  it('defines each component once: a name nested anywhere means the same thing everywhere', () => {
    const definitions = new Map<string, Set<string>>();
    for (const { schema, io } of allSchemas) {
      const { $defs } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as { $defs?: Record<string, unknown> };
      for (const [name, definition] of Object.entries($defs ?? {})) {
        const set = definitions.get(name) ?? definitions.set(name, new Set()).get(name)!;
        set.add(JSON.stringify(definition));
      }
    }
    expect([...definitions].filter(([, set]) => set.size > 1).map(([name]) => name)).toEqual([]);
  });

  it('refers each 2xx response to its component, and the component is in the document', () => {
    const document = openApiDocument(routes) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const wrong = successes.flatMap(({ fn, status, operation, schema }) => {
      const response = document.paths[`/api/${fn.route}`]?.[fn.method.toLowerCase()]?.responses[status];
      const name = schema && nameOf(schema);
      const ok = name && response?.content?.['application/json']?.schema && document.components.schemas[name];
      return ok && JSON.stringify(response!.content!['application/json']!.schema) === JSON.stringify({ $ref: `#/components/schemas/${name}` })
        ? []
        : [operation];
    });
    expect(wrong).toEqual([]);
  });
});
