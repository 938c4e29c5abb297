/**
 * Azure entry point (package.json `main`): registers the function list with the Functions host.
 * `func start` and Azure load this; the local host (local/) serves the same list without it.
 */
import { app } from '@azure/functions';
import { loadConfig } from '../shared/kernel/config';
import { SERVICE_BUS_CONNECTION } from '../shared/kernel/declarations';
import { createPlatform, startTelemetry } from '../shared/platform';
import { scheduleSetting } from '../shared/edge/definition';

const config = loadConfig(process.env);
// Azure Monitor OpenTelemetry when APPLICATIONINSIGHTS_CONNECTION_STRING is set (loaded only then),
// registered before the platform takes its tracer and instruments.
const telemetry = startTelemetry(config);
const platform = createPlatform(config, { telemetry });

app.setup({ enableHttpStream: false });
for (const fn of platform.functions) {
  switch (fn.kind) {
    case 'http':
      app.http(fn.name, { methods: [fn.method], route: fn.route, authLevel: 'anonymous', handler: fn.handler });
      break;
    case 'serviceBusTopic':
      app.serviceBusTopic(fn.name, {
        connection: SERVICE_BUS_CONNECTION,
        topicName: fn.topicName,
        subscriptionName: fn.subscriptionName,
        handler: fn.handler,
      });
      break;
    case 'timer':
      app.timer(fn.name, { schedule: `%${scheduleSetting(fn.name)}%`, handler: fn.handler });
      break;
  }
}

app.hook.appTerminate(async () => {
  await platform.close();
  await telemetry.shutdown();
});
