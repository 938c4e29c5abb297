import type { Platform } from '../../shared/platform';
import type { TimerFunction } from '../definition';

/** Releases expired reservations and those a crash left half-applied (Cosmos TTL is not relied on). */
export function reservationSweeperFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'stockReservationSweeper',
    schedule: '30 * * * * *',
    handler: async (_timer, context) => {
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'stockReservationSweeper' });
      const result = await platform.stock.sweep();
      if (result.released > 0) log.log('info', 'released reservations', result);
    },
  };
}

/** Reconciles each new ERP snapshot in the inbox container, once. */
export function stockReconciliationFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'stockReconciliation',
    schedule: '0 */5 * * * *',
    handler: async (_timer, context) => {
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'stockReconciliation' });
      await platform.stockReconciliation.run(log);
    },
  };
}
