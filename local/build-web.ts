/**
 * `npm run build:web`: the wallet page as the static host serves it, in dist/web/: its files under
 * wallet/ (TypeScript transpiled as the local host serves it) and the host's staticwebapp.config.json,
 * whose headers are the ones the local host sends (shared/wallet/page.ts). WALLET_API_BASE_URL (the
 * Function App's `https://<app>.azurewebsites.net/api`, azd's API_BASE_URL) is written into the page
 * and allowed by its policy; without it the page calls /api on its own origin.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { walletPageHeaders } from '../shared/wallet/page';
import { walletPageAssets } from './web';

/**
 * Azure Static Web Apps' configuration for the wallet's routes: open to anyone (the link's token is
 * the credential, checked by the API) and sent with the page's headers. The host serves the back
 * office console too: these routes go before the console's own.
 */
export function staticWebAppConfig(apiOrigin?: string): Record<string, unknown> {
  return {
    routes: [{ route: '/wallet/*', allowedRoles: ['anonymous'], headers: walletPageHeaders(apiOrigin) }],
    mimeTypes: { '.webmanifest': 'application/manifest+json' },
    globalHeaders: { 'x-content-type-options': 'nosniff' },
  };
}

function main(): void {
  const out = join(__dirname, '..', 'web');
  const apiBase = process.env.WALLET_API_BASE_URL?.replace(/\/$/, '');
  const apiOrigin = apiBase ? new URL(apiBase).origin : undefined;
  for (const [path, asset] of walletPageAssets()) {
    if (path.endsWith('/')) continue;
    const file = join(out, path);
    mkdirSync(dirname(file), { recursive: true });
    const body =
      path === '/wallet/index.html' && apiBase
        ? asset.body.toString('utf8').replace('name="unifica-api" content="/api"', `name="unifica-api" content="${apiBase}"`)
        : asset.body;
    writeFileSync(file, body);
  }
  writeFileSync(join(out, 'staticwebapp.config.json'), `${JSON.stringify(staticWebAppConfig(apiOrigin), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) main();
