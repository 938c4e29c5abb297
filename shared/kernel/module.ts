/**
 * A capability module: everything one capability brings to the platform, declared in one typed
 * value. The static half (containers, subscriptions, timers) is read without building anything,
 * for the infrastructure file and the local stand-ins; `build` turns the kernel and the modules it
 * needs into its use cases, its functions and its contributions to other capabilities.
 */
import type { Documents } from './adapters/documents';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Config } from './config';
import type { AnyContract, EventOf, EventRoute } from './events';
import type { Contribution, ExtensionPoint } from './extensions';
import type { Clock, EventPublisher, HealthProbe, Logger, Telemetry } from './ports';
import type { EdgeKit } from '../edge/endpoint';
import type { HttpFunction } from '../edge/definition';

export interface ContainerSpec {
  /** Partition key paths, hierarchical when more than one. */
  partitionKeyPaths: readonly string[];
  /** Seconds; -1 turns per-item TTL on without a default; absent leaves TTL off. */
  defaultTtl?: number;
  purpose: string;
}

export interface BlobContainerSpec {
  /** The container's name in the storage account. */
  name: string;
  purpose: string;
}

export interface ConsumerSpec {
  /** The Service Bus subscription on the events topic. */
  subscription: string;
  /** The events it takes; the subscription's filter lets nothing else through. */
  accepts: readonly EventRoute[];
  description: string;
}

export interface TimerSpec {
  /** NCRONTAB with seconds (an app setting in Azure, so an administrator can change it). */
  schedule: string;
  description: string;
}

/** The clients and services every module may use, built once per process. */
export interface Kernel {
  config: Config;
  logger: Logger;
  clock: Clock;
  telemetry: Telemetry;
  publisher: EventPublisher;
  edge: EdgeKit;
  blob: BlobServiceClient;
  /** A Cosmos DB container by id (a module asks through `BuildContext`, which checks the name). */
  documents(containerId: string): Documents;
}

type RoutesOf<C> = C extends { accepts: readonly (infer R)[] } ? R : never;
type EventOfRoute<R> = R extends EventRoute<infer C> ? (C extends AnyContract ? EventOf<C> : never) : never;
/** The parsed event a consumer receives: one of the contracts it accepts. */
export type ConsumedEvent<C extends ConsumerSpec> = EventOfRoute<RoutesOf<C>>;

export interface BuildContext<Containers extends string> {
  kernel: Kernel;
  /** One of this module's own containers. */
  documents(name: Containers): Documents;
  /** A container another module owns and shares (e.g. the tenant-wide unique keys in `lookups`). */
  documentsOf<M extends AnyModule>(owner: M, name: Extract<keyof M['containers'], string>): Documents;
  /** Everything contributed to an extension point, in module order; complete once every module is built. */
  contributions<T>(point: ExtensionPoint<T>): readonly T[];
}

export interface Built<Api, Consumers, Timers> {
  /** What other modules (and tests) may use. */
  api: Api;
  routes?: HttpFunction[];
  consumers: { [K in keyof Consumers]: Consumers[K] extends ConsumerSpec ? (event: ConsumedEvent<Consumers[K]>, log: Logger) => Promise<unknown> : never };
  timers: { [K in keyof Timers]: (log: Logger) => Promise<unknown> };
  contributes?: Contribution[];
  healthProbes?: HealthProbe[];
  /** Releases what the module holds open (sockets, agents) when the platform closes. */
  close?: () => void | Promise<void>;
}

export interface ModuleDefinition<
  Name extends string,
  Api,
  Needs extends readonly AnyModule[],
  Containers extends Record<string, ContainerSpec>,
  Consumers extends Record<string, ConsumerSpec>,
  Timers extends Record<string, TimerSpec>,
  Blobs extends Record<string, BlobContainerSpec> = Record<string, BlobContainerSpec>,
> {
  name: Name;
  /** Modules whose api this one uses: they are built first. */
  needs: Needs;
  containers: Containers;
  blobContainers: Blobs;
  consumers: Consumers;
  timers: Timers;
  build(context: BuildContext<Extract<keyof Containers, string>>, needs: ApisOf<Needs>): Built<Api, Consumers, Timers>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a module of any shape, for lists
export type AnyModule = ModuleDefinition<string, any, readonly any[], Record<string, ContainerSpec>, Record<string, ConsumerSpec>, Record<string, TimerSpec>>;

export type ApiOf<M> =
  M extends ModuleDefinition<string, infer Api, readonly AnyModule[], never, never, never>
    ? Api
    : M extends { build(...args: never[]): { api: infer A } }
      ? A
      : never;

/** The apis of the modules a module needs, by module name. */
export type ApisOf<Needs extends readonly AnyModule[]> = { [M in Needs[number] as M['name']]: ApiOf<M> };

/** Declares a module; the compiler checks its handlers against its consumers, timers and containers. */
export function defineModule<
  const Name extends string,
  Api,
  const Needs extends readonly AnyModule[] = [],
  const Containers extends Record<string, ContainerSpec> = Record<never, ContainerSpec>,
  const Consumers extends Record<string, ConsumerSpec> = Record<never, ConsumerSpec>,
  const Timers extends Record<string, TimerSpec> = Record<never, TimerSpec>,
  const Blobs extends Record<string, BlobContainerSpec> = Record<never, BlobContainerSpec>,
>(definition: {
  name: Name;
  needs?: Needs;
  containers?: Containers;
  blobContainers?: Blobs;
  consumers?: Consumers;
  timers?: Timers;
  build(context: BuildContext<Extract<keyof Containers, string>>, needs: ApisOf<Needs>): Built<Api, Consumers, Timers>;
}): ModuleDefinition<Name, Api, Needs, Containers, Consumers, Timers, Blobs> {
  return {
    needs: [] as unknown as Needs,
    containers: {} as Containers,
    blobContainers: {} as Blobs,
    consumers: {} as Consumers,
    timers: {} as Timers,
    ...definition,
  };
}
