import { compileRoute } from './host';
import type { HttpFunction } from '../shared/edge/definition';

const fn = (route: string) => ({ kind: 'http', name: 'f', method: 'GET', route }) as unknown as HttpFunction;

describe('compileRoute', () => {
  it('matches Functions route templates under /api and captures parameters', () => {
    const route = compileRoute(fn('v1/customers/{customerId}/transactions'));
    expect(route.pattern.exec('/api/v1/customers/c_1/transactions')?.[1]).toBe('c_1');
    expect(route.pattern.test('/api/v1/customers/c_1')).toBe(false);
    expect(route.pattern.test('/v1/customers/c_1/transactions')).toBe(false);
    expect(route.names).toEqual(['customerId']);
    expect(route.literals).toBe(3);
  });

  it('escapes literal dots and supports optional parameters', () => {
    expect(compileRoute(fn('openapi.json')).pattern.test('/api/openapiXjson')).toBe(false);
    const optional = compileRoute(fn('v1/items/{id?}'));
    expect(optional.pattern.test('/api/v1/items')).toBe(true);
    expect(optional.pattern.exec('/api/v1/items/7')?.[1]).toBe('7');
  });
});
