import { z, type ZodType } from 'zod';

/** CloudEvents 1.0 (structured JSON), so Event Grid or any other consumer takes them as they are. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute: lets a consumer scope work to the tenant before reading `data`. */
  tenantid: string;
  data: T;
  /**
   * Routing attributes (CloudEvents extensions): the publisher sends them as message application
   * properties beside `type`, so a subscription's filter can skip events its consumer has no work in.
   */
  [extension: string]: unknown;
}

/** What a routing attribute may hold: a subscription filter compares it for equality. */
export type RoutingValue = string | number | boolean;

/** The envelope every message must have before its `data` is read. */
const Envelope = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string(),
  time: z.string(),
  tenantid: z.string().min(1),
  data: z.unknown(),
});

/**
 * One event type: its name, the zod schema of its `data` (the documented, versioned payload) and
 * the routing attributes its publisher computes from that data.
 */
export interface EventContract<Type extends string = string, Data = unknown> {
  type: Type;
  schema: ZodType<Data>;
  routing: (data: Data) => Record<string, RoutingValue>;
}

export function defineEvent<const Type extends string, Data>(
  type: Type,
  schema: ZodType<Data>,
  routing: (data: Data) => Record<string, RoutingValue> = () => ({}),
): EventContract<Type, Data> {
  return { type, schema, routing };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a contract of any payload, for lists and constraints
export type AnyContract = EventContract<string, any>;

/** A parsed event of a contract: its `type` narrowed, its `data` checked. */
export type EventOf<C> = C extends EventContract<infer T, infer D> ? CloudEvent<D> & { type: T } : never;

/** The event, with the routing attributes its contract derives from the data. */
export function createEvent<Type extends string, Data>(
  contract: EventContract<Type, Data>,
  event: Omit<CloudEvent<Data>, 'specversion' | 'type' | 'datacontenttype'>,
): CloudEvent<Data> & { type: Type } {
  const routing = contract.routing(event.data as Data);
  return { specversion: '1.0', type: contract.type, datacontenttype: 'application/json', ...event, ...routing } as CloudEvent<Data> & { type: Type };
}

/**
 * Which events a subscription takes: a contract, and optionally alternatives of routing attribute
 * values (any one matching is enough). The same value is the Service Bus SQL filter in Azure and
 * the in-process bus's filter locally.
 */
export interface EventRoute<C extends AnyContract = AnyContract> {
  contract: C;
  anyOf?: Array<Record<string, RoutingValue>>;
}

export function on<C extends AnyContract>(contract: C, ...anyOf: Array<Record<string, RoutingValue>>): EventRoute<C> {
  return anyOf.length > 0 ? { contract, anyOf } : { contract };
}

/** The application properties a message of this event carries: `type`, `tenantId` and its routing attributes. */
export function messageProperties(event: CloudEvent): Record<string, RoutingValue> {
  const properties: Record<string, RoutingValue> = { type: event.type, tenantId: event.tenantid };
  for (const [name, value] of Object.entries(event)) {
    if (STANDARD_ATTRIBUTES.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') properties[name] = value;
  }
  return properties;
}

const STANDARD_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'tenantid', 'data', 'dataschema']);

/** Whether a message with these properties passes the routes (the in-process bus's filter). */
export function matches(routes: readonly EventRoute[], properties: Record<string, RoutingValue>): boolean {
  return routes.some(
    (route) =>
      route.contract.type === properties.type &&
      (!route.anyOf || route.anyOf.some((alternative) => Object.entries(alternative).every(([name, value]) => properties[name] === value))),
  );
}

/** The Service Bus SQL filter for the routes, on the application properties the publisher sets. */
export function sqlFilter(routes: readonly EventRoute[]): string {
  const literal = (value: RoutingValue) =>
    typeof value === 'string' ? `'${value.replace(/'/g, "''")}'` : typeof value === 'boolean' ? value.toString().toUpperCase() : String(value);
  const clauses = routes.map((route) => {
    const type = `type = ${literal(route.contract.type)}`;
    if (!route.anyOf) return type;
    const alternatives = route.anyOf.map((a) =>
      Object.entries(a)
        .map(([name, value]) => `${name} = ${literal(value)}`)
        .join(' AND '),
    );
    return `(${type} AND (${alternatives.map((a) => (alternatives.length > 1 ? `(${a})` : a)).join(' OR ')}))`;
  });
  return clauses.join(' OR ');
}

export type ParsedEvent = { ok: true; event: CloudEvent } | { ok: false; reason: string };

/** Parses a message as one of the routes' contracts; the reason names what is wrong otherwise. */
export function parseEvent(routes: readonly EventRoute[], message: unknown): ParsedEvent {
  const envelope = Envelope.safeParse(message);
  if (!envelope.success) return { ok: false, reason: `not a CloudEvent: ${describeIssues(envelope.error)}` };
  const route = routes.find((r) => r.contract.type === envelope.data.type);
  if (!route) return { ok: false, reason: `event type ${envelope.data.type} is not one this consumer accepts` };
  const data = route.contract.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `${envelope.data.type} data does not match its schema: ${describeIssues(data.error)}` };
  return { ok: true, event: { ...(envelope.data as CloudEvent), data: data.data } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'} ${i.message}`)
    .join('; ');
}
