/**
 * The segment builder's draft, as typed, and the rule tree the API takes: pure functions from one
 * to the other and back, kept apart from the page so they can be tested without a browser.
 */
import type { Condition, Rule } from '../../shared/segments/rules';

/** What `GET /v1/segments/fields` serves: the builder is drawn from it, so a trait the API adds appears here without a release. */
export interface Fields {
  traits: Array<{ name: string; type: string; description: string; values?: string[]; key?: string; operators: string[] }>;
  operators: Record<string, Array<{ operator: string; value: string }>>;
}

/** One condition as typed: every value is text until it becomes part of the rule tree. */
export interface DraftCondition {
  kind: 'condition';
  trait: string;
  operator: string;
  key: string;
  value: string;
  /** The second bound of `between`. */
  upTo: string;
}

/** All of / any of its children, or (negated) none of them / not all of them. */
export interface DraftGroup {
  kind: 'group';
  match: 'all' | 'any';
  negated: boolean;
  children: DraftNode[];
}

export type DraftNode = DraftCondition | DraftGroup;

/** Operators whose value is a list, typed comma-separated. */
export const LISTS = new Set(['in', 'notIn', 'containsAny', 'containsAll']);
/** Operators that count days back from today: a number, whatever the trait's type. */
export const DAYS = new Set(['withinLastDays', 'notWithinLastDays']);

export function traitOf(fields: Fields, name: string): Fields['traits'][number] {
  return fields.traits.find((f) => f.name === name) ?? fields.traits[0]!;
}

export function takesValue(fields: Fields, type: string, operator: string): boolean {
  return fields.operators[type]?.find((o) => o.operator === operator)?.value !== 'none';
}

/** A new condition: at least one order when the trait exists, else the first trait with its first operator. */
export function freshCondition(fields: Fields): DraftCondition {
  if (fields.traits.some((f) => f.name === 'orders'))
    return { kind: 'condition', trait: 'orders', operator: 'greaterThanOrEqual', key: '', value: '1', upTo: '' };
  const first = fields.traits[0]!;
  return { kind: 'condition', trait: first.name, operator: first.operators[0]!, key: '', value: '', upTo: '' };
}

export function freshGroup(fields: Fields, match: 'all' | 'any' = 'all'): DraftGroup {
  return { kind: 'group', match, negated: false, children: [freshCondition(fields)] };
}

/** The typed text as the trait's type has it: the API checks it and names the field if it is wrong. */
function parse(type: string, operator: string, text: string): unknown {
  const one = (s: string): unknown => {
    const v = s.trim();
    if (type === 'boolean') return v === 'true';
    if (type === 'number' || type === 'map' || DAYS.has(operator)) return v === '' ? v : Number(v);
    return v;
  };
  return LISTS.has(operator) ? text.split(',').map(one) : one(text);
}

function conditionRule(fields: Fields, d: DraftCondition): Condition {
  const field = traitOf(fields, d.trait);
  const c: Condition = { trait: d.trait, operator: d.operator };
  if (field.type === 'map') c.key = d.key.trim();
  if (takesValue(fields, field.type, d.operator))
    c.value =
      d.operator === 'between' ? [parse(field.type, d.operator, d.value), parse(field.type, d.operator, d.upTo)] : parse(field.type, d.operator, d.value);
  return c;
}

/** The draft as the API's rule tree: a group is `{ all | any: [...] }`, a negated one `{ not: { all | any: [...] } }`. */
export function toRule(fields: Fields, node: DraftNode): Rule {
  if (node.kind === 'condition') return conditionRule(fields, node);
  const children = node.children.map((c) => toRule(fields, c));
  const group: Rule = node.match === 'all' ? { all: children } : { any: children };
  return node.negated ? { not: group } : group;
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.map(String).join(', ') : String(v));

/**
 * A rule tree back into a draft the builder can edit. `not` of a group is that group negated; `not`
 * of anything else is a negated `all` group holding it. The root is always a group.
 */
export function fromRule(rule: Rule): DraftGroup {
  const node = draftOf(rule);
  return node.kind === 'group' ? node : { kind: 'group', match: 'all', negated: false, children: [node] };
}

function draftOf(rule: Rule): DraftNode {
  if ('all' in rule) return { kind: 'group', match: 'all', negated: false, children: rule.all.map(draftOf) };
  if ('any' in rule) return { kind: 'group', match: 'any', negated: false, children: rule.any.map(draftOf) };
  if ('not' in rule) {
    const inner = draftOf(rule.not);
    return inner.kind === 'group' && !inner.negated ? { ...inner, negated: true } : { kind: 'group', match: 'all', negated: true, children: [inner] };
  }
  const between = rule.operator === 'between' && Array.isArray(rule.value);
  return {
    kind: 'condition',
    trait: rule.trait,
    operator: rule.operator,
    key: rule.key ?? '',
    value: between ? text((rule.value as unknown[])[0]) : text(rule.value),
    upTo: between ? text((rule.value as unknown[])[1]) : '',
  };
}

/** Every condition has what its operator needs and every group a child: a tree still being typed is not sent. */
export function complete(fields: Fields, node: DraftNode): boolean {
  if (node.kind === 'group') return node.children.length > 0 && node.children.every((c) => complete(fields, c));
  const field = traitOf(fields, node.trait);
  if (field.type === 'map' && node.key.trim() === '') return false;
  return !takesValue(fields, field.type, node.operator) || (node.value.trim() !== '' && (node.operator !== 'between' || node.upTo.trim() !== ''));
}

/** A node's place: the indexes of the children leading to it from the root (the root is `[]`). */
export type Path = number[];

/** The tree with the node at `path` replaced by what `change` gives, or removed when it gives undefined. */
export function update(root: DraftGroup, path: Path, change: (node: DraftNode) => DraftNode | undefined): DraftGroup {
  if (path.length === 0) {
    const next = change(root);
    return next?.kind === 'group' ? next : root;
  }
  const [i, ...rest] = path as [number, ...number[]];
  const children = root.children.flatMap((child, j): DraftNode[] => {
    if (j !== i) return [child];
    if (rest.length === 0) {
      const next = change(child);
      return next ? [next] : [];
    }
    return child.kind === 'group' ? [update(child, rest, change)] : [child];
  });
  return { ...root, children };
}

/** The group at `path` with `node` added last. */
export function append(root: DraftGroup, path: Path, node: DraftNode): DraftGroup {
  return update(root, path, (group) => (group.kind === 'group' ? { ...group, children: [...group.children, node] } : group));
}
