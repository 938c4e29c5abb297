import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ZodType } from 'zod';
import type { CustomerService } from '../customers';
import { DomainError, invalid, notFound, unprocessable } from '../kernel/errors';
import type { Clock, Logger, SecretBox } from '../kernel/ports';
import type { Principal, TenancyService } from '../tenancy';
import { transactionIdOf, type TransactionHistory, type TransactionIngest, type TransactionInput } from '../transactions';
import type { ShopifyStore } from './ports';
import {
  identificationOf,
  orderExternalId,
  returnOf,
  saleOf,
  ShopifyCustomer,
  ShopifyOrder,
  ShopifyRefund,
  TOPICS,
  Unmappable,
  type DeadLetter,
  type Received,
  type ShopView,
  type Topic,
} from './shopify';

/** The headers Shopify sends with every webhook. */
export interface ShopifyHeaders {
  hmac: string | null;
  shopDomain: string | null;
  topic: string | null;
  webhookId: string | null;
}

/** Domain errors a payload causes (it would fail the same way every time): dead-lettered, not retried. */
const PERMANENT = new Set(['validation-failed', 'unprocessable', 'forbidden', 'not-found', 'gone']);

/**
 * Shopify's web shop as a sales channel. Each webhook is verified (HMAC-SHA256 of the raw body with
 * the app's secret), deduplicated on its webhook id, and applied through the platform's own use
 * cases in one step each: an order is one sale (with its customer's identifiers and discount
 * codes), a refund one return of that sale, a customer one identification. A payload the
 * platform cannot take goes whole to the dead-letter store with the reason; nothing of it is
 * applied. An outage answers 5xx, so Shopify sends it again.
 */
export class ShopifyConnector {
  constructor(
    private readonly store: ShopifyStore,
    private readonly secrets: SecretBox,
    private readonly tenancy: TenancyService,
    private readonly ingest: TransactionIngest,
    private readonly history: TransactionHistory,
    private readonly customers: CustomerService,
    private readonly clock: Clock,
  ) {}

  async connect(tenantId: string, shopDomain: string, input: { appSecret: string; locationId: string }): Promise<ShopView> {
    const location = await this.tenancy.getLocation(tenantId, input.locationId);
    if (!location) throw invalid([{ field: 'locationId', message: `location ${input.locationId} does not exist` }]);
    if (location.type !== 'online') throw invalid([{ field: 'locationId', message: `is a ${location.type}; a shop's orders need an online location` }]);
    const connectedAt = this.clock.now().toISOString();
    await this.store.putShop({ tenantId, shopDomain, locationId: input.locationId, appSecret: this.secrets.seal(input.appSecret), connectedAt });
    return { shopDomain, locationId: input.locationId, webhookUrl: `/api/v1/shopify/${tenantId}/webhooks`, topics: [...TOPICS], connectedAt };
  }

  async receive(tenantId: string, headers: ShopifyHeaders, rawBody: string, log: Logger): Promise<Received> {
    const shop = headers.shopDomain ? await this.store.getShop(tenantId, headers.shopDomain.toLowerCase()) : undefined;
    // One answer for an unknown shop and a wrong signature: neither tells a forger anything.
    if (!shop || !headers.hmac || !validHmac(this.secrets.open(shop.appSecret), rawBody, headers.hmac)) {
      throw new DomainError('unauthenticated', 'The X-Shopify-Hmac-Sha256 signature does not match this shop');
    }
    if (!headers.webhookId || !headers.topic) {
      throw invalid([{ field: 'header X-Shopify-Webhook-Id', message: 'X-Shopify-Webhook-Id and X-Shopify-Topic are required' }]);
    }
    const { webhookId, topic } = headers;
    const seen = await this.store.getReceipt(tenantId, shop.shopDomain, webhookId);
    if (seen) return { ...answer(seen), outcome: 'duplicate' };

    const receivedAt = this.clock.now().toISOString();
    const receipt = { tenantId, shopDomain: shop.shopDomain, webhookId, topic, receivedAt };
    if (!(TOPICS as readonly string[]).includes(topic)) {
      await this.store.putReceipt({ ...receipt, outcome: 'ignored' });
      return { outcome: 'ignored', webhookId, topic };
    }
    try {
      const applied = await this.apply(shop, topic as Topic, rawBody, log);
      await this.store.putReceipt({ ...receipt, outcome: 'recorded', ...applied });
      return { outcome: 'recorded', webhookId, topic, ...applied };
    } catch (error) {
      const reason = permanentReason(error);
      if (reason === undefined) throw error;
      const letter: DeadLetter = { webhookId, shopDomain: shop.shopDomain, topic, reason, receivedAt, payload: rawBody };
      await this.store.putDeadLetter(tenantId, letter);
      await this.store.putReceipt({ ...receipt, outcome: 'dead-lettered', reason });
      log.log('warn', 'shopify webhook dead-lettered', { webhookId, topic, reason });
      return { outcome: 'dead-lettered', webhookId, topic, reason };
    }
  }

  deadLetters(tenantId: string, limit = 100): Promise<DeadLetter[]> {
    return this.store.deadLetters(tenantId, limit);
  }

  /**
   * Applies a dead letter again, as received (once what stopped it is fixed: the location's
   * currency, a SKU, a customer's data): recorded, it leaves the store; still refused, it stays with
   * the new reason (422).
   */
  async retryDeadLetter(tenantId: string, shopDomain: string, webhookId: string, log: Logger): Promise<Received> {
    const shop = await this.store.getShop(tenantId, shopDomain);
    const letter = shop && (await this.store.getDeadLetter(tenantId, shopDomain, webhookId));
    if (!shop || !letter) throw notFound(`Dead letter ${webhookId} of ${shopDomain}`);
    const receipt = { tenantId, shopDomain, webhookId, topic: letter.topic, receivedAt: letter.receivedAt };
    try {
      const applied = await this.apply(shop, letter.topic as Topic, letter.payload, log);
      await this.store.replaceReceipt({ ...receipt, outcome: 'recorded', ...applied });
      await this.store.deleteDeadLetter(tenantId, shopDomain, webhookId);
      return { outcome: 'recorded', webhookId, topic: letter.topic, ...applied };
    } catch (error) {
      const reason = permanentReason(error);
      if (reason === undefined) throw error;
      await this.store.putDeadLetter(tenantId, { ...letter, reason }, true);
      throw unprocessable('still-unmappable', reason);
    }
  }

  /** Maps, then applies in one use-case call; a mapping failure throws before anything is written. */
  private async apply(shop: { tenantId: string; shopDomain: string; locationId: string }, topic: Topic, rawBody: string, log: Logger) {
    const { tenantId, locationId } = shop;
    const principal: Principal = { tenantId, keyId: `shopify:${shop.shopDomain}`, role: 'ecommerce', locationIds: [locationId] };
    const location = await this.tenancy.getLocation(tenantId, locationId);
    if (!location) throw new Unmappable(`location ${locationId} no longer exists`);
    const body = parseJson(rawBody);
    const context = { tenantId, locationId, country: location.country, currency: location.currency };
    let input: TransactionInput;
    switch (topic) {
      case 'orders/paid':
        input = saleOf(parse(ShopifyOrder, body, topic), context);
        break;
      case 'refunds/create': {
        const refund = parse(ShopifyRefund, body, topic);
        const saleId = transactionIdOf(tenantId, 'online', locationId, orderExternalId(refund.order_id));
        const sale = await this.history.get(tenantId, saleId).catch((error: unknown) => {
          // Shopify does not promise order between topics: the order may still be on its way. Ask it to send this again.
          if (error instanceof DomainError && error.code === 'not-found') {
            throw new DomainError('conflict', `Order ${refund.order_id} is not recorded yet; send the refund again later`, {
              reason: 'order-not-recorded-yet',
            });
          }
          throw error;
        });
        input = returnOf(refund, sale);
        break;
      }
      case 'customers/create':
      case 'customers/update': {
        const identification = identificationOf(parse(ShopifyCustomer, body, topic), context);
        if (identification.identifiers.length === 0) throw new Unmappable('the customer has no usable identifier');
        const resolution = await this.customers.identify(principal, identification);
        return { customerId: resolution.customerId };
      }
    }
    const result = await this.ingest.ingest(principal, input, log);
    return { transactionId: result.transaction.transactionId, ...(result.transaction.customerId ? { customerId: result.transaction.customerId } : {}) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Unmappable('the body is not JSON');
  }
}

function parse<T>(schema: ZodType<T>, body: unknown, topic: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(body)'} ${i.message}`)
    .join('; ');
  throw new Unmappable(`not a ${topic} payload: ${issues}`);
}

function validHmac(secret: string, rawBody: string, header: string): boolean {
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why the payload can never be applied as it is, or undefined for a failure worth retrying (an outage). */
function permanentReason(error: unknown): string | undefined {
  if (error instanceof Unmappable) return error.reason;
  return error instanceof DomainError && PERMANENT.has(error.code) ? describe(error) : undefined;
}

function describe(error: DomainError): string {
  const fields = error.details.issues?.map((i) => `${i.field} ${i.message}`).join('; ');
  return [error.details.reason, error.message, fields].filter(Boolean).join(': ');
}

function answer(receipt: {
  outcome: Received['outcome'];
  webhookId: string;
  topic: string;
  transactionId?: string;
  customerId?: string;
  reason?: string;
}): Received {
  return {
    outcome: receipt.outcome,
    webhookId: receipt.webhookId,
    topic: receipt.topic,
    ...(receipt.transactionId ? { transactionId: receipt.transactionId } : {}),
    ...(receipt.customerId ? { customerId: receipt.customerId } : {}),
    ...(receipt.reason ? { reason: receipt.reason } : {}),
  };
}
