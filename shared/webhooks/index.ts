/** The public entry of the webhooks capability: the deliverable events, signing and the use cases. Adapters stay inside. */
export * from './deliverable';
export * from './signing';
export * from './targets';
export * from './webhooks';
export * from './endpoints';
export * from './deliveries';
export * from './dispatcher';
export * from './schedule';
