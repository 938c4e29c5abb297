/**
 * `npm run build && node dist/bench/wallet.js` (also run by `npm run bench`): customers opening
 * their wallets. Seeds customers with a sale in each channel and a personal coupon, mints one link
 * each, then counts the Cosmos DB operations of one wallet opening and drives `GET /api/v1/wallet`
 * with autocannon, each request with another customer's token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoTenant } from '../local/demo-tenant';
import { catalog, random } from './data';
import { load, pool, summarize } from './load';
import { startServer } from './server-process';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CUSTOMERS = Number(process.env.BENCH_WALLET_CUSTOMERS ?? 200);

async function main() {
  const server = await startServer();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- seeding reads whatever each route answers
  const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<any> => {
    let response: Response;
    do {
      response = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } while (response.status === 202 && path === '/_local/idle');
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };
  try {
    const keys = await seedDemoTenant(server.url, server.adminKey);
    const as = (key: string) => ({ 'x-api-key': key });
    const run = Date.now().toString(36);
    const skus = catalog(50, random(7));
    const campaign = await call('POST', '/api/v1/campaigns', as(keys.admin!), {
      name: 'Bench welcome',
      discount: { type: 'percentage', percent: 10 },
      validFrom: '2026-01-01T00:00:00Z',
      validTo: '2030-01-01T00:00:00Z',
    });
    console.log(`wallet benchmark: ${CUSTOMERS} customers, ${CONNECTIONS} connections, ${SECONDS} s`);
    const tokens: string[] = [];
    await pool(
      Array.from({ length: CUSTOMERS }, (_, i) => i),
      8,
      async (i) => {
        const customer = { identifiers: [{ type: 'email', value: `wallet-${i}@bench-${run}.example.com` }] };
        const line = (n: number) => ({ sku: skus[n % skus.length]!.sku, quantity: 1, unitPrice: 2500, taxRate: 21, category: 'shirts' });
        const occurredAt = new Date(Date.now() - 3_600_000).toISOString();
        const sale = { type: 'sale', currency: 'EUR', occurredAt, lines: [line(i)], tenders: [{ type: 'card', amount: 2500 }], customer };
        const inStore = await call('POST', '/api/v1/transactions', as(keys['pos-madrid']!), {
          ...sale,
          channel: 'store',
          locationId: 'madrid-centro',
          terminalId: 'till-1',
          externalId: `W-${run}-${i}`,
        });
        await call('POST', '/api/v1/transactions', as(keys.ecommerce!), { ...sale, channel: 'online', locationId: 'web-es', externalId: `WW-${run}-${i}` });
        await call('POST', `/api/v1/campaigns/${campaign.campaignId}/codes`, as(keys.admin!), { customerId: inStore.customerId });
        const link = await call('POST', `/api/v1/customers/${inStore.customerId}/wallet-links`, as(keys.admin!), { purpose: 'link' });
        tokens.push(new URL(link.url).hash.slice('#t='.length));
      },
    );
    await call('POST', '/_local/idle', as(server.adminKey));
    const open = (token: string) => call('GET', '/api/v1/wallet', { authorization: `Bearer ${token}` });
    // First openings link each customer's card; the measured ones find it.
    await pool(tokens, 8, async (token) => void (await open(token)));

    await call('POST', '/_local/metrics/reset', as(server.adminKey));
    const sample = tokens.slice(0, 50);
    const alone: number[] = [];
    for (const token of sample) {
      const started = performance.now();
      await open(token);
      alone.push(performance.now() - started);
    }
    const one = summarize('one opening at a time', alone, { connections: 1, seconds: alone.reduce((a, b) => a + b, 0) / 1000 });
    console.log(`${one.name}: p50 ${one.p50} ms, p95 ${one.p95} ms`);
    const { cosmos } = await call('GET', '/_local/metrics', as(server.adminKey));
    const perOpen = {
      reads: cosmos.reads / sample.length,
      writes: cosmos.writes / sample.length,
      queries: cosmos.queries / sample.length,
    };
    console.log(`Cosmos DB operations per opening: ${perOpen.reads} point reads, ${perOpen.queries} queries, ${perOpen.writes} writes`);

    let next = 0;
    const result = await load(
      'wallet opening (GET /api/v1/wallet)',
      server.url,
      () => ({ method: 'GET', path: '/api/v1/wallet', key: '', headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` } }),
      { connections: CONNECTIONS, seconds: SECONDS },
    );
    console.log(
      `${result.name}: ${result.perSecond}/s, p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms, failures ${JSON.stringify(result.failures)}`,
    );
    const dir = join(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'wallet.json'),
      `${JSON.stringify({ at: new Date().toISOString(), customers: CUSTOMERS, perOpen, alone: one, load: result }, null, 2)}\n`,
    );
    console.log('written to bench/results/wallet.json');
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
