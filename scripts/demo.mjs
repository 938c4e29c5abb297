#!/usr/bin/env node
// The omnichannel story, told against a running `npm start` (reads .unifica-local.json).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

let state;
try {
  state = JSON.parse(readFileSync(new URL('../.unifica-local.json', import.meta.url), 'utf8'));
} catch {
  console.error('Start the platform first, in another terminal: npm start');
  process.exit(1);
}
const base = process.env.UNIFICA_URL ?? state.url;
const run = randomBytes(3).toString('hex');
const euros = (cents) => `${(cents / 100).toFixed(2)} EUR`;
const say = (text) => console.log(`\n\x1b[1m${text}\x1b[0m`);
const detail = (text) => console.log(`   ${text}`);

async function call(method, path, key, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (response.status >= 400) {
    throw new Error(`${method} ${path} answered ${response.status}: ${json.detail ?? JSON.stringify(json)}`);
  }
  return { status: response.status, body: json, replayed: response.headers.get('idempotent-replayed') === 'true' };
}

const day = (n, time) => `2026-11-${String(n).padStart(2, '0')}T${time}:00+01:00`;

async function main() {
  console.log(`unifica demo on ${base} (tenant ${state.tenantId})`);

  say('1. Lucía buys a coat and a scarf on the web shop, signed in with her email.');
  const web = await call('POST', '/api/v1/transactions', state.keys.ecommerce, {
    type: 'sale', channel: 'online', locationId: 'web-es', externalId: `WEB-${run}-1001`, occurredAt: day(18, '21:40'), currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }, { type: 'ecommerceId', value: `web-user-${run}` }] },
    lines: [
      { sku: 'COAT-WOOL-M', quantity: 1, unitPrice: 8995, taxRate: 21, category: 'coats', description: 'Wool coat, M' },
      { sku: 'SCARF-RED', quantity: 1, unitPrice: 1995, taxRate: 21, category: 'accessories', description: 'Red scarf' },
    ],
    tenders: [{ type: 'card', amount: 10990 }],
  });
  detail(`order ${web.body.externalId} recorded as ${web.body.transactionId}, ${euros(web.body.totals.net)}`);
  detail(`customer ${web.body.customerId}`);

  say('2. Two days later she pays at a till in Madrid and gives her email, typed her own way.');
  const gloves = {
    type: 'sale', channel: 'store', locationId: 'madrid-centro', terminalId: 'till-2', externalId: `T2-${run}-0457`, occurredAt: day(20, '12:05'), currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `  Lucia.Garcia+${run}@Example.com ` }] },
    lines: [{ sku: 'GLOVES-LEATHER', quantity: 1, unitPrice: 3495, taxRate: 21, category: 'accessories', discount: 500 }],
    tenders: [{ type: 'cash', amount: 2995 }],
  };
  const storeSale = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], gloves, { 'Idempotency-Key': `till-2-${run}-0457` });
  detail(`ticket ${storeSale.body.externalId} recorded as ${storeSale.body.transactionId}, ${euros(storeSale.body.totals.net)}`);
  detail(`customer ${storeSale.body.customerId} ${storeSale.body.customerId === web.body.customerId ? '= the same person as online' : '(a different customer!)'}`);

  say('3. The till loses its connection and sends the same ticket again.');
  const retry = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], gloves, { 'Idempotency-Key': `till-2-${run}-0457` });
  detail(`answer ${retry.status} (replayed: ${retry.replayed}), the same transaction ${retry.body.transactionId}: nothing counted twice`);

  say('4. The scarf was a gift she does not like: she returns it in the Barcelona store.');
  const ret = await call('POST', '/api/v1/transactions', state.keys['pos-barcelona'], {
    type: 'return', channel: 'store', locationId: 'barcelona-diagonal', terminalId: 'till-1', externalId: `R1-${run}-0031`, occurredAt: day(22, '17:30'), currency: 'EUR',
    originalTransactionId: web.body.transactionId,
    lines: [{ sku: 'SCARF-RED', quantity: 1, unitPrice: 1995, taxRate: 21 }],
    tenders: [{ type: 'card', amount: 1995 }],
  });
  detail(`return ${ret.body.transactionId} of the web order, refunded ${euros(ret.body.totals.net)}, for customer ${ret.body.customerId}`);
  const returnedAgain = await fetch(`${base}/api/v1/transactions`, {
    method: 'POST',
    headers: { 'x-api-key': state.keys['pos-barcelona'], 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'return', channel: 'store', locationId: 'barcelona-diagonal', terminalId: 'till-1', externalId: `R1-${run}-0032`, occurredAt: day(22, '17:45'), currency: 'EUR',
      originalTransactionId: web.body.transactionId, lines: [{ sku: 'SCARF-RED', quantity: 1, unitPrice: 1995, taxRate: 21 }], tenders: [{ type: 'card', amount: 1995 }],
    }),
  }).then((r) => r.json());
  detail(`returning the same scarf twice is refused: ${returnedAgain.status} ${returnedAgain.reason}`);

  say('5. Head office looks at Lucía: one customer, one history, both channels.');
  const history = await call('GET', `/api/v1/customers/${web.body.customerId}/transactions`, state.keys.admin);
  for (const tx of history.body.items) {
    detail(`${tx.occurredAt.slice(0, 10)}  ${tx.channel.padEnd(6)}  ${tx.type.padEnd(6)}  ${tx.locationId.padEnd(18)}  ${euros(tx.totals.net).padStart(12)}`);
  }

  say('6. Pablo pays cash in Barcelona without giving any details: an anonymous ticket.');
  const ticket = await call('POST', '/api/v1/transactions', state.keys['pos-barcelona'], {
    type: 'sale', channel: 'store', locationId: 'barcelona-diagonal', terminalId: 'till-1', externalId: `T1-${run}-0088`, occurredAt: day(21, '19:10'), currency: 'EUR',
    lines: [{ sku: 'SNEAKERS-42', quantity: 1, unitPrice: 6995, taxRate: 21, category: 'shoes' }],
    tenders: [{ type: 'cash', amount: 6995 }],
  });
  detail(`ticket ${ticket.body.externalId}: customer ${ticket.body.customerId}`);

  say('7. At home he opens a web account, then claims the ticket with what is printed on his receipt.');
  const account = await call('POST', '/api/v1/customers/identify', state.keys.ecommerce, {
    identifiers: [{ type: 'ecommerceId', value: `web-pablo-${run}` }, { type: 'email', value: `pablo+${run}@example.com` }],
    profile: { name: 'Pablo Ruiz', language: 'es-ES' },
    consents: [{ purpose: 'paperlessReceipts', granted: true }, { purpose: 'marketingEmail', granted: false }],
  });
  detail(`web account -> customer ${account.body.customerId} (${account.status === 201 ? 'new' : 'known'})`);
  const claimed = await call('POST', `/api/v1/customers/${account.body.customerId}/claims`, state.keys.ecommerce, {
    locationId: 'barcelona-diagonal', externalId: `T1-${run}-0088`, date: '2026-11-21', total: 6995,
  });
  detail(`claimed: ticket ${claimed.body.transactionId} now belongs to ${claimed.body.customerId}`);
  const wrongClaim = await fetch(`${base}/api/v1/customers/${account.body.customerId}/claims`, {
    method: 'POST', headers: { 'x-api-key': state.keys.ecommerce, 'content-type': 'application/json' },
    body: JSON.stringify({ locationId: 'barcelona-diagonal', externalId: `T1-${run}-0088`, date: '2026-11-21', total: 100 }),
  }).then((r) => r.json());
  detail(`a claim with the wrong total is refused: ${wrongClaim.status} ${wrongClaim.reason}`);

  say('8. On his next visit the till asks for his email and phone: the phone joins the same person.');
  const linked = await call('POST', '/api/v1/customers/identify', state.keys['pos-barcelona'], {
    identifiers: [{ type: 'email', value: `PABLO+${run}@example.com` }, { type: 'phone', value: '612 000 111' }], locationId: 'barcelona-diagonal',
  });
  detail(`customer ${linked.body.customerId}, newly linked: ${linked.body.linked.join(', ') || 'nothing'}`);

  say('9. His 360 view, as head office sees it and as a till sees it.');
  const full = await call('GET', `/api/v1/customers/${account.body.customerId}`, state.keys.admin);
  const masked = await call('GET', `/api/v1/customers/${account.body.customerId}`, state.keys['pos-madrid']);
  detail(`identifiers (admin): ${full.body.identifiers.map((i) => `${i.type}=${i.value}`).join('  ')}`);
  detail(`identifiers (till):  ${masked.body.identifiers.map((i) => `${i.type}=${i.value}`).join('  ')}`);
  detail(`profile (till): ${JSON.stringify(masked.body.profile)}; paperless receipts: ${full.body.consents.paperlessReceipts?.granted}`);
  const b = full.body.behaviour;
  detail(`behaviour: ${b.purchases} purchase(s), ${euros(b.totalSpent)} spent, preferred store ${b.preferredStore}, top category ${b.topCategories[0]?.category}`);

  say('10. Sara orders Chelsea boots on the web, to collect in Madrid: the shop reserves a pair there.');
  const boots = async () => (await call('GET', '/api/v1/stock/BOOTS-CHELSEA-40?locationIds=madrid-centro', state.keys.ecommerce)).body.locations[0];
  const web40 = await call('GET', '/api/v1/stock/BOOTS-CHELSEA-40', state.keys.ecommerce);
  detail(`the web may promise ${web40.body.online.available} pairs across ${web40.body.locations.length} locations`);
  const before = await boots();
  const reservation = await call('POST', '/api/v1/stock/reservations', state.keys.ecommerce, {
    locationId: 'madrid-centro', orderRef: `WEB-${run}-2002`, lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1 }], expiresInMinutes: 2880,
  });
  const held = await boots();
  detail(`reservation ${reservation.body.reservationId}: ${reservation.body.status} until ${reservation.body.expiresAt.slice(0, 16)}`);
  detail(`Madrid Centro: available ${before.available} -> ${held.available} (on hand ${held.onHand}, reserved ${held.reserved}); the till cannot sell her pair to someone else`);

  say('11. She collects them at the till, which records the sale with the reservation.');
  await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale', channel: 'store', locationId: 'madrid-centro', terminalId: 'till-1', externalId: `T1-${run}-0500`, occurredAt: new Date().toISOString(), currency: 'EUR',
    reservationId: reservation.body.reservationId, lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1, unitPrice: 11995, taxRate: 21, category: 'shoes' }], tenders: [{ type: 'card', amount: 11995 }],
  });
  let picked = reservation.body;
  for (let i = 0; i < 50 && picked.status !== 'confirmed'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    picked = (await call('GET', `/api/v1/stock/reservations/${reservation.body.reservationId}`, state.keys['pos-madrid'])).body;
  }
  const after = await boots();
  detail(`reservation ${picked.status} by sale ${picked.transactionId}`);
  detail(`Madrid Centro: on hand ${held.onHand} -> ${after.onHand}, reserved ${held.reserved} -> ${after.reserved}, available ${after.available}`);

  console.log('\nEvery transaction was also announced as a CloudEvent (transaction.recorded, transaction.claimed) for loyalty, receipts and stock.');
}

main().catch((error) => {
  console.error(`\nThe demo stopped: ${error.message}`);
  process.exit(1);
});
