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
      const type = fn.doc.responses[Number(status)]?.contentType ?? 'application/json';
      const ok = name && response?.content?.[type]?.schema && document.components.schemas[name];
      return ok && JSON.stringify(response!.content![type]!.schema) === JSON.stringify({ $ref: `#/components/schemas/${name}` }) ? [] : [operation];
    });
    expect(wrong).toEqual([]);
  });
});

/**
 * Every status a route can answer is listed in its OpenAPI document. The edge's own answers follow
 * from what the route declares (key, roles, input, body, Idempotency-Key); what the use cases answer
 * follows from what the route names: an id in the path may not exist (404), a customer may be
 * erased (410), a location may be one the key may not act for (403). Integration tests add the
 * other half: with `checkResponses`, a route answering a status it does not list answers 500.
 */
describe('statuses in the OpenAPI document', () => {
  /** Where a route cannot answer what the rules below would say, and why. */
  const exempt: Record<number, Record<string, string>> = {
    403: {
      identifyCustomer: 'locationId only picks the country that reads local phone numbers',
      claimPurchase: 'locationId is the store printed on the customer’s receipt; any key may attach it',
    },
    404: { getStockAvailability: 'a SKU without stock anywhere answers 200 with nothing on hand' },
    410: {
      mergeCustomers: 'an erased customer can no longer be merged: 404',
      eraseCustomer: 'erasure is idempotent: an erased customer answers 204 again',
    },
  };
  const propertiesOf = (schema: ZodType | undefined): string[] => {
    if (!schema) return [];
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
      anyOf?: Array<{ properties?: Record<string, unknown> }>;
      oneOf?: Array<{ properties?: Record<string, unknown> }>;
    };
    return [json, ...(json.anyOf ?? []), ...(json.oneOf ?? [])].flatMap((s) => Object.keys(s.properties ?? {}));
  };

  /** What a route can answer, from what it declares and what it names. */
  function answerable(fn: HttpFunction): number[] {
    const { doc } = fn;
    const params = propertiesOf(doc.params);
    const body = propertiesOf(doc.body);
    const statuses = [500];
    if (doc.security !== 'none') statuses.push(401, 503);
    if (doc.security === 'apiKey') statuses.push(429);
    if (doc.roles) statuses.push(403);
    if (doc.params || doc.query || doc.body) statuses.push(400);
    if (doc.body) statuses.push(413, 415);
    if (doc.headers?.some((h) => h.name === 'Idempotency-Key')) statuses.push(409, 422);
    if (params.length > 0) statuses.push(404);
    if (params.includes('customerId')) statuses.push(410);
    if (doc.security === 'apiKey' && body.some((p) => /^(locationId|fromLocationId|toLocationId)$/.test(p))) statuses.push(403);
    return [...new Set(statuses)].filter((status) => !exempt[status]?.[fn.name]);
  }

  it('lists, for every route, each status it can answer', () => {
    const missing = routes.flatMap((fn) =>
      answerable(fn)
        .filter((status) => !fn.doc.responses[status])
        .map((status) => `${fn.name} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it('derives from the routes themselves (and the exemptions name real routes)', () => {
    const named = (name: string) => routes.find((fn) => fn.name === name)!;
    expect(answerable(named('exportCustomer'))).toEqual(expect.arrayContaining([403, 404, 410]));
    expect(answerable(named('recordStockMovements'))).toEqual(expect.arrayContaining([403, 413, 415]));
    expect(answerable(named('health'))).toEqual([500]);
    const names = new Set(routes.map((fn) => fn.name));
    expect(Object.values(exempt).flatMap((byRoute) => Object.keys(byRoute).filter((name) => !names.has(name)))).toEqual([]);
  });
});
