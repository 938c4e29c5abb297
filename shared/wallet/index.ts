/** The public entry of the wallet capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './tokens';
export * from './wallet';
export * from './settings';
export * from './participant';
