import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { saleChecks, tenderClaims } from '../transactions';
import { receiptExtras } from '../receipts';
import { CosmosGiftCardStore } from './adapters/cosmos-gift-card-store';
import { GiftCardService } from './gift-cards';
import { giftCardRoutes } from './http';

/** Gift cards that pay in every channel: issue, balance, redemption, refunds and reloads, each exactly once. */
export const giftCardsModule = defineModule({
  name: 'giftCards',
  containers: {
    giftCards: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Gift cards (balance and history in one document), code lookups by hash, lookup throttles per API key, the tenant settings',
    },
  },
  build({ kernel, documents }) {
    const giftCards = new GiftCardService(new CosmosGiftCardStore(documents('giftCards')), kernel.clock);
    return {
      api: { giftCards },
      routes: giftCardRoutes(kernel.edge, giftCards),
      consumers: {},
      timers: {},
      contributes: [
        ...contribute(tenderClaims, { tenderType: 'giftCard', claim: (tenantId, claim) => giftCards.claimTender(tenantId, claim) }),
        ...contribute(saleChecks, { name: 'giftCards', check: (tenantId, sale) => giftCards.checkSale(tenantId, sale) }),
        ...contribute(receiptExtras, { name: 'giftCards', extras: (tenantId, tx) => giftCards.receiptExtras(tenantId, tx) }),
      ],
    };
  },
});
