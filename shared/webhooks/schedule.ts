/**
 * When a failed delivery is tried again: after 5 seconds, 5 minutes, 30 minutes, 2, 5, 8 and 8
 * hours, each stretched or shortened by up to a fifth at random (jitter, so an endpoint back from
 * an outage is not hit by every retry at once). Eight attempts over about 24 hours, then the
 * delivery fails for good.
 */
const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 8 * 3_600_000, 8 * 3_600_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** The wait after the `attempts`-th failed attempt, or undefined when no attempt is left. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number | undefined {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return undefined;
  return Math.round(base * (0.8 + 0.4 * random()));
}
