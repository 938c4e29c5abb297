/** The public entry of the catalogue capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './model';
export * from './catalogue';
export * from './pricing';
export * from './catalogue-import';
export * from './publishing';
export * from './enrichment';
