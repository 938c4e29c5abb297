#!/usr/bin/env node
// The omnichannel story, told against a running `npm start` (reads .unifica-local.json).
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { catalogueItems, catalogueSettings } from './demo-catalogue.mjs';
import { createServer } from 'node:http';
import { Buffer } from 'node:buffer';

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

/** Receipts are issued by a consumer just after the sale: ask again for a moment. */
async function until(read, attempts = 50) {
  for (let i = 1; ; i += 1) {
    try {
      return await read();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// The story's days 18 to 24, placed in the last week (sales older than 7 days are refused, as are sales ahead of the clock).
const day = (n, time) => {
  const date = new Date(Date.now() - Math.max(1, 24 - n) * 86_400_000).toISOString().slice(0, 10);
  return `${date}T${time}:00+01:00`;
};

async function main() {
  console.log(`unifica demo on ${base} (tenant ${state.tenantId})`);
  // The story's week runs in a minute, but points stay pending for the return window counted from when
  // the platform learns of a sale: for this run, head office makes them spendable at once.
  const program = await call('GET', '/api/v1/loyalty/program', state.keys.admin);
  if (program.body.pendingDays > 0) {
    const rules = Object.fromEntries(Object.entries(program.body).filter(([field]) => !['tenantId', 'version', 'updatedAt'].includes(field)));
    await call('PUT', '/api/v1/loyalty/program', state.keys.admin, { ...rules, pendingDays: 0 });
  }

  // Marketing's audience, defined before the story starts: Lucía enters it during the story (step 24).
  const omnichannel = await omnichannelSegment();

  say('1. Lucía buys a coat and a scarf on the web shop, signed in with her email.');
  const web = await call('POST', '/api/v1/transactions', state.keys.ecommerce, {
    type: 'sale',
    channel: 'online',
    locationId: 'web-es',
    externalId: `WEB-${run}-1001`,
    occurredAt: day(18, '21:40'),
    currency: 'EUR',
    customer: {
      identifiers: [
        { type: 'email', value: `lucia.garcia+${run}@example.com` },
        { type: 'ecommerceId', value: `web-user-${run}` },
      ],
    },
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
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-2',
    externalId: `T2-${run}-0457`,
    occurredAt: day(20, '12:05'),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `  Lucia.Garcia+${run}@Example.com ` }] },
    lines: [{ sku: 'GLOVES-LEATHER', quantity: 1, unitPrice: 3495, taxRate: 21, category: 'accessories', discount: 500 }],
    tenders: [{ type: 'cash', amount: 2995 }],
  };
  const storeSale = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], gloves, { 'Idempotency-Key': `till-2-${run}-0457` });
  detail(`ticket ${storeSale.body.externalId} recorded as ${storeSale.body.transactionId}, ${euros(storeSale.body.totals.net)}`);
  detail(
    `customer ${storeSale.body.customerId} ${storeSale.body.customerId === web.body.customerId ? '= the same person as online' : '(a different customer!)'}`,
  );

  say('3. The till loses its connection and sends the same ticket again.');
  const retry = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], gloves, { 'Idempotency-Key': `till-2-${run}-0457` });
  detail(`answer ${retry.status} (replayed: ${retry.replayed}), the same transaction ${retry.body.transactionId}: nothing counted twice`);

  say('4. The scarf was a gift she does not like: she returns it in the Barcelona store.');
  const ret = await call('POST', '/api/v1/transactions', state.keys['pos-barcelona'], {
    type: 'return',
    channel: 'store',
    locationId: 'barcelona-diagonal',
    terminalId: 'till-1',
    externalId: `R1-${run}-0031`,
    occurredAt: day(22, '17:30'),
    currency: 'EUR',
    originalTransactionId: web.body.transactionId,
    lines: [{ sku: 'SCARF-RED', quantity: 1, unitPrice: 1995, taxRate: 21 }],
    tenders: [{ type: 'card', amount: 1995 }],
  });
  detail(`return ${ret.body.transactionId} of the web order, refunded ${euros(ret.body.totals.net)}, for customer ${ret.body.customerId}`);
  const returnedAgain = await fetch(`${base}/api/v1/transactions`, {
    method: 'POST',
    headers: { 'x-api-key': state.keys['pos-barcelona'], 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'return',
      channel: 'store',
      locationId: 'barcelona-diagonal',
      terminalId: 'till-1',
      externalId: `R1-${run}-0032`,
      occurredAt: day(22, '17:45'),
      currency: 'EUR',
      originalTransactionId: web.body.transactionId,
      lines: [{ sku: 'SCARF-RED', quantity: 1, unitPrice: 1995, taxRate: 21 }],
      tenders: [{ type: 'card', amount: 1995 }],
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
    type: 'sale',
    channel: 'store',
    locationId: 'barcelona-diagonal',
    terminalId: 'till-1',
    externalId: `T1-${run}-0088`,
    occurredAt: day(21, '19:10'),
    currency: 'EUR',
    lines: [{ sku: 'SNEAKERS-42', quantity: 1, unitPrice: 6995, taxRate: 21, category: 'shoes' }],
    tenders: [{ type: 'cash', amount: 6995 }],
  });
  detail(`ticket ${ticket.body.externalId}: customer ${ticket.body.customerId}`);

  say('7. At home he opens a web account, then claims the ticket with what is printed on his receipt.');
  const account = await call('POST', '/api/v1/customers/identify', state.keys.ecommerce, {
    identifiers: [
      { type: 'ecommerceId', value: `web-pablo-${run}` },
      { type: 'email', value: `pablo+${run}@example.com` },
    ],
    profile: { name: 'Pablo Ruiz', language: 'es-ES' },
    consents: [
      { purpose: 'paperlessReceipts', granted: true },
      { purpose: 'marketingEmail', granted: false },
    ],
  });
  detail(`web account -> customer ${account.body.customerId} (${account.status === 201 ? 'new' : 'known'})`);
  const claimed = await call('POST', `/api/v1/customers/${account.body.customerId}/claims`, state.keys.ecommerce, {
    locationId: 'barcelona-diagonal',
    externalId: `T1-${run}-0088`,
    date: day(21, '19:10').slice(0, 10),
    total: 6995,
  });
  detail(`claimed: ticket ${claimed.body.transactionId} now belongs to ${claimed.body.customerId}`);
  const wrongClaim = await fetch(`${base}/api/v1/customers/${account.body.customerId}/claims`, {
    method: 'POST',
    headers: { 'x-api-key': state.keys.ecommerce, 'content-type': 'application/json' },
    body: JSON.stringify({ locationId: 'barcelona-diagonal', externalId: `T1-${run}-0088`, date: day(21, '19:10').slice(0, 10), total: 100 }),
  }).then((r) => r.json());
  detail(`a claim with the wrong total is refused: ${wrongClaim.status} ${wrongClaim.reason}`);

  say('8. On his next visit the till asks for his email and phone: the phone joins the same person.');
  const linked = await call('POST', '/api/v1/customers/identify', state.keys['pos-barcelona'], {
    identifiers: [
      { type: 'email', value: `PABLO+${run}@example.com` },
      { type: 'phone', value: '612 000 111' },
    ],
    locationId: 'barcelona-diagonal',
  });
  detail(`customer ${linked.body.customerId}, newly linked: ${linked.body.linked.join(', ') || 'nothing'}`);

  say('9. His 360 view, as head office sees it and as a till sees it.');
  const full = await call('GET', `/api/v1/customers/${account.body.customerId}`, state.keys.admin);
  const masked = await call('GET', `/api/v1/customers/${account.body.customerId}`, state.keys['pos-madrid']);
  detail(`identifiers (admin): ${full.body.identifiers.map((i) => `${i.type}=${i.value}`).join('  ')}`);
  detail(`identifiers (till):  ${masked.body.identifiers.map((i) => `${i.type}=${i.value}`).join('  ')}`);
  detail(`profile (till): ${JSON.stringify(masked.body.profile)}; paperless receipts: ${full.body.consents.paperlessReceipts?.granted}`);
  const b = full.body.behaviour;
  detail(
    `behaviour: ${b.purchases} purchase(s), ${euros(b.totalSpent)} spent, preferred store ${b.preferredStore}, top category ${b.topCategories[0]?.category}`,
  );

  say('10. Loyalty: Lucía earned points online; the returned scarf took its points back.');
  await new Promise((resolve) => setTimeout(resolve, 300)); // accrual runs on the event, a moment later
  const points = await call('GET', `/api/v1/customers/${web.body.customerId}/loyalty`, state.keys['pos-madrid']);
  detail(
    `spendable ${points.body.spendable} points (worth ${euros(points.body.spendableValue)}), pending ${points.body.pending}, tier ${points.body.tier?.name}`,
  );
  if (points.body.nextTier) detail(`${euros(points.body.nextTier.remaining)} more spend to reach ${points.body.nextTier.name}`);

  say('11. Back in Madrid she pays part of a belt with those points at the till.');
  const spend = Math.min(points.body.spendable, 150);
  const redemption = await call('POST', `/api/v1/customers/${web.body.customerId}/loyalty/redemptions`, state.keys['pos-madrid'], {
    points: spend,
    reference: `till-2-${run}-0460`,
  });
  detail(`redeemed ${redemption.body.points} points = ${euros(redemption.body.value)} off; ${redemption.body.spendable} left`);
  const belt = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-2',
    externalId: `T2-${run}-0460`,
    occurredAt: day(22, '11:20'),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }] },
    lines: [{ sku: 'BELT-BROWN', quantity: 1, unitPrice: 3900, taxRate: 21, category: 'accessories' }],
    tenders: [
      { type: 'points', amount: redemption.body.value, reference: `till-2-${run}-0460` },
      { type: 'card', amount: 3900 - redemption.body.value },
    ],
  });
  detail(`ticket ${belt.body.externalId}: ${euros(redemption.body.value)} in points + ${euros(3900 - redemption.body.value)} by card`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const ledger = await call('GET', `/api/v1/customers/${web.body.customerId}/loyalty/ledger`, state.keys.admin);
  for (const entry of [...ledger.body.items].reverse()) {
    detail(`${entry.type.padEnd(12)} ${String(entry.points).padStart(5)}  ${entry.transactionId ?? entry.reference ?? ''}`);
  }
  say('12. Head office sends Lucía a personal 10 EUR coupon; it shows in her wallet on every channel.');
  const lucia = web.body.customerId;
  const campaign = await call('POST', '/api/v1/campaigns', state.keys.admin, {
    name: 'Welcome back',
    discount: { type: 'fixedAmount', amount: 1000 },
    minimumBasket: 3000,
    validFrom: '2026-01-01T00:00:00Z',
    validTo: '2027-01-01T00:00:00Z',
  });
  const personal = await call('POST', `/api/v1/campaigns/${campaign.body.campaignId}/codes`, state.keys.admin, { customerId: lucia });
  const coupon = personal.body.codes[0];
  const wallet = await call('GET', `/api/v1/customers/${lucia}/coupons`, state.keys.ecommerce);
  detail(`campaign ${campaign.body.campaignId}; her wallet: ${wallet.body.items.map((c) => `${c.code} "${c.name}" (${c.usesLeft} use left)`).join(', ')}`);

  say('13. On the web shop she buys a 30 EUR gift card for herself; the sale activates it.');
  const card = await call('POST', '/api/v1/gift-cards', state.keys.ecommerce, {
    amount: 3000,
    currency: 'EUR',
    activateOnSale: true,
    reference: `WEB-${run}-1002`,
  });
  await call('POST', '/api/v1/transactions', state.keys.ecommerce, {
    type: 'sale',
    channel: 'online',
    locationId: 'web-es',
    externalId: `WEB-${run}-1002`,
    occurredAt: day(23, '10:00'),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }] },
    lines: [
      { sku: 'GIFT-CARD', quantity: 1, unitPrice: 3000, taxRate: 0, category: 'gift-cards', giftCardId: card.body.giftCardId, description: 'Gift card 30 EUR' },
    ],
    tenders: [{ type: 'card', amount: 3000 }],
  });
  detail(`gift card ${card.body.giftCardId}: code ${card.body.code} and PIN emailed to her (shown once, stored only hashed)`);

  say('14. In Madrid she buys a sweater with her coupon, and pays part with the gift card.');
  const basket = {
    channel: 'store',
    locationId: 'madrid-centro',
    customerId: lucia,
    lines: [{ sku: 'SWEATER-BLUE', quantity: 1, unitPrice: 4995, category: 'knitwear' }],
  };
  const held = await call('POST', '/api/v1/coupons/holds', state.keys['pos-madrid'], { codes: [coupon], ...basket });
  detail(`coupon held: ${euros(held.body.discount)} off, hold ${held.body.holdId} until ${held.body.expiresAt.slice(11, 16)} UTC`);
  const found = await call('POST', '/api/v1/gift-cards/lookup', state.keys['pos-madrid'], { code: card.body.code, pin: card.body.pin });
  const paid = await call('POST', `/api/v1/gift-cards/${found.body.giftCardId}/redemptions`, state.keys['pos-madrid'], {
    amount: 2500,
    reference: `T2-${run}-0501`,
  });
  detail(`gift card (status ${found.body.status}) charged ${euros(paid.body.amount)}, ${euros(paid.body.balance)} left`);
  const sweater = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-2',
    externalId: `T2-${run}-0501`,
    occurredAt: day(24, '18:20'),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }] },
    lines: [{ sku: 'SWEATER-BLUE', quantity: 1, unitPrice: 4995, taxRate: 21, category: 'knitwear', discount: held.body.discount }],
    coupons: [coupon],
    couponHoldId: held.body.holdId,
    tenders: [
      { type: 'giftCard', amount: 2500, reference: paid.body.operationId },
      { type: 'card', amount: 4995 - held.body.discount - 2500 },
    ],
  });
  let hold = held.body;
  for (let i = 0; i < 50 && hold.status !== 'confirmed'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    hold = (await call('GET', `/api/v1/coupons/holds/${held.body.holdId}`, state.keys['pos-madrid'])).body;
  }
  detail(`ticket ${sweater.body.transactionId}: ${euros(sweater.body.totals.net)}; the coupon hold is ${hold.status}`);

  say('15. Back home she tries the same coupon on the web shop: it has been used.');
  const again = await call('POST', '/api/v1/coupons/validate', state.keys.ecommerce, { codes: [coupon], ...basket, channel: 'online', locationId: 'web-es' });
  detail(`online: valid ${again.body.results[0].valid}, reason ${again.body.results[0].reason}`);
  say('16. Every purchase got a digital receipt. Pablo chose paperless, so the till is told not to print his.');
  const pablo = await call('POST', '/api/v1/transactions', state.keys['pos-barcelona'], {
    type: 'sale',
    channel: 'store',
    locationId: 'barcelona-diagonal',
    terminalId: 'till-1',
    externalId: `T1-${run}-0101`,
    occurredAt: day(22, '11:20'),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'phone', value: '612 000 111' }] },
    lines: [
      { sku: 'SOCKS-3', quantity: 2, unitPrice: 995, taxRate: 21, category: 'accessories' },
      { sku: 'BOOK-GUIDE', quantity: 1, unitPrice: 1500, taxRate: 4 },
    ],
    tenders: [{ type: 'card', amount: 3490 }],
  });
  detail(`Lucía at the Madrid till: print paper? ${storeSale.body.receipt.paper}.  Pablo in Barcelona: print paper? ${pablo.body.receipt.paper}`);
  const receipt = (await until(() => call('GET', `/api/v1/transactions/${pablo.body.transactionId}/receipt`, state.keys.admin))).body;
  const r = receipt.receipt;
  detail(`${r.documentType} ${r.invoiceNumber}, issued by ${r.issuer.name} (NIF ${r.issuer.taxId}), total ${euros(r.totals.total)}`);
  for (const v of r.vat) detail(`  VAT ${String(v.rate).padStart(2)}%: base ${euros(v.base)}, tax ${euros(v.tax)}`);
  detail(
    `Verifactu fingerprint ${r.fiscal.fingerprint.slice(0, 16)}..., chained to ${r.fiscal.Huella ? r.fiscal.Huella.slice(0, 16) + '...' : '(first of its installation)'}`,
  );
  const luciaReceipt = (await until(() => call('GET', `/api/v1/transactions/${storeSale.body.transactionId}/receipt`, state.keys.admin))).body;
  detail(`Lucía's store receipt ${luciaReceipt.receipt.invoiceNumber}, open it in a browser (no API key, valid 24 h):`);
  console.log(`\n   ${luciaReceipt.links.html}\n`);

  say('17. An inspector audits the Barcelona till: its returns and sales form one chain across two series.');
  const installation = r.chain.installationId;
  const audit = await call('GET', `/api/v1/receipts/installations/${installation}/verify`, state.keys.admin);
  const series = Object.entries(audit.body.series)
    .map(([id, s]) => `${id} 1..${s.lastNumber}`)
    .join(', ');
  detail(`installation ${installation}: ${audit.body.records} record(s) chained, series ${series}; verified: ${audit.body.verified}`);
  const records = await call('POST', `/api/v1/receipts/installations/${installation}/exports`, state.keys.admin, {
    from: '2026-01-01T00:00:00Z',
    to: '2100-01-01T00:00:00Z',
  });
  const csv = (await (await fetch(records.body.links.csv)).text()).trim().split('\n').slice(1);
  for (const row of csv) {
    const [sequence, , type, invoice, , , total, huella, , fingerprint] = row.split(',');
    detail(
      `  ${sequence}. ${type} ${invoice.padEnd(30)} ${total.padStart(7)} EUR  Huella ${huella ? huella.slice(0, 8) + '...' : '(first)     '} -> ${fingerprint.slice(0, 8)}...`,
    );
  }
  detail(`AEAT XML for the inspector (signed link, 24 h): ${records.body.links.xml.length} file(s)`);
  say('18. Sara orders Chelsea boots on the web, to collect in Madrid: the shop reserves a pair there.');
  const boots = async () => (await call('GET', '/api/v1/stock/BOOTS-CHELSEA-40?locationIds=madrid-centro', state.keys.ecommerce)).body.locations[0];
  const web40 = await call('GET', '/api/v1/stock/BOOTS-CHELSEA-40', state.keys.ecommerce);
  detail(`the web may promise ${web40.body.online.available} pairs across ${web40.body.locations.length} locations`);
  const before = await boots();
  const reservation = await call('POST', '/api/v1/stock/reservations', state.keys.ecommerce, {
    locationId: 'madrid-centro',
    orderRef: `WEB-${run}-2002`,
    lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1 }],
    expiresInMinutes: 2880,
  });
  const bootsHeld = await boots();
  detail(`reservation ${reservation.body.reservationId}: ${reservation.body.status} until ${reservation.body.expiresAt.slice(0, 16)}`);
  detail(
    `Madrid Centro: available ${before.available} -> ${bootsHeld.available} (on hand ${bootsHeld.onHand}, reserved ${bootsHeld.reserved}); the till cannot sell her pair to someone else`,
  );

  say('19. She collects them at the till, which records the sale with the reservation.');
  await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-1',
    externalId: `T1-${run}-0500`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    reservationId: reservation.body.reservationId,
    lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 1, unitPrice: 11995, taxRate: 21, category: 'shoes' }],
    tenders: [{ type: 'card', amount: 11995 }],
  });
  let picked = reservation.body;
  for (let i = 0; i < 50 && picked.status !== 'confirmed'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    picked = (await call('GET', `/api/v1/stock/reservations/${reservation.body.reservationId}`, state.keys['pos-madrid'])).body;
  }
  const after = await boots();
  detail(`reservation ${picked.status} by sale ${picked.transactionId}`);
  detail(`Madrid Centro: on hand ${bootsHeld.onHand} -> ${after.onHand}, reserved ${bootsHeld.reserved} -> ${after.reserved}, available ${after.available}`);

  say('20. Head office opens the back office: the week in figures, from the analytics rollups, and Lucía found by her email.');
  const week = `from=${new Date(Date.now() - 8 * 86_400_000).toISOString().slice(0, 10)}&to=${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}`;
  const sales = (await until(() => call('GET', `/api/v1/analytics/sales?${week}`, state.keys.admin))).body;
  for (const row of sales.totals) detail(`${row.channel.padEnd(6)} ${row.sales} sales, ${row.returns} returns, net ${euros(row.net)}`);
  const buyers = (await call('GET', `/api/v1/analytics/customers?${week}`, state.keys.admin)).body;
  detail(
    `identified ${Math.round(buyers.identifiedShare * 100)}% of sales; ${buyers.omnichannel.customers} omnichannel customer(s) spent ${euros(buyers.omnichannel.averageSpend)} each, single-channel ones ${euros(Math.round((buyers.storeOnly.spend + buyers.onlineOnly.spend) / Math.max(1, buyers.storeOnly.customers + buyers.onlineOnly.customers)))}`,
  );
  const atTill = (await call('POST', '/api/v1/customers/search', state.keys['pos-madrid'], { query: `lucia.garcia+${run}@example.com` })).body.items[0];
  detail(`a Madrid till searching her email sees ${atTill.identifiers.map((i) => i.value).join(', ')} (masked), channels ${atTill.channels.join(' + ')}`);

  say('21. Other shoppers teach the recommender what goes together, in both channels.');
  const item = (sku, description, unitPrice) => ({ sku, quantity: 1, unitPrice, taxRate: 21, description });
  const hikingBoots = item('BOOTS-HIKING-39', 'Hiking boots', 8995);
  const woolSocks = item('SOCKS-WOOL', 'Wool socks', 1295);
  const beanie = item('BEANIE-GREY', 'Grey beanie', 1995);
  const coat = item('COAT-WOOL-M', 'Wool coat, M', 8995);
  await call('POST', '/api/v1/stock/movements', state.keys.admin, {
    type: 'receipt',
    reference: `GR-RECS-${run}`,
    locationId: 'almacen-getafe',
    lines: [hikingBoots, woolSocks, beanie, coat].map(({ sku }) => ({ sku, quantity: 50 })),
  });
  const teach = (n, channel, lines) =>
    call('POST', '/api/v1/transactions', channel === 'online' ? state.keys.ecommerce : state.keys['pos-madrid'], {
      type: 'sale',
      channel,
      locationId: channel === 'online' ? 'web-es' : 'madrid-centro',
      ...(channel === 'store' && { terminalId: 'till-3' }),
      externalId: `RECS-${run}-${n}`,
      occurredAt: new Date().toISOString(),
      currency: 'EUR',
      lines,
      tenders: [{ type: 'card', amount: lines.reduce((sum, l) => sum + l.unitPrice, 0) }],
    });
  for (let n = 0; n < 3; n += 1) await teach(`S${n}`, 'store', [hikingBoots, woolSocks]);
  for (let n = 0; n < 3; n += 1) await teach(`W${n}`, 'online', [coat, beanie]);
  detail('3 till baskets in Madrid with hiking boots and wool socks; 3 web orders with a wool coat and a beanie');

  const forLucia = () => call('GET', `/api/v1/customers/${web.body.customerId}/recommendations?channel=online&locationId=web-es&limit=3`, state.keys.ecommerce);
  const show = (list) => list.body.items.forEach((i, n) => detail(`${n + 1}. ${i.description ?? i.sku}: ${i.explanation.text}`));
  say('22. The web shop asks what to show Lucía: from her web order, and what is in stock for the web.');
  const beforeStore = await until(async () => {
    const list = await forLucia();
    if (!list.body.items.some((i) => i.sku === beanie.sku)) throw new Error('the web orders are still being learnt');
    return list;
  });
  show(beforeStore);

  say('23. She buys hiking boots at the Madrid till: the web shop now recommends the socks that go with them.');
  await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-1',
    externalId: `T1-${run}-0600`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }] },
    lines: [hikingBoots],
    tenders: [{ type: 'card', amount: hikingBoots.unitPrice }],
  });
  const afterStore = await until(async () => {
    const list = await forLucia();
    if (list.body.items[0]?.sku !== woolSocks.sku) throw new Error('the till sale is still being learnt');
    return list;
  });
  show(afterStore);
  await call('POST', '/api/v1/transactions', state.keys.ecommerce, {
    type: 'sale',
    channel: 'online',
    locationId: 'web-es',
    externalId: `WEB-${run}-2003`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    customer: { identifiers: [{ type: 'email', value: `lucia.garcia+${run}@example.com` }] },
    lines: [{ ...woolSocks, recommendationId: afterStore.body.recommendationId }],
    tenders: [{ type: 'card', amount: woolSocks.unitPrice }],
  });
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const conversion = await until(async () => {
    const report = await call('GET', `/api/v1/recommendations/conversion?from=${since}&to=${new Date(Date.now() + 60_000).toISOString()}`, state.keys.admin);
    const customer = report.body.byKind.find((k) => k.kind === 'customer');
    if (customer.convertedLines === 0) throw new Error('the order is still being learnt');
    return customer;
  });
  detail(
    `she orders the socks from the list (${afterStore.body.recommendationId}): customer lists served ${conversion.served}, lines bought from them ${conversion.convertedLines}`,
  );

  say('24. Marketing\'s "Omnichannel shoppers" (bought in both channels in 90 days): Lucía entered it when her store purchase was recorded.');
  const memberships = (await call('GET', `/api/v1/customers/${web.body.customerId}/segments`, state.keys.admin)).body.items;
  const entered = memberships.find((m) => m.segmentId === omnichannel.segmentId);
  const traits = (await call('GET', `/api/v1/customers/${web.body.customerId}/traits`, state.keys.admin)).body.traits;
  detail('her web order (step 1) alone did not qualify her; her first store purchase (step 2) did');
  detail(
    `entered "${omnichannel.name}" at ${entered.since.slice(11, 23)}, ${Date.parse(entered.since) - Date.parse(storeSale.body.recordedAt)} ms after the till's sale was recorded at ${storeSale.body.recordedAt.slice(11, 23)}`,
  );
  detail(
    `a customer.segment.entered CloudEvent went out with it; traits now: ${traits.orders} orders, ${euros(traits.totalSpend)} net, ${traits.returns} return, channels ${traits.channels90d.join(' + ')}`,
  );
  const audience = (await call('GET', `/api/v1/segments/${omnichannel.segmentId}`, state.keys.admin)).body;
  detail(`"${audience.name}" has ${audience.size} member(s) now`);

  say("25. Marketing sets a rule: a customer's first purchase puts a 15% welcome coupon in her wallet, valid in every channel.");
  const existing = (await call('GET', '/api/v1/offers/rules', state.keys.admin)).body.items.find((r) => r.name === 'Welcome to the club');
  const welcomeCampaign =
    existing?.actions[0]?.campaignId ??
    (
      await call('POST', '/api/v1/campaigns', state.keys.admin, {
        name: 'Welcome 15%',
        discount: { type: 'percentage', percent: 15 },
        validFrom: '2026-01-01T00:00:00Z',
        validTo: '2030-01-01T00:00:00Z',
      })
    ).body.campaignId;
  const welcomeRule = {
    name: 'Welcome to the club',
    trigger: { type: 'first-purchase' },
    actions: [
      { type: 'issue-coupon', campaignId: welcomeCampaign },
      { type: 'notify', purposes: ['marketingEmail'], message: 'Welcome! 15% off your next purchase, in store or online.' },
    ],
    cap: { type: 'once' },
  };
  const welcome = existing
    ? await call('PUT', `/api/v1/offers/rules/${existing.ruleId}`, state.keys.admin, welcomeRule)
    : await call('POST', '/api/v1/offers/rules', state.keys.admin, welcomeRule);
  detail(
    `rule ${welcome.body.ruleId} v${welcome.body.version}: ${welcome.body.trigger.type} -> ${welcome.body.actions.map((a) => a.type).join(', ')}, once per customer`,
  );

  say('26. Marta buys a T-shirt in Barcelona, her first purchase ever: the welcome coupon is in her wallet a moment later.');
  const marta = { identifiers: [{ type: 'email', value: `marta.ruiz+${run}@example.com` }] };
  const tshirt = await call('POST', '/api/v1/transactions', state.keys['pos-barcelona'], {
    type: 'sale',
    channel: 'store',
    locationId: 'barcelona-diagonal',
    terminalId: 'till-1',
    externalId: `T1-${run}-0102`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    customer: marta,
    lines: [{ sku: 'TSHIRT-WHITE-M', quantity: 1, unitPrice: 1995, taxRate: 21, category: 'tops' }],
    tenders: [{ type: 'card', amount: 1995 }],
  });
  const martaId = tshirt.body.customerId;
  const started = Date.now();
  const martaWallet = await until(async () => {
    const items = (await call('GET', `/api/v1/customers/${martaId}/coupons`, state.keys.admin)).body.items;
    if (items.length === 0) throw new Error('The welcome coupon has not arrived');
    return items;
  });
  detail(
    `wallet: ${martaWallet[0].name} ${martaWallet[0].code}, channels ${martaWallet[0].channels.join(' and ')} (${Date.now() - started} ms after the ticket was recorded)`,
  );
  const why = (await call('GET', `/api/v1/customers/${martaId}`, state.keys.admin)).body.offers[0];
  detail(`360 view: "${why.ruleName}" because of ${why.why}`);

  say('27. At home she fills a cart on the web shop; the cart asks what she can get, and she pays with the coupon.');
  const cart = { channel: 'online', locationId: 'web-es', lines: [{ sku: 'JEANS-SLIM-32', quantity: 1, unitPrice: 5995, category: 'trousers' }] };
  const offer = await call('POST', `/api/v1/customers/${martaId}/offers/qualify`, state.keys.ecommerce, cart);
  for (const c of offer.body.coupons) detail(`qualify: ${c.source} ${c.name} ${c.code}: ${euros(c.discount)} off`);
  if (offer.body.points)
    detail(`qualify: ${offer.body.points.spendable} points, ${offer.body.points.redeemable} redeemable on this cart (${euros(offer.body.points.value)})`);
  for (const r of offer.body.recommendations) detail(`qualify: goes with the cart: ${r.sku} (${r.explanation})`);
  const martaHold = await call('POST', '/api/v1/coupons/holds', state.keys.ecommerce, { codes: [martaWallet[0].code], customerId: martaId, ...cart });
  await call('POST', '/api/v1/transactions', state.keys.ecommerce, {
    type: 'sale',
    channel: 'online',
    locationId: 'web-es',
    externalId: `WEB-${run}-3001`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    customer: marta,
    couponHoldId: martaHold.body.holdId,
    lines: [{ sku: 'JEANS-SLIM-32', quantity: 1, unitPrice: 5995, taxRate: 21, category: 'trousers', discount: martaHold.body.discount }],
    tenders: [{ type: 'card', amount: 5995 - martaHold.body.discount }],
  });
  const inStoreAgain = await until(async () => {
    const result = (
      await call('POST', '/api/v1/coupons/validate', state.keys['pos-barcelona'], {
        codes: [martaWallet[0].code],
        customerId: martaId,
        channel: 'store',
        locationId: 'barcelona-diagonal',
        lines: cart.lines,
      })
    ).body.results[0];
    if (result.valid) throw new Error('The web sale has not redeemed the coupon yet');
    return result;
  });
  detail(
    `web order paid ${euros(5995 - martaHold.body.discount)}; the same coupon at the Barcelona till now: valid ${inStoreAgain.valid}, reason ${inStoreAgain.reason}`,
  );
  const ruleReport = (await call('GET', `/api/v1/offers/rules/${welcome.body.ruleId}/report`, state.keys.admin)).body;
  detail(
    `rule report: triggered ${ruleReport.triggered}, acted ${ruleReport.acted}, coupons issued ${ruleReport.couponsIssued}, redeemed online ${ruleReport.couponsRedeemed.online}, in store ${ruleReport.couponsRedeemed.store}`,
  );
  // Paused again, so the next run's earlier steps tell their story without it.
  await call('POST', `/api/v1/offers/rules/${welcome.body.ruleId}/pause`, state.keys.admin);

  await catalogueStory();
  say("32. Head office's ERP wants every sale as a webhook: it registers a receiver and checks each signature.");
  const deliveries = [];
  let secret;
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      // Standard Webhooks: HMAC-SHA256 of "id.timestamp.body" with the secret's bytes, any of the space-separated v1 signatures.
      const [id, timestamp] = [req.headers['webhook-id'], req.headers['webhook-timestamp']];
      const expected = `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
        .update(`${id}.${timestamp}.${body}`)
        .digest('base64')}`;
      const verified = String(req.headers['webhook-signature'])
        .split(' ')
        .some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), Buffer.from(expected)));
      const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
      deliveries.push({ id, verified: verified && fresh, event: JSON.parse(body) });
      res.statusCode = verified && fresh ? 204 : 401;
      res.end();
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    const hook = await call('POST', '/api/v1/webhooks/endpoints', state.keys.admin, {
      url: `http://127.0.0.1:${receiver.address().port}/erp/unifica`,
      eventTypes: ['transaction.recorded'],
      description: 'ERP sales feed',
    });
    secret = hook.body.secret;
    detail(`endpoint ${hook.body.endpointId}, signing secret ${secret.slice(0, 12)}... (shown once)`);
    const socks = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
      type: 'sale',
      channel: 'store',
      locationId: 'madrid-centro',
      terminalId: 'till-3',
      externalId: `T3-${run}-0600`,
      occurredAt: new Date().toISOString(),
      currency: 'EUR',
      lines: [{ sku: 'SOCKS-WOOL', quantity: 3, unitPrice: 900, taxRate: 21, category: 'accessories' }],
      tenders: [{ type: 'cash', amount: 2700 }],
    });
    const delivered = await until(() => {
      const found = deliveries.find((d) => d.event.data.transactionId === socks.body.transactionId);
      if (!found) throw new Error('The webhook did not arrive');
      return found;
    });
    detail(
      `received ${delivered.event.type} ${delivered.id} for ${euros(delivered.event.data.totals.net)}: signature ${delivered.verified ? 'verified' : 'NOT verified'}`,
    );
    const log = await until(async () => {
      const message = await call('GET', `/api/v1/webhooks/endpoints/${hook.body.endpointId}/messages/${delivered.id}`, state.keys.admin);
      if (message.body.status !== 'delivered') throw new Error('not logged yet');
      return message.body;
    });
    detail(`delivery log: ${log.status} after ${log.attemptCount} attempt(s), HTTP ${log.lastStatus} in ${log.attempts[0].latencyMs} ms`);
    await call('PATCH', `/api/v1/webhooks/endpoints/${hook.body.endpointId}`, state.keys.admin, { enabled: false });
  } finally {
    receiver.close();
  }

  say('33. The web shop moves to Shopify: head office connects the shop, and an order Shopify sends is replayed into the platform.');
  const shopDomain = 'demo-retail.myshopify.com';
  const appSecret = `shpss_demo_${run}_0123456789abcdef`;
  const shop = await call('PUT', `/api/v1/shopify/shops/${shopDomain}`, state.keys.admin, { appSecret, locationId: 'web-es' });
  detail(`${shop.body.shopDomain} -> location ${shop.body.locationId}; Shopify's webhooks go to ${shop.body.webhookUrl}`);
  const example = JSON.parse(readFileSync(new URL('../tests/fixtures/shopify/orders-paid.json', import.meta.url), 'utf8'));
  const paidAt = new Date(Date.now() - 3_600_000).toISOString();
  const shopifyOrder = { ...example, id: 5905321000000 + Number.parseInt(run, 16), created_at: paidAt, processed_at: paidAt };
  const body = JSON.stringify(shopifyOrder);
  const sendToPlatform = async (webhookId) => {
    const response = await fetch(`${base}${shop.body.webhookUrl}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/paid',
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-webhook-id': webhookId,
        'x-shopify-hmac-sha256': createHmac('sha256', appSecret).update(body).digest('base64'),
      },
      body,
    });
    return response.json();
  };
  const received = await sendToPlatform(`demo-${run}-1`);
  const recorded = await call('GET', `/api/v1/transactions/${received.transactionId}`, state.keys.admin);
  detail(
    `orders/paid ${shopifyOrder.name}: ${received.outcome} as ${received.transactionId}, ${euros(recorded.body.totals.net)} with ${recorded.body.lines.length} lines, coupons ${recorded.body.coupons.join(', ')}`,
  );
  detail(`customer ${received.customerId} (Shopify customer ${shopifyOrder.customer.id}, her email and phone linked)`);
  const repeated = await sendToPlatform(`demo-${run}-1`);
  detail(`the same webhook again: ${repeated.outcome}, still ${repeated.transactionId}`);

  say('34. Lucía gets her own wallet: a link head office sends by e-mail or SMS, opened on her phone, no password.');
  await call('PUT', '/api/v1/settings/wallet', state.keys.admin, {
    language: 'es',
    colours: { brand: '#7a1f3d', background: '#faf7f2' },
    privacyPolicy: 'Atendemos las solicitudes sobre tus datos en un plazo de 30 días.',
  });
  const link = await call('POST', `/api/v1/customers/${lucia}/wallet-links`, state.keys.admin, { purpose: 'link' });
  const token = new URL(link.body.url).hash.slice('#t='.length);
  const mine = await (await fetch(`${base}/api/v1/wallet`, { headers: { authorization: `Bearer ${token}` } })).json();
  detail(
    `card ${mine.card.number} (a till takes it as her loyaltyCard), ${mine.loyalty?.spendable ?? 0} points worth ${euros(mine.loyalty?.spendableValue ?? 0)}`,
  );
  detail(`${mine.benefits.length} coupon(s), ${mine.receipts.length} receipt(s) from ${[...new Set(mine.receipts.map((r) => r.channel))].join(' and ')}`);
  const signIn = await call('POST', `/api/v1/customers/${lucia}/wallet-links`, state.keys.ecommerce, { purpose: 'signIn' });
  detail(`the web shop can also open it for her when she is signed in (a link valid until ${signIn.body.expiresAt.slice(11, 16)} UTC)`);
  detail(`Lucía's wallet, open it in a browser (valid until ${link.body.expiresAt.slice(0, 10)}):`);
  console.log(`\n   ${link.body.url}\n`);

  say(
    '35. The back office by role: marketing builds audiences but sees customers masked, customer service sees Lucía in full, store operations reads its stock reports; each is refused what its role is not given.',
  );
  const attempt = async (method, path, key, body) => {
    const r = await fetch(`${base}${path}`, { method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    return `${r.status}${r.status >= 400 ? ` ${(await r.json()).reason ?? ''}` : ''}`;
  };
  const { marketing, support, store } = state.keys;
  const preview = await call('POST', '/api/v1/segments/preview', marketing, { definition: omnichannel.definition });
  detail(
    `marketing: "Omnichannel shoppers" has ${preview.body.count} customer(s) now; erasing Lucía answers ${await attempt('DELETE', `/api/v1/customers/${lucia}`, marketing)}`,
  );
  const asMarketing = (await call('GET', `/api/v1/customers/${lucia}`, marketing)).body.identifiers.find((i) => i.type === 'email');
  const asSupport = (await call('GET', `/api/v1/customers/${lucia}`, support)).body.identifiers.find((i) => i.type === 'email');
  detail(`her email, as marketing sees it: ${asMarketing.value}; as customer service sees it: ${asSupport.value}`);
  detail(
    `store operations: stock reconciliation reports ${await attempt('GET', '/api/v1/stock-reconciliations', store)}, segments ${await attempt('GET', '/api/v1/segments', store)}`,
  );
  detail('in Azure the same roles come from Microsoft Entra ID: staff sign in to the console with Microsoft, no key to share.');

  console.log(
    '\nEvery transaction was also announced as a CloudEvent (transaction.recorded, transaction.claimed) for loyalty, receipts, stock, analytics, recommendations, segments and offers; segments announced customer.segment.entered and left, offers announced offer.issued, coupons coupon.issued and coupon.redeemed, loyalty loyalty.points.changed.',
  );
  console.log(
    `\nThe back office console: ${base}/  (sign in with the admin key from .unifica-local.json, or the marketing, store, support or a till's key to see what each role sees)`,
  );
}

/** The connected catalogue: loaded from the ERP, on the sale lines, priced per channel, published to Merchant Center. */
async function catalogueStory() {
  const admin = state.keys.admin;
  say('28. Head office loads its catalogue from the ERP: families, typed attributes, two price lists, products, variants, prices, relations.');
  await call('PUT', '/api/v1/catalogue/settings', admin, catalogueSettings);
  const loaded = await call('POST', '/api/v1/catalogue/items', admin, { items: catalogueItems });
  const s = loaded.body.summary;
  detail(
    `${catalogueItems.length} items: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged (a re-run sends the same versions), ${s.rejected} rejected`,
  );
  const tree = (await call('GET', '/api/v1/catalogue/families', admin)).body;
  const show = (node, depth) => [`${'  '.repeat(depth)}${node.name}`, ...node.children.flatMap((child) => show(child, depth + 1))];
  for (const line of tree.roots.flatMap((root) => show(root, 0))) detail(line);
  const stale = await call('POST', '/api/v1/catalogue/items', admin, { items: [{ ...catalogueItems[0], version: 0, name: 'An older name' }] });
  detail(`an older version of the Chelsea boot from a late ERP message: ${stale.body.results[0].outcome} (ignored)`);

  say('29. A till sells a coat and an item the catalogue does not know: the lines carry product, families and brand; the unknown one is flagged, not refused.');
  const coatSale = await call('POST', '/api/v1/transactions', state.keys['pos-madrid'], {
    type: 'sale',
    channel: 'store',
    locationId: 'madrid-centro',
    terminalId: 'till-1',
    externalId: `T1-${run}-0600`,
    occurredAt: new Date().toISOString(),
    currency: 'EUR',
    lines: [
      { sku: 'COAT-WOOL-M', quantity: 1, unitPrice: 18995, taxRate: 21 },
      { sku: 'GIFT-WRAP', quantity: 1, unitPrice: 300, taxRate: 21 },
    ],
    tenders: [{ type: 'card', amount: 19295 }],
  });
  for (const line of coatSale.body.lines) {
    detail(
      `${line.sku}: ${line.catalogue === 'matched' ? `product ${line.productId}, brand ${line.brand}, families ${line.families.join(' > ')}` : 'unknown to the catalogue, recorded as sent'}`,
    );
  }

  say('30. One price per channel and store, by a documented precedence; the parity report finds what differs between the channels.');
  const price = async (sku, locationId) => (await call('GET', `/api/v1/catalogue/prices/${sku}?locationId=${locationId}`, admin)).body;
  for (const [sku, locationId] of [
    ['SCARF-CASHMERE-U', 'madrid-centro'],
    ['SCARF-CASHMERE-U', 'barcelona-diagonal'],
    ['SNEAKER-CANVAS-38', 'madrid-centro'],
    ['SNEAKER-CANVAS-38', 'web-es'],
  ]) {
    const p = await price(sku, locationId);
    detail(
      `${sku} at ${locationId}: ${euros(p.amount)} (${p.source === 'location' ? 'store override' : `list ${p.priceListId}`}${p.onSale ? `, on sale until ${p.saleEndsAt.slice(0, 10)}` : ''})`,
    );
  }
  const parity = (await call('GET', '/api/v1/catalogue/parity?country=ES', admin)).body;
  for (const d of parity.prices.slice(0, 4))
    detail(`price: ${d.sku} ${euros(d.store)} in stores vs ${euros(d.online)} online (tolerance ${euros(d.tolerance)})`);
  for (const d of parity.availability.slice(0, 3)) detail(`availability: ${d.sku} ${d.store} units in stores, ${d.online} online`);
  for (const d of parity.publishedInOneChannel) detail(`only in ${d.publishedIn}: ${d.name} (${d.productId})`);

  say('31. The Merchant Center product feed and the local inventory feed (stock per store, click & collect), written to blob storage behind signed links.');
  const published = (await call('POST', '/api/v1/catalogue/publications', admin, { country: 'ES' })).body;
  for (const file of published.countries[0].files) detail(`${file.kind}: ${file.rows} rows, ${file.url.split('?')[0]}`);
  const local = published.countries[0].files.find((f) => f.kind === 'local-inventory');
  const text = await (await fetch(local.url)).text();
  for (const line of text.split('\n').filter((l) => l.includes('BOOTS-CHELSEA-40') || l.startsWith('store_code'))) detail(line.replace(/\t/g, ' | '));
  detail(`links expire at ${published.linksExpireAt}`);
}

/** The "Omnichannel shoppers" segment (created once per tenant, found by name on later runs). */
async function omnichannelSegment() {
  const name = 'Omnichannel shoppers';
  const existing = (await call('GET', '/api/v1/segments', state.keys.admin)).body.items.find((s) => s.name === name);
  if (existing) return existing;
  const definition = {
    all: [
      { trait: 'lastStorePurchaseAt', operator: 'withinLastDays', value: 90 },
      { trait: 'lastOnlinePurchaseAt', operator: 'withinLastDays', value: 90 },
    ],
  };
  return (await call('POST', '/api/v1/segments', state.keys.admin, { name, description: 'Bought in both channels in the last 90 days', definition })).body;
}

main().catch((error) => {
  console.error(`\nThe demo stopped: ${error.message}`);
  process.exit(1);
});
