import { CustomerResolver, normalizeIdentifier, normalizeIdentifiers } from './customers';
import { FakeClock, FakeCustomerStore } from '../../tests/support/fakes';

describe('normalizeIdentifier', () => {
  const norm = (type: string, value: string, country = 'ES') => normalizeIdentifier('t1', { type: type as never, value }, country);

  it('trims and lower-cases emails, so one person typed two ways is one key', () => {
    const a = norm('email', '  Ana.Lopez@Example.COM ');
    const b = norm('email', 'ana.lopez@example.com');
    expect(a).toMatchObject({ value: 'ana.lopez@example.com' });
    expect('key' in a && 'key' in b && a.key === b.key).toBe(true);
  });

  it("writes phones in E.164 using the location's country", () => {
    expect(norm('phone', '612 34 56 78')).toMatchObject({ value: '+34612345678' });
    expect(norm('phone', '+34 612-345-678')).toMatchObject({ value: '+34612345678' });
    expect(norm('phone', '030 1234567', 'DE')).toMatchObject({ value: '+49301234567' });
  });

  it('strips spaces and dashes from loyalty cards', () => {
    expect(norm('loyaltyCard', '1234 5678-90ab')).toMatchObject({ value: '1234567890AB' });
  });

  it('refuses invalid emails and phones with a reason', () => {
    expect(norm('email', 'no-at-sign')).toEqual({ error: 'is not a valid email address' });
    expect(norm('phone', '12')).toEqual({ error: 'is not a valid phone number' });
  });

  it('keeps keys free of personal data and scoped to the tenant', () => {
    const a = normalizeIdentifier('t1', { type: 'email', value: 'ana@example.com' }, 'ES');
    const b = normalizeIdentifier('t2', { type: 'email', value: 'ana@example.com' }, 'ES');
    expect('key' in a && a.key).not.toContain('ana');
    expect('key' in a && 'key' in b && a.key !== b.key).toBe(true);
  });

  it('collapses duplicates and names the field of each invalid one', () => {
    const { identifiers, issues } = normalizeIdentifiers(
      't1',
      [
        { type: 'email', value: 'A@x.com' },
        { type: 'email', value: 'a@x.com' },
        { type: 'phone', value: 'x' },
      ],
      'ES',
      'customer.identifiers',
    );
    expect(identifiers).toHaveLength(1);
    expect(issues).toEqual([{ field: 'customer.identifiers.2.value', message: 'phone is not a valid phone number' }]);
  });
});

describe('CustomerResolver', () => {
  const ids = (email: string, phone?: string) => {
    const list = [{ type: 'email' as const, value: email }, ...(phone ? [{ type: 'phone' as const, value: phone }] : [])];
    return normalizeIdentifiers('t1', list, 'ES', 'x').identifiers;
  };

  it('creates one customer for 20 concurrent first sightings of the same email', async () => {
    const store = new FakeCustomerStore();
    const resolver = new CustomerResolver(store, new FakeClock());
    const results = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve('t1', ids('new@example.com'))));
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(store.customers.size).toBe(1);
  });

  it('links a new identifier to the customer an existing one belongs to', async () => {
    const store = new FakeCustomerStore();
    const resolver = new CustomerResolver(store, new FakeClock());
    const first = await resolver.resolve('t1', ids('ana@example.com'));
    const second = await resolver.resolve('t1', ids('ana@example.com', '600111222'));
    expect(second).toEqual({ customerId: first.customerId, created: false, linked: ['phone'], conflicts: [] });
    expect((await store.listIdentifiers('t1', first.customerId)).map((l) => l.type).sort()).toEqual(['email', 'phone']);
  });

  it('reports identifiers of two different customers instead of merging them', async () => {
    const store = new FakeCustomerStore();
    const resolver = new CustomerResolver(store, new FakeClock());
    const ana = await resolver.resolve('t1', ids('ana@example.com'));
    const bea = await resolver.resolve('t1', ids('bea@example.com', '600111222'));
    const both = await resolver.resolve('t1', [...ids('ana@example.com'), ...ids('x@example.com', '600111222').slice(1)]);
    expect(both.customerId).toBe(ana.customerId);
    expect(both.conflicts).toEqual([{ type: 'phone', customerId: bea.customerId }]);
  });
});
