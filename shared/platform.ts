import { createHmac } from 'node:crypto';
import { CosmosClient, PartitionKeyKind, type Database } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import type { Config } from './kernel/config';
import { IdempotentRequests } from './kernel/idempotency';
import type { Clock, DeadLetterStore, EventPublisher, HealthProbe, Logger } from './kernel/ports';
import { PlatformTelemetry } from './kernel/telemetry';
import type { Contribution, ExtensionPoint } from './kernel/extensions';
import type { AnyModule, ApiOf, BuildContext, Kernel } from './kernel/module';
import { EVENTS_TOPIC, KERNEL_BLOB_CONTAINERS } from './kernel/declarations';
import { CosmosMetrics, Documents } from './kernel/adapters/documents';
import { CosmosIdempotencyStore } from './kernel/adapters/idempotency-store';
import { ServiceBusPublisher } from './kernel/adapters/service-bus';
import { blobHealthProbe, createBlobServiceClient } from './kernel/adapters/blob-storage';
import { BlobDeadLetters } from './kernel/adapters/dead-letters';
import { startTelemetry, type TelemetrySdk } from './kernel/adapters/telemetry';
import { consoleSink, createLogger, type LogSink } from './kernel/adapters/logger';
import type { EdgeKit } from './edge/endpoint';
import { timerFunction, type FunctionDefinition, type HttpFunction } from './edge/definition';
import { eventConsumer } from './edge/consumer';
import { healthFunction, openApiFunction } from './edge/system';
import { MODULES } from './modules';
import { blobContainers, cosmosContainers } from './infrastructure';

type Modules = typeof MODULES;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
/** Every module's api in one object: `platform.services.loyalty`, `.stock`, ... */
export type Services = UnionToIntersection<ApiOf<Modules[number]>>;

export interface Platform {
  config: Config;
  logger: Logger;
  telemetry: PlatformTelemetry;
  clock: Clock;
  services: Services;
  /** Every function the platform serves, derived from the modules: Azure registration and the local host read this. */
  functions: FunctionDefinition[];
  cosmosMetrics: CosmosMetrics;
  close(): Promise<void>;
}

export interface PlatformOverrides {
  /** With MESSAGING_MODE in-process, the local host's bus publishes and keeps dead letters. */
  publisher?: EventPublisher & DeadLetterStore;
  logSink?: LogSink;
  clock?: Clock;
  /** Tests: every 2xx body is checked against the schema its route declares (a mismatch answers 500). */
  checkResponses?: boolean;
  /** Tests: a shorter deadline for each store call (default `STORE_DEADLINE_MS`). */
  storeDeadlineMs?: number;
  /**
   * Trace and measure when an OpenTelemetry SDK is registered: what `startTelemetry` returned (tests
   * register their own and pass `{ active: true }`). Off by default: then no wrapper makes a
   * telemetry call.
   */
  telemetry?: Pick<TelemetrySdk, 'active' | 'exporters' | 'notice'>;
}

/** Starts the process's OpenTelemetry SDK as the configuration asks (entry points call it before `createPlatform`). */
export { startTelemetry, type TelemetrySdk };

const systemClock: Clock = { now: () => new Date() };

/**
 * The composition root: a small kernel (configuration, clients, clock, logger, publisher, the
 * edge kit) and the modules, built once per process in the order of `MODULES`. The function
 * list, the extension points and the health probes are derived from what the modules declare.
 */
export function createPlatform(config: Config, overrides: PlatformOverrides = {}): Platform {
  const logger = createLogger(overrides.logSink ?? consoleSink, config.logLevel, { service: 'unifica' });
  const clock = overrides.clock ?? systemClock;
  let credential: TokenCredential | undefined;
  const identity = () => (credential ??= new DefaultAzureCredential({ managedIdentityClientId: config.identityClientId }));

  const cosmos = new CosmosClient({
    endpoint: config.cosmos.endpoint,
    ...(config.cosmos.key ? { key: config.cosmos.key } : { aadCredentials: identity() }),
    connectionPolicy: { enableEndpointDiscovery: config.cosmos.endpointDiscovery },
  });
  const database = cosmos.database(config.cosmos.databaseName);
  const telemetry = new PlatformTelemetry(overrides.telemetry?.active ?? false, clock);
  if (overrides.telemetry?.notice) logger.log('warn', overrides.telemetry.notice);
  else if (telemetry.enabled) logger.log('info', 'telemetry on', { exporters: overrides.telemetry?.exporters?.join(',') });
  const cosmosMetrics = new CosmosMetrics();
  if (telemetry.enabled) cosmosMetrics.telemetry = telemetry;
  // Continuation tokens are sealed with a key every instance derives from the operator's secret.
  const tokenKey = createHmac('sha256', config.platformAdminKey).update('unifica continuation tokens v1').digest();
  const documents = (id: string) => new Documents(database.container(id), cosmosMetrics, { tokenKey, deadlineMs: overrides.storeDeadlineMs });
  const blob = createBlobServiceClient(config.blob, identity());

  let serviceBus: ServiceBusPublisher | undefined;
  let publisher: EventPublisher;
  let deadLetters: DeadLetterStore;
  if (config.messaging.mode === 'servicebus') {
    publisher = serviceBus = new ServiceBusPublisher(config.messaging.namespace, EVENTS_TOPIC, identity(), telemetry.enabled);
    deadLetters = new BlobDeadLetters(blob, KERNEL_BLOB_CONTAINERS.deadLetters.name);
  } else {
    if (!overrides.publisher) throw new Error('MESSAGING_MODE in-process needs the local host’s in-process bus');
    publisher = deadLetters = overrides.publisher;
  }

  const apis: Record<string, unknown> = {};
  const edge: EdgeKit = {
    logger,
    idempotency: new IdempotentRequests(new CosmosIdempotencyStore(documents('idempotency')), clock),
    platformAdminKey: config.platformAdminKey,
    checkResponses: overrides.checkResponses,
    // The tenancy module is built first; the edge asks it who is calling.
    authenticate: (apiKey, client) => (apis as Services).tenancy.authenticate(apiKey, client),
    authenticateStaff: (token, client) => (apis as Services).tenancy.authenticateStaff(token, client),
    telemetry,
  };
  // With telemetry on, every publish is a producer span whose context each message carries.
  const kernelPublisher = telemetry.enabled ? telemetry.tracedPublisher(publisher, EVENTS_TOPIC) : publisher;
  const kernel: Kernel = { config, logger, clock, telemetry, publisher: kernelPublisher, edge, blob, documents };

  const contributed = new Map<ExtensionPoint<unknown>, unknown[]>();
  const contributionsTo = (point: ExtensionPoint<unknown>) => contributed.get(point) ?? contributed.set(point, []).get(point)!;
  const routes: HttpFunction[] = [];
  const functions: FunctionDefinition[] = [];
  const timers: FunctionDefinition[] = [];
  const contributions: Contribution[] = [];
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

  const built = new Map<AnyModule, unknown>();
  const closers: Array<() => void | Promise<void>> = [];
  for (const module of MODULES as readonly AnyModule[]) {
    const needs: Record<string, unknown> = {};
    for (const need of module.needs as readonly AnyModule[]) {
      if (!built.has(need)) throw new Error(`Module ${module.name} needs ${need.name}: list ${need.name} before it in MODULES`);
      needs[need.name] = built.get(need);
    }
    const context: BuildContext<string> = {
      kernel,
      documents: (name) => documents(name),
      documentsOf: (_owner, name) => documents(name),
      contributions: <T>(point: ExtensionPoint<T>) => contributionsTo(point as ExtensionPoint<unknown>) as T[],
    };
    const result = module.build(context, needs);
    built.set(module, result.api);
    Object.assign(apis, result.api);
    routes.push(...(result.routes ?? []));
    for (const [name, spec] of Object.entries(module.consumers)) {
      functions.push(eventConsumer(name, spec, result.consumers[name] as never, { logger, deadLetters, telemetry }));
    }
    for (const [name, spec] of Object.entries(module.timers)) timers.push(timerFunction(name, spec, result.timers[name]!, logger, telemetry));
    contributions.push(...(result.contributes ?? []));
    healthProbes.push(...(result.healthProbes ?? []));
    if (result.close) closers.push(result.close);
  }
  for (const { point, value } of contributions) contributionsTo(point).push(value);

  const http = [...routes, healthFunction(edge, healthProbes)];
  return {
    config,
    logger,
    telemetry,
    clock,
    services: apis as Services,
    functions: [...http, openApiFunction(edge, () => http), ...functions, ...timers],
    cosmosMetrics,
    async close() {
      for (const close of closers) await close();
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
    endpoint: config.cosmos.endpoint,
    key: config.cosmos.key,
    connectionPolicy: { enableEndpointDiscovery: config.cosmos.endpointDiscovery },
  });
  try {
    const { database } = await client.databases.createIfNotExists({ id: config.cosmos.databaseName });
    for (const spec of cosmosContainers()) {
      const paths = [...spec.partitionKeyPaths];
      await database.containers.createIfNotExists({
        id: spec.id,
        partitionKey: paths.length > 1 ? { paths, version: 2, kind: PartitionKeyKind.MultiHash } : { paths },
        ...(spec.defaultTtl !== undefined ? { defaultTtl: spec.defaultTtl } : {}),
      });
    }
    return database;
  } finally {
    client.dispose();
  }
}

/** Creates the blob containers the code declares (locally; in Azure the storage Bicep module does). */
export async function ensureBlobSchema(config: Config): Promise<void> {
  if (!config.blob.connectionString) return;
  const client = BlobServiceClient.fromConnectionString(config.blob.connectionString);
  for (const { name } of blobContainers()) await client.getContainerClient(name).createIfNotExists();
}
