import { DomainError } from './errors';
import { deterministicId, sha256Hex } from './ids';
import type { Clock, CreateOutcome } from './ports';

/** Keys are kept this long (published in the README); a record older than this no longer replays. */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;
/** A first request that has held its key this long is presumed dead, and a repeat may take over. */
const IN_FLIGHT_TIMEOUT_MS = 60_000;

export interface StoredResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  id: string;
  tenantId: string;
  /** Who used the key: keys are scoped to the tenant and API key, never global. */
  keyId: string;
  requestHash: string;
  state: 'in-flight' | 'completed';
  createdAt: string;
  lockedAt: string;
  response: StoredResponse | null;
  /** Cosmos DB removes the record after this many seconds. */
  ttl: number;
}

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Canonical JSON (sorted keys), so the same payload sent with other spacing or key order matches. */
export function requestFingerprint(method: string, route: string, payload: unknown): string {
  return sha256Hex(`${method} ${route}\n${canonicalJson(payload)}`);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Idempotency-Key semantics (IETF draft, Stripe's practice): the first response is stored and
 * replayed; the same key with another payload is refused (422); a repeat while the first is still
 * running is refused (409). Server errors are not stored, so the client's retry runs again.
 */
export class IdempotentRequests {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly clock: Clock,
  ) {}

  async run(
    scope: { tenantId: string; keyId: string },
    idempotencyKey: string,
    requestHash: string,
    execute: () => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    const id = deterministicId('idem', scope.tenantId, scope.keyId, idempotencyKey);
    const now = this.clock.now();
    const fresh: IdempotencyRecord = {
      id,
      tenantId: scope.tenantId,
      keyId: scope.keyId,
      requestHash,
      state: 'in-flight',
      createdAt: now.toISOString(),
      lockedAt: now.toISOString(),
      response: null,
      ttl: IDEMPOTENCY_RETENTION_SECONDS,
    };

    if ((await this.store.create(fresh)) === 'exists') {
      const existing = await this.store.get(scope.tenantId, id);
      const replay = existing && this.decide(existing, fresh, now);
      if (replay) return { ...replay, replayed: true };
      // Expired, vanished or abandoned: take the key over, unless another repeat just did.
      const took = existing ? await this.store.replace(fresh, existing.etag) : (await this.store.create(fresh)) === 'created';
      if (!took) throw inFlight();
    }

    let response: StoredResponse;
    try {
      response = await execute();
    } catch (error) {
      await this.store.delete(scope.tenantId, id).catch(() => undefined);
      throw error;
    }
    if (response.status >= 500) {
      await this.store.delete(scope.tenantId, id).catch(() => undefined);
      return { ...response, replayed: false };
    }
    const stored = await this.store.get(scope.tenantId, id);
    if (stored) await this.store.replace({ ...fresh, state: 'completed', response }, stored.etag);
    return { ...response, replayed: false };
  }

  /** The stored answer to replay, an error, or undefined when the existing record may be taken over. */
  private decide(existing: IdempotencyRecord, fresh: IdempotencyRecord, now: Date): StoredResponse | undefined {
    const age = now.getTime() - Date.parse(existing.createdAt);
    if (age > IDEMPOTENCY_RETENTION_SECONDS * 1000) return undefined;
    if (existing.requestHash !== fresh.requestHash) {
      throw new DomainError('idempotency-key-reused', 'This Idempotency-Key was used with a different request');
    }
    if (existing.state === 'completed' && existing.response) return existing.response;
    if (now.getTime() - Date.parse(existing.lockedAt) > IN_FLIGHT_TIMEOUT_MS) return undefined;
    throw inFlight();
  }
}

function inFlight(): DomainError {
  return new DomainError('idempotency-request-in-flight', 'A request with this Idempotency-Key is still being processed');
}

export interface IdempotencyStore {
  create(record: IdempotencyRecord): Promise<CreateOutcome>;
  get(tenantId: string, id: string): Promise<(IdempotencyRecord & { etag: string }) | undefined>;
  /** Replaces only if unchanged since read (`etag`); false when someone else got there first. */
  replace(record: IdempotencyRecord, etag: string): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<void>;
}
