import { SUBSCRIPTIONS } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from '../edge/definition';
import { eventConsumer } from '../edge/consumer';

/** Moves stock for each sale and return line, once, and confirms the reservation a pickup completes. */
export function stockMovementsFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'stockMovements', SUBSCRIPTIONS.stock, (event, log) => platform.stock.handleTransaction(event, log));
}
