import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { TransactionRecorded } from '../transactions';
import { transactionsModule } from '../transactions/module';
import { LoyaltyPointsChanged } from '../loyalty';
import { loyaltyModule } from '../loyalty/module';
import { campaignAudiences } from '../coupons';
import { couponsModule } from '../coupons/module';
import { CosmosOfferStore } from './adapters/cosmos-offer-store';
import { offerRoutes } from './http';
import { OfferService } from './offers';
import { OffersParticipant } from './participant';
import { Qualifier } from './qualify';
import type { SegmentDirectory } from './segments';
import { SegmentEntered, SegmentLeft } from '../segments';
import { segmentsModule } from '../segments/module';
import { recommendationsModule } from '../recommendations/module';

/** Personal benefits in real time: rules (trigger -> conditions -> actions) and the offer at the till. */
export const offersModule = defineModule({
  name: 'offers',
  needs: [customersModule, transactionsModule, loyaltyModule, couponsModule, segmentsModule, recommendationsModule],
  containers: {
    offers: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Offer rules and their versions, activations (one per rule, customer and triggering event), per-customer caps and budgets',
    },
  },
  consumers: {
    offerTriggers: {
      subscription: 'offers',
      accepts: [on(TransactionRecorded, { identified: true }), on(LoyaltyPointsChanged), on(SegmentEntered), on(SegmentLeft)],
      description:
        'Sales, first purchases and returns of identified customers, tier changes, points thresholds, segments entered and left: rules whose trigger fires act once',
    },
  },
  timers: {
    offersDaily: { schedule: '0 0 6 * * *', description: 'Birthday and lapsed rules, for the customers whose traits match today' },
    offersOutboxSweeper: { schedule: '15 * * * * *', description: 'Resends offer.issued events whose publish failed or was never confirmed' },
  },
  build(
    { kernel, documents },
    {
      customers: { customers },
      transactions: { transactions },
      loyalty: { loyalty },
      coupons: { coupons },
      segments: { segments: known },
      recommendations: { recommendations },
    },
  ) {
    // Membership, existence and customers by trait, as the segments capability answers them.
    const segments: SegmentDirectory = {
      available: true,
      exists: (tenantId, segmentId) => known.exists(tenantId, segmentId),
      isMember: (tenantId, segmentId, customerId) => known.isMember(tenantId, segmentId, customerId),
      customersMatching: (tenantId, query) => known.customersMatching(tenantId, query),
    };
    const store = new CosmosOfferStore(documents('offers'));
    const offers = new OfferService(store, customers, transactions, coupons, loyalty, segments, kernel.publisher, kernel.clock);
    const qualifier = new Qualifier(
      customers,
      {
        coupons: (tenantId, request) => coupons.offersFor(tenantId, request),
        loyalty: (tenantId, customerId) => loyalty.balance(tenantId, customerId),
        recommend: async (tenantId, basket, limit) =>
          (await recommendations.forBasket(tenantId, basket, limit)).items.map((item) => ({ sku: item.sku, explanation: item.explanation.text })),
      },
      kernel.clock,
    );
    return {
      api: { offers },
      routes: offerRoutes(kernel.edge, offers, qualifier),
      consumers: {
        offerTriggers: (event, log) => {
          if (event.type === 'transaction.recorded') return offers.handleTransaction(event, log);
          if (event.type === 'loyalty.points.changed') return offers.handlePointsChanged(event, log);
          const { segmentId, customerId, at } = event.data;
          return offers.handleSegmentChange(
            event.tenantid,
            { eventId: event.id, segmentId, customerId, at, entered: event.type === 'customer.segment.entered' },
            log,
          );
        },
      },
      timers: {
        offersDaily: (log) => offers.runDaily(log),
        offersOutboxSweeper: (log) => offers.sweep(log),
      },
      contributes: [...contribute(customerParticipants, new OffersParticipant(offers)), ...contribute(campaignAudiences, segments)],
    };
  },
});
