// `npm run analytics:rebuild`: recomputes the tenant's analytics rollups from its transactions, through
// the admin route (POST /api/v1/analytics/rebuild), with the tenant admin key in UNIFICA_KEY (the
// tenant is the key's). Locally both default to what `npm start` wrote in .unifica-local.json.
import { existsSync, readFileSync } from 'node:fs';

const local = existsSync('.unifica-local.json') ? JSON.parse(readFileSync('.unifica-local.json', 'utf8')) : {};
const url = process.env.UNIFICA_URL ?? local.url;
const key = process.env.UNIFICA_KEY ?? local.keys?.admin;
if (!url || !key) {
  console.error('Set UNIFICA_URL and UNIFICA_KEY (a tenant admin key), or run `npm start` first');
  process.exit(1);
}
const response = await fetch(`${url}/api/v1/analytics/rebuild`, { method: 'POST', headers: { 'x-api-key': key } });
const body = await response.json();
console.log(JSON.stringify(body, null, 2));
process.exit(response.ok ? 0 : 1);
