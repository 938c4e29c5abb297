import type * as NodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

// The module object itself (not an import's read-only view of it), so its functions can be watched.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = require('node:crypto') as typeof NodeCrypto;

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

let n = 0;
async function issue() {
  const r = await p.api('POST', '/api/v1/gift-cards', { key: t.keys.admin, body: { amount: 1000, currency: 'EUR', reference: `pin-${Date.now()}-${++n}` } });
  expect(r.status).toBe(201);
  return r.body as { giftCardId: string; code: string; pin: string };
}
/** A fresh pos key: each has its own window of PIN checks. */
async function newKey(): Promise<string> {
  const r = await p.api('POST', `/api/v1/tenants/${t.tenantId}/api-keys`, { key: p.adminKey, body: { role: 'pos', locationIds: ['store-1'] } });
  expect(r.status).toBe(201);
  return r.body.apiKey;
}
const wrong = (pin: string) => String((Number(pin) + 1) % 1_000_000).padStart(6, '0');
const lookup = (key: string, code: string, pin: string) => p.api('POST', '/api/v1/gift-cards/lookup', { key, body: { code, pin } });

describe('gift card PIN checks are throttled atomically, per key and per card', () => {
  it('checks 5 of 30 wrong PINs sent at once by one key, and refuses the rest with Retry-After', async () => {
    const card = await issue();
    const key = await newKey();
    const results = await Promise.all(Array.from({ length: 30 }, () => lookup(key, card.code, wrong(card.pin))));
    expect(results.filter((r) => r.status === 404)).toHaveLength(5);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(25);
    expect(new Set(refused.map((r) => r.body.reason))).toEqual(new Set(['lookup-throttled']));
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(800);
    // The key is out of checks for the window, even with the right PIN.
    expect((await lookup(key, card.code, card.pin)).status).toBe(429);
  });

  it('checks at most 5 wrong PINs on one card in a window, whichever keys send them', async () => {
    const card = await issue();
    const keys = await Promise.all([1, 2, 3].map(() => newKey()));
    const results = await Promise.all(keys.flatMap((key) => Array.from({ length: 10 }, () => lookup(key, card.code, wrong(card.pin)))));
    expect(results.filter((r) => r.status === 404)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(25);
    expect(results.some((r) => r.body.reason === 'card-lookup-throttled')).toBe(true);
    // The card is out of checks for the window, for every key.
    const fresh = await newKey();
    const blocked = await lookup(fresh, card.code, card.pin);
    expect(blocked.status).toBe(429);
    expect(blocked.body.reason).toBe('card-lookup-throttled');
    // That key lost nothing: a lookup of another card goes through.
    const other = await issue();
    expect((await lookup(fresh, other.code, other.pin)).status).toBe(200);
  });

  it('does not count lookups that succeed', async () => {
    const card = await issue();
    const key = await newKey();
    for (let i = 0; i < 12; i += 1) expect((await lookup(key, card.code, card.pin)).status).toBe(200);
    expect((await lookup(key, card.code, wrong(card.pin))).status).toBe(404);
    expect((await lookup(key, card.code, card.pin)).status).toBe(200);
  });

  it('checks PINs off the event loop (asynchronous scrypt, on the thread pool)', async () => {
    expect(readFileSync(join(__dirname, '../../shared/gift-cards/gift-cards.ts'), 'utf8')).not.toMatch(/scryptSync/);
    const asynchronous = jest.spyOn(crypto, 'scrypt');
    const synchronous = jest.spyOn(crypto, 'scryptSync');
    try {
      const card = await issue();
      const key = await newKey();
      const results = await Promise.all([
        lookup(key, card.code, card.pin),
        lookup(key, card.code, wrong(card.pin)),
        lookup(key, 'AAAA-BBBB-CCCC-DDDD', '123456'),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 404, 404]);
      // The PIN hashed at issue, then three checks (an unknown code costs a check too, so timing tells nothing).
      expect(asynchronous).toHaveBeenCalledTimes(4);
      expect(synchronous).not.toHaveBeenCalled();
    } finally {
      asynchronous.mockRestore();
      synchronous.mockRestore();
    }
  });

  it('locks a card after 10 wrong PINs in a row until an admin unlocks it', async () => {
    const card = await issue();
    const key = await newKey();
    try {
      for (let i = 0; i < 5; i += 1) expect((await lookup(key, card.code, wrong(card.pin))).status).toBe(404);
      p.advanceClock(16 * 60_000);
      for (let i = 0; i < 5; i += 1) expect((await lookup(key, card.code, wrong(card.pin))).status).toBe(404);
      p.advanceClock(16 * 60_000);
      const locked = await lookup(key, card.code, card.pin);
      expect(locked.status).toBe(422);
      expect(locked.body.reason).toBe('gift-card-locked');
      expect((await p.api('GET', `/api/v1/gift-cards/${card.giftCardId}`, { key: t.keys.admin })).body.locked).toBe(true);
      expect((await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/unlock`, { key: t.keys.pos })).status).toBe(403);
      const unlocked = await p.api('POST', `/api/v1/gift-cards/${card.giftCardId}/unlock`, { key: t.keys.admin });
      expect(unlocked.status).toBe(200);
      expect(unlocked.body.locked).toBe(false);
      expect((await lookup(key, card.code, card.pin)).status).toBe(200);
    } finally {
      p.advanceClock(-32 * 60_000);
    }
  });
});
