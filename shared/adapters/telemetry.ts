import type { Telemetry } from '../domain/ports';

/** Application Insights only when a connection string is set; loading it costs over a second, so it loads lazily. */
export async function createTelemetry(connectionString: string | undefined): Promise<Telemetry & { flush(): Promise<void> }> {
  if (!connectionString) {
    return { trackEvent: () => undefined, trackMetric: () => undefined, flush: async () => undefined };
  }
  const appInsights = await import('applicationinsights');
  appInsights.setup(connectionString).setAutoCollectConsole(false).start();
  const client = appInsights.defaultClient;
  return {
    trackEvent: (name, properties) => client.trackEvent({ name, properties }),
    trackMetric: (name, value, properties) => client.trackMetric({ name, value, properties }),
    flush: () => client.flush(),
  };
}
