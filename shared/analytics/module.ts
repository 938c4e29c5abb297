import { on } from '../kernel/events';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { TransactionClaimed, TransactionRecorded } from '../transactions';
import { transactionsModule } from '../transactions/module';
import { CosmosRollupStore, CosmosTransactionSource } from './adapters/cosmos-rollups';
import { Analytics } from './analytics';
import { analyticsRoutes } from './http';

/** Retail analytics: daily rollups kept by a consumer of the transaction events, and the reports over them. */
export const analyticsModule = defineModule({
  name: 'analytics',
  needs: [tenancyModule, transactionsModule],
  containers: {
    analytics: {
      partitionKeyPaths: ['/tenantId', '/day'],
      purpose: 'Daily rollups per location, channel and currency, each with the transactions it has applied',
    },
  },
  consumers: {
    analyticsRollups: {
      subscription: 'analytics',
      accepts: [on(TransactionRecorded), on(TransactionClaimed)],
      description: "Applies each sale and return to its day's rollup, once",
    },
  },
  build({ kernel, documents, documentsOf }, { tenancy: { tenancy } }) {
    const analytics = new Analytics(
      new CosmosRollupStore(documents('analytics')),
      new CosmosTransactionSource(documentsOf(transactionsModule, 'transactions')),
      tenancy,
    );
    return {
      api: { analytics },
      routes: analyticsRoutes(kernel.edge, analytics),
      consumers: { analyticsRollups: (event, log) => analytics.handle(event, log) },
      timers: {},
    };
  },
});
