import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { CosmosCustomerStore } from './adapters/cosmos-customer-store';
import { CustomerService } from './customer-service';
import { CustomerResolver } from './customers';
import { customerRoutes } from './http';
import { customerParticipants, IdentifierParticipant } from './participants';

/** One customer across every channel: identifiers, profile and consents, merges, the 360 view, export and erasure. */
export const customersModule = defineModule({
  name: 'customers',
  needs: [tenancyModule],
  containers: {
    customers: { partitionKeyPaths: ['/tenantId', '/customerId'], purpose: 'One document per customer, with its activity summary' },
    lookups: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Unique keys within a tenant (identifiers, transaction ids): point reads and idempotent claims',
    },
  },
  build({ kernel, documents, contributions }, { tenancy: { tenancy } }) {
    const customers = new CosmosCustomerStore(documents('customers'), documents('lookups'));
    const resolver = new CustomerResolver(customers, kernel.clock);
    const service = new CustomerService(customers, resolver, tenancy, contributions(customerParticipants), kernel.clock);
    return {
      api: { customers, resolver, customerService: service },
      routes: customerRoutes(kernel.edge, service),
      consumers: {},
      timers: {},
      contributes: contribute(customerParticipants, new IdentifierParticipant(customers)),
    };
  },
});
