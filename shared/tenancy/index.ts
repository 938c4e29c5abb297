/** The public entry of the tenancy capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './tenancy';
export { FAILED_KEY_LIMITS } from './failed-keys';
