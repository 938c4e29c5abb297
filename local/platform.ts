import { randomBytes } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { loadConfig } from '../shared/config';
import { createPlatform, ensureCosmosSchema, type Platform } from '../shared/platform';
import type { Clock } from '../shared/domain/ports';
import { InProcessBus } from '../shared/adapters/in-process-bus';
import { consoleSink, type LogSink } from '../shared/adapters/logger';
import { ensureBlobContainers } from '../shared/adapters/blob-storage';
import { functionCatalog } from '../functions/catalog';
import { LOCAL_COSMOS_KEY, startEmbeddedStack, type StackEndpoints } from './stack';
import { startLocalHost, type LocalHost } from './host';

export interface LocalPlatformOptions {
  port?: number;
  /** Use stand-ins that are already running (tests share one set); otherwise start them. */
  stack?: StackEndpoints;
  databaseName?: string;
  timers?: boolean;
  logSink?: LogSink;
  env?: Record<string, string | undefined>;
  bus?: ConstructorParameters<typeof InProcessBus>[0];
  /** Tests move time forward (reservation expiry) with a clock of their own. */
  clock?: Clock;
}

export interface LocalPlatform {
  url: string;
  adminKey: string;
  platform: Platform;
  bus: InProcessBus;
  host: LocalHost;
  stop(): Promise<void>;
}

/** The whole platform on this machine: stand-ins, the composition root and the local host. */
export async function startLocalPlatform(options: LocalPlatformOptions = {}): Promise<LocalPlatform> {
  const env = options.env ?? process.env;
  const ownStack = options.stack ? undefined : await startEmbeddedStack();
  const stack = options.stack ?? ownStack!;
  try {
    const adminKey = env.PLATFORM_ADMIN_KEY ?? randomBytes(24).toString('base64url');
    const config = loadConfig({
      ...env,
      CosmosDb__accountEndpoint: stack.cosmosEndpoint,
      CosmosDb__key: LOCAL_COSMOS_KEY,
      CosmosDb__endpointDiscovery: 'false',
      CosmosDb__databaseName: options.databaseName ?? env.CosmosDb__databaseName ?? 'unifica',
      BlobStorage__connectionString: stack.blobConnectionString,
      MESSAGING_MODE: 'in-process',
      PLATFORM_ADMIN_KEY: adminKey,
    });
    await ensureCosmosSchema(config);
    await ensureBlobContainers(stack.blobConnectionString);
    const bus = new InProcessBus(options.bus);
    const platform = createPlatform(config, { publisher: bus, logSink: options.logSink ?? consoleSink, clock: options.clock });
    const host = await startLocalHost({
      functions: functionCatalog(platform),
      bus,
      logger: platform.logger,
      port: options.port ?? 7071,
      timers: options.timers ?? true,
      localRoutes: async (method, path, headers) => deadLetterRoute(method, path, headers, adminKey, bus),
    });
    return {
      url: host.url,
      adminKey,
      platform,
      bus,
      host,
      stop: async () => {
        await host.stop();
        await platform.close();
        await ownStack?.stop();
      },
    };
  } catch (error) {
    await ownStack?.stop();
    throw error;
  }
}

/** Local only: the dead-letter store, as Service Bus Explorer would show it in Azure. */
async function deadLetterRoute(method: string, path: string, headers: Record<string, string>, adminKey: string, bus: InProcessBus): Promise<HttpResponseInit | undefined> {
  if (path !== '/_local/dead-letters') return undefined;
  if (method !== 'GET' || headers['x-api-key'] !== adminKey) {
    return { status: 401, jsonBody: { type: 'urn:unifica:problem:unauthenticated', title: 'Platform admin key required', status: 401, code: 'unauthenticated' }, headers: { 'content-type': 'application/problem+json' } };
  }
  return { status: 200, jsonBody: { deadLetters: bus.deadLetters() } };
}
