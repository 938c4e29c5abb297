/** The public entry of the segments capability: traits, rule trees, segment events and use cases. Adapters stay inside. */
export * from './traits';
export * from './rules';
export * from './membership';
export * from './ports';
export * from './segments';
export * from './traits-service';
