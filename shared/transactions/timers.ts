import type { Platform } from '../platform';
import type { TimerFunction } from '../edge/definition';

/** Resends `transaction.recorded` for transactions whose publish failed or was never confirmed. */
export function outboxSweeperFunction(platform: Platform): TimerFunction {
  return {
    kind: 'timer',
    name: 'outboxSweeper',
    schedule: '0 * * * * *',
    handler: async (_timer, context) => {
      const log = platform.logger.child({ invocationId: context.invocationId, function: 'outboxSweeper' });
      const result = await platform.ingest.republishPending(platform.config.OUTBOX_GRACE_SECONDS * 1000, log);
      if (result.found > 0) log.log('info', 'resent pending events', result);
    },
  };
}
