import { on } from '../kernel/events';
import { defineModule } from '../kernel/module';
import { CosmosDeliveryStore, CosmosEndpointStore } from './adapters/cosmos-webhook-store';
import { HttpSender, systemResolve } from './adapters/http-sender';
import { AesSecretBox } from '../kernel/adapters/secret-box';
import { WebhookDeliveries } from './deliveries';
import { DELIVERABLE_EVENTS } from './deliverable';
import { Dispatcher } from './dispatcher';
import { WebhookEndpoints } from './endpoints';
import { webhookRoutes } from './http';

/** Attempts in flight to one endpoint at once (each customer's one at a time). */
const PER_ENDPOINT = 8;

/** Signed outbound webhooks (Standard Webhooks): endpoints per tenant, deliveries at least once, retries, log, replay. */
export const webhooksModule = defineModule({
  name: 'webhooks',
  containers: {
    webhooks: {
      partitionKeyPaths: ['/tenantId', '/endpointId'],
      // Deliveries (and their log) expire after 30 days; endpoints never (ttl -1 on each).
      defaultTtl: 30 * 86_400,
      purpose: 'Webhook endpoints (secrets sealed) and, in the same partition, each endpoint’s deliveries with their attempts (kept 30 days)',
    },
  },
  consumers: {
    webhookDeliveries: {
      subscription: 'webhooks',
      accepts: DELIVERABLE_EVENTS.map((contract) => on(contract)),
      description: 'Records one delivery per subscribed endpoint and starts its first attempt, without waiting for the receiver',
    },
  },
  timers: {
    webhookRetries: { schedule: '*/10 * * * * *', description: 'Attempts due webhook deliveries: retries, replays and first attempts a stopped instance left' },
  },
  build({ kernel, documents }) {
    const { config, clock } = kernel;
    const docs = documents('webhooks');
    const endpoints = new WebhookEndpoints(
      new CosmosEndpointStore(docs),
      new AesSecretBox(config.platformAdminKey, 'webhook signing secrets'),
      { mode: config.webhooks.mode, resolve: systemResolve },
      clock,
    );
    const dispatcher = new Dispatcher({ perEndpoint: PER_ENDPOINT, maxQueued: 1_000 });
    const sender = new HttpSender(config.webhooks.mode);
    const webhooks = new WebhookDeliveries(endpoints, new CosmosDeliveryStore(docs), sender, dispatcher, clock, {
      timeoutMs: config.webhooks.timeoutMs,
      perEndpoint: PER_ENDPOINT,
    });
    return {
      api: { webhooks, webhookEndpoints: endpoints },
      routes: webhookRoutes(kernel.edge, endpoints, webhooks),
      close: () => sender.close(),
      consumers: { webhookDeliveries: (event, log) => webhooks.handle(event, log) },
      timers: {
        webhookRetries: async (log) => {
          const result = await webhooks.deliverDue(log);
          if (result.attempted > 0) log.log('info', 'attempted due webhook deliveries', result);
        },
      },
    };
  },
});
