import { lookup } from 'node:dns';
import { promises as dnsPromises, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Sender, SendResult } from '../ports';
import { addressRefusal, parseTarget, type Resolve, type TargetMode } from '../targets';
import { EXCERPT_BYTES } from '../webhooks';

/** Every address a hostname has, as the operating system resolves it. */
export const systemResolve: Resolve = async (hostname) => (await dnsPromises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * POSTs deliveries with node's HTTP client. The target is checked again here, at delivery time:
 * the URL's syntax, then, inside the socket's own DNS lookup, every address the host resolves to,
 * so the address connected to is one that was checked (DNS may have changed since registration,
 * and a check done apart from the connection could be answered differently). Redirects are not
 * followed. The response is read up to the excerpt's size, then the connection is dropped.
 */
export class HttpSender implements Sender {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };

  constructor(
    private readonly mode: TargetMode,
    private readonly resolveAll: (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void = (hostname, callback) =>
      lookup(hostname, { all: true, verbatim: true }, callback),
  ) {}

  send(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
    const started = performance.now();
    const result = (status: number | null, error: string | null, responseExcerpt = ''): SendResult => ({
      status,
      error,
      latencyMs: Math.round(performance.now() - started),
      responseExcerpt,
    });
    const target = parseTarget(url, this.mode);
    if ('refusal' in target) return Promise.resolve(result(null, `refused: the URL ${target.refusal}`));
    const client = target.url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: SendResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const request = client.request(target.url, {
        method: 'POST',
        agent: this.agents[target.url.protocol as 'http:' | 'https:'],
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        lookup: this.guardedLookup(),
      });
      const timer = setTimeout(() => {
        finish(result(null, `timed out after ${timeoutMs} ms`));
        request.destroy();
      }, timeoutMs);
      request.on('error', (error) => finish(result(null, error.message)));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          finish(result(response.statusCode ?? null, null, Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8')));
          if (!response.complete) response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= EXCERPT_BYTES) done();
        });
        response.on('end', done);
        response.on('error', done);
      });
      request.end(body);
    });
  }

  /** A DNS lookup for the socket that refuses a host with any forbidden address. */
  private guardedLookup(): LookupFunction {
    return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      this.resolveAll(hostname, (error, addresses) => {
        if (error) return callback(error);
        const refused = addresses.map((a) => addressRefusal(a.address, this.mode)).find(Boolean);
        if (refused || addresses.length === 0) return callback(new Error(`refused: host ${hostname} resolves to ${refused ?? 'nothing'}`));
        if (options.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    }) as unknown as LookupFunction;
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
