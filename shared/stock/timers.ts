import type { Platform } from '../platform';
import type { TimerFunction } from '../edge/definition';

/**
 * Releases expired reservations and those a crash left half-applied (Cosmos TTL is not relied on),
 * and resends `stock.changed` whose publish was not confirmed.
 */
export function stockSweeperFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'stockSweeper',
    schedule: '30 * * * * *',
    handler: async (_timer, context) => {
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'stockSweeper' });
      const result = await platform.stock.sweep(platform.config.OUTBOX_GRACE_SECONDS * 1000);
      if (result.released > 0 || result.republished > 0) log.log('info', 'released reservations, resent stock.changed', result);
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
