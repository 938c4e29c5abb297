import type { Platform } from '../platform';
import type { TimerFunction } from '../edge/definition';

/** Releases coupon holds past their expiry (not Cosmos TTL: a hold gives its uses back, it is not just deleted). */
export function couponHoldSweeperFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'couponHoldSweeper',
    schedule: '30 * * * * *',
    handler: async (_timer, context) => {
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'couponHoldSweeper' });
      await platform.coupons.sweep(log);
    },
  };
}
