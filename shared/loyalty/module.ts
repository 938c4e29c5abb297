import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { tenderClaims, TransactionClaimed, TransactionRecorded } from '../transactions';
import { transactionsModule } from '../transactions/module';
import { receiptExtras } from '../receipts';
import { CosmosLoyaltyStore } from './adapters/cosmos-loyalty-store';
import { loyaltyRoutes } from './http';
import { LoyaltyParticipant, LoyaltyService } from './service';

/** Points earned and spent the same in store and online: accrual, tiers, redemption, returns, expiry. */
export const loyaltyModule = defineModule({
  name: 'loyalty',
  needs: [customersModule, transactionsModule],
  containers: {
    loyalty: { partitionKeyPaths: ['/tenantId', '/customerId'], purpose: "One loyalty account per customer and its ledger, in the customer's partition" },
  },
  consumers: {
    loyaltyAccrual: {
      subscription: 'loyalty',
      accepts: [on(TransactionRecorded, { identified: true }), on(TransactionClaimed)],
      description: 'Sales earn points and returns reverse them; anonymous sales earn once claimed',
    },
  },
  timers: {
    loyaltyMaintenance: { schedule: '0 */5 * * * *', description: 'Pending points become spendable, expired points leave, tiers are reviewed' },
  },
  build({ kernel, documents, documentsOf }, { customers: { customers }, transactions: { transactions } }) {
    // The program is kept beside its tenant, in the tenants container.
    const store = new CosmosLoyaltyStore(documentsOf(tenancyModule, 'tenants'), documents('loyalty'));
    const loyalty = new LoyaltyService(store, customers, transactions, kernel.clock, kernel.publisher);
    return {
      api: { loyalty },
      routes: loyaltyRoutes(kernel.edge, loyalty),
      consumers: { loyaltyAccrual: (event, log) => loyalty.handle(event, log) },
      timers: { loyaltyMaintenance: (log) => loyalty.maintain(log) },
      contributes: [
        ...contribute(customerParticipants, new LoyaltyParticipant(loyalty)),
        ...contribute(receiptExtras, { name: 'loyalty', extras: (tenantId, tx) => loyalty.receiptExtras(tenantId, tx) }),
        ...contribute(tenderClaims, { tenderType: 'points', claim: (tenantId, claim) => loyalty.claimTender(tenantId, claim) }),
      ],
    };
  },
});
