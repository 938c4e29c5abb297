/**
 * Just enough of Azure Resource Manager's template language to read what a compiled Bicep template
 * deploys: parameters, variables, resource and property copy loops, conditions, and nested deployments
 * (Bicep modules) whose parameters are expressions of the parent template. Values ARM only knows while
 * deploying (reference(), resourceId(), guid(), uniqueString(), resourceGroup(), ...) stay `Unknown`,
 * keeping the call that made them, so a test can still say what they are made of.
 */

export type Value = string | number | boolean | null | Unknown | Value[] | { [key: string]: Value };

/** A value known only at deployment: the function call (or property access) that produces it. */
export class Unknown {
  constructor(
    readonly fn: string,
    readonly args: readonly Value[],
    readonly text: string,
  ) {}
}

export interface DeployedResource {
  /** Module symbolic names from the top template down, then the resource's own (`name[i]` in a loop). */
  path: string[];
  type: string;
  apiVersion?: string;
  name: Value;
  scope?: Value;
  /** The resource's condition; resources whose condition is false are left out. */
  condition: boolean | Unknown;
  /** The whole resource object, evaluated (for a nested deployment, without its inner template). */
  body: { [key: string]: Value };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Template = { [key: string]: Json };

/** Text of a value, with unknown parts written as the expression that makes them. */
export function render(value: Value): string {
  if (value instanceof Unknown) return value.text;
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${render(v)}`)
      .join(', ')}}`;
  return String(value);
}

const isUnknown = (value: Value): value is Unknown => value instanceof Unknown;
const containsUnknown = (value: Value): boolean =>
  isUnknown(value) ||
  (Array.isArray(value) ? value.some(containsUnknown) : value !== null && typeof value === 'object' ? Object.values(value).some(containsUnknown) : false);
const isObject = (value: Value): value is { [key: string]: Value } => value !== null && typeof value === 'object' && !Array.isArray(value) && !isUnknown(value);

// ---- expressions --------------------------------------------------------------------------------

type Node =
  | { kind: 'literal'; value: string | number }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'property'; target: Node; name: string }
  | { kind: 'index'; target: Node; index: Node };

function parse(source: string): Node {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`ARM expression: ${why} at ${at} in [${source}]`);
  };
  const space = () => {
    while (/\s/.test(source[at] ?? '')) at += 1;
  };
  const expect = (char: string) => {
    space();
    if (source[at] !== char) fail(`expected '${char}'`);
    at += 1;
  };
  const identifier = () => {
    space();
    const match = /^[A-Za-z_$][\w$]*/.exec(source.slice(at)) ?? fail('expected a name');
    at += match[0].length;
    return match[0];
  };
  const primary = (): Node => {
    space();
    const char = source[at];
    if (char === "'") {
      let text = '';
      at += 1;
      for (;;) {
        if (at >= source.length) fail('unterminated string');
        if (source[at] === "'") {
          if (source[at + 1] === "'") {
            text += "'";
            at += 2;
            continue;
          }
          at += 1;
          return { kind: 'literal', value: text };
        }
        text += source[at];
        at += 1;
      }
    }
    const number = /^-?\d+/.exec(source.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'literal', value: Number(number[0]) };
    }
    const fn = identifier();
    expect('(');
    const args: Node[] = [];
    space();
    if (source[at] === ')') at += 1;
    else {
      for (;;) {
        args.push(expression());
        space();
        if (source[at] === ',') at += 1;
        else if (source[at] === ')') {
          at += 1;
          break;
        } else fail("expected ',' or ')'");
      }
    }
    return { kind: 'call', fn, args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      space();
      if (source[at] === '.') {
        at += 1;
        node = { kind: 'property', target: node, name: identifier() };
      } else if (source[at] === '[') {
        at += 1;
        const index = expression();
        expect(']');
        node = { kind: 'index', target: node, index };
      } else return node;
    }
  };
  const node = expression();
  space();
  if (at !== source.length) fail('unexpected text');
  return node;
}

// ---- evaluation ---------------------------------------------------------------------------------

interface Scope {
  parameter(name: string): Value;
  variable(name: string): Value;
  copyIndex: Map<string, number>;
}

const PURE: Record<string, (...args: Value[]) => Value> = {
  createObject: (...args) => {
    const out: { [key: string]: Value } = {};
    for (let i = 0; i < args.length; i += 2) out[String(args[i])] = args[i + 1] ?? null;
    return out;
  },
  createArray: (...args) => args,
  true: () => true,
  false: () => false,
  null: () => null,
  length: (v) => (typeof v === 'string' || Array.isArray(v) ? v.length : Object.keys(v as object).length),
  empty: (v) => v === null || v === '' || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' ? Object.keys(v).length === 0 : false),
  equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  not: (a) => !a,
  greater: (a, b) => (a as number) > (b as number),
  greaterOrEquals: (a, b) => (a as number) >= (b as number),
  less: (a, b) => (a as number) < (b as number),
  lessOrEquals: (a, b) => (a as number) <= (b as number),
  toLower: (s) => (s as string).toLowerCase(),
  toUpper: (s) => (s as string).toUpperCase(),
  string: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  int: (v) => Number.parseInt(String(v), 10),
  json: (s) => JSON.parse(s as string) as Value,
  contains: (c, v) =>
    typeof c === 'string'
      ? c.includes(v as string)
      : Array.isArray(c)
        ? c.some((x) => JSON.stringify(x) === JSON.stringify(v))
        : Object.prototype.hasOwnProperty.call(c, v as string),
  first: (v) => (typeof v === 'string' ? v.slice(0, 1) : ((v as Value[])[0] ?? null)),
  last: (v) => (typeof v === 'string' ? v.slice(-1) : ((v as Value[])[(v as Value[]).length - 1] ?? null)),
  take: (v, n) => (v as string | Value[]).slice(0, n as number),
  skip: (v, n) => (v as string | Value[]).slice(n as number),
  split: (s, d) => (s as string).split(d as string),
  replace: (s, a, b) => (s as string).split(a as string).join(b as string),
  concat: (...args) => (args.every(Array.isArray) ? (args as Value[][]).flat() : args.map((a) => String(a)).join('')),
  format: (f, ...args) => (f as string).replace(/\{(\d+)(?::[^}]*)?\}/g, (_, i: string) => String(args[Number(i)])),
  items: (o) =>
    Object.keys(o as object)
      .sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
      .map((key) => ({ key, value: (o as { [key: string]: Value })[key]! })),
  union: (...args) => {
    if (args.every(Array.isArray)) return [...new Map((args as Value[][]).flat().map((v) => [JSON.stringify(v), v])).values()];
    const merge = (a: { [key: string]: Value }, b: { [key: string]: Value }): { [key: string]: Value } => {
      const out = { ...a };
      for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k] ?? null) && isObject(v) ? merge(out[k] as { [key: string]: Value }, v) : v;
      return out;
    };
    return (args as { [key: string]: Value }[]).reduce(merge, {});
  },
  coalesce: (...args) => args.find((a) => a !== null) ?? null,
};

function evaluateNode(node: Node, scope: Scope): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property': {
      const target = evaluateNode(node.target, scope);
      if (isUnknown(target)) return new Unknown(target.fn, target.args, `${target.text}.${node.name}`);
      if (!isObject(target) || !(node.name in target)) throw new Error(`no property '${node.name}' in ${render(target)}`);
      return target[node.name]!;
    }
    case 'index': {
      const target = evaluateNode(node.target, scope);
      const index = evaluateNode(node.index, scope);
      if (isUnknown(target) || isUnknown(index)) return new Unknown('index', [target, index], `${render(target)}[${render(index)}]`);
      const value = Array.isArray(target) ? target[index as number] : isObject(target) ? target[String(index)] : undefined;
      if (value === undefined) throw new Error(`no element ${render(index)} in ${render(target)}`);
      return value;
    }
    case 'call':
      break;
  }
  const { fn, args } = node;
  const lazy = (i: number) => evaluateNode(args[i]!, scope);
  switch (fn) {
    case 'parameters':
      return scope.parameter(lazy(0) as string);
    case 'variables':
      return scope.variable(lazy(0) as string);
    case 'copyIndex': {
      const first = args.length ? lazy(0) : undefined;
      const name = typeof first === 'string' ? first : '';
      const offset = typeof first === 'number' ? first : args.length > 1 ? (lazy(1) as number) : 0;
      const index = scope.copyIndex.get(name);
      if (index === undefined) throw new Error(`copyIndex(${name}) outside its loop`);
      return index + offset;
    }
    case 'if': {
      const condition = lazy(0);
      if (isUnknown(condition)) return new Unknown('if', [condition, lazy(1), lazy(2)], `if(${render(condition)}, ...)`);
      return condition ? lazy(1) : lazy(2);
    }
    case 'and':
    case 'or': {
      const values: Value[] = [];
      for (let i = 0; i < args.length; i += 1) {
        const v = lazy(i);
        if (!isUnknown(v) && (fn === 'and' ? !v : v)) return fn === 'or';
        values.push(v);
      }
      return values.some(isUnknown) ? new Unknown(fn, values, `${fn}(${values.map(render).join(', ')})`) : fn === 'and';
    }
  }
  const values = args.map((_, i) => lazy(i));
  const pure = PURE[fn];
  // Objects and arrays may hold unknown values; a comparison needs all of both sides; the rest, their arguments.
  const blocked =
    fn === 'createObject' || fn === 'createArray' ? false : fn === 'equals' || fn === 'contains' ? values.some(containsUnknown) : values.some(isUnknown);
  if (pure && !blocked) return pure(...values);
  if (fn === 'format' && !isUnknown(values[0]!)) {
    // Keep the literal parts readable: format('https://{0}/api', reference(...)) -> https://⟨reference(...)⟩/api
    const text = (values[0] as string).replace(/\{(\d+)(?::[^}]*)?\}/g, (_, i: string) => {
      const v = values[Number(i) + 1]!;
      return isUnknown(v) ? `⟨${v.text}⟩` : String(v);
    });
    return new Unknown(fn, values, text);
  }
  return new Unknown(fn, values, `${fn}(${values.map(render).join(', ')})`);
}

/** Evaluates a template value: strings in [brackets] are expressions, `copy` arrays make property loops. */
function evaluateValue(json: Json, scope: Scope): Value {
  if (typeof json === 'string') {
    if (json.startsWith('[[')) return json.slice(1);
    if (json.startsWith('[') && json.endsWith(']')) return evaluateNode(parse(json.slice(1, -1)), scope);
    return json;
  }
  if (Array.isArray(json)) return json.map((item) => evaluateValue(item, scope));
  if (json === null || typeof json !== 'object') return json;
  const out: { [key: string]: Value } = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'copy' && Array.isArray(value)) {
      for (const loop of value as { name: string; count: Json; input: Json }[]) out[loop.name] = expandCopy(loop, scope);
      continue;
    }
    const k = evaluateValue(key, scope);
    out[isUnknown(k) ? k.text : String(k)] = evaluateValue(value, scope);
  }
  return out;
}

function expandCopy(loop: { name: string; count: Json; input: Json }, scope: Scope): Value {
  const count = evaluateValue(loop.count, scope);
  if (typeof count !== 'number') return new Unknown('copy', [count], `copy(${loop.name}, ${render(count)})`);
  return Array.from({ length: count }, (_, i) => evaluateValue(loop.input, withCopyIndex(scope, loop.name, i)));
}

/** A loop's index by its name; a resource loop's is also copyIndex() without a name. */
function withCopyIndex(scope: Scope, name: string, index: number, resourceLoop = false): Scope {
  const copyIndex = new Map(scope.copyIndex);
  copyIndex.set(name, index);
  if (resourceLoop) copyIndex.set('', index);
  return { ...scope, copyIndex };
}

function templateScope(template: Template, parameters: { [name: string]: Value }): Scope {
  const declared = (template.parameters ?? {}) as { [name: string]: { defaultValue?: Json } };
  const variables = (template.variables ?? {}) as { [name: string]: Json };
  const cache = new Map<string, Value>();
  const scope: Scope = {
    copyIndex: new Map(),
    parameter(name) {
      if (name in parameters) return parameters[name]!;
      const p = declared[name];
      if (!p) throw new Error(`no parameter '${name}'`);
      if (p.defaultValue === undefined) throw new Error(`parameter '${name}' has no value and no default`);
      return evaluateValue(p.defaultValue, scope);
    },
    variable(name) {
      if (!cache.has(name)) {
        const loops = (variables.copy ?? []) as { name: string; count: Json; input: Json }[];
        const loop = Array.isArray(loops) ? loops.find((l) => l.name === name) : undefined;
        if (loop) cache.set(name, expandCopy(loop, scope));
        else if (name in variables) cache.set(name, evaluateValue(variables[name]!, scope));
        else throw new Error(`no variable '${name}'`);
      }
      return cache.get(name)!;
    },
  };
  return scope;
}

/**
 * Everything a template deploys with the given parameter values (the rest take their defaults), nested
 * deployments expanded into the resources of their inner templates.
 */
export function deployedResources(template: Template, parameters: { [name: string]: Value } = {}, path: string[] = []): DeployedResource[] {
  const scope = templateScope(template, parameters);
  const raw = template.resources ?? [];
  const entries: [string, { [key: string]: Json }][] = Array.isArray(raw)
    ? raw.map((r, i) => [String((r as { name?: Json }).name ?? i), r as { [key: string]: Json }])
    : Object.entries(raw as { [key: string]: { [key: string]: Json } });
  const out: DeployedResource[] = [];
  for (const [symbol, resource] of entries) {
    if (resource.existing === true) continue;
    const loop = resource.copy as { name: string; count: Json } | undefined;
    const instances: [string, Scope][] = [];
    if (loop) {
      const count = evaluateValue(loop.count, scope);
      if (typeof count !== 'number') throw new Error(`${symbol}: copy count ${render(count)} is not known before deploying`);
      for (let i = 0; i < count; i += 1) instances.push([`${symbol}[${i}]`, withCopyIndex(scope, loop.name, i, true)]);
    } else instances.push([symbol, scope]);
    for (const [name, s] of instances) {
      const condition = resource.condition === undefined ? true : evaluateValue(resource.condition, s);
      if (condition === false) continue;
      const { copy: _copy, dependsOn: _dependsOn, condition: _condition, properties, ...rest } = resource;
      const nested =
        resource.type === 'Microsoft.Resources/deployments' && properties && typeof properties === 'object' && !Array.isArray(properties)
          ? (properties as { [key: string]: Json })
          : undefined;
      const body = evaluateValue(rest, s) as { [key: string]: Value };
      const deployed = (): DeployedResource => ({
        path: [...path, name],
        type: String(body.type),
        apiVersion: body.apiVersion as string | undefined,
        name: body.name ?? null,
        scope: body.scope,
        condition: condition as boolean | Unknown,
        body,
      });
      if (nested) {
        const { template: inner, parameters: given, ...others } = nested;
        const values: { [name: string]: Value } = {};
        for (const [p, v] of Object.entries((given ?? {}) as { [key: string]: { value?: Json } })) {
          if (v.value !== undefined) values[p] = evaluateValue(v.value, s);
        }
        body.properties = { ...(evaluateValue(others, s) as { [key: string]: Value }), parameters: values };
        out.push(deployed());
        if (inner) out.push(...deployedResources(inner as Template, values, [...path, name]));
        continue;
      }
      if (properties !== undefined) body.properties = evaluateValue(properties, s);
      out.push(deployed());
    }
  }
  return out;
}

/** A template's variable, evaluated with the given parameter values. */
export function variable(template: Template, name: string, parameters: { [name: string]: Value } = {}): Value {
  return templateScope(template, parameters).variable(name);
}
