import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HttpResponseInit } from '@azure/functions';
import ts from 'typescript';
import { WALLET_PAGE_FILES, walletPageHeaders } from '../shared/wallet/page';

/** The wallet page's sources (from `local/` when run by ts-jest, from `dist/local/` when built). */
function sourceFolder(): string {
  const candidates = [resolve(__dirname, '..', 'shared/wallet/web'), resolve(__dirname, '../..', 'shared/wallet/web')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error('The wallet page sources (shared/wallet/web) were not found');
  return found;
}

/** Each file as served: TypeScript transpiled to a plain script (no modules: the page loads it with a script tag). */
export function walletPageAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = sourceFolder();
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const [path, { file, type }] of Object.entries(WALLET_PAGE_FILES)) {
    const raw = readFileSync(join(dir, file));
    const body = file.endsWith('.ts')
      ? Buffer.from(
          ts.transpileModule(raw.toString('utf8'), { compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.None, removeComments: true } })
            .outputText,
        )
      : raw;
    assets.set(path, { body, type });
  }
  assets.set('/wallet/index.html', assets.get('/wallet/')!);
  return assets;
}

/**
 * Serves the wallet page under `/wallet/` as the static host does in Azure, with the same headers.
 * Undefined for any other path.
 */
export function walletPageRoute(): (method: string, path: string) => HttpResponseInit | undefined {
  let assets: ReturnType<typeof walletPageAssets> | undefined;
  return (method, path): HttpResponseInit | undefined => {
    if (path !== '/wallet' && !path.startsWith('/wallet/')) return undefined;
    if (path === '/wallet') return { status: 308, headers: { location: '/wallet/' } };
    assets ??= walletPageAssets();
    const asset = assets.get(path);
    if (!asset || (method !== 'GET' && method !== 'HEAD')) return { status: 404, body: 'Not found', headers: { 'content-type': 'text/plain; charset=utf-8' } };
    return { status: 200, body: method === 'HEAD' ? undefined : new Uint8Array(asset.body), headers: { ...walletPageHeaders(), 'content-type': asset.type } };
  };
}
