/** The public entry of the transactions capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './transactions';
export * from './ingest';
export * from './history';
export * from './claims';
export * from './activity';
export * from './participant';
export * from './ports';
export * from './tender-claims';
export * from './line-enrichment';
export { discountShare } from './returns';
