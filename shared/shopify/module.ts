import { defineModule } from '../kernel/module';
import { AesSecretBox } from '../kernel/adapters/secret-box';
import { tenancyModule } from '../tenancy/module';
import { customersModule } from '../customers/module';
import { transactionsModule } from '../transactions/module';
import { CosmosShopifyStore } from './adapters/cosmos-shopify-store';
import { ShopifyConnector } from './connector';
import { shopifyRoutes } from './http';

/** Shopify's web shop as a sales channel: its webhooks become sales, returns and customer identifications. */
export const shopifyModule = defineModule({
  name: 'shopify',
  needs: [tenancyModule, customersModule, transactionsModule],
  containers: {
    shopify: {
      partitionKeyPaths: ['/tenantId', '/id'],
      // Webhook receipts expire after 30 days (Shopify retries for 48 hours); shops and dead letters never (ttl -1).
      defaultTtl: 30 * 86_400,
      purpose: 'Connected shops (app secret sealed), one receipt per webhook id (deduplication, 30 days), dead letters with the payload and reason',
    },
  },
  build({ kernel, documents }, { tenancy: { tenancy }, customers: { customerService }, transactions: { ingest, history } }) {
    const secrets = new AesSecretBox(kernel.config.platformAdminKey, 'shopify app secrets');
    const shopify = new ShopifyConnector(new CosmosShopifyStore(documents('shopify')), secrets, tenancy, ingest, history, customerService, kernel.clock);
    return { api: { shopify }, routes: shopifyRoutes(kernel.edge, shopify), consumers: {}, timers: {} };
  },
});
