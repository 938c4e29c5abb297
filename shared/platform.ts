import { CosmosClient, PartitionKeyKind, type Database } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Config } from './kernel/config';
import { TenancyService } from './tenancy/tenancy';
import { CustomerResolver } from './customers/customers';
import { TransactionIngest } from './transactions/ingest';
import { TransactionHistory } from './transactions/history';
import { CustomerActivity } from './transactions/activity';
import { IdempotentRequests } from './kernel/idempotency';
import { CustomerService } from './customers/customer-service';
import { CouponParticipant, CouponService } from './coupons/coupons';
import { GiftCardService } from './gift-cards/gift-cards';
import { ReceiptParticipant, ReceiptService } from './receipts/receipt-service';
import type { ReceiptExtrasProvider } from './receipts/receipts';
import { StockService } from './stock/stock';
import { StockReconciliation } from './stock/stock-reconciliation';
import { IdentifierParticipant, TransactionParticipant, type CustomerParticipant } from './customers/participants';
import { LoyaltyParticipant, LoyaltyService } from './loyalty/service';
import type { Clock, EventPublisher, HealthProbe, Logger, Telemetry } from './kernel/ports';
import { CONTAINERS, type ContainerName } from './kernel/adapters/containers';
import { EVENTS_TOPIC } from './kernel/messaging';
import { CosmosMetrics, Documents } from './kernel/adapters/documents';
import { CachedTenantDirectory, CosmosTenantDirectory } from './tenancy/adapters/cosmos-tenant-directory';
import { CosmosCustomerStore } from './customers/adapters/cosmos-customer-store';
import { CosmosTransactionStore } from './transactions/adapters/cosmos-transaction-store';
import { CosmosLoyaltyStore } from './loyalty/adapters/cosmos-loyalty-store';
import { CosmosCouponStore } from './coupons/adapters/cosmos-coupon-store';
import { CosmosGiftCardStore } from './gift-cards/adapters/cosmos-gift-card-store';
import { CosmosIdempotencyStore } from './kernel/adapters/idempotency-store';
import { CosmosStockStore } from './stock/adapters/cosmos-stock-store';
import { CosmosReconciliationFiles } from './stock/adapters/reconciliation-files';
import { BlobSnapshotInbox } from './stock/adapters/snapshot-inbox';
import { ServiceBusPublisher } from './kernel/adapters/service-bus';
import { blobHealthProbe, createBlobServiceClient, ensureBlobContainers } from './kernel/adapters/blob-storage';
import { BlobReceiptFiles } from './receipts/adapters/receipt-files';
import { CosmosReceiptStore } from './receipts/adapters/cosmos-receipt-store';
import { createTelemetry } from './kernel/adapters/telemetry';
import { consoleSink, createLogger, type LogSink } from './kernel/adapters/logger';

export interface Platform {
  config: Config;
  logger: Logger;
  telemetry: Telemetry;
  clock: Clock;
  tenancy: TenancyService;
  ingest: TransactionIngest;
  history: TransactionHistory;
  customers: CustomerService;
  activity: CustomerActivity;
  loyalty: LoyaltyService;
  idempotency: IdempotentRequests;
  coupons: CouponService;
  giftCards: GiftCardService;
  receipts: ReceiptService;
  stock: StockService;
  stockReconciliation: StockReconciliation;
  healthProbes: HealthProbe[];
  cosmosMetrics: CosmosMetrics;
  close(): Promise<void>;
}

export interface PlatformOverrides {
  /** The local host passes its in-process bus; in Azure the Service Bus publisher is built here. */
  publisher?: EventPublisher;
  logSink?: LogSink;
  clock?: Clock;
}

const systemClock: Clock = { now: () => new Date() };

/**
 * The composition root: every client is built once per process, every use case once, here and
 * nowhere else. Handlers receive the finished use cases.
 */
export function createPlatform(config: Config, overrides: PlatformOverrides = {}): Platform {
  const logger = createLogger(overrides.logSink ?? consoleSink, config.LOG_LEVEL, { service: 'unifica' });
  const clock = overrides.clock ?? systemClock;
  let credential: TokenCredential | undefined;
  const identity = () => (credential ??= new DefaultAzureCredential({ managedIdentityClientId: config.AZURE_CLIENT_ID }));

  const cosmos = new CosmosClient({
    endpoint: config.CosmosDb__accountEndpoint,
    ...(config.CosmosDb__key ? { key: config.CosmosDb__key } : { aadCredentials: identity() }),
    connectionPolicy: { enableEndpointDiscovery: config.CosmosDb__endpointDiscovery },
  });
  const database = cosmos.database(config.CosmosDb__databaseName);
  const cosmosMetrics = new CosmosMetrics();
  const docs = (name: ContainerName) => new Documents(database.container(CONTAINERS[name].id), cosmosMetrics);
  const lookups = docs('lookups');

  const tenantDocs = docs('tenants');
  const directory = new CachedTenantDirectory(new CosmosTenantDirectory(tenantDocs));
  const customers = new CosmosCustomerStore(docs('customers'), lookups);
  const transactions = new CosmosTransactionStore(docs('transactions'), lookups);

  const serviceBus =
    overrides.publisher === undefined
      ? new ServiceBusPublisher(config.ServiceBus__fullyQualifiedNamespace!, EVENTS_TOPIC, identity())
      : undefined;
  const publisher = overrides.publisher ?? serviceBus!;

  const blob = createBlobServiceClient(
    { serviceUri: config.BlobStorage__serviceUri, connectionString: config.BlobStorage__connectionString },
    identity(),
  );

  const telemetry = createTelemetry(logger, config.APPLICATIONINSIGHTS_CONNECTION_STRING !== undefined);

  const tenancy = new TenancyService(directory, clock);
  const resolver = new CustomerResolver(customers, clock);

  const healthProbes: HealthProbe[] = [
    {
      name: 'cosmosDb',
      check: async () => {
        await database.read();
        return { ok: true };
      },
    },
    blobHealthProbe(blob),
    ...(serviceBus ? [serviceBus.healthProbe()] : []),
  ];

  const ingest = new TransactionIngest(tenancy, transactions, resolver, publisher, clock);
  const couponStore = new CosmosCouponStore(docs('coupons'));
  const coupons = new CouponService(couponStore, customers, transactions, clock);
  const loyalty = new LoyaltyService(new CosmosLoyaltyStore(tenantDocs, docs('loyalty')), customers, transactions, clock);
  // Figures other capabilities print on receipts (loyalty points, gift card balance left): they add a provider here.
  const receiptExtras: ReceiptExtrasProvider[] = [{ name: 'loyalty', extras: (tenantId, tx) => loyalty.receiptExtras(tenantId, tx) }];
  const receipts = new ReceiptService(new CosmosReceiptStore(docs('receipts')), new BlobReceiptFiles(blob, clock), tenancy, customers, publisher, receiptExtras, clock);
  // Everything attached to a customer, in the order a merge moves it. Later capabilities add theirs here.
  const participants: CustomerParticipant[] = [
    new IdentifierParticipant(customers),
    new TransactionParticipant(transactions),
    new LoyaltyParticipant(loyalty),
    new CouponParticipant(coupons, couponStore),
    new ReceiptParticipant(receipts),
  ];

  const stockDocs = docs('stock');
  const stockStore = new CosmosStockStore(stockDocs);
  const stock = new StockService(stockStore, tenancy, publisher, clock, logger.child({ component: 'stock' }));
  const stockReconciliation = new StockReconciliation(new BlobSnapshotInbox(blob), new CosmosReconciliationFiles(stockDocs), stockStore, stock, tenancy, clock);

  return {
    config,
    logger,
    telemetry,
    clock,
    tenancy,
    ingest,
    customers: new CustomerService(customers, transactions, resolver, tenancy, ingest, participants, clock),
    history: new TransactionHistory(transactions, customers),
    activity: new CustomerActivity(customers, transactions, clock),
    loyalty,
    idempotency: new IdempotentRequests(new CosmosIdempotencyStore(docs('idempotency')), clock),
    coupons,
    giftCards: new GiftCardService(new CosmosGiftCardStore(docs('giftCards')), clock),
    receipts,
    stock,
    stockReconciliation,
    healthProbes,
    cosmosMetrics,
    async close() {
      await serviceBus?.close();
      cosmos.dispose();
    },
  };
}

/**
 * Creates the database and containers as the code declares them. Used by the local stack and
 * tests; in Azure the Bicep templates create them and the app's identity has no rights to.
 */
export async function ensureCosmosSchema(config: Config): Promise<Database> {
  const client = new CosmosClient({
    endpoint: config.CosmosDb__accountEndpoint,
    key: config.CosmosDb__key,
    connectionPolicy: { enableEndpointDiscovery: config.CosmosDb__endpointDiscovery },
  });
  try {
    const { database } = await client.databases.createIfNotExists({ id: config.CosmosDb__databaseName });
    for (const spec of Object.values(CONTAINERS)) {
      await database.containers.createIfNotExists({
        id: spec.id,
        partitionKey:
          spec.partitionKeyPaths.length > 1
            ? { paths: spec.partitionKeyPaths, version: 2, kind: PartitionKeyKind.MultiHash }
            : { paths: spec.partitionKeyPaths },
        ...('defaultTtl' in spec ? { defaultTtl: spec.defaultTtl } : {}),
      });
    }
    return database;
  } finally {
    client.dispose();
  }
}

/** Creates the blob containers the code declares (locally; in Azure the storage Bicep module does). */
export async function ensureBlobSchema(config: Config): Promise<void> {
  if (!config.BlobStorage__connectionString) return;
  await ensureBlobContainers(config.BlobStorage__connectionString);
}
