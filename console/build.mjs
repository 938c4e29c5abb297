// Builds the console: one minified ES module bundle and its style sheet, and the page that loads them, into dist/console.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'console');
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outfile: join(out, 'app.js'),
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(out, 'app.css'), readFileSync(join(here, 'src', 'styles.css')));
for (const page of ['index.html', 'forbidden.html']) writeFileSync(join(out, page), readFileSync(join(here, page)));
writeFileSync(join(out, 'staticwebapp.config.json'), readFileSync(join(here, 'staticwebapp.config.json')));
// In Azure the API is the Function App's (CONSOLE_API_BASE_URL, e.g. https://<app>.azurewebsites.net/api); locally the same origin.
if (process.env.CONSOLE_API_BASE_URL) writeFileSync(join(out, 'config.json'), JSON.stringify({ apiBaseUrl: process.env.CONSOLE_API_BASE_URL }));

const js = readFileSync(join(out, 'app.js'));
const size = { js: js.length, jsGzip: gzipSync(js).length };
writeFileSync(join(out, 'size.json'), JSON.stringify(size));
if (!process.argv.includes('--quiet')) console.log(`console: app.js ${(size.js / 1024).toFixed(1)} KB, ${(size.jsGzip / 1024).toFixed(1)} KB gzip`);
void result;
