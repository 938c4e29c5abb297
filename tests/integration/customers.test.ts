import { TransactionClaimed } from '../../shared/transactions/transactions';
const TRANSACTION_CLAIMED = TransactionClaimed.type;
import { BlobServiceClient } from '@azure/storage-blob';
import { onlineSale, sale, storeDate, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

type Identifier = { type: string; value: string };
const identify = (identifiers: Identifier[], key = t.keys.pos, extra: Record<string, unknown> = {}) =>
  p.api('POST', '/api/v1/customers/identify', { key, body: { identifiers, ...extra } });
const buy = (key: string, body: Record<string, unknown>) => p.api('POST', '/api/v1/transactions', { key, body });
const get = (customerId: string, key = t.keys.admin) => p.api('GET', `/api/v1/customers/${customerId}`, { key });

describe('identify', () => {
  it.each([
    ['email', 'Maria.Lopez@Example.COM', 'maria.lopez@example.com'],
    ['email', '  ana.ruiz@example.com\t', 'ANA.RUIZ@example.com'],
    ['phone', '612 34 56 78', '+34 612-345-678'],
    ['phone', '0034612345679', '+34612345679'],
    ['loyaltyCard', '4000 1234 5678', '400012345678'],
    ['loyaltyCard', 'ab-12 cd', 'AB12CD'],
  ])('treats %s "%s" and "%s" as one customer', async (type, a, b) => {
    const first = await identify([{ type, value: a }]);
    const second = await identify([{ type, value: b }]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.customerId).toBe(first.body.customerId);
  });

  it('creates exactly one customer for 20 concurrent identify calls with the same new email', async () => {
    const tenant = await p.createTenant();
    const results = await Promise.all(Array.from({ length: 20 }, () => identify([{ type: 'email', value: 'crowd@example.com' }], tenant.keys.pos)));
    expect(new Set(results.map((r) => r.body.customerId)).size).toBe(1);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await store.count('customers', tenant.tenantId, 'customer')).toBe(1);
    expect(await store.count('lookups', tenant.tenantId, 'identifier')).toBe(1);
  });

  it('builds one customer from a store ticket and a web account, with one history', async () => {
    const card = { type: 'loyaltyCard', value: '7001 0002' };
    const atTill = await identify([card], t.keys.pos);
    await buy(t.keys.pos, sale({ customer: { identifiers: [card] } }));
    const online = await identify(
      [
        { type: 'ecommerceId', value: 'web-42' },
        { type: 'email', value: 'one@example.com' },
      ],
      t.keys.ecommerce,
    );
    await buy(t.keys.ecommerce, onlineSale({ customer: { identifiers: [{ type: 'ecommerceId', value: 'web-42' }] } }));
    expect(online.body.customerId).not.toBe(atTill.body.customerId);

    // At her next visit she gives her card and her email: the two are one person, linked by an admin.
    const both = await identify([card, { type: 'email', value: 'one@example.com' }], t.keys.pos);
    expect(both.body.customerId).toBe(atTill.body.customerId);
    expect(both.body.conflicts).toEqual([{ type: 'email', customerId: online.body.customerId }]);
    const merged = await p.api('POST', `/api/v1/customers/${atTill.body.customerId}/merge`, {
      key: t.keys.admin,
      body: { customerId: online.body.customerId, reason: 'Same person: card and email given together at the till' },
    });
    expect(merged.status).toBe(200);
    const history = await p.api('GET', `/api/v1/customers/${atTill.body.customerId}/transactions`, { key: t.keys.admin });
    expect(history.body.items.map((i: { channel: string }) => i.channel).sort()).toEqual(['online', 'store']);
  });

  it('links new identifiers and records profile and consents', async () => {
    const first = await identify([{ type: 'email', value: 'profile@example.com' }]);
    const second = await identify(
      [
        { type: 'email', value: 'profile@example.com' },
        { type: 'phone', value: '699 000 111' },
      ],
      t.keys.ecommerce,
      {
        profile: { name: 'Lucía García Pérez', birthDate: '1990-04-12', language: 'es-ES', postalCode: '28013', country: 'ES' },
        consents: [
          { purpose: 'marketingEmail', granted: true, at: '2026-11-01T10:00:00Z' },
          { purpose: 'paperlessReceipts', granted: true },
        ],
      },
    );
    expect(second.body).toMatchObject({ customerId: first.body.customerId, created: false, linked: ['phone'] });
    const view = await get(first.body.customerId);
    expect(view.body.profile).toMatchObject({ name: 'Lucía García Pérez', birthDate: '1990-04-12' });
    expect(view.body.consents.marketingEmail).toMatchObject({ granted: true, at: '2026-11-01T10:00:00Z' });
    expect(view.body.identifiers.map((i: Identifier) => i.value).sort()).toEqual(['+34699000111', 'profile@example.com']);
  });

  it('keeps the newest consent statement whatever order they arrive in, with the history', async () => {
    const email = [{ type: 'email', value: 'consent@example.com' }];
    const { customerId } = (await identify(email)).body;
    await identify(email, t.keys.pos, { consents: [{ purpose: 'marketingSms', granted: false, at: '2026-11-10T10:00:00Z' }] });
    await identify(email, t.keys.pos, { consents: [{ purpose: 'marketingSms', granted: true, at: '2026-11-01T10:00:00Z' }] });
    const sms = (await get(customerId)).body.consents.marketingSms;
    expect(sms.granted).toBe(false);
    expect(sms.at).toBe('2026-11-10T10:00:00Z');
    expect(sms.history.map((h: { granted: boolean }) => h.granted)).toEqual([true, false]);
  });

  it('refuses invalid identifiers and unknown fields with the field named', async () => {
    const r = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.pos,
      body: { identifiers: [{ type: 'email', value: 'nope' }], profile: { shoeSize: 42 } },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain('profile');
  });
});

describe('the 360 view', () => {
  it('computes behaviour from the whole history of both channels', async () => {
    const who = { identifiers: [{ type: 'email', value: 'behaviour@example.com' }] };
    // A history older than the 7-day offline window: admin imports.
    const lines = (category: string, amount: number) => [{ sku: `${category}-1`, quantity: 1, unitPrice: amount, taxRate: 21, category }];
    await buy(
      t.keys.admin,
      sale({ import: true, occurredAt: '2026-10-01T10:00:00+02:00', customer: who, lines: lines('shoes', 6000), tenders: [{ type: 'card', amount: 6000 }] }),
    );
    await buy(
      t.keys.admin,
      sale({ import: true, occurredAt: '2026-10-15T10:00:00+02:00', customer: who, lines: lines('shoes', 4000), tenders: [{ type: 'card', amount: 4000 }] }),
    );
    await buy(
      t.keys.admin,
      sale({
        locationId: 'store-2',
        import: true,
        occurredAt: '2026-10-20T10:00:00+02:00',
        customer: who,
        lines: lines('socks', 500),
        tenders: [{ type: 'cash', amount: 500 }],
      }),
    );
    const web = await buy(
      t.keys.admin,
      onlineSale({
        import: true,
        occurredAt: '2026-11-02T22:00:00+01:00',
        customer: who,
        lines: lines('coats', 9500),
        tenders: [{ type: 'card', amount: 9500 }],
      }),
    );
    await buy(
      t.keys.admin,
      sale({
        type: 'return',
        import: true,
        occurredAt: '2026-11-05T10:00:00+01:00',
        originalTransactionId: web.body.transactionId,
        lines: lines('coats', 9500),
        tenders: [{ type: 'card', amount: 9500 }],
      }),
    );

    const view = await get(web.body.customerId);
    expect(view.status).toBe(200);
    expect(view.body.behaviour).toEqual({
      currency: 'EUR',
      purchases: 4,
      returns: 1,
      totalSpent: 10500,
      averageTicket: 5000,
      firstPurchaseAt: '2026-10-01T10:00:00+02:00',
      lastPurchaseAt: '2026-11-02T22:00:00+01:00',
      channels: { store: { purchases: 3, amount: 10500, share: 0.525 }, online: { purchases: 1, amount: 9500, share: 0.475 } },
      preferredStore: 'store-1',
      topCategories: [
        { category: 'shoes', amount: 10000 },
        { category: 'socks', amount: 500 },
      ],
    });
    expect(view.body.lastTransactions).toHaveLength(5);
    expect(view.body.lastTransactions[0].type).toBe('return');
  });

  it('masks identifiers and profile for POS and web shop keys, and shows them in full to admin keys', async () => {
    const { customerId } = (
      await identify(
        [
          { type: 'email', value: 'masked.person@example.com' },
          { type: 'phone', value: '+34 612 999 888' },
          { type: 'loyaltyCard', value: '99887766' },
        ],
        t.keys.pos,
        {
          profile: { name: 'Ana Torres', birthDate: '1985-01-02' },
        },
      )
    ).body;
    const asPos = await get(customerId, t.keys.pos);
    const values = asPos.body.identifiers.map((i: Identifier) => i.value).sort();
    expect(values).toEqual(['****7766', '+34******888', 'm***@example.com']);
    expect(asPos.body.profile).toEqual({ name: 'Ana' });
    expect(JSON.stringify(asPos.body)).not.toMatch(/masked\.person|612999888|99887766|Torres|1985/);
    const asAdmin = await get(customerId, t.keys.admin);
    expect(asAdmin.body.identifiers.map((i: Identifier) => i.value).sort()).toEqual(['+34612999888', '99887766', 'masked.person@example.com']);
    expect(asAdmin.body.profile).toMatchObject({ name: 'Ana Torres', birthDate: '1985-01-02' });
  });

  it("answers 404 for another tenant's customer", async () => {
    const other = await p.createTenant();
    const { customerId } = (await identify([{ type: 'email', value: 'mine@example.com' }])).body;
    expect((await get(customerId, other.keys.admin)).status).toBe(404);
    expect((await p.api('GET', `/api/v1/customers/${customerId}/export`, { key: other.keys.admin })).status).toBe(404);
    expect((await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: other.keys.admin })).status).toBe(404);
    expect((await get(customerId)).status).toBe(200);
  });
});

describe('merge', () => {
  it('moves identifiers and transactions, keeps the old id answering, and changes nothing when repeated', async () => {
    const a = await buy(t.keys.pos, sale({ customer: { identifiers: [{ type: 'email', value: 'merge-a@example.com' }] } }));
    const b1 = await buy(
      t.keys.ecommerce,
      onlineSale({
        customer: {
          identifiers: [
            { type: 'email', value: 'merge-b@example.com' },
            { type: 'phone', value: '611222333' },
          ],
        },
      }),
    );
    const b2 = await buy(t.keys.pos, sale({ customer: { identifiers: [{ type: 'phone', value: '611222333' }] } }));
    const survivor = a.body.customerId;
    const merged = b1.body.customerId;
    await p.bus.idle();

    const body = { customerId: merged, reason: 'Customer asked to join her accounts' };
    const first = await p.api('POST', `/api/v1/customers/${survivor}/merge`, { key: t.keys.admin, body });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      survivorId: survivor,
      mergedId: merged,
      reason: body.reason,
      moved: { identifiers: 2, transactions: 2 },
      alreadyMerged: false,
    });
    expect(first.body.mergedBy).toMatch(/^key_/);

    const view = await get(survivor);
    expect(view.body.identifiers.map((i: Identifier) => i.value).sort()).toEqual(['+34611222333', 'merge-a@example.com', 'merge-b@example.com']);
    expect(view.body.behaviour.purchases).toBe(3);
    const old = await get(merged);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ customerId: survivor, mergedFrom: merged });
    const oldHistory = await p.api('GET', `/api/v1/customers/${merged}/transactions`, { key: t.keys.admin });
    expect(oldHistory.body.items).toHaveLength(3);
    for (const tx of [b1, b2]) {
      const read = await p.api('GET', `/api/v1/transactions/${tx.body.transactionId}`, { key: t.keys.admin });
      expect(read.body.customerId).toBe(survivor);
    }
    // A new purchase with the merged customer's phone now belongs to the survivor.
    const after = await buy(t.keys.pos, sale({ customer: { identifiers: [{ type: 'phone', value: '611 222 333' }] } }));
    expect(after.body.customerId).toBe(survivor);
    await p.bus.idle();

    const before = JSON.stringify(await store.all('customers', t.tenantId));
    const again = await p.api('POST', `/api/v1/customers/${survivor}/merge`, { key: t.keys.admin, body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ mergedAt: first.body.mergedAt, moved: first.body.moved, alreadyMerged: true });
    await p.bus.idle();
    expect(JSON.stringify(await store.all('customers', t.tenantId))).toBe(before);
    expect(await store.count('transactions', t.tenantId)).toBe((await store.all('transactions', t.tenantId)).length);
  });

  it('carries over returns recorded on a sale while its customer is being merged', async () => {
    const lines = [{ sku: 'BULK', quantity: 20, unitPrice: 100, taxRate: 21 }];
    const sold = await buy(
      t.keys.pos,
      sale({ lines, tenders: [{ type: 'card', amount: 2000 }], customer: { identifiers: [{ type: 'email', value: 'moving@example.com' }] } }),
    );
    const survivor = (await identify([{ type: 'email', value: 'staying@example.com' }])).body.customerId;
    const giveBack = (i: number) =>
      buy(
        t.keys.pos,
        sale({
          type: 'return',
          externalId: `MOVE-R-${i}`,
          originalTransactionId: sold.body.transactionId,
          lines: [{ sku: 'BULK', quantity: 1, unitPrice: 100, taxRate: 21 }],
          tenders: [{ type: 'cash', amount: 100 }],
        }),
      );
    const [merge, ...returns] = await Promise.all([
      p.api('POST', `/api/v1/customers/${survivor}/merge`, { key: t.keys.admin, body: { customerId: sold.body.customerId, reason: 'test' } }),
      ...Array.from({ length: 12 }, (_, i) => giveBack(i)),
    ]);
    expect(merge!.status).toBe(200);
    const recorded = returns.filter((r) => r.status === 201).length;
    expect(returns.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const after = await p.api('GET', `/api/v1/transactions/${sold.body.transactionId}`, { key: t.keys.admin });
    expect(after.body.customerId).toBe(survivor);
    expect(after.body.returned).toEqual({ BULK: recorded });
    const copies = (await store.all('transactions', t.tenantId)).filter((d: { transactionId: string }) => d.transactionId === sold.body.transactionId);
    expect(copies).toHaveLength(1);
  });

  it('moves a sale recorded for the merged customer while the merge ran over to the survivor', async () => {
    const survivor = (await identify([{ type: 'email', value: 'late-survivor@example.com' }])).body.customerId;
    const mergedEmail = { type: 'email', value: 'late-merged@example.com' };
    const merged = (await identify([mergedEmail])).body.customerId;
    await p.api('POST', `/api/v1/customers/${survivor}/merge`, { key: t.keys.admin, body: { customerId: merged, reason: 'test' } });
    // Recreate the merge's window: the merged customer is marked, but its email still points at it.
    const link = (await store.all('lookups', t.tenantId)).find(
      (d: { kind: string; value: string }) => d.kind === 'identifier' && d.value === mergedEmail.value,
    );
    await store.replace('lookups', { ...link, customerId: merged });

    const late = await buy(t.keys.pos, sale({ customer: { identifiers: [mergedEmail] } }));
    expect(late.body.customerId).toBe(merged);
    await p.bus.idle();
    const read = await p.api('GET', `/api/v1/transactions/${late.body.transactionId}`, { key: t.keys.admin });
    expect(read.body.customerId).toBe(survivor);
    const history = await p.api('GET', `/api/v1/customers/${survivor}/transactions`, { key: t.keys.admin });
    expect(history.body.items.map((i: { transactionId: string }) => i.transactionId)).toEqual([late.body.transactionId]);
    expect((await get(survivor)).body.lastSeenAt).toBe(late.body.occurredAt);
  });

  it('is for admin keys only, refuses merging into itself, and refuses a customer merged elsewhere', async () => {
    const x = (await identify([{ type: 'email', value: 'x@example.com' }])).body.customerId;
    const y = (await identify([{ type: 'email', value: 'y@example.com' }])).body.customerId;
    const z = (await identify([{ type: 'email', value: 'z@example.com' }])).body.customerId;
    const merge = (into: string, from: string, key = t.keys.admin) =>
      p.api('POST', `/api/v1/customers/${into}/merge`, { key, body: { customerId: from, reason: 'test' } });
    expect((await merge(x, y, t.keys.pos)).status).toBe(403);
    expect((await merge(x, x)).status).toBe(422);
    expect((await merge(x, y)).status).toBe(200);
    expect((await merge(z, y)).status).toBe(409);
    expect((await merge(y, z)).status).toBe(422);
    expect((await merge(x, 'c_nobody')).status).toBe(404);
  });
});

describe('claiming an anonymous purchase', () => {
  it('attaches the ticket once, with the details printed on it, and counts it for the customer', async () => {
    // A fixed date, which the claims below name: an admin import (it is older than the 7-day offline window).
    const ticket = await buy(t.keys.admin, sale({ externalId: 'T9-000123', occurredAt: '2026-11-21T23:30:00+01:00', import: true }));
    expect(ticket.body.customerId).toBeNull();
    const ana = (await identify([{ type: 'email', value: 'claimer@example.com' }])).body.customerId;
    const bea = (await identify([{ type: 'email', value: 'other-claimer@example.com' }])).body.customerId;
    const claim = (customerId: string, details: Record<string, unknown> = {}) =>
      p.api('POST', `/api/v1/customers/${customerId}/claims`, {
        key: t.keys.ecommerce,
        body: { locationId: 'store-1', externalId: 'T9-000123', date: '2026-11-21', total: 4398, ...details },
      });

    expect((await claim(ana, { total: 4399 })).status).toBe(422);
    // The receipt shows the store's local date (Europe/Madrid), not the UTC one.
    expect((await claim(ana, { date: '2026-11-22' })).status).toBe(422);
    expect((await claim(ana, { externalId: 'T9-999' })).status).toBe(404);

    await p.bus.idle();
    const accepted = p.bus.statsOf(TRANSACTION_CLAIMED).accepted;
    const ok = await claim(ana);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ transactionId: ticket.body.transactionId, customerId: ana, claimedAt: expect.any(String) });
    expect((await claim(ana)).status).toBe(200);
    const stolen = await claim(bea);
    expect(stolen.status).toBe(409);
    expect(stolen.body.reason).toBe('already-claimed');

    await p.bus.idle();
    expect(p.bus.statsOf(TRANSACTION_CLAIMED).accepted).toBe(accepted + 1);
    const history = await p.api('GET', `/api/v1/customers/${ana}/transactions`, { key: t.keys.admin });
    expect(history.body.items.map((i: { transactionId: string }) => i.transactionId)).toEqual([ticket.body.transactionId]);
    const read = await p.api('GET', `/api/v1/transactions/${ticket.body.transactionId}`, { key: t.keys.admin });
    expect(read.body.customerId).toBe(ana);
    const doc = (await store.all('customers', t.tenantId)).find((c: { customerId: string; kind: string }) => c.customerId === ana && c.kind === 'customer');
    expect(doc.recentTransactions.map((r: { transactionId: string }) => r.transactionId)).toEqual([ticket.body.transactionId]);
    expect((await store.all('transactions', t.tenantId)).filter((d: { transactionId: string }) => d.transactionId === ticket.body.transactionId)).toHaveLength(
      1,
    );
  });

  it('lets only one of two customers claiming at once win', async () => {
    const ticket = await buy(t.keys.pos, sale({ externalId: 'T9-RACE' }));
    const ids = await Promise.all(
      ['race-1@example.com', 'race-2@example.com'].map(async (v) => (await identify([{ type: 'email', value: v }])).body.customerId),
    );
    const results = await Promise.all(
      ids.map((id) =>
        p.api('POST', `/api/v1/customers/${id}/claims`, {
          key: t.keys.pos,
          body: { locationId: 'store-1', externalId: 'T9-RACE', date: storeDate(ticket.body.occurredAt), total: 4398 },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const copies = (await store.all('transactions', t.tenantId)).filter((d: { transactionId: string }) => d.transactionId === ticket.body.transactionId);
    expect(copies).toHaveLength(1);
  });
});

describe('data protection', () => {
  it('exports everything held about the person', async () => {
    const who = [
      { type: 'email', value: 'export@example.com' },
      { type: 'loyaltyCard', value: '5550001' },
    ];
    const sold = await buy(t.keys.pos, sale({ customer: { identifiers: who } }));
    await identify(who, t.keys.pos, { profile: { name: 'Eva Export' }, consents: [{ purpose: 'marketingEmail', granted: true }] });
    const r = await p.api('GET', `/api/v1/customers/${sold.body.customerId}/export`, { key: t.keys.admin });
    expect(r.status).toBe(200);
    expect(r.body.customer.profile.name).toBe('Eva Export');
    expect(r.body.identifiers.map((i: Identifier) => i.value).sort()).toEqual(['5550001', 'export@example.com']);
    expect(r.body.transactions.map((x: { transactionId: string }) => x.transactionId)).toEqual([sold.body.transactionId]);
    expect(r.body.customer.consents.marketingEmail.granted).toBe(true);
    expect((await p.api('GET', `/api/v1/customers/${sold.body.customerId}/export`, { key: t.keys.pos })).status).toBe(403);
  });

  it('erases personal data from every container and blob, keeps the invoices, and forgets the identifiers', async () => {
    const email = 'forget.me@example.com';
    const phone = '+34677888999';
    const name = 'Olvido Borrado';
    const who = [
      { type: 'email', value: email },
      { type: 'phone', value: phone },
    ];
    const sold = await buy(t.keys.pos, sale({ customer: { identifiers: who } }));
    const customerId = sold.body.customerId;
    await identify(who, t.keys.pos, { profile: { name, postalCode: '08001' }, consents: [{ purpose: 'marketingSms', granted: true }] });
    const merged = (await identify([{ type: 'email', value: 'forget.me.too@example.com' }], t.keys.pos, { profile: { name } })).body.customerId;
    await p.api('POST', `/api/v1/customers/${customerId}/merge`, { key: t.keys.admin, body: { customerId: merged, reason: `Olvido asked: ${email}` } });
    await p.bus.idle();

    expect((await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: t.keys.pos })).status).toBe(403);
    const erased = await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: t.keys.admin });
    expect(erased.status).toBe(204);
    expect((await get(customerId)).status).toBe(410);
    expect((await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: t.keys.admin })).status).toBe(204);

    // The postal code is looked for as a JSON string: its digits alone can occur inside a timestamp or hash.
    const secrets = [email, 'forget.me.too', phone, '677888999', name, 'Olvido', '"08001"'];
    for (const container of ['tenants', 'customers', 'transactions', 'lookups', 'idempotency']) {
      const text = JSON.stringify(await store.all(container, t.tenantId));
      for (const secret of secrets) expect({ container, found: text.includes(secret) ? secret : null }).toEqual({ container, found: null });
    }
    const blobs = BlobServiceClient.fromConnectionString(process.env.TEST_BLOB_CONNECTION_STRING!);
    for await (const container of blobs.listContainers()) {
      const client = blobs.getContainerClient(container.name);
      for await (const blob of client.listBlobsFlat()) {
        const text = (await client.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
        for (const secret of secrets) expect(text.includes(secret) ? `${container.name}/${blob.name}` : null).toBeNull();
      }
    }
    // The sale stays (the retailer must keep invoices), under an id that names nobody now.
    const kept = await p.api('GET', `/api/v1/transactions/${sold.body.transactionId}`, { key: t.keys.admin });
    expect(kept.status).toBe(200);
    // The same email later is a new customer.
    const again = await identify([{ type: 'email', value: email }]);
    expect(again.status).toBe(201);
    expect(again.body.customerId).not.toBe(customerId);
  });
});
