import { SUBSCRIPTIONS } from '../../shared/messaging';
import type { Platform } from '../../shared/platform';
import type { TopicFunction } from '../definition';
import { eventConsumer } from './message';

/** Issues the receipt of every recorded transaction (and attaches it to a customer who claims it later). */
export function receiptIssuerFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'receiptIssuer', SUBSCRIPTIONS.receipts, (event, log) => platform.receipts.handle(event, log));
}
