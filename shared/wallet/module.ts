import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { transactionsModule } from '../transactions/module';
import { loyaltyModule } from '../loyalty/module';
import { giftCardOfRedemption } from '../gift-cards';
import { giftCardsModule } from '../gift-cards/module';
import { couponsModule } from '../coupons/module';
import { receiptsModule } from '../receipts/module';
import { CosmosWalletStore } from './adapters/cosmos-wallet-store';
import { walletRoutes } from './http';
import { WalletParticipant } from './participant';
import { TokenAttempts, WalletTokens, type HolderCheck } from './tokens';
import { walletBenefits, WalletService, type WalletBenefit } from './wallet';

/** The customer's own wallet: a page opened from a signed, expiring link, with her card, points, benefits, receipts and consents. */
export const walletModule = defineModule({
  name: 'wallet',
  needs: [tenancyModule, customersModule, transactionsModule, loyaltyModule, giftCardsModule, couponsModule, receiptsModule],
  containers: {
    wallet: {
      partitionKeyPaths: ['/tenantId', '/id'],
      defaultTtl: -1,
      purpose: 'Wallet tokens by the hash of their secret (expiring by TTL), each customer’s link generation, data requests, the tenant’s wallet settings',
    },
  },
  build(
    { kernel, documents, contributions },
    {
      tenancy: { tenancy },
      customers: { customers, customerService },
      transactions: { history },
      loyalty: { loyalty },
      giftCards: { giftCards },
      coupons: { coupons },
      receipts: { receipts },
    },
  ) {
    const store = new CosmosWalletStore(documents('wallet'));
    const holder: HolderCheck = async (tenantId, customerId) => {
      const record = await customers.getCustomer(tenantId, customerId);
      if (!record) return 'missing';
      if (record.mergedInto) return 'merged';
      return record.erasedAt ? 'erased' : 'active';
    };
    const tokens = new WalletTokens(store, holder, new TokenAttempts(kernel.clock), kernel.clock);
    const wallet = new WalletService(
      store,
      {
        customers,
        tenant: (tenantId) => tenancy.getTenant(tenantId),
        loyalty: (tenantId, customerId) => loyalty.view(tenantId, customerId),
        benefits: contributions(walletBenefits),
        transactions: (tenantId, customerId, limit) => history.forCustomer(tenantId, customerId, limit),
        giftCardBalance: (tenantId, giftCardId) => giftCards.balance(tenantId, giftCardId),
        giftCardOfRedemption,
        receipts: (tenantId, customerId, limit) => receipts.forCustomer(tenantId, customerId, limit),
        receiptLinks: (receipt) => receipts.linksOf(receipt),
      },
      kernel.clock,
      kernel.config.walletPageUrl,
    );
    const currentCustomerId = async (tenantId: string, customerId: string) => (await customerService.current(tenantId, customerId)).customerId;
    return {
      api: { wallet, walletTokens: tokens },
      routes: walletRoutes(kernel.edge, { tokens, wallet, currentCustomerId }),
      consumers: {},
      timers: {},
      contributes: [
        ...contribute(customerParticipants, new WalletParticipant(wallet, tokens)),
        // Her personal coupons, each usable while it has uses left and is within its dates.
        ...contribute(walletBenefits, {
          name: 'coupons',
          list: async (tenantId, customerId): Promise<WalletBenefit[]> => {
            const now = kernel.clock.now().getTime();
            return (await coupons.wallet(tenantId, customerId))
              .filter((c) => c.usesLeft > 0 && Date.parse(c.validTo) > now)
              .map((c) => ({
                source: 'coupons',
                code: c.code,
                title: c.name,
                discount: c.discount,
                validFrom: c.validFrom,
                validTo: c.validTo,
                channels: c.channels,
                usesLeft: c.usesLeft,
              }));
          },
        }),
      ],
    };
  },
});
