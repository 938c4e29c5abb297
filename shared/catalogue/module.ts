import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { stockModule } from '../stock/module';
import { lineEnrichers } from '../transactions';
import { BlobSnapshotInbox } from '../kernel/adapters/snapshot-inbox';
import { BlobFeedFiles, CosmosImportedFiles } from './adapters/catalogue-files';
import { CosmosCatalogueStore } from './adapters/cosmos-catalogue-store';
import { CatalogueService } from './catalogue';
import { CatalogueImport } from './catalogue-import';
import { CatalogueLineEnricher } from './enrichment';
import { catalogueRoutes } from './http';
import { CataloguePublishing } from './publishing';

const blobContainers = {
  erpCatalogueSnapshots: {
    name: 'erp-catalogue-snapshots',
    purpose: 'ERP catalogue snapshots (products, variants, prices, relations; CSV or JSON lines) under {tenantId}/, read by the import timer',
  },
  catalogueImportReports: { name: 'catalogue-import-reports', purpose: 'One JSON and one CSV report per imported snapshot, under the same name' },
  catalogueFeeds: {
    name: 'catalogue-feeds',
    purpose: 'Merchant Center product and local inventory feeds and parity reports, under {tenantId}/{country}/, opened through signed links',
  },
} as const;

/** The connected catalogue: products, variants, families, attributes, relations, price lists; enriches sale lines and publishes feeds. */
export const catalogueModule = defineModule({
  name: 'catalogue',
  needs: [tenancyModule, stockModule],
  containers: {
    catalogue: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Catalogue settings, products, variants (by SKU), prices (by list, location and SKU), relations and imported files, each a point read',
    },
  },
  blobContainers,
  timers: {
    catalogueImport: { schedule: '0 */5 * * * *', description: 'Imports each new ERP catalogue snapshot in the inbox container, once' },
    cataloguePublisher: { schedule: '0 15 * * * *', description: 'Writes every tenant’s Merchant Center feeds and parity report, hourly' },
  },
  build({ kernel, documents }, { tenancy: { tenancy }, stock: { stock } }) {
    const docs = documents('catalogue');
    const store = new CosmosCatalogueStore(docs);
    const catalogue = new CatalogueService(store, tenancy, kernel.clock);
    const inbox = new BlobSnapshotInbox(kernel.blob, blobContainers.erpCatalogueSnapshots.name, blobContainers.catalogueImportReports.name);
    const catalogueImport = new CatalogueImport(inbox, new CosmosImportedFiles(docs), catalogue, tenancy, kernel.clock);
    const feeds = new BlobFeedFiles(kernel.blob, blobContainers.catalogueFeeds.name, kernel.clock);
    const cataloguePublishing = new CataloguePublishing(store, catalogue, tenancy, stock, feeds, kernel.clock);
    return {
      api: { catalogue, catalogueImport, cataloguePublishing },
      routes: catalogueRoutes(kernel.edge, { catalogue, imports: catalogueImport, publishing: cataloguePublishing }),
      consumers: {},
      timers: {
        catalogueImport: (log) => catalogueImport.run(log),
        cataloguePublisher: (log) => cataloguePublishing.publishAll(log),
      },
      contributes: contribute(lineEnrichers, new CatalogueLineEnricher(catalogue)),
    };
  },
});
