/** The public entry of the customers capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './customers';
export * from './customer-service';
export * from './participants';
export * from './activity';
