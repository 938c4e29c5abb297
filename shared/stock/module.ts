import { on } from '../kernel/events';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { TransactionRecorded } from '../transactions';
import { CosmosStockStore } from './adapters/cosmos-stock-store';
import { CosmosReconciliationFiles } from './adapters/reconciliation-files';
import { BlobSnapshotInbox } from '../kernel/adapters/snapshot-inbox';
import { stockRoutes } from './http';
import { StockService } from './stock';
import { StockReconciliation } from './stock-reconciliation';

const blobContainers = {
  erpStockSnapshots: { name: 'erp-stock-snapshots', purpose: 'ERP stock snapshots (CSV or JSON lines) under {tenantId}/, read by the reconciliation timer' },
  stockReconciliationReports: { name: 'stock-reconciliation-reports', purpose: 'One JSON and one CSV report per reconciled snapshot, under the same name' },
} as const;

/** Stock of every store, warehouse and the web: movements, availability, reservations, ERP reconciliation. */
export const stockModule = defineModule({
  name: 'stock',
  needs: [tenancyModule],
  containers: {
    stock: {
      partitionKeyPaths: ['/tenantId', '/locationId'],
      purpose: "Stock levels, movement ledger and reservations per location; stock settings and reconciled files under location '*'",
    },
  },
  blobContainers,
  consumers: {
    stockMovements: {
      subscription: 'stock',
      // Store sales and returns move stock where they happened; online ones only through their reservation.
      accepts: [on(TransactionRecorded, { channel: 'store' }, { reservation: true })],
      description: 'Moves stock for each sale and return line, once, and confirms the reservation a pickup completes',
    },
  },
  timers: {
    stockSweeper: { schedule: '30 * * * * *', description: 'Releases expired or half-made reservations and resends unconfirmed stock.changed' },
    stockReconciliation: { schedule: '0 */5 * * * *', description: 'Reconciles each new ERP snapshot in the inbox container, once' },
  },
  build({ kernel, documents }, { tenancy: { tenancy } }) {
    const { clock, config } = kernel;
    const docs = documents('stock');
    const store = new CosmosStockStore(docs);
    const stock = new StockService(store, tenancy, kernel.publisher, clock, kernel.logger.child({ component: 'stock' }));
    const inbox = new BlobSnapshotInbox(kernel.blob, blobContainers.erpStockSnapshots.name, blobContainers.stockReconciliationReports.name);
    const stockReconciliation = new StockReconciliation(inbox, new CosmosReconciliationFiles(docs), store, stock, tenancy, clock);
    return {
      api: { stock, stockReconciliation },
      routes: stockRoutes(kernel.edge, stock, stockReconciliation),
      consumers: { stockMovements: (event, log) => stock.handleTransaction(event, log) },
      timers: {
        stockSweeper: async (log) => {
          const result = await stock.sweep(config.outboxGraceSeconds * 1000);
          if (result.released > 0 || result.republished > 0) log.log('info', 'released reservations, resent stock.changed', result);
        },
        stockReconciliation: (log) => stockReconciliation.run(log),
      },
    };
  },
});
