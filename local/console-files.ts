import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpResponseInit } from '@azure/functions';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};
/** The same policy the Static Web App sends in Azure (console/staticwebapp.config.json). */
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' https://login.microsoftonline.com; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

/**
 * The console's built files (dist/console, made by `npm run build`), served at the root as the
 * Static Web App serves them in Azure; read and compressed once.
 */
export function consoleFiles(dir: string): (method: string, path: string, headers: Record<string, string>) => HttpResponseInit | undefined {
  const cache = new Map<string, { type: string; body: Buffer; gzip: Buffer }>();
  const load = (name: string) => {
    if (!cache.has(name)) {
      const file = join(dir, name);
      const type = TYPES[name.slice(name.lastIndexOf('.'))];
      if (!type || !existsSync(file)) return undefined;
      const body = readFileSync(file);
      cache.set(name, { type, body, gzip: gzipSync(body) });
    }
    return cache.get(name);
  };
  return (method, path, headers) => {
    if (method !== 'GET' || path.startsWith('/api/') || path.startsWith('/_local/')) return undefined;
    const name = path === '/' ? 'index.html' : path.slice(1);
    if (!/^[A-Za-z0-9-]+\.(html|js|css|json)$/.test(name)) return undefined;
    const file = load(name);
    // The API is on this origin: no config.json names another (the Static Web App's does in Azure).
    if (!file && name === 'config.json') return { status: 200, headers: { ...HEADERS, 'content-type': 'application/json' }, body: '{}' };
    if (!file) return undefined;
    const gzip = /\bgzip\b/.test(headers['accept-encoding'] ?? '');
    return {
      status: 200,
      headers: { ...HEADERS, 'content-type': file.type, vary: 'accept-encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) },
      body: gzip ? file.gzip : file.body,
    };
  };
}
