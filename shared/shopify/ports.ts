import type { DeadLetter } from './shopify';

/** A connected shop, its app secret sealed. */
export interface ShopRecord {
  tenantId: string;
  shopDomain: string;
  locationId: string;
  appSecret: string;
  connectedAt: string;
}

/** What became of one webhook (by `X-Shopify-Webhook-Id`): a repeat answers the same. */
export interface WebhookReceipt {
  tenantId: string;
  shopDomain: string;
  webhookId: string;
  topic: string;
  outcome: 'recorded' | 'dead-lettered' | 'ignored';
  transactionId?: string;
  customerId?: string;
  reason?: string;
  receivedAt: string;
}

export interface ShopifyStore {
  putShop(shop: ShopRecord): Promise<void>;
  getShop(tenantId: string, shopDomain: string): Promise<ShopRecord | undefined>;
  getReceipt(tenantId: string, shopDomain: string, webhookId: string): Promise<WebhookReceipt | undefined>;
  /** Idempotent: the first receipt of a webhook stays. */
  putReceipt(receipt: WebhookReceipt): Promise<void>;
  /** After a retried dead letter was recorded. */
  replaceReceipt(receipt: WebhookReceipt): Promise<void>;
  /** Idempotent per webhook; `replace` overwrites (a retry's new reason). */
  putDeadLetter(tenantId: string, letter: DeadLetter, replace?: boolean): Promise<void>;
  getDeadLetter(tenantId: string, shopDomain: string, webhookId: string): Promise<DeadLetter | undefined>;
  deleteDeadLetter(tenantId: string, shopDomain: string, webhookId: string): Promise<void>;
  deadLetters(tenantId: string, limit: number): Promise<DeadLetter[]>;
}
