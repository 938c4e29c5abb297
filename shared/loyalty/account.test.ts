import type { DomainError } from '../kernel/errors';
import {
  absorb,
  accrue,
  cancelRedemption,
  emptyAccount,
  redeem,
  reverse,
  settle,
  spendablePoints,
  summarize,
  tierMultiplier,
  type LoyaltyAccount,
} from './account';
import { LoyaltyProgramInput, type LoyaltyProgram } from './program';

const T0 = '2026-01-10T10:00:00.000Z';
const at = (iso: string) => new Date(iso);

function program(overrides: Record<string, unknown> = {}): LoyaltyProgram {
  const input = LoyaltyProgramInput.parse({
    name: 'Club',
    currency: 'EUR',
    earn: { pointsPerUnit: 1 },
    pendingDays: 14,
    expiryMonths: 12,
    redemption: { pointValue: 1, minimumPoints: 0 },
    ...overrides,
  });
  return { ...input, tenantId: 't', version: 1, updatedAt: T0 };
}

/** Applies settle -> operation -> settle as the service does. */
function step(account: LoyaltyAccount, p: LoyaltyProgram, now: string, operation?: (a: LoyaltyAccount) => { account: LoyaltyAccount } | undefined) {
  const settled = settle(account, p, at(now))?.account ?? account;
  const changed = operation?.(settled)?.account ?? settled;
  return settle(changed, p, at(now))?.account ?? changed;
}

function sale(account: LoyaltyAccount, p: LoyaltyProgram, saleId: string, occurredAt: string, points: number, spend = points * 100) {
  return step(account, p, occurredAt, (a) =>
    accrue(a, { saleId, occurredAt, lines: [{ lineNumber: 1, sku: 'A', quantity: 1, points }], spend, redemptionReferences: [] }, p, at(occurredAt)),
  );
}

const fresh = () => emptyAccount('t', 'c', at(T0));

describe('pending and spendable', () => {
  it('keeps earned points pending for the return window, then makes them spendable', () => {
    const p = program();
    const account = sale(fresh(), p, 's1', T0, 100);
    expect(summarize(account, p, at('2026-01-23T10:00:00Z'))).toMatchObject({ spendable: 0, pending: 100 });
    expect(summarize(account, p, at('2026-01-24T10:00:00Z'))).toMatchObject({ spendable: 100, pending: 0 });
    expect(account.dueAt).toBe('2026-01-24T10:00:00.000Z');
  });

  it('earns once per sale however often it is applied', () => {
    const p = program();
    const once = sale(fresh(), p, 's1', T0, 100);
    expect(accrue(once, { saleId: 's1', occurredAt: T0, lines: [], spend: 0, redemptionReferences: [] }, p, at(T0))).toBeUndefined();
  });
});

describe('expiry', () => {
  it('expires each lot 12 months after it was earned, with an entry, consuming oldest first on redemption', () => {
    const p = program({ pendingDays: 0 });
    let account = sale(fresh(), p, 'jan', '2026-01-10T10:00:00.000Z', 100);
    account = sale(account, p, 'mar', '2026-03-10T10:00:00.000Z', 50);
    // 120 redeemed in June: all 100 from January, 20 from March.
    account = step(account, p, '2026-06-01T10:00:00.000Z', (a) => redeem(a, 'r1', 120, p, at('2026-06-01T10:00:00.000Z')));
    expect(account.lots.map((l) => [l.id, l.remaining])).toEqual([['accrual:mar', 30]]);

    expect(summarize(account, p, at('2027-02-20T10:00:00.000Z')).expiringSoon).toMatchObject({ points: 30, first: '2027-03-10T10:00:00.000Z' });
    const expired = settle(account, p, at('2027-03-10T10:00:00.000Z'))!;
    expect(expired.entries).toEqual([expect.objectContaining({ key: 'expiry:accrual:mar', type: 'expiry', points: -30 })]);
    expect(spendablePoints(expired.account, at('2027-03-10T10:00:00.000Z'))).toBe(0);
    expect(expired.account.totals).toEqual({ earned: 150, redeemed: 120, reversed: 0, expired: 30 });
    expect(settle(expired.account, p, at('2027-03-11T10:00:00.000Z'))).toBeUndefined();
  });

  it('never expires without an expiry period', () => {
    const p = program({ expiryMonths: null, pendingDays: 0 });
    const account = sale(fresh(), p, 's1', T0, 100);
    expect(summarize(account, p, at('2036-01-10T10:00:00.000Z')).spendable).toBe(100);
  });
});

describe('redemption', () => {
  const p = program({ pendingDays: 0, redemption: { pointValue: 0.5, minimumPoints: 10 } });
  const now = at('2026-02-01T10:00:00.000Z');

  it('refuses more than is spendable, below the minimum, and a reference reused for another amount', () => {
    const account = sale(fresh(), p, 's1', T0, 100);
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as DomainError).details.reason;
      }
      return 'accepted';
    };
    expect(reason(() => redeem(account, 'r', 101, p, now))).toBe('insufficient-points');
    expect(reason(() => redeem(account, 'r', 5, p, now))).toBe('below-minimum');
    const done = redeem(account, 'r', 40, p, now)!.account;
    expect(redeem(done, 'r', 40, p, now)).toBeUndefined();
    expect(reason(() => redeem(done, 'r', 41, p, now))).toBe('reference-reused');
    expect(summarize(done, p, now)).toMatchObject({ spendable: 60, spendableValue: 30 });
  });

  it('cancelling gives the points back to the lots they came from, once', () => {
    const account = sale(fresh(), p, 's1', T0, 100);
    const redeemed = redeem(account, 'r', 70, p, now)!.account;
    const cancelled = cancelRedemption(redeemed, 'r', now)!;
    expect(cancelled.entries[0]).toMatchObject({ type: 'redemption-cancelled', points: 70 });
    expect(cancelled.account.lots).toEqual(account.lots);
    expect(cancelRedemption(cancelled.account, 'r', now)).toBeUndefined();
  });
});

describe('returns', () => {
  const p = program({ pendingDays: 0 });
  const now = at('2026-02-01T10:00:00.000Z');
  const twoLines = (account: LoyaltyAccount) =>
    step(account, p, T0, (a) =>
      accrue(
        a,
        {
          saleId: 's1',
          occurredAt: T0,
          lines: [
            { lineNumber: 1, sku: 'A', quantity: 3, points: 10 },
            { lineNumber: 2, sku: 'B', quantity: 1, points: 50 },
          ],
          spend: 6000,
          redemptionReferences: [],
        },
        p,
        at(T0),
      ),
    );

  it('reverses exactly the returned lines, once per return, and never more than the line earned', () => {
    const account = twoLines(fresh());
    const first = reverse(account, { saleId: 's1', returnId: 'r1', lines: [{ sku: 'A', quantity: 1 }], spend: 1000 }, now)!;
    expect(first.entries[0]).toMatchObject({ type: 'reversal', points: -3, lines: [{ lineNumber: 1, quantity: 1, points: 3 }] });
    expect(reverse(first.account, { saleId: 's1', returnId: 'r1', lines: [{ sku: 'A', quantity: 1 }], spend: 1000 }, now)).toBeUndefined();
    const second = reverse(
      first.account,
      {
        saleId: 's1',
        returnId: 'r2',
        lines: [
          { sku: 'A', quantity: 5 },
          { sku: 'B', quantity: 1 },
        ],
        spend: 5000,
      },
      now,
    )!;
    expect(second.entries[0]!.points).toBe(-57);
    expect(spendablePoints(second.account, now)).toBe(0);
  });

  it('takes spent points from other points, then leaves them owed and settles that from the next earnings', () => {
    let account = twoLines(fresh());
    account = sale(account, p, 's2', '2026-01-11T10:00:00.000Z', 20);
    account = redeem(account, 'r', 80, p, now)!.account;
    const returned = reverse(account, { saleId: 's1', returnId: 'ret', lines: [{ sku: 'B', quantity: 1 }], spend: 5000 }, now)!;
    expect(returned.entries[0]).toMatchObject({ points: -50, owed: 50 });
    expect(returned.account.owed).toBe(50);
    expect(summarize(returned.account, p, now)).toMatchObject({ spendable: 0, owed: 50 });
    const later = sale(returned.account, p, 's3', '2026-02-02T10:00:00.000Z', 70);
    expect(later.owed).toBe(0);
    expect(spendablePoints(later, at('2026-02-03T10:00:00.000Z'))).toBe(20);
    // Nothing lost, nothing invented.
    const { earned, redeemed, reversed, expired } = later.totals;
    expect(earned - redeemed - reversed - expired).toBe(spendablePoints(later, at('2026-02-03T10:00:00.000Z')) - later.owed);
  });
});

describe('tiers', () => {
  const p = program({
    pendingDays: 0,
    tiers: {
      basis: 'spend',
      windowMonths: 12,
      graceMonths: 3,
      levels: [
        { code: 'member', name: 'Member', threshold: 0 },
        { code: 'gold', name: 'Gold', threshold: 50_000, multiplier: 1.5 },
      ],
    },
  });

  it('goes up at once, earns with the tier multiplier, and goes down only after the window and the grace', () => {
    let account = sale(fresh(), p, 's1', '2026-01-10T10:00:00.000Z', 300, 30_000);
    expect(account.tier?.code).toBe('member');
    account = sale(account, p, 's2', '2026-02-10T10:00:00.000Z', 250, 25_000);
    expect(account.tier?.code).toBe('gold');
    expect(tierMultiplier(account, p)).toBe(1.5);
    expect(summarize(account, p, at('2026-02-10T10:00:00.000Z')).nextTier).toBeNull();

    // January's spend leaves the window on 2027-01-10: below the threshold, kept 3 more months.
    account = step(account, p, '2027-01-11T10:00:00.000Z');
    expect(account.tier?.code).toBe('gold');
    account = step(account, p, '2027-04-10T09:00:00.000Z');
    expect(account.tier?.code).toBe('gold');
    account = step(account, p, '2027-04-11T10:00:00.000Z');
    expect(account.tier?.code).toBe('member');
    expect(summarize(account, p, at('2027-04-11T10:00:00.000Z')).nextTier).toMatchObject({ code: 'gold', qualifying: 0, remaining: 50_000 });
  });
});

describe('merge', () => {
  it('takes every lot, debt and earning of the merged account, once', () => {
    const p = program({ pendingDays: 0 });
    const survivor = sale(fresh(), p, 's1', T0, 100);
    const merged = sale(emptyAccount('t', 'other', at(T0)), p, 's2', T0, 40);
    const combined = absorb(survivor, merged, at(T0))!;
    expect(spendablePoints(combined.account, at('2026-02-01T00:00:00Z'))).toBe(140);
    expect(Object.keys(combined.account.earnings).sort()).toEqual(['s1', 's2']);
    expect(absorb(combined.account, merged, at(T0))).toBeUndefined();
  });
});
