import { z } from 'zod';
import { DomainError, notFound, throttled } from '../kernel/errors';
import { randomSecret, sha256Hex } from '../kernel/ids';
import type { Clock, CreateOutcome } from '../kernel/ports';

/**
 * A wallet link's credential: `wt.<tenantId>.<secret>`, 256 random bits. The tenant part finds the
 * partition (as API keys do); only the SHA-256 of the secret is stored, so the store never holds a
 * usable token. It travels in the link's fragment (`/wallet/#t=...`), which browsers never send to
 * a server, and from the page to the API in the Authorization header, never in a URL.
 */
const TOKEN_PREFIX = 'wt';
const TOKEN_PATTERN = /^wt\.([a-z0-9][a-z0-9-]{1,39})\.([A-Za-z0-9_-]{43})$/;

export const LinkPurpose = z
  .enum(['link', 'signIn'])
  .describe('`link`: sent by e-mail, SMS or printed on a receipt; `signIn`: minted by the web shop for a signed-in customer');
export type LinkPurpose = z.output<typeof LinkPurpose>;

export interface StoredToken {
  tokenHash: string;
  tenantId: string;
  customerId: string;
  purpose: LinkPurpose;
  /** The customer's link generation when minted: revoking moves the generation on, so every older token stops. */
  generation: number;
  createdAt: string;
  expiresAt: string;
  createdBy: string;
}

/** What an API call authorised by a token acts as: one customer of one tenant, nothing else. */
export interface WalletSession {
  tenantId: string;
  customerId: string;
  purpose: LinkPurpose;
  expiresAt: string;
}

export interface TokenStore {
  createToken(token: StoredToken): Promise<CreateOutcome>;
  getToken(tenantId: string, tokenHash: string): Promise<StoredToken | undefined>;
  /** The customer's current link generation (0 when never revoked). */
  generation(tenantId: string, customerId: string): Promise<number>;
  /** Moves the generation on by one; returns the new one. */
  revokeAll(tenantId: string, customerId: string, at: string): Promise<number>;
}

/** Whether a customer id still stands for a customer a wallet may show (not merged away, not erased). */
export type HolderCheck = (tenantId: string, customerId: string) => Promise<'active' | 'merged' | 'erased' | 'missing'>;

export function parseToken(raw: string): { tenantId: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(raw.trim());
  return match ? { tenantId: match[1]!, secret: match[2]! } : undefined;
}

/** Failed token attempts tolerated per client address in a window, per instance of the app. */
export const TOKEN_ATTEMPT_LIMITS = { failuresPerClient: 20, windowMs: 60_000, maxClients: 50_000 };

/**
 * Counts failed token attempts per client address in fixed windows; past the limit, a client is
 * refused (429) before any store read. Tokens are 256 random bits, so guessing is hopeless anyway:
 * the limit keeps a client from turning wrong tokens into store reads.
 */
export class TokenAttempts {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  constructor(
    private readonly clock: Clock,
    private readonly limits = TOKEN_ATTEMPT_LIMITS,
  ) {}

  /** Milliseconds until the client may try again; undefined: now. */
  blockedFor(client: string): number | undefined {
    const now = this.clock.now().getTime();
    const window = this.windows.get(client);
    if (window && now - window.start < this.limits.windowMs && window.failures >= this.limits.failuresPerClient)
      return window.start + this.limits.windowMs - now;
    return undefined;
  }

  recordFailure(client: string): void {
    const now = this.clock.now().getTime();
    const window = this.windows.get(client);
    if (!window || now - window.start >= this.limits.windowMs) {
      if (this.windows.size >= this.limits.maxClients) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(client, { start: now, failures: 1 });
    } else {
      window.failures += 1;
    }
  }
}

export interface MintedLink {
  token: string;
  expiresAt: string;
}

/** Mints, checks and revokes wallet tokens. */
export class WalletTokens {
  constructor(
    private readonly store: TokenStore,
    private readonly holder: HolderCheck,
    private readonly attempts: TokenAttempts,
    private readonly clock: Clock,
  ) {}

  async mint(tenantId: string, customerId: string, purpose: LinkPurpose, ttlMs: number, createdBy: string): Promise<MintedLink> {
    const state = await this.holder(tenantId, customerId);
    if (state === 'erased') throw new DomainError('gone', `Customer ${customerId} was erased`);
    if (state !== 'active') throw notFound(`Customer ${customerId}`);
    const secret = randomSecret(32);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const generation = await this.store.generation(tenantId, customerId);
    await this.store.createToken({
      tokenHash: sha256Hex(secret),
      tenantId,
      customerId,
      purpose,
      generation,
      createdAt: now.toISOString(),
      expiresAt,
      createdBy,
    });
    return { token: `${TOKEN_PREFIX}.${tenantId}.${secret}`, expiresAt };
  }

  /**
   * The session a token opens, or 401 for any token that is malformed, unknown, expired, revoked,
   * or whose customer was merged away or erased: all answer the same, so a caller learns nothing.
   */
  async open(rawToken: string | null, client: string): Promise<WalletSession> {
    const wait = this.attempts.blockedFor(client);
    if (wait !== undefined) throw throttled('wallet-token-throttled', 'Too many wrong wallet links from this client', wait);
    const session = rawToken ? await this.check(rawToken) : undefined;
    if (!session) {
      this.attempts.recordFailure(client);
      throw new DomainError('unauthenticated', 'This wallet link is not valid (it may have expired or been revoked)');
    }
    return session;
  }

  private async check(rawToken: string): Promise<WalletSession | undefined> {
    const parsed = parseToken(rawToken.replace(/^Bearer\s+/i, ''));
    if (!parsed) return undefined;
    const stored = await this.store.getToken(parsed.tenantId, sha256Hex(parsed.secret));
    if (!stored || stored.tenantId !== parsed.tenantId) return undefined;
    if (Date.parse(stored.expiresAt) <= this.clock.now().getTime()) return undefined;
    const [generation, state] = await Promise.all([this.store.generation(stored.tenantId, stored.customerId), this.holder(stored.tenantId, stored.customerId)]);
    if (stored.generation !== generation || state !== 'active') return undefined;
    return { tenantId: stored.tenantId, customerId: stored.customerId, purpose: stored.purpose, expiresAt: stored.expiresAt };
  }

  /** Every link of the customer stops working, at once (one write). */
  async revoke(tenantId: string, customerId: string): Promise<void> {
    await this.store.revokeAll(tenantId, customerId, this.clock.now().toISOString());
  }
}
