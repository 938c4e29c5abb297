/** The public entry of the loyalty capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './program';
export * from './account';
export * from './service';
export * from './events';
