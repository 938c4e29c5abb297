import { SUBSCRIPTIONS } from '../../shared/messaging';
import type { Platform } from '../../shared/platform';
import type { TopicFunction } from '../definition';
import { eventConsumer } from './message';

/** Moves stock for each sale and return line, once, and confirms the reservation a pickup completes. */
export function stockMovementsFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'stockMovements', SUBSCRIPTIONS.stock, (event, log) => platform.stock.handleTransaction(event, log));
}
