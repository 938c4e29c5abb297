/**
 * `npm run build:web`: the wallet page into the static web app's folder, dist/console (the back
 * office console is built there by `npm run build`; one site, one deployment): its files under
 * wallet/ (TypeScript transpiled as the local host serves it) and its route in the site's
 * staticwebapp.config.json, with the headers the local host sends (shared/wallet/page.ts).
 * WALLET_API_BASE_URL (the Function App's `https://<app>.azurewebsites.net/api`, azd's API_BASE_URL)
 * is written into the page and allowed by its policy; without it the page calls /api on its own origin.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { walletPageHeaders } from '../shared/wallet/page';
import { walletPageAssets } from './web';

interface SiteConfig {
  routes?: Array<Record<string, unknown>>;
  navigationFallback?: { rewrite: string; exclude?: string[] };
  mimeTypes?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The site's configuration with the wallet's route: open to anyone (the link's token is the
 * credential, checked by the API), first, so the console's routes (which ask for a signed-in role)
 * never see it, and kept out of the console's fallback to its own page.
 */
export function withWalletRoute(site: SiteConfig, apiOrigin?: string): SiteConfig {
  const route = { route: '/wallet/*', allowedRoles: ['anonymous'], headers: walletPageHeaders(apiOrigin) };
  return {
    ...site,
    routes: [route, ...(site.routes ?? []).filter((r) => r.route !== route.route)],
    ...(site.navigationFallback
      ? { navigationFallback: { ...site.navigationFallback, exclude: [...new Set([...(site.navigationFallback.exclude ?? []), '/wallet/*'])] } }
      : {}),
    mimeTypes: { ...site.mimeTypes, '.webmanifest': 'application/manifest+json' },
  };
}

function main(): void {
  const out = join(__dirname, '..', 'console');
  const apiBase = process.env.WALLET_API_BASE_URL?.replace(/\/$/, '');
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
  const configFile = join(out, 'staticwebapp.config.json');
  const site = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as SiteConfig) : {};
  writeFileSync(configFile, `${JSON.stringify(withWalletRoute(site, apiBase ? new URL(apiBase).origin : undefined), null, 2)}\n`);
  process.stdout.write(`wrote the wallet into ${out}\n`);
}

if (require.main === module) main();
