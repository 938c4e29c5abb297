import { strip, type Documents } from '../../kernel/adapters/documents';
import { deterministicId } from '../../kernel/ids';
import type { ShopifyStore, ShopRecord, WebhookReceipt } from '../ports';
import type { DeadLetter } from '../shopify';

const shopId = (shopDomain: string) => deterministicId('shop', shopDomain);
const receiptId = (shopDomain: string, webhookId: string) => deterministicId('shw', shopDomain, webhookId);
const letterId = (shopDomain: string, webhookId: string) => deterministicId('shdl', shopDomain, webhookId);

/** Shops, webhook receipts and dead letters: point reads and idempotent creates, partitioned by tenant and id. */
export class CosmosShopifyStore implements ShopifyStore {
  constructor(private readonly docs: Documents) {}

  async putShop(shop: ShopRecord): Promise<void> {
    await this.docs.upsert({ ...shop, id: shopId(shop.shopDomain), kind: 'shop', ttl: -1 });
  }

  async getShop(tenantId: string, shopDomain: string): Promise<ShopRecord | undefined> {
    const doc = await this.docs.read<ShopRecord & { kind: string }>(shopId(shopDomain), [tenantId, shopId(shopDomain)]);
    return doc?.kind === 'shop'
      ? { tenantId: doc.tenantId, shopDomain: doc.shopDomain, locationId: doc.locationId, appSecret: doc.appSecret, connectedAt: doc.connectedAt }
      : undefined;
  }

  async getReceipt(tenantId: string, shopDomain: string, webhookId: string): Promise<WebhookReceipt | undefined> {
    const id = receiptId(shopDomain, webhookId);
    const doc = await this.docs.read<WebhookReceipt & { kind: string }>(id, [tenantId, id]);
    if (doc?.kind !== 'receipt') return undefined;
    const { kind: _kind, id: _id, ttl: _ttl, ...receipt } = strip<WebhookReceipt & { kind: string; id: string; ttl?: number }>(doc);
    return receipt;
  }

  async putReceipt(receipt: WebhookReceipt): Promise<void> {
    await this.docs.create({ ...receipt, id: receiptId(receipt.shopDomain, receipt.webhookId), kind: 'receipt' });
  }

  async replaceReceipt(receipt: WebhookReceipt): Promise<void> {
    await this.docs.upsert({ ...receipt, id: receiptId(receipt.shopDomain, receipt.webhookId), kind: 'receipt' });
  }

  async putDeadLetter(tenantId: string, letter: DeadLetter, replace = false): Promise<void> {
    const doc = { ...letter, tenantId, id: letterId(letter.shopDomain, letter.webhookId), kind: 'deadLetter', ttl: -1 };
    if (replace) await this.docs.upsert(doc);
    else await this.docs.create(doc);
  }

  async getDeadLetter(tenantId: string, shopDomain: string, webhookId: string): Promise<DeadLetter | undefined> {
    const id = letterId(shopDomain, webhookId);
    const doc = await this.docs.read<DeadLetter & { kind: string }>(id, [tenantId, id]);
    return doc?.kind === 'deadLetter' ? letterOf(doc) : undefined;
  }

  async deleteDeadLetter(tenantId: string, shopDomain: string, webhookId: string): Promise<void> {
    const id = letterId(shopDomain, webhookId);
    await this.docs.delete(id, [tenantId, id]);
  }

  async deadLetters(tenantId: string, limit: number): Promise<DeadLetter[]> {
    const page = await this.docs.query<DeadLetter & { kind: string; tenantId: string; id: string }>(
      "SELECT TOP @n * FROM c WHERE c.tenantId = @t AND c.kind = 'deadLetter' ORDER BY c.receivedAt DESC",
      [
        { name: '@n', value: limit },
        { name: '@t', value: tenantId },
      ],
      { maxItemCount: limit },
    );
    return page.items.map(letterOf);
  }
}

function letterOf({ webhookId, shopDomain, topic, reason, receivedAt, payload }: DeadLetter): DeadLetter {
  return { webhookId, shopDomain, topic, reason, receivedAt, payload };
}
