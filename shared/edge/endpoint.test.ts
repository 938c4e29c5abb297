import { HttpRequest, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { IdempotentRequests } from '../kernel/idempotency';
import { FakeClock, FakeIdempotencyStore } from '../../tests/support/fakes';
import type { Logger } from '../kernel/ports';
import { contractViolation, endpoint, type EdgeKit, type Reply } from './endpoint';

const Thing = z.object({ id: z.string(), count: z.number().int(), note: z.string().nullable(), tag: z.string().optional() }).meta({ id: 'TestThing' });
const responses = { 200: { description: 'The thing', schema: Thing }, 204: { description: 'Gone' } };
const check = (reply: Reply) => contractViolation(responses, reply);

describe('the response contract check', () => {
  it('accepts a body its schema describes, optional fields absent or not', () => {
    expect(check({ status: 200, body: { id: 'a', count: 1, note: null } })).toBeUndefined();
    expect(check({ status: 200, body: { id: 'a', count: 1, note: 'n', tag: 't' } })).toBeUndefined();
    // As the client gets it: an undefined field is not sent.
    expect(check({ status: 200, body: { id: 'a', count: 1, note: null, tag: undefined } })).toBeUndefined();
    expect(check({ status: 204 })).toBeUndefined();
  });

  it('refuses a missing field, a wrong type, a null where none is allowed', () => {
    expect(check({ status: 200, body: { id: 'a', note: null } })).toMatch(/^count: /);
    expect(check({ status: 200, body: { id: 'a', count: 1.5, note: null } })).toMatch(/^count: /);
    expect(check({ status: 200, body: { id: null, count: 1, note: null } })).toMatch(/^id: /);
  });

  it('refuses a field the schema does not declare, however deep', () => {
    expect(check({ status: 200, body: { id: 'a', count: 1, note: null, secret: 'x' } })).toBe('secret: not declared in the schema');
    const Nested = z.object({ items: z.array(Thing) });
    const body = {
      items: [
        { id: 'a', count: 1, note: null },
        { id: 'b', count: 2, note: null, _rid: 'r' },
      ],
    };
    expect(contractViolation({ 200: { description: 'Things', schema: Nested } }, { status: 200, body })).toBe('items.1._rid: not declared in the schema');
  });

  it('refuses a value the schema would fill in or change', () => {
    const WithDefault = z.object({ n: z.number().default(0) });
    expect(contractViolation({ 200: { description: 'x', schema: WithDefault } }, { status: 200, body: {} })).toBe('n: missing, and the schema fills it in');
  });

  it('allows extra fields only where the schema says so', () => {
    const Loose = z.looseObject({ id: z.string() });
    expect(contractViolation({ 200: { description: 'x', schema: Loose } }, { status: 200, body: { id: 'a', more: 1 } })).toBeUndefined();
  });

  it('refuses an undeclared success status, a body where none is declared, and no body where one is', () => {
    expect(check({ status: 201, body: {} })).toBe('status 201 is not declared');
    expect(check({ status: 204, body: {} })).toBe('status 204 declares no body, but one was sent');
    expect(check({ status: 200 })).toBe('status 200 declares a body, but none was sent');
  });

  it('leaves errors alone: problems are not the handlers’ declared bodies', () => {
    expect(check({ status: 404, body: { anything: true } })).toBeUndefined();
    expect(check({ status: 500, body: 'x' })).toBeUndefined();
  });
});

describe('an endpoint with checkResponses', () => {
  const logged: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    log: (level, message, fields) => void logged.push({ level, message, fields }),
    child: () => logger,
  };
  const edge = (checkResponses: boolean): EdgeKit => ({
    logger,
    idempotency: new IdempotentRequests(new FakeIdempotencyStore(), new FakeClock()),
    platformAdminKey: 'k'.repeat(40),
    authenticate: async () => undefined,
    checkResponses,
  });
  const route = (kit: EdgeKit, body: unknown) =>
    endpoint(kit, {
      name: 'thing',
      method: 'GET',
      route: 'thing',
      summary: 'A thing',
      tags: ['Test'],
      auth: 'none',
      responses,
      handle: async () => ({ status: 200, body }),
    });
  const call = (kit: EdgeKit, body: unknown) =>
    route(kit, body).handler(
      new HttpRequest({ method: 'GET', url: 'http://localhost/api/thing' }),
      new InvocationContext({ invocationId: 'inv-1', functionName: 'thing' }),
    );

  it('answers 500 response-contract-violated and logs an error when the body does not match', async () => {
    const response = await call(edge(true), { id: 'a', count: 'one', note: null });
    expect(response.status).toBe(500);
    expect(response.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    expect(response.jsonBody).toMatchObject({
      status: 500,
      code: 'response-contract-violated',
      type: 'urn:unifica:problem:response-contract-violated',
      instance: 'inv-1',
    });
    expect(response.jsonBody.detail).toContain('count');
    expect(logged).toContainEqual(expect.objectContaining({ level: 'error', message: 'response contract violated' }));
  });

  it('passes a matching body through unchanged', async () => {
    const response = await call(edge(true), { id: 'a', count: 1, note: null });
    expect(response).toMatchObject({ status: 200, jsonBody: { id: 'a', count: 1, note: null } });
  });

  it('checks nothing when it is off (production)', async () => {
    const response = await call(edge(false), { id: 'a', count: 'one', note: null });
    expect(response).toMatchObject({ status: 200, jsonBody: { id: 'a', count: 'one', note: null } });
  });
});

describe('an endpoint that asks for its raw body', () => {
  const logger: Logger = { log: () => undefined, child: () => logger };
  const kit: EdgeKit = {
    logger,
    idempotency: new IdempotentRequests(new FakeIdempotencyStore(), new FakeClock()),
    platformAdminKey: 'k'.repeat(40),
    authenticate: async () => undefined,
  };
  const seen: Array<{ rawBody: string | undefined; body: unknown }> = [];
  const route = endpoint(kit, {
    name: 'signed',
    method: 'POST',
    route: 'signed',
    summary: 'A signed body',
    tags: ['Test'],
    auth: 'none',
    rawBody: z.record(z.string(), z.unknown()),
    responses: { 204: { description: 'Seen' } },
    handle: async ({ rawBody, body }) => {
      seen.push({ rawBody, body });
      return { status: 204 };
    },
  });
  const post = (text: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    route.handler(
      new HttpRequest({ method: 'POST', url: 'http://localhost/api/signed', body: { string: text }, headers }),
      new InvocationContext({ invocationId: 'inv-2', functionName: 'signed' }),
    );

  it('hands the handler the bytes as sent, unparsed, and documents the body', async () => {
    const text = '{ "b": 1,\n  "a": "é" }';
    expect((await post(text)).status).toBe(204);
    expect(seen.at(-1)).toEqual({ rawBody: text, body: undefined });
    expect(route.doc.body).toBeDefined();
    expect(route.doc.responses).toHaveProperty('413');
  });

  it('keeps the body limits: too large 413, not JSON 415, empty 400', async () => {
    expect((await post(`{"x":"${'a'.repeat(300 * 1024)}"}`)).status).toBe(413);
    expect((await post('a=1', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post('  ')).status).toBe(400);
  });
});
