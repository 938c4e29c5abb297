import { randomBytes } from 'node:crypto';
import type { HttpResponseInit } from '@azure/functions';
import { walletPageRoute } from './web';
import { loadConfig } from '../shared/kernel/config';
import { createPlatform, ensureBlobSchema, ensureCosmosSchema, startTelemetry, type Platform, type PlatformOverrides } from '../shared/platform';
import type { Clock } from '../shared/kernel/ports';
import { InProcessBus } from './in-process-bus';
import { consoleSink, type LogSink } from '../shared/kernel/adapters/logger';
import { LOCAL_COSMOS_KEY, startEmbeddedStack, type StackEndpoints } from './stack';
import { startLocalHost, type LocalHost } from './host';
import { consoleFiles } from './console-files';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface LocalPlatformOptions {
  port?: number;
  /** Use stand-ins that are already running (tests share one set); otherwise start them. */
  stack?: StackEndpoints;
  databaseName?: string;
  timers?: boolean;
  logSink?: LogSink;
  env?: Record<string, string | undefined>;
  bus?: ConstructorParameters<typeof InProcessBus>[0];
  /** Tests move time forward with their own clock. */
  clock?: Clock;
  /** Check every 2xx body against its route's declared schema (tests). */
  checkResponses?: boolean;
  /**
   * Tests: the OpenTelemetry SDK they registered themselves (`{ active: true }`). Otherwise the
   * settings decide (OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER, APPLICATIONINSIGHTS_CONNECTION_STRING).
   */
  telemetry?: PlatformOverrides['telemetry'];
  /** The built console (default: dist/console beside the compiled local host). */
  consoleDir?: string;
  /** Tests: shorter deadlines (each store call; a slow client's headers and body). */
  deadlines?: { storeMs?: number; headersMs?: number; bodyMs?: number };
}

export interface LocalPlatform {
  url: string;
  stack: StackEndpoints;
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
      // Webhooks to a receiver on this machine; WEBHOOKS_MODE=azure checks targets as Azure does.
      WEBHOOKS_MODE: env.WEBHOOKS_MODE ?? 'local',
      PLATFORM_ADMIN_KEY: adminKey,
    });
    await ensureCosmosSchema(config);
    await ensureBlobSchema(config);
    const sdk = options.telemetry ? undefined : startTelemetry(config);
    const telemetry = options.telemetry ?? sdk;
    const bus = new InProcessBus({ ...options.bus, traceContext: telemetry?.active ?? false });
    const platform = createPlatform(config, {
      telemetry,
      publisher: bus,
      logSink: options.logSink ?? consoleSink,
      clock: options.clock,
      checkResponses: options.checkResponses,
      storeDeadlineMs: options.deadlines?.storeMs,
    });
    const host = await startLocalHost({
      functions: platform.functions,
      bus,
      logger: platform.logger,
      port: options.port ?? 7071,
      timers: options.timers ?? true,
      localRoutes: withConsole(localRoutes(adminKey, bus, platform), consoleFiles(options.consoleDir ?? join(repositoryRoot(__dirname), 'dist', 'console'))),
      timeouts: { headersMs: options.deadlines?.headersMs, bodyMs: options.deadlines?.bodyMs },
    });
    return {
      url: host.url,
      stack,
      adminKey,
      platform,
      bus,
      host,
      stop: async () => {
        await host.stop();
        await platform.close();
        await sdk?.shutdown();
        await ownStack?.stop();
      },
    };
  } catch (error) {
    await ownStack?.stop();
    throw error;
  }
}

/** The folder with package.json above `dir` (the same from the sources and from dist/). */
function repositoryRoot(dir: string): string {
  return existsSync(join(dir, 'package.json')) || dirname(dir) === dir ? dir : repositoryRoot(dirname(dir));
}

type LocalRoutes = (method: string, path: string, headers: Record<string, string>) => Promise<HttpResponseInit | undefined>;

/** The console at the root, beside the local-only routes. */
function withConsole(local: LocalRoutes, files: ReturnType<typeof consoleFiles>): LocalRoutes {
  return async (method, path, headers) => files(method, path, headers) ?? local(method, path, headers);
}

/**
 * Local only, behind the platform admin key: the dead-letter store, as Service Bus Explorer would
 * show it in Azure, and what benchmarks read from outside the process (operation counts, the bus).
 */
function localRoutes(adminKey: string, bus: InProcessBus, platform: Platform) {
  let heldDeliveries: (() => void) | undefined;
  // The wallet page, served under /wallet/ as the static host serves it in Azure.
  const walletPage = walletPageRoute();
  return async (method: string, path: string, headers: Record<string, string>): Promise<HttpResponseInit | undefined> => {
    const page = walletPage(method, path);
    if (page) return page;
    if (!path.startsWith('/_local/')) return undefined;
    if (headers['x-api-key'] !== adminKey) {
      return {
        status: 401,
        jsonBody: { type: 'urn:unifica:problem:unauthenticated', title: 'Platform admin key required', status: 401, code: 'unauthenticated' },
        headers: { 'content-type': 'application/problem+json' },
      };
    }
    const route = `${method} ${path}`;
    if (route === 'GET /_local/dead-letters') return { status: 200, jsonBody: { deadLetters: bus.deadLetters() } };
    if (route === 'GET /_local/metrics') {
      const { reads, writes, queries, requestCharge, byContainer } = platform.cosmosMetrics;
      return {
        status: 200,
        jsonBody: { cosmos: { reads, writes, queries, requestCharge, byContainer }, bus: { ...bus.stats, deadLetters: bus.deadLetters().length } },
      };
    }
    if (route === 'POST /_local/metrics/reset') {
      platform.cosmosMetrics.reset();
      return { status: 204 };
    }
    if (route === 'POST /_local/bus/hold') {
      heldDeliveries ??= bus.holdDeliveries();
      return { status: 204 };
    }
    if (route === 'POST /_local/bus/release') {
      heldDeliveries?.();
      heldDeliveries = undefined;
      return { status: 204 };
    }
    if (route === 'POST /_local/idle') {
      // Waits at most a minute, so no client times out on a long drain: 202 means ask again.
      const idle = await Promise.race([bus.idle().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000).unref())]);
      return { status: idle ? 204 : 202 };
    }
    return {
      status: 404,
      jsonBody: { type: 'urn:unifica:problem:not-found', title: 'No such local route', status: 404, code: 'not-found' },
      headers: { 'content-type': 'application/problem+json' },
    };
  };
}
