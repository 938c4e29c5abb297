import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { tenancyModule } from '../tenancy/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { recordedReplies, TransactionClaimed, TransactionRecorded } from '../transactions';
import { CosmosReceiptStore } from './adapters/cosmos-receipt-store';
import { BlobReceiptFiles } from './adapters/receipt-files';
import { receiptRoutes } from './http';
import { ReceiptParticipant, ReceiptService } from './receipt-service';
import { receiptExtras } from './receipts';
import { RecordingAeatSubmitter } from './adapters/recording-submitter';
import type { InvoicingSystem } from './chain';

/** The invoicing system's version as records name it; raised with each release that changes what records hold. */
const INVOICING_SYSTEM_VERSION = '1.0';

const blobContainers = {
  receipts: { name: 'receipts', purpose: 'Receipts as JSON and HTML under {tenantId}/, opened through signed, expiring links' },
} as const;

/** A digital receipt for every sale and return, numbered per series, with Spain's chained fiscal record. */
export const receiptsModule = defineModule({
  name: 'receipts',
  needs: [tenancyModule, customersModule],
  containers: {
    receipts: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'One receipt per transaction (id receipt:<transactionId>) and one head per numbering series (id series:<seriesId>)',
    },
  },
  blobContainers,
  consumers: {
    receiptIssuer: {
      subscription: 'receipts',
      accepts: [on(TransactionRecorded), on(TransactionClaimed)],
      description: 'Issues the receipt of every recorded transaction, and attaches it to a customer who claims it later',
    },
  },
  build({ kernel, documents, contributions }, { tenancy: { tenancy }, customers: { customers } }) {
    const files = new BlobReceiptFiles(kernel.blob, blobContainers.receipts.name, kernel.clock);
    const system: InvoicingSystem = { ...kernel.config.invoicingSystem, name: 'unifica', id: 'UN', version: INVOICING_SYSTEM_VERSION };
    const submitter = new RecordingAeatSubmitter(kernel.logger.child({ component: 'aeat' }));
    const store = new CosmosReceiptStore(documents('receipts'));
    const receipts = new ReceiptService(store, files, tenancy, customers, kernel.publisher, contributions(receiptExtras), system, submitter, kernel.clock);
    return {
      api: { receipts, aeatSubmitter: submitter },
      routes: receiptRoutes(kernel.edge, receipts),
      consumers: { receiptIssuer: (event, log) => receipts.handle(event, log) },
      timers: {},
      contributes: [
        ...contribute(customerParticipants, new ReceiptParticipant(receipts)),
        ...contribute(recordedReplies, async (tenantId, transaction, newCustomer) => ({
          receipt: await receipts.paperFor(tenantId, transaction, newCustomer),
        })),
      ],
    };
  },
});
