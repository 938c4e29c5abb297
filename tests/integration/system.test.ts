import { startTestPlatform, type TestPlatform } from '../support/platform';
import { TransactionInput } from '../../shared/transactions/transactions';

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
});
afterAll(() => p.stop());

describe('system routes', () => {
  it('reports health with each dependency', async () => {
    const r = await p.api('GET', '/api/health');
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('up');
    expect(Object.keys(r.body.dependencies).sort()).toEqual(['blobStorage', 'cosmosDb']);
    expect(r.body.dependencies.cosmosDb.ok).toBe(true);
  });

  it('serves an OpenAPI 3.1 document built from the handlers’ own schemas', async () => {
    const r = await p.api('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/tenants',
        '/api/v1/transactions',
        '/api/v1/transactions/{transactionId}',
        '/api/v1/customers/{customerId}/transactions',
        '/api/health',
      ]),
    );
    const post = r.body.paths['/api/v1/transactions'].post;
    expect(post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TransactionInput' });
    const schema = r.body.components.schemas.TransactionInput;
    // Every field the parser knows is in the contract, and the contract knows no other.
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(TransactionInput.shape).sort());
    expect(schema.properties.lines.maxItems).toBe(500);
    expect(post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(post.responses['400'].content['application/problem+json']).toBeDefined();
    const list = r.body.paths['/api/v1/customers/{customerId}/transactions'].get;
    expect(list.parameters.map((x: { name: string; in: string }) => `${x.in}:${x.name}`).sort()).toEqual([
      'path:customerId',
      'query:continuationToken',
      'query:limit',
    ]);
  });

  it('answers an unknown route with a 404 problem and a wrong method with 405', async () => {
    const missing = await p.api('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await p.api('DELETE', '/api/v1/transactions');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});
