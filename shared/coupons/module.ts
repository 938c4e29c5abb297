import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { TransactionRecorded } from '../transactions';
import { transactionsModule } from '../transactions/module';
import { giftCardsModule } from '../gift-cards/module';
import { CosmosCouponStore } from './adapters/cosmos-coupon-store';
import { CouponParticipant, CouponService } from './coupons';
import { couponRoutes } from './http';
import { campaignAudiences } from './audiences';

/** Campaigns and codes valid in every channel, held at checkout and redeemed exactly once. */
export const couponsModule = defineModule({
  name: 'coupons',
  needs: [customersModule, transactionsModule, giftCardsModule],
  containers: {
    coupons: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Campaigns, public codes, per-code and per-customer counters, coupon holds: point reads and conditional patches',
    },
  },
  consumers: {
    couponRedemptions: {
      subscription: 'coupons',
      accepts: [on(TransactionRecorded, { coupons: true }, { txtype: 'return' }, { giftcards: true })],
      description: 'Confirms coupon holds, redeems codes sent offline, restores uses on full returns, activates gift cards sold',
    },
  },
  timers: {
    couponHoldSweeper: { schedule: '30 * * * * *', description: 'Releases coupon holds past their expiry (a hold gives its uses back, so not Cosmos TTL)' },
  },
  build({ kernel, documents, contributions }, { customers: { customers }, transactions: { transactions }, giftCards: { giftCards } }) {
    const store = new CosmosCouponStore(documents('coupons'));
    const coupons = new CouponService(store, customers, transactions, kernel.clock, kernel.publisher, contributions(campaignAudiences));
    return {
      api: { coupons },
      routes: couponRoutes(kernel.edge, coupons),
      consumers: {
        // Gift cards sold on a sale line ride on this subscription: one execution per sale with work for either.
        couponRedemptions: async (event, log) => {
          await giftCards.handle(event, log);
          await coupons.handle(event, log);
        },
      },
      timers: { couponHoldSweeper: (log) => coupons.sweep(log) },
      contributes: contribute(customerParticipants, new CouponParticipant(coupons, store)),
    };
  },
});
