import type { Platform } from '../platform';
import type { TimerFunction } from '../edge/definition';

/** Pending points become spendable, expired points leave with an expiry entry, tiers are reviewed. */
export function loyaltyMaintenanceFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'loyaltyMaintenance',
    schedule: '0 */5 * * * *',
    handler: async (_timer, context) => {
      await platform.loyalty.maintain(platform.logger.child({ invocationId: context.invocationId, function: 'loyaltyMaintenance' }));
    },
  };
}
