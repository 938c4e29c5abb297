/**
 * `npm run build:web`: the wallet page as the static host serves it, in dist/web/: its files under
 * wallet/ (TypeScript transpiled as the local host serves it) and the host's staticwebapp.config.json,
 * whose headers are the ones the local host sends (shared/wallet/page.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WALLET_PAGE_HEADERS } from '../shared/wallet/page';
import { walletPageAssets } from './web';

/** Azure Static Web Apps' configuration: the page's headers on its routes, `/api/*` left to the linked Function App. */
export function staticWebAppConfig(): Record<string, unknown> {
  return {
    routes: [{ route: '/wallet/*', headers: WALLET_PAGE_HEADERS }],
    mimeTypes: { '.webmanifest': 'application/manifest+json' },
    globalHeaders: { 'x-content-type-options': 'nosniff' },
  };
}

function main(): void {
  const out = join(__dirname, '..', 'web');
  for (const [path, asset] of walletPageAssets()) {
    if (path.endsWith('/')) continue;
    const file = join(out, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, asset.body);
  }
  writeFileSync(join(out, 'staticwebapp.config.json'), `${JSON.stringify(staticWebAppConfig(), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) main();
