/**
 * The OpenTelemetry SDK of the process, started by the entry points (functions/index.ts, the local
 * platform) before the platform is built; the code itself only ever calls `@opentelemetry/api`.
 *
 * - `APPLICATIONINSIGHTS_CONNECTION_STRING` set: Azure Monitor OpenTelemetry (`@azure/monitor-
 *   opentelemetry`) exports traces and metrics to Application Insights, authenticating with the
 *   managed identity (the resource accepts Entra ID only). Its releases need Node.js 22, which the
 *   Function App runs; it is loaded here, on demand, and never on Node.js 20.
 * - Locally, `OTEL_TRACES_EXPORTER` / `OTEL_METRICS_EXPORTER` = `console` prints spans and metrics,
 *   `otlp` sends them to an OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`); these SDK packages
 *   run on Node.js 20 and are loaded only when asked for.
 * - Otherwise nothing is loaded: the API's no-ops stay in place and the platform does not trace.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- each SDK is loaded only when its setting asks for it */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { DefaultAzureCredential } from '@azure/identity';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import type * as TraceNode from '@opentelemetry/sdk-trace-node';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type * as Resources from '@opentelemetry/resources';
import type * as OtlpTraces from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpMetrics from '@opentelemetry/exporter-metrics-otlp-http';
import type { Config } from '../config';

/** The Node.js major version Azure Monitor OpenTelemetry needs (its `engines`). */
export const AZURE_MONITOR_MIN_NODE = 22;

export interface TelemetrySdk {
  /** True when an SDK is registered: the platform then traces and measures (`createPlatform`'s `telemetry`). */
  active: boolean;
  /** What it exports to (`azure-monitor`, `traces:console`, `metrics:otlp`, ...); empty when off. */
  exporters: string[];
  /** Why telemetry stays off although a setting asked for it (for the platform's log). */
  notice?: string;
  /** Flushes what is buffered and stops. */
  shutdown(): Promise<void>;
}

const OFF: TelemetrySdk = { active: false, exporters: [], shutdown: async () => undefined };

/** One SDK per process: a second platform in the same process (tests) shares the first's. */
let started: TelemetrySdk | undefined;

/** `nodeVersion`: the running Node.js (tests pass another). */
export function startTelemetry(config: Pick<Config, 'telemetry' | 'identityClientId'>, nodeVersion = process.versions.node): TelemetrySdk {
  if (started) return started;
  const settings = config.telemetry;
  let sdk: TelemetrySdk;
  if (settings.connectionString) {
    if (Number(nodeVersion.split('.')[0]) < AZURE_MONITOR_MIN_NODE) {
      return {
        ...OFF,
        notice: `APPLICATIONINSIGHTS_CONNECTION_STRING is set, but Azure Monitor OpenTelemetry needs Node.js ${AZURE_MONITOR_MIN_NODE} (this is ${nodeVersion}): telemetry stays off`,
      };
    }
    sdk = startAzureMonitor(settings.connectionString, settings.samplingRatio, config.identityClientId);
  } else if (settings.traces !== 'none' || settings.metrics !== 'none') {
    sdk = startLocalExporters(settings);
  } else {
    return OFF;
  }
  const stop = sdk.shutdown;
  return (started = {
    ...sdk,
    shutdown: async () => {
      started = undefined;
      await stop();
    },
  });
}

function startAzureMonitor(connectionString: string, samplingRatio: number, identityClientId: string | undefined): TelemetrySdk {
  const { useAzureMonitor, shutdownAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof AzureMonitor;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, credential: new DefaultAzureCredential({ managedIdentityClientId: identityClientId }) },
    // A fixed percentage, decided from the trace id: every process keeps or drops the same traces,
    // so a kept sale is whole across the HTTP call and every consumer.
    samplingRatio,
    tracesPerSecond: 0,
    instrumentationOptions: {
      // The Azure SDK spans (Cosmos DB, Service Bus, Blob Storage) are the dependencies; raw HTTP
      // spans would repeat them, and the Functions host, not this process, serves HTTP.
      azureSdk: { enabled: true },
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
      // Log lines reach Application Insights through the Functions host, once.
      console: { enabled: false },
    },
  });
  return { active: true, exporters: ['azure-monitor'], shutdown: () => shutdownAzureMonitor() };
}

function startLocalExporters(settings: Config['telemetry']): TelemetrySdk {
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  const resource = resourceFromAttributes({ 'service.name': 'unifica' });
  const base = (settings.otlpEndpoint ?? 'http://localhost:4318').replace(/\/+$/, '');
  const stops: Array<() => Promise<void>> = [];
  const exporters: string[] = [];

  if (settings.traces !== 'none') {
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node') as typeof TraceNode;
    const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
    const processor =
      settings.traces === 'console'
        ? new SimpleSpanProcessor(new ConsoleSpanExporter())
        : new BatchSpanProcessor(new (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpTraces).OTLPTraceExporter({ url: `${base}/v1/traces` }));
    const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
    // The global tracer provider, AsyncLocalStorage context and the W3C trace context propagator.
    provider.register();
    stops.push(() => provider.shutdown());
    exporters.push(`traces:${settings.traces}`);
  }

  if (settings.metrics !== 'none') {
    const { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics') as typeof SdkMetrics;
    const exporter =
      settings.metrics === 'console'
        ? new ConsoleMetricExporter()
        : new (require('@opentelemetry/exporter-metrics-otlp-http') as typeof OtlpMetrics).OTLPMetricExporter({ url: `${base}/v1/metrics` });
    const provider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10_000 })] });
    metrics.setGlobalMeterProvider(provider);
    stops.push(() => provider.shutdown());
    exporters.push(`metrics:${settings.metrics}`);
  }

  return {
    active: true,
    exporters,
    shutdown: async () => {
      await Promise.all(stops.map((stop) => stop()));
      // Unregistered, so a later start in the same process can register afresh.
      trace.disable();
      context.disable();
      propagation.disable();
      metrics.disable();
    },
  };
}
