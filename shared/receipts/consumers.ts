import { SUBSCRIPTIONS } from '../kernel/messaging';
import type { Platform } from '../platform';
import type { TopicFunction } from '../edge/definition';
import { eventConsumer } from '../edge/consumer';

/** Issues the receipt of every recorded transaction (and attaches it to a customer who claims it later). */
export function receiptIssuerFunction(platform: Platform): TopicFunction {
  return eventConsumer(platform, 'receiptIssuer', SUBSCRIPTIONS.receipts, (event, log) => platform.receipts.handle(event, log));
}
