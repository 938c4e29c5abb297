/** The Service Bus topic every domain event goes to, and one subscription per consumer. */
export const EVENTS_TOPIC = 'events';

export const SUBSCRIPTIONS = {
  customerActivity: 'customer-activity',
  loyalty: 'loyalty',
  coupons: 'coupons',
  receipts: 'receipts',
  stock: 'stock',
} as const;

/** Settings prefix of the Service Bus connection (`ServiceBus__fullyQualifiedNamespace`, ...). */
export const SERVICE_BUS_CONNECTION = 'ServiceBus';
