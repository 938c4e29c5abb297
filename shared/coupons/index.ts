/** The public entry of the coupons capability: its model and use cases, for the other capabilities. Adapters stay inside. */
export * from './coupon-rules';
export * from './coupons';
export * from './events';
export * from './audiences';
