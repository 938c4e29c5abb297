import { z } from 'zod';

const optionalText = z.string().trim().min(1).optional();
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const exporter = z.enum(['none', 'console', 'otlp']).default('none');

/**
 * Every setting the platform reads, in one place, as the environment names them. Names with `__`
 * follow the Functions identity-based connection convention, so the Service Bus trigger reads the
 * same ones. The code reads the typed, nested `Config` that `loadConfig` maps them to.
 */
export const ConfigSchema = z
  .object({
    CosmosDb__accountEndpoint: z.url(),
    CosmosDb__databaseName: z
      .string()
      .regex(/^[A-Za-z0-9-_]{1,64}$/)
      .default('unifica'),
    /** Local stand-in only; in Azure the managed identity is used. */
    CosmosDb__key: optionalText,
    /** Off for the local stand-in, which advertises endpoints it does not serve. */
    CosmosDb__endpointDiscovery: flag.default(true),
    MESSAGING_MODE: z.enum(['servicebus', 'in-process']).default('servicebus'),
    ServiceBus__fullyQualifiedNamespace: optionalText,
    BlobStorage__serviceUri: z.url().optional(),
    /** Local Azurite only. */
    BlobStorage__connectionString: optionalText,
    PLATFORM_ADMIN_KEY: z.string().min(32, 'must be at least 32 characters'),
    /** Telemetry to Application Insights (traces and metrics with Azure Monitor OpenTelemetry, Node.js 22+); unset, telemetry is off. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalText,
    /** Share of traces kept, whole (the same traces in every process), in percent. */
    TELEMETRY_SAMPLING_PERCENTAGE: z.coerce.number().int().min(1).max(100).default(100),
    /** Local only: print spans (`console`) or send them to an OTLP/HTTP collector (`otlp`); off by default. */
    OTEL_TRACES_EXPORTER: exporter,
    /** Local only: the same for metrics. */
    OTEL_METRICS_EXPORTER: exporter,
    /** Local only: the collector's OTLP/HTTP base URL (default http://localhost:4318). */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
    /** Client id of the user-assigned managed identity. */
    AZURE_CLIENT_ID: optionalText,
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Seconds a transaction's event may stay unconfirmed before the sweeper resends it. */
    OUTBOX_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** `local` lets webhooks go to loopback addresses (also over plain http): the local host and tests. */
    WEBHOOKS_MODE: z.enum(['azure', 'local']).default('azure'),
    /** How long one webhook delivery attempt may take before it counts as failed. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
    /** Who produces the invoicing system, as every Verifactu record names it (the platform operator's company). */
    INVOICING_SYSTEM_PRODUCER: z.string().trim().min(1).max(120).default('Unifica Retail Platform'),
    INVOICING_SYSTEM_PRODUCER_NIF: z
      .string()
      .regex(/^[A-Z0-9]{9}$/, 'must be a 9-character NIF')
      .default('B00000000'),
    /** Staff sign-in with Microsoft Entra ID: the API app registration's application id URI or client id (the tokens' `aud`); unset, only keys sign in. */
    ENTRA_API_AUDIENCE: z
      .string()
      .trim()
      .transform((v) => v || undefined)
      .optional(),
    /** Where Entra ID tokens come from: Azure's public cloud unless set (a sovereign cloud; a test issuer locally). */
    ENTRA_AUTHORITY_HOST: z.url().default('https://login.microsoftonline.com'),
    /** Where wallet links open the customer's wallet page (the static host's /wallet/); absent: the API's own origin + /wallet/, as locally. */
    WALLET_PAGE_URL: z.url().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.MESSAGING_MODE === 'servicebus' && !c.ServiceBus__fullyQualifiedNamespace) {
      ctx.addIssue({ code: 'custom', path: ['ServiceBus__fullyQualifiedNamespace'], message: 'is required when MESSAGING_MODE is servicebus' });
    }
    if (!c.BlobStorage__serviceUri && !c.BlobStorage__connectionString) {
      ctx.addIssue({ code: 'custom', path: ['BlobStorage__serviceUri'], message: 'is required (or BlobStorage__connectionString for Azurite)' });
    }
  });

export type Settings = z.infer<typeof ConfigSchema>;
export type TelemetryExporter = Settings['OTEL_TRACES_EXPORTER'];

/** The platform's configuration, grouped by what it configures. */
export interface Config {
  cosmos: {
    endpoint: string;
    databaseName: string;
    /** Local stand-in only; in Azure the managed identity is used. */
    key?: string;
    endpointDiscovery: boolean;
  };
  messaging: { mode: 'servicebus'; namespace: string } | { mode: 'in-process' };
  blob: { serviceUri?: string; connectionString?: string };
  platformAdminKey: string;
  telemetry: {
    /** Application Insights: Azure Monitor OpenTelemetry exports traces and metrics (Node.js 22+). */
    connectionString?: string;
    /** Share of traces kept, 0 to 1. */
    samplingRatio: number;
    /** Local exporters, when no connection string is set. */
    traces: TelemetryExporter;
    metrics: TelemetryExporter;
    otlpEndpoint?: string;
  };
  /** Client id of the user-assigned managed identity. */
  identityClientId?: string;
  logLevel: Settings['LOG_LEVEL'];
  /** Seconds an event may stay unconfirmed before a sweeper resends it. */
  outboxGraceSeconds: number;
  /** Outbound webhooks: where they may go (`local` adds loopback) and each attempt's timeout. */
  webhooks: { mode: 'azure' | 'local'; timeoutMs: number };
  /** The producer of the invoicing system, named in every Verifactu record's SistemaInformatico. */
  invoicingSystem: { producerName: string; producerNif: string };
  /** The wallet page links open, unless a tenant's wallet settings name its own. */
  walletPageUrl?: string;
  /** Staff sign-in with Microsoft Entra ID access tokens; absent, only API keys authenticate. */
  staffSignIn?: { audience: string; authorityHost: string };
}

function toConfig(s: Settings): Config {
  return {
    cosmos: {
      endpoint: s.CosmosDb__accountEndpoint,
      databaseName: s.CosmosDb__databaseName,
      key: s.CosmosDb__key,
      endpointDiscovery: s.CosmosDb__endpointDiscovery,
    },
    messaging: s.MESSAGING_MODE === 'servicebus' ? { mode: 'servicebus', namespace: s.ServiceBus__fullyQualifiedNamespace! } : { mode: 'in-process' },
    blob: { serviceUri: s.BlobStorage__serviceUri, connectionString: s.BlobStorage__connectionString },
    platformAdminKey: s.PLATFORM_ADMIN_KEY,
    telemetry: {
      connectionString: s.APPLICATIONINSIGHTS_CONNECTION_STRING,
      samplingRatio: s.TELEMETRY_SAMPLING_PERCENTAGE / 100,
      traces: s.OTEL_TRACES_EXPORTER,
      metrics: s.OTEL_METRICS_EXPORTER,
      otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    identityClientId: s.AZURE_CLIENT_ID,
    logLevel: s.LOG_LEVEL,
    outboxGraceSeconds: s.OUTBOX_GRACE_SECONDS,
    webhooks: { mode: s.WEBHOOKS_MODE, timeoutMs: s.WEBHOOK_TIMEOUT_MS },
    invoicingSystem: { producerName: s.INVOICING_SYSTEM_PRODUCER, producerNif: s.INVOICING_SYSTEM_PRODUCER_NIF },
    walletPageUrl: s.WALLET_PAGE_URL,
    ...(s.ENTRA_API_AUDIENCE ? { staffSignIn: { audience: s.ENTRA_API_AUDIENCE, authorityHost: s.ENTRA_AUTHORITY_HOST.replace(/\/$/, '') } } : {}),
  };
}

/** Settings only the local stand-ins use; in Azure they stay unset. */
export const LOCAL_ONLY_SETTINGS = [
  'CosmosDb__key',
  'CosmosDb__endpointDiscovery',
  'BlobStorage__connectionString',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'WEBHOOKS_MODE',
] as const;

export class ConfigError extends Error {
  constructor(
    readonly settings: string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; a missing or malformed setting stops start-up with its name. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return toConfig(result.data);
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(
    result.error.issues.map((i) => i.path.join('.')),
    `Invalid configuration. Fix these settings:\n  ${problems.join('\n  ')}`,
  );
}
