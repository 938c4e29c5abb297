// `npm run analytics:rebuild -- --tenant <id>`: recomputes a tenant's analytics rollups from its
// transactions, through the admin route (POST /api/v1/analytics/rebuild) with that tenant's admin key
// in UNIFICA_KEY; `--tenant` is checked against the key's tenant. Locally the URL and key default to
// what `npm start` wrote in .unifica-local.json.
import { existsSync, readFileSync } from 'node:fs';

const local = existsSync('.unifica-local.json') ? JSON.parse(readFileSync('.unifica-local.json', 'utf8')) : {};
const url = process.env.UNIFICA_URL ?? local.url;
const key = process.env.UNIFICA_KEY ?? local.keys?.admin;
const at = process.argv.indexOf('--tenant');
const tenant = at >= 0 ? process.argv[at + 1] : undefined;
if (!url || !key) {
  console.error('Set UNIFICA_URL and UNIFICA_KEY (a tenant admin key), or run `npm start` first');
  process.exit(1);
}
const call = async (method, path) => {
  const response = await fetch(`${url}/api/${path}`, { method, headers: { 'x-api-key': key } });
  const body = await response.json();
  if (!response.ok) {
    console.error(`${method} ${path}: ${response.status} ${body.detail ?? ''}`);
    process.exit(1);
  }
  return body;
};
const me = await call('GET', 'v1/me');
if (tenant && tenant !== me.tenant.tenantId) {
  console.error(`The key is tenant ${me.tenant.tenantId}'s, not ${tenant}'s`);
  process.exit(1);
}
console.log(JSON.stringify(await call('POST', 'v1/analytics/rebuild'), null, 2));
