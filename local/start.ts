/**
 * `npm start`: the platform on this machine with no Azure account. Starts the stand-ins, serves
 * every function on http://127.0.0.1:7071/api (PORT overrides), creates the demo tenant and
 * prints its keys (also written to .unifica-local.json for `npm run demo`). Ctrl-C stops it all.
 */
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalPlatform } from './platform';
import { seedDemoTenant } from './demo-tenant';

const STATE_FILE = join(__dirname, '..', '..', '.unifica-local.json');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 7071);
  const local = await startLocalPlatform({ port, env: { LOG_LEVEL: 'warn', ...process.env } });
  const keys = await seedDemoTenant(local.url, local.adminKey);
  writeFileSync(STATE_FILE, JSON.stringify({ url: local.url, adminKey: local.adminKey, tenantId: 'demo-retail', keys }, null, 2));

  const lines = [
    '',
    `unifica is running on ${local.url}/api`,
    `  OpenAPI:   ${local.url}/api/openapi.json`,
    `  Health:    ${local.url}/api/health`,
    `  Platform admin key: ${local.adminKey}`,
    '  Demo tenant "demo-retail" (stores madrid-centro, barcelona-diagonal; warehouse almacen-getafe; online web-es):',
    ...Object.entries(keys).map(([label, key]) => `    ${label.padEnd(14)} ${key}`),
    '',
    `Try: curl -s ${local.url}/api/v1/transactions/none -H "x-api-key: ${keys.admin}"`,
    'Then, in another terminal: npm run demo. Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping...\n');
    rmSync(STATE_FILE, { force: true });
    await local.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
