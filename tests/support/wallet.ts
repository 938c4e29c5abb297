import type { TestPlatform, TestTenant } from './platform';

/** A loyalty program that makes points spendable at once (one point per euro, worth one cent), with two tiers by spend, for the wallet's tests. */
export async function startLoyalty(p: TestPlatform, t: TestTenant): Promise<void> {
  const program = {
    name: 'Club',
    currency: 'EUR',
    earn: { pointsPerUnit: 1 },
    pendingDays: 0,
    expiryMonths: 24,
    redemption: { pointValue: 1, minimumPoints: 0 },
    tiers: {
      basis: 'spend',
      levels: [
        { code: 'member', name: 'Member', threshold: 0 },
        { code: 'gold', name: 'Gold', threshold: 50_000 },
      ],
    },
  };
  const r = await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program });
  if (r.status !== 200) throw new Error(`the loyalty program answered ${r.status}`);
}

/** The token a wallet link carries in its fragment. */
export const tokenOf = (url: string): string => new URL(url).hash.replace(/^#t=/, '');
