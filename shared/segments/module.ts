import { on } from '../kernel/events';
import { contribute } from '../kernel/extensions';
import { defineModule } from '../kernel/module';
import { customerParticipants } from '../customers';
import { customersModule } from '../customers/module';
import { loyaltyModule } from '../loyalty/module';
import { TransactionClaimed, TransactionRecorded } from '../transactions';
import { transactionsModule } from '../transactions/module';
import { CosmosSegmentStore, CosmosTraitsStore } from './adapters/cosmos-segment-stores';
import { BlobMemberExports } from './adapters/member-exports';
import { segmentRoutes } from './http';
import { SegmentService, TraitsSchema } from './segments';
import { SegmentDirectory, SegmentsParticipant, TraitsService } from './traits-service';

const blobContainers = {
  segmentExports: { name: 'segment-exports', purpose: 'Member exports of segments as CSV, under {tenantId}/{segmentId}/, read through signed links' },
} as const;

/** Behaviour traits per customer, kept from both channels' transactions, and segments whose members change in real time. */
export const segmentsModule = defineModule({
  name: 'segments',
  needs: [customersModule, transactionsModule, loyaltyModule],
  containers: {
    traits: {
      partitionKeyPaths: ['/tenantId', '/customerId'],
      purpose: "One traits document per customer, with its memberships and their pending events, in the customer's partition",
    },
    segments: {
      partitionKeyPaths: ['/tenantId', '/id'],
      purpose: 'Segment definitions with their backfill progress, daily sizes, RFM cut points, the export log',
    },
  },
  blobContainers,
  consumers: {
    segmentTraits: {
      subscription: 'segments',
      accepts: [on(TransactionRecorded, { identified: true }), on(TransactionClaimed)],
      description: "Counts each identified sale and return once in the customer's traits and re-evaluates the customer's segments at once",
    },
  },
  timers: {
    segmentBackfill: {
      schedule: '*/10 * * * * *',
      description: 'Runs new or edited segments over the existing customers, resuming where a stopped run left off',
    },
    segmentOutbox: { schedule: '20 * * * * *', description: 'Resends segment entered/left events whose publish was not confirmed' },
    segmentDaily: { schedule: '0 30 3 * * *', description: 'RFM quintiles, profile and loyalty tier refresh, time-relative re-evaluation, sizes per day' },
  },
  build({ kernel, documents }, { customers: { customers }, transactions: { transactions }, loyalty: { loyalty } }) {
    const { clock, config } = kernel;
    const traitsStore = new CosmosTraitsStore(documents('traits'));
    const segmentStore = new CosmosSegmentStore(documents('segments'));
    const files = new BlobMemberExports(kernel.blob, blobContainers.segmentExports.name, clock);
    const directory = new SegmentDirectory(segmentStore);
    const tier = async (tenantId: string, customerId: string) => (await loyalty.view(tenantId, customerId)).loyalty?.tier?.code ?? null;
    const traits = new TraitsService(traitsStore, customers, transactions, directory, segmentStore, files, tier, kernel.publisher, clock);
    const segments = new SegmentService(segmentStore, traitsStore, traits, directory, customers, files, clock);
    return {
      api: { traits, segments },
      routes: segmentRoutes(kernel.edge, segments, traits),
      consumers: { segmentTraits: (event, log) => traits.handle(event, log) },
      timers: {
        segmentBackfill: (log) => segments.runBackfills(log),
        segmentOutbox: async (log) => {
          const resent = await traits.sweep(config.outboxGraceSeconds * 1000);
          if (resent > 0) log.log('info', 'resent segment events', { resent });
        },
        segmentDaily: (log) => traits.daily(log),
      },
      contributes: contribute(customerParticipants, new SegmentsParticipant(traits, clock, (tenantId) => directory.rfm(tenantId), TraitsSchema)),
    };
  },
});
