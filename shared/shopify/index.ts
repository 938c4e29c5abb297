/** The public entry of the Shopify connector: payload mapping and the use case. Adapters stay inside. */
export * from './shopify';
export * from './connector';
export * from './ports';
