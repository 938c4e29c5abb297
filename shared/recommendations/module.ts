import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { catalogueModule } from '../catalogue/module';
import { CatalogueRelatedSkus } from './catalogue-relations';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { StockChanged } from '../stock';
import { stockModule } from '../stock/module';
import { TransactionClaimed, TransactionRecorded } from '../transactions';
import { BlobModelSnapshots } from './adapters/blob-model-snapshots';
import { CosmosRecommendationStore } from './adapters/cosmos-recommendation-store';
import { StockAvailability } from './availability';
import { recommendationRoutes } from './http';
import { RecommendationParticipant } from './participant';
import { RecommendationService } from './recommendations';

const blobContainers = {
  recommendationModels: { name: 'recommendation-models', purpose: "Each tenant's recommendation model, {tenantId}/model.json.gz, replaced by every rebuild" },
} as const;

/** Recommendations from the baskets of both channels: for a customer, a basket, a product; best sellers and trending. */
export const recommendationsModule = defineModule({
  name: 'recommendations',
  needs: [tenancyModule, customersModule, stockModule, catalogueModule],
  containers: {
    recommendations: {
      partitionKeyPaths: ['/tenantId', '/partition'],
      purpose: "Customers' purchase histories (partition: the customer), baskets and conversions (partition: the month), settings (partition '*')",
    },
  },
  blobContainers,
  consumers: {
    recommendationLearning: {
      subscription: 'recommendations',
      accepts: [on(TransactionRecorded), on(TransactionClaimed)],
      description: "Learns each sale and return of both channels once: the basket, the customer's history, conversions of recommended lines",
    },
    recommendationAvailability: {
      subscription: 'recommendations-stock',
      accepts: [on(StockChanged)],
      description: 'Forgets the cached availability of a SKU whose stock changed, so lists stop offering what just sold out',
    },
  },
  timers: {
    recommendationRebuild: {
      schedule: '0 15 */6 * * *',
      description: "Rebuilds each tenant's model from its baskets (returns taken off, neighbours chosen again) and saves its snapshot",
    },
    recommendationServedFlush: { schedule: '0 * * * * *', description: 'Saves the counts of lists served, for the conversion report' },
  },
  build({ kernel, documents }, { tenancy: { tenancy }, customers: { customers }, stock: { stock }, catalogue: { catalogue } }) {
    const store = new CosmosRecommendationStore(documents('recommendations'));
    const snapshots = new BlobModelSnapshots(kernel.blob, blobContainers.recommendationModels.name);
    const availability = new StockAvailability(stock);
    const recommendations = new RecommendationService(store, snapshots, availability, customers, tenancy, kernel.clock, new CatalogueRelatedSkus(catalogue));
    return {
      api: { recommendations },
      routes: recommendationRoutes(kernel.edge, recommendations),
      consumers: {
        recommendationLearning: (event, log) => recommendations.handle(event, log),
        recommendationAvailability: async (event) => availability.forget(event.tenantid, event.data.sku),
      },
      timers: {
        recommendationRebuild: (log) => recommendations.rebuildAll(log),
        recommendationServedFlush: () => recommendations.flushServed(),
      },
      contributes: contribute(customerParticipants, new RecommendationParticipant(recommendations)),
    };
  },
});
