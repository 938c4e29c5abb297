import { RECENT_LIMIT, type CustomerRecord, type RecentTransaction } from './customers';

/**
 * A customer's activity summary with one more transaction: set union, maximum, newest-N by time,
 * so applying the same transaction again changes nothing.
 */
export function mergeActivity(current: CustomerRecord, entry: RecentTransaction): CustomerRecord {
  if (current.recentTransactions.some((t) => t.transactionId === entry.transactionId)) return current;
  const recentTransactions = [...current.recentTransactions, entry]
    .sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt) || b.transactionId.localeCompare(a.transactionId))
    .slice(0, RECENT_LIMIT);
  const channels = current.channels.includes(entry.channel) ? current.channels : [...current.channels, entry.channel].sort();
  const lastSeenAt = current.lastSeenAt && Date.parse(current.lastSeenAt) >= Date.parse(entry.occurredAt) ? current.lastSeenAt : entry.occurredAt;
  const kept = recentTransactions.includes(entry);
  if (!kept && channels === current.channels && lastSeenAt === current.lastSeenAt) return current;
  return { ...current, recentTransactions, channels, lastSeenAt };
}
