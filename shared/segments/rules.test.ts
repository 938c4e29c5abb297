import { evaluate, FIELDS, OPERATORS, validateRule, type Rule } from './rules';
import { deriveTraits, emptyTraits, type Traits } from './traits';

const now = new Date('2026-11-27T10:00:00Z');
const traits: Traits = {
  ...deriveTraits(emptyTraits('t', 'c'), now),
  orders: 3,
  averageTicket: 2500,
  preferredStore: 'madrid-1',
  lastPurchaseAt: '2026-11-20T10:00:00.000Z',
  channels90d: ['store', 'online'],
  spendByFamily: { women: 9000 },
  birthdayThisMonth: true,
  gender: null,
};
const is = (rule: Rule) => evaluate(rule, traits, now);

describe('operators', () => {
  it.each<[string, Rule, boolean]>([
    ['number equals', { trait: 'orders', operator: 'equals', value: 3 }, true],
    ['number notEquals', { trait: 'orders', operator: 'notEquals', value: 3 }, false],
    ['number greaterThan', { trait: 'orders', operator: 'greaterThan', value: 2 }, true],
    ['number greaterThanOrEqual', { trait: 'orders', operator: 'greaterThanOrEqual', value: 4 }, false],
    ['number lessThan', { trait: 'averageTicket', operator: 'lessThan', value: 2501 }, true],
    ['number lessThanOrEqual', { trait: 'averageTicket', operator: 'lessThanOrEqual', value: 2499 }, false],
    ['number between (inclusive)', { trait: 'averageTicket', operator: 'between', value: [2500, 3000] }, true],
    ['number in', { trait: 'orders', operator: 'in', value: [1, 2] }, false],
    ['number isSet', { trait: 'averageTicket', operator: 'isSet' }, true],
    ['number isNotSet on unset', { trait: 'age', operator: 'isNotSet' }, true],
    ['number on unset is false', { trait: 'age', operator: 'lessThan', value: 200 }, false],
    ['string equals', { trait: 'preferredStore', operator: 'equals', value: 'madrid-1' }, true],
    ['string notEquals', { trait: 'preferredStore', operator: 'notEquals', value: 'madrid-1' }, false],
    ['string in', { trait: 'preferredStore', operator: 'in', value: ['madrid-1', 'bcn-1'] }, true],
    ['string notIn', { trait: 'preferredStore', operator: 'notIn', value: ['madrid-1'] }, false],
    ['string startsWith', { trait: 'preferredStore', operator: 'startsWith', value: 'mad' }, true],
    ['string unset notEquals is false', { trait: 'gender', operator: 'notEquals', value: 'male' }, false],
    ['date before', { trait: 'lastPurchaseAt', operator: 'before', value: '2026-11-21' }, true],
    ['date after', { trait: 'lastPurchaseAt', operator: 'after', value: '2026-11-21' }, false],
    ['date between', { trait: 'lastPurchaseAt', operator: 'between', value: ['2026-11-01', '2026-11-30T00:00:00Z'] }, true],
    ['date withinLastDays', { trait: 'lastPurchaseAt', operator: 'withinLastDays', value: 8 }, true],
    ['date withinLastDays, 7 days ago is not within 7', { trait: 'lastPurchaseAt', operator: 'withinLastDays', value: 7 }, false],
    ['date notWithinLastDays', { trait: 'lastPurchaseAt', operator: 'notWithinLastDays', value: 7 }, true],
    ['date isNotSet', { trait: 'firstPurchaseAt', operator: 'isNotSet' }, true],
    ['boolean equals', { trait: 'birthdayThisMonth', operator: 'equals', value: true }, true],
    ['set contains', { trait: 'channels90d', operator: 'contains', value: 'online' }, true],
    ['set notContains', { trait: 'channels90d', operator: 'notContains', value: 'online' }, false],
    ['set containsAny', { trait: 'channels90d', operator: 'containsAny', value: ['x', 'store'] }, true],
    ['set containsAll', { trait: 'channels90d', operator: 'containsAll', value: ['store', 'x'] }, false],
    ['set isEmpty', { trait: 'brands', operator: 'isEmpty' }, true],
    ['set isNotEmpty', { trait: 'channels90d', operator: 'isNotEmpty' }, true],
    ['map greaterThan', { trait: 'spendByFamily', key: 'women', operator: 'greaterThan', value: 8999 }, true],
    ['map missing key reads 0', { trait: 'spendByFamily', key: 'men', operator: 'equals', value: 0 }, true],
    ['map between', { trait: 'spendByFamily', key: 'women', operator: 'between', value: [0, 100] }, false],
    ['map lessThanOrEqual', { trait: 'spendByFamily', key: 'women', operator: 'lessThanOrEqual', value: 9000 }, true],
  ])('%s', (_name, rule, expected) => {
    expect(validateRule(rule)).toEqual([]);
    expect(is(rule)).toBe(expected);
  });

  it('covers every operator of every type above', () => {
    const tested = new Set([
      'equals',
      'notEquals',
      'greaterThan',
      'greaterThanOrEqual',
      'lessThan',
      'lessThanOrEqual',
      'between',
      'in',
      'notIn',
      'isSet',
      'isNotSet',
    ]);
    for (const op of [
      'startsWith',
      'before',
      'after',
      'withinLastDays',
      'notWithinLastDays',
      'contains',
      'notContains',
      'containsAny',
      'containsAll',
      'isEmpty',
      'isNotEmpty',
    ])
      tested.add(op);
    for (const operators of Object.values(OPERATORS)) for (const op of operators) expect(tested).toContain(op);
    expect(FIELDS.map((f) => f.name)).toEqual(expect.arrayContaining(['daysSinceLastPurchase', 'daysUntilBirthday']));
  });
});

describe('groups', () => {
  const yes: Rule = { trait: 'orders', operator: 'equals', value: 3 };
  const no: Rule = { trait: 'orders', operator: 'equals', value: 4 };
  it('all needs every rule', () => {
    expect(is({ all: [yes, yes] })).toBe(true);
    expect(is({ all: [yes, no] })).toBe(false);
  });
  it('any needs one rule', () => {
    expect(is({ any: [no, yes] })).toBe(true);
    expect(is({ any: [no, no] })).toBe(false);
  });
  it('not inverts', () => {
    expect(is({ not: no })).toBe(true);
    expect(is({ not: { all: [yes, { any: [no, yes] }] } })).toBe(false);
  });
});

describe('validation', () => {
  it('names every wrong node by its path', () => {
    expect(
      validateRule({
        any: [
          { trait: 'orders', operator: 'equals', value: 'three' },
          { trait: 'orders', operator: 'equals', value: 3, extra: true },
          { all: [{ trait: 'channels90d', operator: 'contains', value: 'store', key: 'x' }] },
          'nothing',
          { all: [], any: [] },
          { trait: 'spendByBrand', operator: 'greaterThan', value: 1 },
          { trait: 'age', operator: 'isSet', value: 3 },
          { trait: 'lastPurchaseAt', operator: 'between', value: ['2026-12-01', '2026-01-01'] },
        ],
      }).map((i) => i.field),
    ).toEqual([
      'definition.any.0.value',
      'definition.any.1.extra',
      'definition.any.2.all.0.key',
      'definition.any.3',
      'definition.any.4',
      'definition.any.5.key',
      'definition.any.6.value',
      'definition.any.7.value',
    ]);
  });

  it('refuses trees that are too deep', () => {
    let rule: Rule = { trait: 'orders', operator: 'equals', value: 1 };
    for (let i = 0; i < 8; i += 1) rule = { not: rule };
    expect(validateRule(rule)).toEqual([{ field: expect.stringMatching(/^definition(\.not)+$/), message: expect.stringContaining('deeper') }]);
  });
});
