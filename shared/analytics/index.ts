/** The public entry of the analytics capability: its rollups and reports, for the other capabilities. Adapters stay inside. */
export * from './analytics';
export * from './reports';
export * from './rollups';
