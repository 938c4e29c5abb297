/** The public entry of the recommendations capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './co-purchase';
export * from './history';
export * from './recommender';
export * from './ports';
export * from './recommendations';
