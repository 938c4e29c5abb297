import type { BlobContainerSpec, ContainerSpec } from './module';

/** Containers the kernel itself uses, beside those the modules declare. */
export const KERNEL_CONTAINERS = {
  idempotency: { partitionKeyPaths: ['/tenantId', '/id'], defaultTtl: 86_400, purpose: 'Idempotency-Key records, kept 24 hours' },
} satisfies Record<string, ContainerSpec>;

export const KERNEL_BLOB_CONTAINERS = {
  deadLetters: { name: 'dead-letters', purpose: 'Messages that failed their event contract, with the reason, under {subscription}/' },
} satisfies Record<string, BlobContainerSpec>;

/** The Service Bus topic every domain event goes to; each consumer has a subscription on it. */
export const EVENTS_TOPIC = 'events';

/** Deliveries of a message before it is dead-lettered: each subscription's MaxDeliveryCount in Azure, the in-process bus's locally. */
export const MAX_DELIVERY_COUNT = 10;

/** Settings prefix of the Service Bus connection (`ServiceBus__fullyQualifiedNamespace`, ...). */
export const SERVICE_BUS_CONNECTION = 'ServiceBus';
