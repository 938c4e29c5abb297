/** The public entry of the gift-cards capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './gift-cards';
export * from './settings';
