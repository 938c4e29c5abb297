import autocannon from 'autocannon';

export interface Call {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  key: string;
  body?: unknown;
  /** Further headers (e.g. a wallet token's Authorization). */
  headers?: Record<string, string>;
}

export interface LoadResult {
  name: string;
  connections: number;
  seconds: number;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Responses outside 2xx, by status: a benchmark that fails quietly measures nothing. */
  failures: Record<string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Fixed concurrency for a fixed time with autocannon; each request is built fresh by `next`. */
export async function load(name: string, url: string, next: () => Call, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const options_: autocannon.Options = {
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request) => {
          const call = next();
          return {
            ...request,
            method: call.method,
            path: call.path,
            headers: { 'x-api-key': call.key, ...call.headers, ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
            body: call.body === undefined ? undefined : JSON.stringify(call.body),
          };
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options_, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, status, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (status < 200 || status > 299) failures[status] = (failures[status] ?? 0) + 1;
    });
  });
  if (result.errors > 0) failures.connectionErrors = result.errors;
  return summarize(name, latencies, options, failures);
}

/** Throughput and latency percentiles of one scenario, from the latency of every request (ms). */
export function summarize(
  name: string,
  latencies: number[],
  options: { connections: number; seconds: number },
  failures: Record<string, number> = {},
): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    name,
    connections: options.connections,
    seconds: options.seconds,
    requests: sorted.length,
    perSecond: round(sorted.length / options.seconds),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    failures,
  };
}

/** Runs `task` on `concurrency` workers until every item is done. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (index < items.length) await task(items[index++]!);
    }),
  );
}
