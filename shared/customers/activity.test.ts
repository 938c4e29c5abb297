import { mergeActivity } from './activity';
import { newCustomer, RECENT_LIMIT, type RecentTransaction } from './customers';

const entry = (n: number, channel: 'store' | 'online' = 'store'): RecentTransaction => ({
  transactionId: `tx_${n}`,
  type: 'sale',
  channel,
  locationId: 'l',
  occurredAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  amount: 100,
  currency: 'EUR',
});

describe('mergeActivity', () => {
  it('gives the same result whatever the order and however often each event is applied', () => {
    const entries = Array.from({ length: 15 }, (_, i) => entry(i + 1, i % 2 ? 'online' : 'store'));
    const forward = entries.reduce(mergeActivity, newCustomer('t', 'c', 'now'));
    const shuffled = [...entries]
      .reverse()
      .concat(entries.slice(3, 9))
      .reduce(mergeActivity, newCustomer('t', 'c', 'now'));
    expect(shuffled).toEqual(forward);
    expect(forward.recentTransactions).toHaveLength(RECENT_LIMIT);
    expect(forward.recentTransactions[0]!.transactionId).toBe('tx_15');
    expect(forward.channels).toEqual(['online', 'store']);
    expect(forward.lastSeenAt).toBe(entry(15).occurredAt);
  });

  it('returns the same object when nothing changes, so nothing is written', () => {
    const once = mergeActivity(newCustomer('t', 'c', 'now'), entry(1));
    expect(mergeActivity(once, entry(1))).toBe(once);
    const full = Array.from({ length: 12 }, (_, i) => entry(i + 10)).reduce(mergeActivity, once);
    expect(mergeActivity(full, entry(1))).toBe(full);
  });
});
