/** The public entry of the receipts capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './receipts';
export * from './receipt-service';
export * from './verifactu';
