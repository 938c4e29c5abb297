import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { CosmosTransactionStore } from './adapters/cosmos-transaction-store';
import { CustomerActivity } from './activity';
import { PurchaseClaims } from './claims';
import { TransactionHistory } from './history';
import { transactionRoutes } from './http';
import { recordedReplies, TransactionIngest } from './ingest';
import { TransactionParticipant } from './participant';
import { saleChecks, tenderClaims } from './tender-claims';
import { lineEnrichers } from './line-enrichment';
import { TransactionClaimed, TransactionRecorded } from './transactions';

/** Sales and returns from both channels, recorded once, announced, kept in their customer's history. */
export const transactionsModule = defineModule({
  name: 'transactions',
  needs: [tenancyModule, customersModule],
  containers: {
    transactions: {
      partitionKeyPaths: ['/tenantId', '/customerKey'],
      purpose: "Sales and returns in their customer's partition; anonymous ones in a per-location, per-month bucket",
    },
  },
  consumers: {
    customerActivity: {
      subscription: 'customer-activity',
      accepts: [on(TransactionRecorded, { identified: true }), on(TransactionClaimed)],
      description: "Keeps each customer's activity summary (channels, last seen, newest transactions) up to date",
    },
  },
  timers: {
    outboxSweeper: { schedule: '0 * * * * *', description: 'Resends transaction events whose publish failed or was never confirmed' },
  },
  build({ kernel, documents, documentsOf, contributions }, { tenancy: { tenancy }, customers: { customers, resolver } }) {
    const { clock, config } = kernel;
    const transactions = new CosmosTransactionStore(documents('transactions'), documentsOf(customersModule, 'lookups'));
    const ingest = new TransactionIngest(
      tenancy,
      transactions,
      resolver,
      kernel.publisher,
      clock,
      contributions(tenderClaims),
      contributions(saleChecks),
      contributions(lineEnrichers),
    );
    const history = new TransactionHistory(transactions, customers);
    const claims = new PurchaseClaims(customers, transactions, tenancy, ingest, clock);
    const activity = new CustomerActivity(customers, transactions, clock);
    return {
      api: { transactions, ingest, history, activity },
      routes: transactionRoutes(kernel.edge, { ingest, history, claims, telemetry: kernel.telemetry, recordedReplies: contributions(recordedReplies) }),
      consumers: { customerActivity: (event, log) => activity.handle(event, log) },
      timers: {
        outboxSweeper: async (log) => {
          const result = await ingest.republishPending(config.outboxGraceSeconds * 1000, log);
          if (result.found > 0) log.log('info', 'resent pending events', result);
        },
      },
      contributes: contribute(customerParticipants, new TransactionParticipant(transactions)),
    };
  },
});
