import { parseToken, TokenAttempts, TOKEN_ATTEMPT_LIMITS, WalletTokens, type StoredToken, type TokenStore } from './tokens';
import { cardNumberFor, luhnDigit } from './wallet';

const at = (iso: string) => ({ now: () => new Date(iso) });

class MemoryTokens implements TokenStore {
  tokens = new Map<string, StoredToken>();
  generations = new Map<string, number>();
  reads = 0;
  async createToken(token: StoredToken) {
    this.tokens.set(`${token.tenantId}|${token.tokenHash}`, token);
    return 'created' as const;
  }
  async getToken(tenantId: string, tokenHash: string) {
    this.reads += 1;
    return this.tokens.get(`${tenantId}|${tokenHash}`);
  }
  async generation(tenantId: string, customerId: string) {
    return this.generations.get(`${tenantId}|${customerId}`) ?? 0;
  }
  async revokeAll(tenantId: string, customerId: string) {
    const next = (await this.generation(tenantId, customerId)) + 1;
    this.generations.set(`${tenantId}|${customerId}`, next);
    return next;
  }
}

describe('wallet tokens', () => {
  it('reads only tokens of the platform’s shape', () => {
    const secret = 'A'.repeat(43);
    expect(parseToken(`wt.acme.${secret}`)).toEqual({ tenantId: 'acme', secret });
    for (const bad of [`wt.acme.${secret}x`, `uk.acme.${secret}`, `wt.ACME.${secret}`, 'wt.acme', `wt.acme.${'A'.repeat(42)}=`])
      expect(parseToken(bad)).toBeUndefined();
  });

  it('opens a session until it expires or the customer’s links are revoked, and a token minted in the middle of a revocation never works', async () => {
    const clock = { t: Date.parse('2026-11-01T10:00:00Z'), now: () => new Date(clock.t) };
    const store = new MemoryTokens();
    let state: 'active' | 'merged' = 'active';
    const tokens = new WalletTokens(store, async () => state, new TokenAttempts(clock), clock);
    const { token } = await tokens.mint('acme', 'c_1', 'signIn', 15 * 60_000, 'key_1');
    await expect(tokens.open(`Bearer ${token}`, 'a')).resolves.toMatchObject({ tenantId: 'acme', customerId: 'c_1', purpose: 'signIn' });
    clock.t += 15 * 60_000;
    await expect(tokens.open(token, 'a')).rejects.toMatchObject({ code: 'unauthenticated' });

    const link = (await tokens.mint('acme', 'c_1', 'link', 86_400_000, 'key_1')).token;
    state = 'merged';
    await expect(tokens.open(link, 'a')).rejects.toMatchObject({ code: 'unauthenticated' });
    state = 'active';
    await tokens.revoke('acme', 'c_1');
    await expect(tokens.open(link, 'a')).rejects.toMatchObject({ code: 'unauthenticated' });

    // The generation was read before the revocation moved it on: the token is born revoked.
    const generation = store.generation.bind(store);
    store.generation = async (tenantId, customerId) => {
      store.generation = generation;
      const seen = await generation(tenantId, customerId);
      await store.revokeAll(tenantId, customerId);
      return seen;
    };
    const raced = (await tokens.mint('acme', 'c_1', 'link', 86_400_000, 'key_1')).token;
    await expect(tokens.open(raced, 'a')).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a client past its failures in the window without reading the store, and lets it try again after', async () => {
    const clock = { t: 0, now: () => new Date(clock.t) };
    const store = new MemoryTokens();
    const tokens = new WalletTokens(store, async () => 'active', new TokenAttempts(clock), clock);
    const wrong = `wt.acme.${'B'.repeat(43)}`;
    for (let i = 0; i < TOKEN_ATTEMPT_LIMITS.failuresPerClient; i += 1)
      await expect(tokens.open(wrong, 'x')).rejects.toMatchObject({ code: 'unauthenticated' });
    const reads = store.reads;
    await expect(tokens.open(wrong, 'x')).rejects.toMatchObject({ code: 'too-many-requests', details: { retryAfterSeconds: 60 } });
    expect(store.reads).toBe(reads);
    await expect(tokens.open(wrong, 'y')).rejects.toMatchObject({ code: 'unauthenticated' });
    clock.t += TOKEN_ATTEMPT_LIMITS.windowMs;
    await expect(tokens.open(wrong, 'x')).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses to mint for an erased or unknown customer', async () => {
    const clock = at('2026-11-01T10:00:00Z');
    const tokens = (state: 'erased' | 'missing') => new WalletTokens(new MemoryTokens(), async () => state, new TokenAttempts(clock), clock);
    await expect(tokens('erased').mint('acme', 'c_1', 'link', 1000, 'k')).rejects.toMatchObject({ code: 'gone' });
    await expect(tokens('missing').mint('acme', 'c_1', 'link', 1000, 'k')).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('loyalty card numbers', () => {
  it('are 16 digits with a Luhn check digit, the same for the same customer, another for another', () => {
    const number = cardNumberFor('acme', 'c_1');
    expect(number).toMatch(/^9\d{15}$/);
    expect(luhnDigit(number.slice(0, 15))).toBe(number[15]);
    expect(cardNumberFor('acme', 'c_1')).toBe(number);
    expect(cardNumberFor('acme', 'c_2')).not.toBe(number);
    expect(cardNumberFor('acme', 'c_1', 1)).not.toBe(number);
    // The published Luhn example: 7992739871 has check digit 3.
    expect(luhnDigit('7992739871')).toBe('3');
  });
});
