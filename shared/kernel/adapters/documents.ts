import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Container, ItemDefinition, JSONObject, PartitionKey, PatchOperation, SqlParameter } from '@azure/cosmos';
import { DomainError } from '../errors';
import type { PlatformTelemetry, StoreOperationKind } from '../telemetry';

/** How long one store call may take; past it the request answers 503 with Retry-After instead of waiting. */
export const STORE_DEADLINE_MS = 5_000;
/** Cosmos DB's limit of operations in one bulk request, and how many such requests `createMany` sends at once. */
const BULK_OPERATIONS = 100;
const BULK_REQUESTS_AT_ONCE = 4;

export interface DocumentsOptions {
  /** Seals continuation tokens (HMAC-SHA256, see `query`); every instance must use the same key. */
  tokenKey: string | Buffer;
  /** Deadline of each store call, in ms (default `STORE_DEADLINE_MS`). */
  deadlineMs?: number;
}

/** Where `CosmosMetrics` also reports, when telemetry is on: the same counts as OpenTelemetry metrics. */
export type StoreTelemetry = Pick<PlatformTelemetry, 'storeOperation' | 'storeCharge' | 'throttled'>;

/** Counts what the code asks of Cosmos DB, so benchmarks and notes can say what an operation costs. */
export class CosmosMetrics {
  reads = 0;
  writes = 0;
  queries = 0;
  requestCharge = 0;
  /** The same counts per container: where the operations go. */
  byContainer: Record<string, { reads: number; writes: number; queries: number }> = {};
  /** Set by the composition root when telemetry is on; unset, counting is these fields alone. */
  telemetry?: StoreTelemetry;
  count(container: string, kind: StoreOperationKind): void {
    this[kind] += 1;
    const entry = (this.byContainer[container] ??= { reads: 0, writes: 0, queries: 0 });
    entry[kind] += 1;
    this.telemetry?.storeOperation(container, kind);
  }
  charged(container: string, kind: StoreOperationKind, requestUnits: number): void {
    this.requestCharge += requestUnits;
    this.telemetry?.storeCharge(container, kind, requestUnits);
  }
  throttled(container: string): void {
    this.telemetry?.throttled('cosmosdb', container);
  }
  reset(): void {
    this.reads = this.writes = this.queries = this.requestCharge = 0;
    this.byContainer = {};
  }
}

type Stored<T> = T & { id: string; _etag?: string };
const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts'] as const;

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** The SDK's own check of an id, before anything is sent: a value the request named, never an outage. */
const REFUSED_ID = /^(Illegal characters|Resource ID must be)/;

/**
 * What the request caused is the caller's to fix (400: a value the store refuses, 413: a document
 * too large); outages, throttling and the deadline become a domain outcome the edge answers with
 * 503 and Retry-After. The SDK message stays in the log.
 */
function translate(error: unknown, operation: string): Error {
  const status = statusOf(error);
  if (status === 400 || (status === undefined && error instanceof Error && REFUSED_ID.test(error.message))) {
    return new DomainError('validation-failed', 'The data store refused a value this request names', {
      issues: [{ field: '(request)', message: 'names an id or value the data store cannot hold' }],
    });
  }
  if (status === 413) return new DomainError('payload-too-large', 'The document this request would write is larger than the data store accepts');
  if ((error as { name?: unknown }).name === 'AbortError') {
    return new DomainError('dependency-unavailable', 'The data store did not answer in time; retry shortly', { reason: operation });
  }
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return new DomainError('dependency-unavailable', 'The data store is unavailable; retry shortly', { reason: operation });
  }
  return new Error(`Cosmos DB ${operation} failed with ${status}`, { cause: error });
}

const MAC_BYTES = 16;
const invalidToken = () =>
  new DomainError('validation-failed', 'The continuation token is not valid', { issues: [{ field: 'continuationToken', message: 'is not valid' }] });

export function strip<T>(resource: ItemDefinition): T {
  const copy: Record<string, unknown> = { ...resource };
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy as T;
}

/**
 * The few document operations every repository needs, with Cosmos DB's codes turned into
 * outcomes: 409 on create = already there, 404 on read = absent, 412 on replace = lost the race.
 */
export class Documents {
  constructor(
    readonly container: Container,
    private readonly metrics: CosmosMetrics,
    private readonly options: DocumentsOptions,
  ) {}

  /** Every store call carries it: the SDK gives up at the deadline (and stops its own retries). */
  private deadline(): AbortSignal {
    return AbortSignal.timeout(this.options.deadlineMs ?? STORE_DEADLINE_MS);
  }

  private charge(response: { requestCharge?: number }, kind: StoreOperationKind): void {
    if (Number.isFinite(response.requestCharge)) this.metrics.charged(this.container.id, kind, response.requestCharge!);
  }

  /** An error the caller cannot handle as an outcome, counted when Cosmos DB throttled (429 after the SDK's own retries). */
  private failed(error: unknown, operation: string): Error {
    if (statusOf(error) === 429) this.metrics.throttled(this.container.id);
    return translate(error, operation);
  }

  async create<T extends object>(doc: Stored<T>): Promise<'created' | 'exists'> {
    this.metrics.count(this.container.id, 'writes');
    try {
      const response = await this.container.items.create(doc, { abortSignal: this.deadline() });
      this.charge(response, 'writes');
      return 'created';
    } catch (error) {
      if (statusOf(error) === 409) return 'exists';
      throw this.failed(error, 'create');
    }
  }

  /**
   * Creates many documents with Cosmos DB's bulk API, a request per 100 documents, a few requests at
   * once: for loading large snapshots. Each create stands alone; outcomes in order, `exists` when
   * the id was taken. (`items.bulk`, not `executeBulkOperations`: the latter waits for a timer of
   * about a second before each flush, which a batch of 1,000 items from an API call would feel.)
   */
  async createMany<T extends object>(docs: Array<Stored<T>>, partitionKeyOf: (doc: Stored<T>) => PartitionKey): Promise<Array<'created' | 'exists'>> {
    const outcomes: Array<'created' | 'exists'> = new Array<'created' | 'exists'>(docs.length);
    const chunks: number[] = [];
    for (let start = 0; start < docs.length; start += BULK_OPERATIONS) chunks.push(start);
    const send = async (start: number) => {
      const chunk = docs.slice(start, start + BULK_OPERATIONS);
      for (let i = 0; i < chunk.length; i += 1) this.metrics.count(this.container.id, 'writes');
      let results: Array<{ statusCode: number; requestCharge?: number }>;
      try {
        results = await this.container.items.bulk(
          chunk.map((doc) => ({ operationType: 'Create' as const, resourceBody: doc as unknown as JSONObject, partitionKey: partitionKeyOf(doc) })),
          { continueOnError: true },
          { abortSignal: this.deadline() },
        );
      } catch {
        // The request as a whole failed (a deadline, an outage): each document on its own, with the SDK's retries.
        results = chunk.map(() => ({ statusCode: 0 }));
      }
      for (let i = 0; i < chunk.length; i += 1) {
        const { statusCode } = results[i]!;
        this.charge(results[i]!, 'writes');
        if (statusCode >= 200 && statusCode < 300) outcomes[start + i] = 'created';
        else if (statusCode === 409) outcomes[start + i] = 'exists';
        // Throttled or not done (429, 408, 5xx): once more alone, which retries as every single write does.
        else outcomes[start + i] = await this.create(chunk[i]!);
      }
    };
    for (let i = 0; i < chunks.length; i += BULK_REQUESTS_AT_ONCE) await Promise.all(chunks.slice(i, i + BULK_REQUESTS_AT_ONCE).map(send));
    return outcomes;
  }

  async read<T>(id: string, partitionKey: PartitionKey): Promise<(T & { _etag: string }) | undefined> {
    this.metrics.count(this.container.id, 'reads');
    try {
      const response = await this.container.item(id, partitionKey).read({ abortSignal: this.deadline() });
      this.charge(response, 'reads');
      return response.resource ? (response.resource as T & { _etag: string }) : undefined;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.failed(error, 'read');
    }
  }

  async upsert<T extends object>(doc: Stored<T>): Promise<void> {
    this.metrics.count(this.container.id, 'writes');
    try {
      const response = await this.container.items.upsert(doc, { abortSignal: this.deadline() });
      this.charge(response, 'writes');
    } catch (error) {
      throw this.failed(error, 'upsert');
    }
  }

  /** Every page of a query (for bounded result sets such as one customer's partition). */
  async queryAll<T>(query: string, parameters: SqlParameter[]): Promise<T[]> {
    const items: T[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.query<T>(query, parameters, { maxItemCount: 500, continuationToken });
      items.push(...page.items);
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
    return items;
  }

  /** Replaces only if the document is unchanged since it was read; false when someone else changed it. */
  async replace<T extends object>(doc: Stored<T>, partitionKey: PartitionKey, etag: string): Promise<boolean> {
    this.metrics.count(this.container.id, 'writes');
    try {
      const response = await this.container
        .item(doc.id, partitionKey)
        .replace(doc, { accessCondition: { type: 'IfMatch', condition: etag }, abortSignal: this.deadline() });
      this.charge(response, 'writes');
      return true;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return false;
      throw this.failed(error, 'replace');
    }
  }

  /** Read, change, replace with the etag; on a lost race, read again. `mutate` returns undefined for "no change". */
  async update<T extends object>(id: string, partitionKey: PartitionKey, mutate: (current: T) => T | undefined, attempts = 20): Promise<T | undefined> {
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      const current = await this.read<Stored<T>>(id, partitionKey);
      if (!current) return undefined;
      const etag = current._etag;
      const next = mutate(strip<T>(current));
      if (next === undefined) return strip<T>(current);
      if (await this.replace({ ...next, id } as Stored<T>, partitionKey, etag)) return next;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new DomainError('conflict', 'The resource is changing too often; retry shortly');
  }

  /** Sets several fields in one operation. */
  async patchAll(id: string, partitionKey: PartitionKey, values: Record<string, unknown>): Promise<void> {
    this.metrics.count(this.container.id, 'writes');
    try {
      const response = await this.container.item(id, partitionKey).patch(
        Object.entries(values).map(([path, value]) => ({ op: 'set' as const, path, value })),
        { abortSignal: this.deadline() },
      );
      this.charge(response, 'writes');
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failed(error, 'patch');
    }
  }

  /**
   * Applies patch operations in one atomic step if `condition` (a Cosmos DB filter predicate,
   * `from c where ...`) holds: the basis of counters that never pass their limit under concurrency.
   * Note: the local stand-in lower-cases the predicate, so fields it names must be lower-case.
   */
  async patchIf<T>(
    id: string,
    partitionKey: PartitionKey,
    condition: string | undefined,
    operations: PatchOperation[],
  ): Promise<{ outcome: 'applied'; doc: T } | { outcome: 'condition-failed' | 'missing' }> {
    this.metrics.count(this.container.id, 'writes');
    try {
      const response = await this.container.item(id, partitionKey).patch(condition ? { condition, operations } : operations, { abortSignal: this.deadline() });
      this.charge(response, 'writes');
      return { outcome: 'applied', doc: strip<T>(response.resource!) };
    } catch (error) {
      if (statusOf(error) === 412) return { outcome: 'condition-failed' };
      if (statusOf(error) === 404) return { outcome: 'missing' };
      throw this.failed(error, 'patch');
    }
  }

  /** Deletes only if unchanged since read; false when it changed (or is gone). */
  async deleteIfMatch(id: string, partitionKey: PartitionKey, etag: string): Promise<boolean> {
    this.metrics.count(this.container.id, 'writes');
    try {
      await this.container.item(id, partitionKey).delete({ accessCondition: { type: 'IfMatch', condition: etag }, abortSignal: this.deadline() });
      return true;
    } catch (error) {
      if (statusOf(error) === 412) return false;
      if (statusOf(error) === 404) return true;
      throw this.failed(error, 'delete');
    }
  }

  async delete(id: string, partitionKey: PartitionKey): Promise<void> {
    this.metrics.count(this.container.id, 'writes');
    try {
      await this.container.item(id, partitionKey).delete({ abortSignal: this.deadline() });
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw this.failed(error, 'delete');
    }
  }

  /**
   * One page. Continuation tokens are sealed here, for every query: the caller gets
   * base64url(HMAC-SHA256 over the container, the query and its parameters, and Cosmos DB's token,
   * then the token), and a token that was altered, or issued for another query (another customer,
   * another tenant), is refused with 400 before Cosmos DB sees it.
   */
  async query<T>(
    query: string,
    parameters: SqlParameter[],
    options: { maxItemCount?: number; continuationToken?: string } = {},
  ): Promise<{ items: T[]; continuationToken: string | null }> {
    this.metrics.count(this.container.id, 'queries');
    const context = `${this.container.id}\n${query}\n${JSON.stringify(parameters)}`;
    const continuationToken = options.continuationToken === undefined ? undefined : this.openToken(options.continuationToken, context);
    try {
      const response = await this.container.items
        .query<ItemDefinition>({ query, parameters }, { maxItemCount: options.maxItemCount, continuationToken, abortSignal: this.deadline() })
        .fetchNext();
      this.charge(response, 'queries');
      return {
        items: response.resources.map((r) => strip<T>(r)),
        continuationToken: response.continuationToken ? this.sealToken(response.continuationToken, context) : null,
      };
    } catch (error) {
      if (statusOf(error) === 400 && options.continuationToken) throw invalidToken();
      throw this.failed(error, 'query');
    }
  }

  private tokenMac(raw: Buffer, context: string): Buffer {
    return createHmac('sha256', this.options.tokenKey).update(context).update('\0').update(raw).digest().subarray(0, MAC_BYTES);
  }

  private sealToken(raw: string, context: string): string {
    const bytes = Buffer.from(raw, 'utf8');
    return Buffer.concat([this.tokenMac(bytes, context), bytes]).toString('base64url');
  }

  private openToken(token: string, context: string): string {
    const sealed = Buffer.from(token, 'base64url');
    if (sealed.length <= MAC_BYTES || sealed.toString('base64url') !== token) throw invalidToken();
    const raw = sealed.subarray(MAC_BYTES);
    if (!timingSafeEqual(sealed.subarray(0, MAC_BYTES), this.tokenMac(raw, context))) throw invalidToken();
    return raw.toString('utf8');
  }
}
