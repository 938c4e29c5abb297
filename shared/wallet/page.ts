/**
 * How the wallet page is served, in one place: the local host and the static host's configuration
 * (`npm run build:web` writes it) read these. The page loads only its own script, style, manifest
 * and worker; images are its own, the QR codes (data: URLs) and the tenant's https logo; it talks
 * to its own origin's API, or to the Function App's where the static host serves it.
 */
export function walletPageCsp(apiOrigin?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    `connect-src 'self'${apiOrigin ? ` ${apiOrigin}` : ''}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The page's headers; `apiOrigin` when the API is on another origin than the page (the Function App, in Azure). */
export const walletPageHeaders = (apiOrigin?: string): Record<string, string> => ({
  'content-security-policy': walletPageCsp(apiOrigin),
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  // Revalidated on every load, so a new version is seen at once; the service worker keeps the offline copy.
  'cache-control': 'no-cache',
});

/** The page's files by the path they are served at, with their content type. */
export const WALLET_PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/wallet/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/wallet/wallet.js': { file: 'wallet.ts', type: 'text/javascript; charset=utf-8' },
  '/wallet/sw.js': { file: 'sw.ts', type: 'text/javascript; charset=utf-8' },
  '/wallet/wallet.css': { file: 'wallet.css', type: 'text/css; charset=utf-8' },
  '/wallet/manifest.webmanifest': { file: 'manifest.webmanifest', type: 'application/manifest+json' },
  '/wallet/icon-192.png': { file: 'icon-192.png', type: 'image/png' },
  '/wallet/icon-512.png': { file: 'icon-512.png', type: 'image/png' },
};
