import { tenancyModule } from './tenancy/module';
import { customersModule } from './customers/module';
import { transactionsModule } from './transactions/module';
import { loyaltyModule } from './loyalty/module';
import { giftCardsModule } from './gift-cards/module';
import { couponsModule } from './coupons/module';
import { receiptsModule } from './receipts/module';
import { stockModule } from './stock/module';
import { catalogueModule } from './catalogue/module';
import { segmentsModule } from './segments/module';
import { analyticsModule } from './analytics/module';
import { recommendationsModule } from './recommendations/module';
import { offersModule } from './offers/module';
import { webhooksModule } from './webhooks/module';
import { shopifyModule } from './shopify/module';
import { walletModule } from './wallet/module';

/**
 * The platform's capabilities, in the order they are built: a module comes after the modules it
 * needs. Extension points are walked in this order too (a merge moves identifiers, then
 * transactions, loyalty, coupons, receipts). Adding a capability is one folder and one line here.
 */
export const MODULES = [
  tenancyModule,
  customersModule,
  transactionsModule,
  loyaltyModule,
  giftCardsModule,
  couponsModule,
  receiptsModule,
  stockModule,
  catalogueModule,
  segmentsModule,
  analyticsModule,
  recommendationsModule,
  offersModule,
  webhooksModule,
  shopifyModule,
  walletModule,
] as const;
