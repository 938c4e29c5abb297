import { fieldsDocument } from '../../shared/segments';
import { append, complete, freshCondition, freshGroup, fromRule, toRule, update, type DraftGroup, type Fields } from '../../console/src/segment-tree';

/** The builder's pure half: the draft tree as typed, the API's rule tree, and back. Fields as the API serves them. */
const fields = fieldsDocument() as unknown as Fields;

const condition = (trait: string, operator: string, value = '', more: { key?: string; upTo?: string } = {}) => ({
  kind: 'condition' as const,
  trait,
  operator,
  key: more.key ?? '',
  value,
  upTo: more.upTo ?? '',
});

describe('the segment builder draft tree', () => {
  const draft: DraftGroup = {
    kind: 'group',
    match: 'all',
    negated: false,
    children: [
      condition('orders', 'greaterThanOrEqual', '1'),
      {
        kind: 'group',
        match: 'any',
        negated: false,
        children: [
          condition('channels365d', 'contains', 'store'),
          { kind: 'group', match: 'all', negated: true, children: [condition('spendByFamily', 'between', '1000', { key: 'women-boots', upTo: '5000' })] },
        ],
      },
    ],
  };
  const rule: any = {
    all: [
      { trait: 'orders', operator: 'greaterThanOrEqual', value: 1 },
      {
        any: [
          { trait: 'channels365d', operator: 'contains', value: 'store' },
          { not: { all: [{ trait: 'spendByFamily', operator: 'between', key: 'women-boots', value: [1000, 5000] }] } },
        ],
      },
    ],
  };

  it('turns the draft into the rule tree the API takes, typing each value as its trait and operator need', () => {
    expect(toRule(fields, draft)).toEqual(rule);
    expect(toRule(fields, { kind: 'group', match: 'any', negated: false, children: [condition('postalCode', 'in', '28001, 28002')] })).toEqual({
      any: [{ trait: 'postalCode', operator: 'in', value: ['28001', '28002'] }],
    });
    expect(toRule(fields, { kind: 'group', match: 'all', negated: false, children: [condition('lastStorePurchaseAt', 'withinLastDays', '90')] })).toEqual({
      all: [{ trait: 'lastStorePurchaseAt', operator: 'withinLastDays', value: 90 }],
    });
    expect(toRule(fields, { kind: 'group', match: 'all', negated: false, children: [condition('birthdayThisMonth', 'equals', 'false')] })).toEqual({
      all: [{ trait: 'birthdayThisMonth', operator: 'equals', value: false }],
    });
    // An operator that takes no value sends none, whatever was typed before.
    expect(toRule(fields, { kind: 'group', match: 'all', negated: false, children: [condition('postalCode', 'isSet', 'x')] })).toEqual({
      all: [{ trait: 'postalCode', operator: 'isSet' }],
    });
  });

  it('reads a stored rule tree back into the same draft, and the draft gives the same tree again', () => {
    expect(fromRule(rule)).toEqual(draft);
    expect(toRule(fields, fromRule(rule))).toEqual(rule);
    const lists = { any: [{ trait: 'postalCode', operator: 'in', value: ['28001', '28002'] }] };
    expect(toRule(fields, fromRule(lists))).toEqual(lists);
  });

  it('keeps the root a group, and reads a `not` of a condition as a negated group holding it', () => {
    const bare = { trait: 'orders', operator: 'greaterThan', value: 2 };
    expect(fromRule(bare)).toEqual({ kind: 'group', match: 'all', negated: false, children: [condition('orders', 'greaterThan', '2')] });
    expect(fromRule({ not: bare })).toEqual({ kind: 'group', match: 'all', negated: true, children: [condition('orders', 'greaterThan', '2')] });
    expect(fromRule({ not: { not: { any: [bare] } } })).toEqual({
      kind: 'group',
      match: 'all',
      negated: true,
      children: [{ kind: 'group', match: 'any', negated: true, children: [condition('orders', 'greaterThan', '2')] }],
    });
  });

  it('is complete only when every condition has what its operator needs and every group a child', () => {
    expect(complete(fields, draft)).toBe(true);
    expect(
      complete(
        fields,
        update(draft, [1, 1, 0], (c) => ({ ...c, upTo: ' ' }) as typeof c),
      ),
    ).toBe(false);
    expect(
      complete(
        fields,
        update(draft, [1, 1, 0], (c) => ({ ...c, key: '' }) as typeof c),
      ),
    ).toBe(false);
    expect(
      complete(
        fields,
        update(draft, [0], (c) => ({ ...c, value: '' }) as typeof c),
      ),
    ).toBe(false);
    expect(
      complete(
        fields,
        update(draft, [1, 1], (g) => ({ ...g, children: [] }) as typeof g),
      ),
    ).toBe(false);
    expect(complete(fields, freshGroup(fields))).toBe(true);
  });

  it('adds to and removes from any group by its path, leaving the rest of the tree as it was', () => {
    const added = append(draft, [1, 1], freshCondition(fields));
    expect(toRule(fields, added)).toEqual({
      all: [
        rule.all[0],
        { any: [rule.all[1].any[0], { not: { all: [rule.all[1].any[1].not.all[0], { trait: 'orders', operator: 'greaterThanOrEqual', value: 1 }] } }] },
      ],
    });
    const removed = update(draft, [1, 0], () => undefined);
    expect(toRule(fields, removed)).toEqual({ all: [rule.all[0], { any: [rule.all[1].any[1]] }] });
    // The root cannot be removed: the builder always has a group to add to.
    expect(update(draft, [], () => undefined)).toBe(draft);
    expect(draft.children).toHaveLength(2);
  });
});
