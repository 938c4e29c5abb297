/**
 * Runs delivery attempts apart from the code that asks for them, one lane per endpoint: at most
 * `perEndpoint` attempts in flight to an endpoint, the attempts of one ordering key (a customer)
 * one after the other in the order given, and at most `maxQueued` waiting per endpoint (more is
 * refused: the delivery is already recorded, and the timer sends it later). A slow or hanging
 * endpoint fills only its own lane; every other endpoint's attempts start at once.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly limits: { perEndpoint: number; maxQueued: number }) {}

  /** Queues the attempt; false when the endpoint's lane is full. The promise settles when it ran. */
  submit(endpointKey: string, orderingKey: string, run: () => Promise<void>): { accepted: boolean; done: Promise<void> } {
    let lane = this.lanes.get(endpointKey);
    if (!lane) this.lanes.set(endpointKey, (lane = { running: 0, busyKeys: new Set(), waiting: [] }));
    if (lane.waiting.length >= this.limits.maxQueued) return { accepted: false, done: Promise.resolve() };
    const done = new Promise<void>((resolve) => lane.waiting.push({ orderingKey, run, resolve }));
    this.pump(endpointKey, lane);
    return { accepted: true, done };
  }

  /** Attempts queued or running: none when everything handed over has finished. */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.running + lane.waiting.length;
    return n;
  }

  private pump(endpointKey: string, lane: Lane): void {
    while (lane.running < this.limits.perEndpoint) {
      const index = lane.waiting.findIndex((job) => !lane.busyKeys.has(job.orderingKey));
      if (index < 0) return;
      const [job] = lane.waiting.splice(index, 1) as [Job];
      lane.running += 1;
      lane.busyKeys.add(job.orderingKey);
      void job
        .run()
        .catch(() => undefined) // an attempt records its own failure; the timer retries whatever it left
        .finally(() => {
          lane.running -= 1;
          lane.busyKeys.delete(job.orderingKey);
          job.resolve();
          if (lane.running === 0 && lane.waiting.length === 0) this.lanes.delete(endpointKey);
          else this.pump(endpointKey, lane);
        });
    }
  }
}

interface Job {
  orderingKey: string;
  run: () => Promise<void>;
  resolve: () => void;
}

interface Lane {
  running: number;
  busyKeys: Set<string>;
  waiting: Job[];
}
