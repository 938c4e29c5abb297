import { z } from 'zod';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, id } from '../edge/schemas';
import type { ShopifyConnector } from './connector';
import { DeadLetterListSchema, ReceivedSchema, ShopDomain, ShopInput, ShopViewSchema } from './shopify';

export function shopifyRoutes(edge: EdgeKit, shopify: ShopifyConnector): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'connectShopifyShop',
      method: 'PUT',
      route: 'v1/shopify/shops/{shopDomain}',
      summary: 'Connect a Shopify shop (or change its secret or location): its webhooks then record sales, returns and customers',
      tags: ['Shopify'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ shopDomain: ShopDomain }),
      body: ShopInput,
      responses: { 200: { description: 'Connected; point the shop’s webhooks at `webhookUrl`', schema: ShopViewSchema } },
      handle: async ({ principal, params, body }) => ({ status: 200, body: await shopify.connect(principal.tenantId, params.shopDomain, body) }),
    }),
    endpoint(edge, {
      name: 'receiveShopifyWebhook',
      method: 'POST',
      route: 'v1/shopify/{tenantId}/webhooks',
      summary: 'Where Shopify sends orders/paid, refunds/create and customers/create|update; authenticated by X-Shopify-Hmac-Sha256',
      tags: ['Shopify'],
      auth: 'none',
      params: z.object({ tenantId: id }),
      rawBody: z.record(z.string(), z.unknown()).describe("Shopify's webhook payload for the topic in X-Shopify-Topic"),
      responses: {
        200: { description: 'Recorded, a repeat (`duplicate`), kept as a dead letter with the reason, or a topic not handled', schema: ReceivedSchema },
        401: { description: 'The signature does not match the shop’s app secret (or the shop is not connected): nothing recorded', schema: ProblemSchema },
        409: { description: 'A refund of an order not recorded yet (`order-not-recorded-yet`): Shopify sends it again', schema: ProblemSchema },
        503: { description: 'The platform could not record it now; Shopify sends it again', schema: ProblemSchema },
      },
      handle: async ({ params, rawBody, request, log }) => {
        const header = (name: string) => request.headers.get(name);
        const received = await shopify.receive(
          params.tenantId,
          {
            hmac: header('x-shopify-hmac-sha256'),
            shopDomain: header('x-shopify-shop-domain'),
            topic: header('x-shopify-topic'),
            webhookId: header('x-shopify-webhook-id'),
          },
          rawBody!,
          log,
        );
        return { status: 200, body: received };
      },
    }),
    endpoint(edge, {
      name: 'listShopifyDeadLetters',
      method: 'GET',
      route: 'v1/shopify/dead-letters',
      summary: 'Shopify webhooks the platform could not take, newest first, each with the reason and the payload as received',
      tags: ['Shopify'],
      auth: 'tenant',
      roles: ['admin'],
      responses: { 200: { description: 'Dead letters', schema: DeadLetterListSchema } },
      handle: async ({ principal }) => ({ status: 200, body: { items: await shopify.deadLetters(principal.tenantId) } }),
    }),
    endpoint(edge, {
      name: 'retryShopifyDeadLetter',
      method: 'POST',
      route: 'v1/shopify/shops/{shopDomain}/dead-letters/{webhookId}/retry',
      summary: 'Apply a dead letter again, as received, once what stopped it is fixed',
      tags: ['Shopify'],
      auth: 'tenant',
      roles: ['admin'],
      params: z.object({ shopDomain: ShopDomain, webhookId: id }),
      responses: {
        200: { description: 'Recorded; the dead letter is gone', schema: ReceivedSchema },
        404: { description: 'No such dead letter', schema: ProblemSchema },
        422: { description: 'Still refused (`still-unmappable`); the dead letter keeps the new reason', schema: ProblemSchema },
      },
      handle: async ({ principal, params, log }) => ({
        status: 200,
        body: await shopify.retryDeadLetter(principal.tenantId, params.shopDomain, params.webhookId, log),
      }),
    }),
  ];
}
