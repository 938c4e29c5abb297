/** The public entry of the stock capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './stock';
export * from './stock-reconciliation';
export * from './stock-snapshot';
