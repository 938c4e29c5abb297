/**
 * What the infrastructure must provide, derived from the kernel's and the modules' declarations
 * without building anything: Cosmos DB containers, blob containers, the events topic with one
 * filtered subscription per consumer, and timer schedules. `npm run infra` writes it to
 * infra-bicep/platform.json, which the Bicep templates load; a test fails when that file is stale.
 */
import { sqlFilter } from './kernel/events';
import { EVENTS_TOPIC, KERNEL_BLOB_CONTAINERS, KERNEL_CONTAINERS } from './kernel/declarations';
import type { AnyModule, ContainerSpec } from './kernel/module';
import { scheduleSetting } from './edge/definition';
import { MODULES } from './modules';

/** Every Cosmos DB container the code uses: the kernel's and each module's, by id. */
export function cosmosContainers(modules: readonly AnyModule[] = MODULES): Array<{ id: string } & ContainerSpec> {
  const all = [Object.entries(KERNEL_CONTAINERS), ...modules.map((m) => Object.entries(m.containers))].flat();
  return all.map(([id, spec]) => ({ id, ...spec }));
}

/** Every Blob Storage container the code uses. */
export function blobContainers(modules: readonly AnyModule[] = MODULES): Array<{ name: string; purpose: string }> {
  return [...Object.values(KERNEL_BLOB_CONTAINERS), ...modules.flatMap((m) => Object.values(m.blobContainers))];
}

export function infrastructureManifest(modules: readonly AnyModule[] = MODULES) {
  return {
    $comment: 'Generated from the capability modules by `npm run infra`: do not edit. tests/infra.test.ts fails when it is stale.',
    cosmosContainers: cosmosContainers(modules).map((c) => ({ name: c.id, partitionKeyPaths: c.partitionKeyPaths, defaultTtl: c.defaultTtl ?? -2 })),
    blobContainers: blobContainers(modules).map((c) => c.name),
    eventsTopic: EVENTS_TOPIC,
    subscriptions: modules.flatMap((m) =>
      Object.entries(m.consumers).map(([fn, spec]) => ({ name: spec.subscription, consumer: fn, sqlFilter: sqlFilter(spec.accepts) })),
    ),
    timerSchedules: Object.fromEntries(modules.flatMap((m) => Object.entries(m.timers).map(([name, timer]) => [scheduleSetting(name), timer.schedule]))),
  };
}
