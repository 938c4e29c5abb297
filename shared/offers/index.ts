/** The public entry of the offers capability: rules, events and use cases, for the other capabilities. Adapters stay inside. */
export * from './rules';
export * from './events';
export * from './segments';
export * from './offers';
export * from './qualify';
