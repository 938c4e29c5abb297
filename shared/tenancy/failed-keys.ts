import type { Clock, Telemetry } from '../kernel/ports';

/**
 * How many wrong API keys are tolerated before unknown keys are refused without a store read.
 * Counted per instance of the app, in fixed windows.
 */
export const FAILED_KEY_LIMITS = {
  /** Wrong keys one client (address) may send per window. */
  perClient: 20,
  /** Wrong keys naming one tenant (`uk.<tenantId>.…`) per window, from every client together. */
  perTenant: 100,
  windowMs: 60_000,
  /** A key found unknown is remembered as unknown this long: its repeats cost no store read. */
  unknownKeyMs: 30_000,
  /** A key found valid is never throttled for this long after (it is still read from the store). */
  validKeyMs: 24 * 3600_000,
};
export type FailedKeyLimits = typeof FAILED_KEY_LIMITS;

interface Window {
  start: number;
  failures: number;
}

/**
 * Failed API keys, throttled per client and per tenant prefix. Once a client or a tenant prefix has
 * had its allowance in the current window, keys that are not known are refused (429,
 * `authentication-throttled`, Retry-After the end of the window) without reading the store. A key
 * this instance found valid in the last 24 hours is never refused (it is read from the store as
 * usual), so neither a neighbour behind the same address nor an attacker spraying a tenant's prefix
 * locks a working till out; only a key not seen here before waits for the window to pass.
 *
 * Telemetry (custom metrics and events, Application Insights in Azure), for alerts:
 * `auth.failed` (1 per wrong key or staff sign-in token; `tenantId`, `cause` malformed/unknown/staff-token), `auth.refused` (1 per
 * request refused by the throttle; `scope` client/tenant) and the event `auth.throttled` when a
 * client or a tenant prefix reaches its limit (`scope`, `tenantId`). Addresses are not sent.
 */
export class FailedKeys {
  private readonly windows = new Map<string, Window>();
  private readonly unknown = new Map<string, number>();
  private readonly valid = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly telemetry: Telemetry,
    private readonly limits: FailedKeyLimits = FAILED_KEY_LIMITS,
    private readonly maxEntries = 50_000,
  ) {}

  /** Milliseconds until this client, or this tenant prefix, may try unknown keys again; undefined: now. */
  blockedFor(client: string, tenantId: string | undefined, keyHash?: string): number | undefined {
    const now = this.clock.now().getTime();
    if (tenantId && keyHash && (this.valid.get(`${tenantId}|${keyHash}`) ?? 0) > now) return undefined;
    for (const [scope, key, limit] of this.scopes(client, tenantId)) {
      const window = this.windows.get(key);
      if (window && now - window.start < this.limits.windowMs && window.failures >= limit) {
        this.telemetry.trackMetric('auth.refused', 1, { scope, ...(tenantId ? { tenantId } : {}) });
        return window.start + this.limits.windowMs - now;
      }
    }
    return undefined;
  }

  /** True when this key was found unknown a moment ago (no need to read the store again). */
  isKnownUnknown(tenantId: string, keyHash: string): boolean {
    const until = this.unknown.get(`${tenantId}|${keyHash}`);
    return until !== undefined && until > this.clock.now().getTime();
  }

  recordSuccess(tenantId: string, keyHash: string): void {
    this.remember(this.valid, `${tenantId}|${keyHash}`, this.clock.now().getTime() + this.limits.validKeyMs);
  }

  recordFailure(client: string, tenantId: string | undefined, cause: 'malformed' | 'unknown' | 'staff-token', keyHash?: string): void {
    const now = this.clock.now().getTime();
    this.telemetry.trackMetric('auth.failed', 1, { cause, ...(tenantId ? { tenantId } : {}) });
    if (tenantId && keyHash) this.remember(this.unknown, `${tenantId}|${keyHash}`, now + this.limits.unknownKeyMs);
    for (const [scope, key, limit] of this.scopes(client, tenantId)) {
      let window = this.windows.get(key);
      if (!window || now - window.start >= this.limits.windowMs) {
        window = { start: now, failures: 0 };
        this.remember(this.windows, key, window);
      }
      window.failures += 1;
      if (window.failures === limit) this.telemetry.trackEvent('auth.throttled', { scope, ...(tenantId ? { tenantId } : {}) });
    }
  }

  private scopes(client: string, tenantId: string | undefined): Array<['client' | 'tenant', string, number]> {
    return [
      ['client', `c|${client}`, this.limits.perClient],
      ...(tenantId ? [['tenant', `t|${tenantId}`, this.limits.perTenant] as ['tenant', string, number]] : []),
    ];
  }

  /** Bounded memory: past the limit the oldest entries go (insertion order is age order: a new window is re-inserted). */
  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    while (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, value);
  }
}
