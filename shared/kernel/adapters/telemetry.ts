import type { Logger, Telemetry } from '../ports';

/**
 * Business events and metrics as structured log lines. In Azure the Functions host sends every
 * log line to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set (and only
 * then), where `telemetry` and `name` become custom dimensions to chart and alert on. Without the
 * setting they stay in the local log. (The in-process SDK is not used: its current releases need
 * Node 22 and add ~300 MB to the package.)
 */
export function createTelemetry(logger: Logger, enabled: boolean): Telemetry {
  const log = logger.child({ telemetry: true });
  return {
    trackEvent: (name, properties) => enabled && log.log('info', 'event', { name, ...properties }),
    trackMetric: (name, value, properties) => enabled && log.log('info', 'metric', { name, value, ...properties }),
  };
}
