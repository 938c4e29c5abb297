/**
 * Segment definitions as data: a rule tree of `all` / `any` / `not` groups and conditions on one
 * trait each, with the operators that fit the trait's type. The same tree is validated (every wrong
 * node named by its path), served as a form description, and evaluated against derived traits.
 */
import { z } from 'zod';
import type { FieldIssue } from '../kernel/errors';
import { daysBetween, type Traits } from './traits';

export type TraitType = 'number' | 'string' | 'date' | 'boolean' | 'set' | 'map';

export const OPERATORS: Record<TraitType, readonly string[]> = {
  number: ['equals', 'notEquals', 'greaterThan', 'greaterThanOrEqual', 'lessThan', 'lessThanOrEqual', 'between', 'in', 'isSet', 'isNotSet'],
  string: ['equals', 'notEquals', 'in', 'notIn', 'startsWith', 'isSet', 'isNotSet'],
  date: ['before', 'after', 'between', 'withinLastDays', 'notWithinLastDays', 'isSet', 'isNotSet'],
  boolean: ['equals'],
  set: ['contains', 'notContains', 'containsAny', 'containsAll', 'isEmpty', 'isNotEmpty'],
  map: ['greaterThan', 'greaterThanOrEqual', 'lessThan', 'lessThanOrEqual', 'equals', 'between'],
};

/** What each operator's `value` must be, per trait type (absent: the operator takes no value). */
const number = z.number().finite();
const isoDate = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const days = z.number().int().min(0).max(3650);
const list = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(200);
const VALUE_SCHEMAS: Record<string, Partial<Record<TraitType, z.ZodType>>> = {
  equals: { number, string: z.string(), boolean: z.boolean(), map: number },
  notEquals: { number, string: z.string() },
  greaterThan: { number, map: number },
  greaterThanOrEqual: { number, map: number },
  lessThan: { number, map: number },
  lessThanOrEqual: { number, map: number },
  between: { number: z.tuple([number, number]), map: z.tuple([number, number]), date: z.tuple([isoDate, isoDate]) },
  in: { number: list(number), string: list(z.string()) },
  notIn: { string: list(z.string()) },
  startsWith: { string: z.string().min(1) },
  before: { date: isoDate },
  after: { date: isoDate },
  withinLastDays: { date: days },
  notWithinLastDays: { date: days },
  contains: { set: z.string() },
  notContains: { set: z.string() },
  containsAny: { set: list(z.string()) },
  containsAll: { set: list(z.string()) },
};

export interface FieldSpec {
  name: keyof Traits;
  type: TraitType;
  description: string;
  /** The values a string or set trait can take, when they are a fixed list. */
  values?: readonly string[];
  /** Map traits: conditions name the entry with `key` (a family, brand or category). */
  keyDescription?: string;
}

const channels = ['store', 'online'] as const;
const consentPurposes = ['marketingEmail', 'marketingSms', 'marketingPush', 'paperlessReceipts'] as const;
const money = 'minor units (cents)';

/** Every trait a condition may name: the list `GET /api/v1/segments/fields` serves. */
export const FIELDS: readonly FieldSpec[] = [
  { name: 'firstPurchaseAt', type: 'date', description: 'First sale, either channel' },
  { name: 'lastPurchaseAt', type: 'date', description: 'Last sale, either channel' },
  { name: 'lastStorePurchaseAt', type: 'date', description: 'Last sale in a store' },
  { name: 'lastOnlinePurchaseAt', type: 'date', description: 'Last sale online' },
  { name: 'daysSinceLastPurchase', type: 'number', description: 'Whole days since the last sale (UTC days); unset before the first' },
  { name: 'orders', type: 'number', description: 'Sales, lifetime' },
  { name: 'totalSpend', type: 'number', description: `Sales minus refunds, lifetime, ${money}` },
  { name: 'orders30d', type: 'number', description: 'Sales in the last 30 days (today and the 29 before, UTC)' },
  { name: 'orders90d', type: 'number', description: 'Sales in the last 90 days' },
  { name: 'orders365d', type: 'number', description: 'Sales in the last 365 days' },
  { name: 'spend30d', type: 'number', description: `Sales minus refunds in the last 30 days, ${money}` },
  { name: 'spend90d', type: 'number', description: `Sales minus refunds in the last 90 days, ${money}` },
  { name: 'spend365d', type: 'number', description: `Sales minus refunds in the last 365 days, ${money}` },
  { name: 'channels30d', type: 'set', values: channels, description: 'Channels with a sale in the last 30 days' },
  { name: 'channels90d', type: 'set', values: channels, description: 'Channels with a sale in the last 90 days' },
  { name: 'channels365d', type: 'set', values: channels, description: 'Channels with a sale in the last 365 days' },
  { name: 'averageTicket', type: 'number', description: `Sales amount / sales, ${money}, rounded` },
  { name: 'averageTicketStore', type: 'number', description: `Average store ticket, ${money}` },
  { name: 'averageTicketOnline', type: 'number', description: `Average online ticket, ${money}` },
  { name: 'storeSpendShare', type: 'number', description: 'Share of the sales amount spent in stores, 0 to 1' },
  { name: 'preferredChannel', type: 'string', values: channels, description: 'The channel with more sales (more spend on a tie)' },
  { name: 'preferredStore', type: 'string', description: 'The store location with most sales (more spend, then id, on a tie)' },
  { name: 'returns', type: 'number', description: 'Returns, lifetime' },
  { name: 'refunded', type: 'number', description: `Refunded by returns, lifetime, ${money}` },
  { name: 'returnRate', type: 'number', description: 'Refunded / sales amount, 0 to 1' },
  { name: 'families', type: 'set', description: "Catalogue families bought (every family on the product's path); the line's category without a catalogue" },
  { name: 'brands', type: 'set', description: 'Brands bought (lines with a catalogue brand)' },
  { name: 'categories', type: 'set', description: "Categories bought (the line's category)" },
  { name: 'spendByFamily', type: 'map', keyDescription: 'family id', description: `Net spend per family, ${money}` },
  { name: 'unitsByFamily', type: 'map', keyDescription: 'family id', description: 'Net units per family' },
  { name: 'spendByBrand', type: 'map', keyDescription: 'brand', description: `Net spend per brand, ${money}` },
  { name: 'unitsByBrand', type: 'map', keyDescription: 'brand', description: 'Net units per brand' },
  { name: 'spendByCategory', type: 'map', keyDescription: 'category', description: `Net spend per category, ${money}` },
  { name: 'unitsByCategory', type: 'map', keyDescription: 'category', description: 'Net units per category' },
  { name: 'loyaltyTier', type: 'string', description: 'Loyalty tier code' },
  { name: 'consents', type: 'set', values: consentPurposes, description: 'Purposes the customer has granted' },
  { name: 'age', type: 'number', description: 'Whole years, from the birth date' },
  { name: 'gender', type: 'string', values: ['female', 'male', 'nonBinary', 'undisclosed'], description: 'As given in the profile' },
  { name: 'postalCode', type: 'string', description: 'Profile postal code' },
  { name: 'country', type: 'string', description: 'Profile country, ISO 3166-1 alpha-2' },
  { name: 'daysUntilBirthday', type: 'number', description: 'Days until the next birthday, 0 on the day; unset without a birth date' },
  { name: 'birthdayThisMonth', type: 'boolean', description: 'The birthday falls in the current month (UTC)' },
  { name: 'rfmRecency', type: 'number', description: 'Recency quintile within the tenant, 5 = most recent (daily)' },
  { name: 'rfmFrequency', type: 'number', description: 'Sales in 365 days, quintile within the tenant, 5 = most (daily)' },
  { name: 'rfmMonetary', type: 'number', description: 'Spend in 365 days, quintile within the tenant, 5 = most (daily)' },
];
const FIELD_BY_NAME = new Map(FIELDS.map((f) => [f.name as string, f]));

export type Condition = { trait: string; operator: string; value?: unknown; key?: string };
export type Rule = { all: Rule[] } | { any: Rule[] } | { not: Rule } | Condition;

const MAX_DEPTH = 6;
const MAX_NODES = 100;

/** Every wrong node of a rule tree, each named by its path (e.g. `definition.all.1.any.0.operator`); empty when valid. */
export function validateRule(rule: unknown, path = 'definition'): FieldIssue[] {
  const issues: FieldIssue[] = [];
  let nodes = 0;
  const visit = (node: unknown, at: string, depth: number): void => {
    nodes += 1;
    if (nodes > MAX_NODES) {
      if (nodes === MAX_NODES + 1) issues.push({ field: at, message: `the tree has more than ${MAX_NODES} nodes` });
      return;
    }
    if (depth > MAX_DEPTH) return void issues.push({ field: at, message: `groups nest deeper than ${MAX_DEPTH} levels` });
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      return void issues.push({ field: at, message: 'must be a group ({ all | any | not }) or a condition ({ trait, operator, value })' });
    }
    const keys = Object.keys(node);
    const group = keys.filter((k) => k === 'all' || k === 'any' || k === 'not');
    if (group.length > 0) {
      if (keys.length !== 1) return void issues.push({ field: at, message: 'a group has exactly one of all, any or not, and nothing else' });
      const kind = group[0]!;
      const children = (node as Record<string, unknown>)[kind];
      if (kind === 'not') return visit(children, `${at}.not`, depth + 1);
      if (!Array.isArray(children) || children.length === 0) return void issues.push({ field: `${at}.${kind}`, message: 'must be a non-empty list of rules' });
      children.forEach((child, i) => visit(child, `${at}.${kind}.${i}`, depth + 1));
      return;
    }
    checkCondition(node as Record<string, unknown>, at, issues);
  };
  visit(rule, path, 0);
  return issues;
}

function checkCondition(node: Record<string, unknown>, at: string, issues: FieldIssue[]): void {
  const extra = Object.keys(node).filter((k) => !['trait', 'operator', 'value', 'key'].includes(k));
  for (const k of extra) issues.push({ field: `${at}.${k}`, message: 'is not part of a condition' });
  const field = typeof node.trait === 'string' ? FIELD_BY_NAME.get(node.trait) : undefined;
  if (!field) return void issues.push({ field: `${at}.trait`, message: `must be one of the traits of GET /api/v1/segments/fields` });
  const operators = OPERATORS[field.type];
  if (typeof node.operator !== 'string' || !operators.includes(node.operator)) {
    return void issues.push({ field: `${at}.operator`, message: `must be one of ${operators.join(', ')} for ${field.type} trait ${field.name}` });
  }
  if (field.type === 'map' && (typeof node.key !== 'string' || node.key.length === 0)) {
    issues.push({ field: `${at}.key`, message: `names the ${field.keyDescription} of ${field.name}` });
  }
  if (field.type !== 'map' && node.key !== undefined) issues.push({ field: `${at}.key`, message: `only map traits take a key` });
  const schema = VALUE_SCHEMAS[node.operator]?.[field.type];
  if (!schema) {
    if (node.value !== undefined) issues.push({ field: `${at}.value`, message: `${node.operator} takes no value` });
    return;
  }
  const parsed = schema.safeParse(node.value);
  if (!parsed.success) return void issues.push({ field: `${at}.value`, message: `${describeValue(node.operator, field.type)} for ${node.operator}` });
  if (node.operator === 'between') {
    const [a, b] = parsed.data as [number | string, number | string];
    const low = typeof a === 'string' ? Date.parse(a) : a;
    const high = typeof b === 'string' ? Date.parse(b as string) : (b as number);
    if (low > high) issues.push({ field: `${at}.value`, message: 'the first bound must not be above the second' });
  }
}

function describeValue(operator: string, type: TraitType): string {
  if (operator === 'between') return type === 'date' ? 'must be [from, to] dates' : 'must be [low, high] numbers';
  if (operator === 'withinLastDays' || operator === 'notWithinLastDays') return 'must be a whole number of days, 0 to 3650';
  if (['in', 'notIn', 'containsAny', 'containsAll'].includes(operator)) return `must be a non-empty list of ${type === 'number' ? 'numbers' : 'strings'}`;
  if (type === 'date') return 'must be an ISO 8601 date';
  return `must be a ${type === 'set' ? 'string' : type === 'map' ? 'number' : type}`;
}

/** Whether traits satisfy a (valid) rule at `now`. An unset trait satisfies only `isNotSet`. */
export function evaluate(rule: Rule, traits: Traits, now: Date): boolean {
  if ('all' in rule) return rule.all.every((r) => evaluate(r, traits, now));
  if ('any' in rule) return rule.any.some((r) => evaluate(r, traits, now));
  if ('not' in rule) return !evaluate(rule.not, traits, now);
  const field = FIELD_BY_NAME.get(rule.trait);
  if (!field) return false;
  const raw = traits[field.name] as unknown;
  const value = rule.value;
  if (rule.operator === 'isSet') return raw !== null && raw !== undefined;
  if (rule.operator === 'isNotSet') return raw === null || raw === undefined;
  if (field.type === 'set') {
    const set = raw as string[];
    switch (rule.operator) {
      case 'contains':
        return set.includes(value as string);
      case 'notContains':
        return !set.includes(value as string);
      case 'containsAny':
        return (value as string[]).some((v) => set.includes(v));
      case 'containsAll':
        return (value as string[]).every((v) => set.includes(v));
      case 'isEmpty':
        return set.length === 0;
      case 'isNotEmpty':
        return set.length > 0;
    }
    return false;
  }
  if (raw === null || raw === undefined) return false;
  if (field.type === 'map') return compare(rule.operator, (raw as Record<string, number>)[rule.key ?? ''] ?? 0, value);
  if (field.type === 'date') {
    const at = Date.parse(raw as string);
    switch (rule.operator) {
      case 'before':
        return at < Date.parse(value as string);
      case 'after':
        return at > Date.parse(value as string);
      case 'between': {
        const [from, to] = value as [string, string];
        return at >= Date.parse(from) && at <= Date.parse(to);
      }
      case 'withinLastDays':
        return daysBetween(raw as string, now) < (value as number);
      case 'notWithinLastDays':
        return daysBetween(raw as string, now) >= (value as number);
    }
    return false;
  }
  if (field.type === 'string') {
    const s = raw as string;
    switch (rule.operator) {
      case 'equals':
        return s === value;
      case 'notEquals':
        return s !== value;
      case 'in':
        return (value as string[]).includes(s);
      case 'notIn':
        return !(value as string[]).includes(s);
      case 'startsWith':
        return s.startsWith(value as string);
    }
    return false;
  }
  if (field.type === 'boolean') return raw === value;
  if (rule.operator === 'in') return (value as number[]).includes(raw as number);
  return compare(rule.operator, raw as number, value);
}

function compare(operator: string, n: number, value: unknown): boolean {
  switch (operator) {
    case 'equals':
      return n === value;
    case 'notEquals':
      return n !== value;
    case 'greaterThan':
      return n > (value as number);
    case 'greaterThanOrEqual':
      return n >= (value as number);
    case 'lessThan':
      return n < (value as number);
    case 'lessThanOrEqual':
      return n <= (value as number);
    case 'between': {
      const [low, high] = value as [number, number];
      return n >= low && n <= high;
    }
  }
  return false;
}
