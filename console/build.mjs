// Builds the console: one minified ES module bundle (and the Microsoft sign-in library as a chunk loaded
// only by those who sign in with Microsoft), its style sheet, and the page that loads them, into dist/console.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'console');
mkdirSync(out, { recursive: true });
for (const old of readdirSync(out).filter((f) => f.startsWith('chunk-'))) rmSync(join(out, old));

await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  entryNames: 'app',
  splitting: true,
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(out, 'app.css'), readFileSync(join(here, 'src', 'styles.css')));
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'index.html')));
writeFileSync(join(out, 'staticwebapp.config.json'), readFileSync(join(here, 'staticwebapp.config.json')));
// In Azure the API is the Function App's (CONSOLE_API_BASE_URL, e.g. https://<app>.azurewebsites.net/api); locally the same origin.
// Staff sign in with Microsoft when the deployment names the console's app registration and the API's scope.
const env = process.env;
const staffSignIn = env.CONSOLE_ENTRA_CLIENT_ID && {
  clientId: env.CONSOLE_ENTRA_CLIENT_ID,
  authority: env.CONSOLE_ENTRA_AUTHORITY ?? 'https://login.microsoftonline.com/organizations',
  scope: env.CONSOLE_ENTRA_API_SCOPE,
};
if (staffSignIn && !staffSignIn.scope) throw new Error('CONSOLE_ENTRA_API_SCOPE is required with CONSOLE_ENTRA_CLIENT_ID (e.g. api://unifica/access_as_user)');
if (env.CONSOLE_API_BASE_URL || staffSignIn) {
  writeFileSync(join(out, 'config.json'), JSON.stringify({ apiBaseUrl: env.CONSOLE_API_BASE_URL, ...(staffSignIn ? { staffSignIn } : {}) }));
}

const gzip = (file) => gzipSync(readFileSync(join(out, file))).length;
const js = readFileSync(join(out, 'app.js'));
const chunks = readdirSync(out).filter((f) => f.startsWith('chunk-'));
// First load: app.js; the chunks (the Microsoft sign-in library) come only with a Microsoft sign-in.
const size = { js: js.length, jsGzip: gzipSync(js).length, chunksGzip: chunks.reduce((sum, f) => sum + gzip(f), 0) };
writeFileSync(join(out, 'size.json'), JSON.stringify(size));
if (!process.argv.includes('--quiet')) {
  console.log(
    `console: app.js ${(size.js / 1024).toFixed(1)} KB, ${(size.jsGzip / 1024).toFixed(1)} KB gzip; Microsoft sign-in chunks ${(size.chunksGzip / 1024).toFixed(1)} KB gzip`,
  );
}
