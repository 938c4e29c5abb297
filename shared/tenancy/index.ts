/** The public entry of the tenancy capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './tenancy';
