import { InvocationContext } from '@azure/functions';
import type { TopicFunction } from '../../shared/edge/definition';
import { daysAgo, onlineSale, sale, storeDate, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

const receiptDocs = async () => (await store.all('receipts', t.tenantId)).filter((d: { kind: string }) => d.kind === 'receipt');

async function record(body: Record<string, unknown>, key = t.keys.pos) {
  const r = await p.api('POST', '/api/v1/transactions', { key, body });
  if (r.status !== 201) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

describe('receipts', () => {
  it('issues a numbered Spanish simplified invoice whose signed links open without an API key', async () => {
    const tx = await record(sale({ terminalId: 'till-links', coupons: ['WELCOME10'] }));
    await p.bus.idle();
    const r = await p.api('GET', `/api/v1/transactions/${tx.transactionId}/receipt`, { key: t.keys.pos });
    expect(r.status).toBe(200);
    expect(r.body.receipt).toMatchObject({
      transactionId: tx.transactionId,
      seriesId: 'store-1.till-links',
      number: 1,
      documentType: 'simplifiedInvoice',
      issuer: { name: 'Test Retail', taxId: 'B12345678', locationName: 'store-1' },
      coupons: ['WELCOME10'],
      discountTotal: 100,
      vat: [{ rate: 21, base: 3635, tax: 763, total: 4398 }],
      totals: { base: 3635, tax: 763, total: 4398 },
      fiscal: { TipoFactura: 'F2', NumSerieFactura: 'store-1.till-links/1', ImporteTotal: '43.98', CuotaTotal: '7.63', Huella: '' },
    });

    const html = await fetch(r.body.links.html);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('store-1.till-links/1');
    expect(page).toContain('QR tributario:');
    const json = await fetch(r.body.links.json);
    expect(await json.json()).toMatchObject({ transactionId: tx.transactionId, number: 1 });
    expect(r.body.links.html).toContain(`/receipts/${t.tenantId}/${tx.transactionId}.html?`);

    // A link whose signature was tampered with does not open.
    const forged = new URL(r.body.links.html);
    forged.searchParams.set('se', '2099-01-01T00:00:00Z');
    expect((await fetch(forged)).status).toBe(403);
  });

  it('numbers 100 concurrent sales on one till 1..100 with no gap or duplicate, and the chain verifies', async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => record(sale({ terminalId: 'till-rush' }))));
    await p.bus.idle();
    const docs = (await receiptDocs()).filter((d: { seriesId: string }) => d.seriesId === 'store-1.till-rush');
    expect(docs.map((d: { number: number }) => d.number).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(new Set(docs.map((d: { transactionId: string }) => d.transactionId))).toEqual(new Set(results.map((x) => x.transactionId)));

    const verify = await p.api('GET', '/api/v1/receipts/series/store-1.till-rush/verify', { key: t.keys.admin });
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ seriesId: 'store-1.till-rush', records: 100, lastNumber: 100, verified: true, firstBreak: null });
  });

  it('issues one receipt when the same event is delivered twice, even at once', async () => {
    const events: unknown[] = [];
    const original = p.bus.publish.bind(p.bus);
    const spy = jest.spyOn(p.bus, 'publish').mockImplementation(async (batch) => {
      events.push(...batch);
      await original(batch);
    });
    const tx = await record(sale({ terminalId: 'till-twice' }));
    await p.bus.idle();
    spy.mockRestore();
    const recorded = events.find((e) => (e as { type: string }).type === 'transaction.recorded');
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'receiptIssuer')!;
    const context = () => new InvocationContext({ functionName: 'receiptIssuer' });
    await Promise.all([consumer.handler(JSON.stringify(recorded), context()), consumer.handler(JSON.stringify(recorded), context())]);
    const second = await record(sale({ terminalId: 'till-twice' }));
    await p.bus.idle();

    const docs = (await receiptDocs()).filter((d: { seriesId: string }) => d.seriesId === 'store-1.till-twice');
    expect(docs.map((d: { transactionId: string; number: number }) => [d.transactionId, d.number]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      [tx.transactionId, 1],
      [second.transactionId, 2],
    ]);
  });

  it('loses no number when the issuer stops between taking it and storing the receipt', async () => {
    const events: Array<{ type: string; data: { transactionId: string } }> = [];
    const original = p.bus.publish.bind(p.bus);
    jest.spyOn(p.bus, 'publish').mockImplementation(async (batch) => {
      events.push(...(batch as never[]));
      await original(batch);
    });
    const first = await record(sale({ terminalId: 'till-crash' }));
    await p.bus.idle();
    jest.restoreAllMocks();
    // The state a crash right after the series replace leaves: the number taken (the head), the receipt not stored.
    const doc = (await receiptDocs()).find((d: { transactionId: string }) => d.transactionId === first.transactionId);
    await store.remove('receipts', doc, [t.tenantId, doc.id]);
    expect((await p.api('GET', `/api/v1/transactions/${first.transactionId}/receipt`, { key: t.keys.pos })).status).toBe(404);
    // The auditor still sees number 1: the series head is part of the chain until it is stored.
    const meanwhile = await p.api('GET', '/api/v1/receipts/series/store-1.till-crash/verify', { key: t.keys.admin });
    expect(meanwhile.body).toMatchObject({ verified: true, records: 1, lastNumber: 1 });

    // The next sale stores the head before taking number 2; the redelivered event reuses number 1.
    const second = await record(sale({ terminalId: 'till-crash' }));
    await p.bus.idle();
    const consumer = p.platform.functions.find((f): f is TopicFunction => f.name === 'receiptIssuer')!;
    const recorded = events.find((e) => e.type === 'transaction.recorded' && e.data.transactionId === first.transactionId);
    await consumer.handler(JSON.stringify(recorded), new InvocationContext({ functionName: 'receiptIssuer' }));

    const docs = (await receiptDocs()).filter((d: { seriesId: string }) => d.seriesId === 'store-1.till-crash');
    expect(docs.map((d: { transactionId: string; number: number }) => [d.transactionId, d.number]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([
      [first.transactionId, 1],
      [second.transactionId, 2],
    ]);
    const verify = await p.api('GET', '/api/v1/receipts/series/store-1.till-crash/verify', { key: t.keys.admin });
    expect(verify.body).toMatchObject({ verified: true, records: 2, lastNumber: 2 });
  });

  it('reports a tampered record when the chain is verified', async () => {
    for (let i = 0; i < 4; i += 1) await record(sale({ terminalId: 'till-audit' }));
    await p.bus.idle();
    expect((await p.api('GET', '/api/v1/receipts/series/store-1.till-audit/verify', { key: t.keys.admin })).body.verified).toBe(true);

    const third = (await receiptDocs()).find((d: { seriesId: string; number: number }) => d.seriesId === 'store-1.till-audit' && d.number === 3);
    await store.replace('receipts', { ...third, fiscal: { ...third.fiscal, ImporteTotal: '0.01' } });
    const verify = await p.api('GET', '/api/v1/receipts/series/store-1.till-audit/verify', { key: t.keys.admin });
    expect(verify.body).toMatchObject({ verified: false, firstBreak: { number: 3, invoiceNumber: 'store-1.till-audit/3', reason: 'altered' } });

    expect((await p.api('GET', '/api/v1/receipts/series/store-1.till-audit/verify', { key: t.keys.pos })).status).toBe(403);
    expect((await p.api('GET', '/api/v1/receipts/series/nowhere/verify', { key: t.keys.admin })).status).toBe(404);
  });

  it('makes a return a corrective invoice (R5) of its sale, numbered in its own series', async () => {
    const sold = await record(sale({ terminalId: 'till-ret' }));
    await p.bus.idle();
    const returned = await record(
      sale({
        type: 'return',
        terminalId: 'till-ret',
        originalTransactionId: sold.transactionId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21 }],
        tenders: [{ type: 'card', amount: 1999 }],
      }),
    );
    await p.bus.idle();
    const r = await p.api('GET', `/api/v1/transactions/${returned.transactionId}/receipt`, { key: t.keys.pos });
    expect(r.body.receipt).toMatchObject({
      seriesId: 'store-1.till-ret-R',
      number: 1,
      documentType: 'correctiveInvoice',
      corrects: { transactionId: sold.transactionId, invoiceNumber: 'store-1.till-ret/1' },
      fiscal: { TipoFactura: 'R5', ImporteTotal: '-19.99', CuotaTotal: '-3.47' },
    });
  });

  it("tells the till not to print for a paperless customer, lists the customer's receipts from both channels, and forgets an erased customer", async () => {
    const email = { type: 'email', value: 'paperless@example.com' };
    const identify = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.admin,
      body: { identifiers: [email], consents: [{ purpose: 'paperlessReceipts', granted: true }] },
    });
    const { customerId } = identify.body;
    const inStore = await record(sale({ terminalId: 'till-paper', occurredAt: daysAgo(2), customer: { identifiers: [email] } }));
    expect(inStore.receipt).toEqual({ paper: false, url: `/api/v1/transactions/${inStore.transactionId}/receipt` });
    const anonymous = await record(sale({ terminalId: 'till-paper' }));
    expect(anonymous.receipt.paper).toBe(true);
    const online = await record(onlineSale({ occurredAt: daysAgo(1), customer: { identifiers: [email] } }), t.keys.ecommerce);
    await p.bus.idle();

    const list = await p.api('GET', `/api/v1/customers/${customerId}/receipts`, { key: t.keys.pos });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { transactionId: string; channel: string }) => [r.transactionId, r.channel])).toEqual([
      [online.transactionId, 'online'],
      [inStore.transactionId, 'store'],
    ]);
    const view = await p.api('GET', `/api/v1/customers/${customerId}`, { key: t.keys.admin });
    expect(view.body.receipts).toMatchObject({ count: 2, latest: [{ transactionId: online.transactionId }, { transactionId: inStore.transactionId }] });

    expect((await p.api('DELETE', `/api/v1/customers/${customerId}`, { key: t.keys.admin })).status).toBe(204);
    const kept = await p.api('GET', `/api/v1/transactions/${inStore.transactionId}/receipt`, { key: t.keys.admin });
    expect(kept.status).toBe(200);
    expect(kept.body.receipt.customerId).toBeNull();
    const page = await (await fetch(kept.body.links.json)).text();
    expect(page).not.toContain(customerId);
    expect((await p.api('GET', `/api/v1/customers/${customerId}/receipts`, { key: t.keys.admin })).status).toBe(410);
  });

  it("moves receipts to the survivor of a merge, and erasure leaves no customer id on an installation's last receipt", async () => {
    const ana = await record(sale({ terminalId: 'till-merge-a', customer: { identifiers: [{ type: 'email', value: 'ana.merge@example.com' }] } }));
    const anaAgain = await record(sale({ terminalId: 'till-merge-b', customer: { identifiers: [{ type: 'phone', value: '+34 600 999 888' }] } }));
    await p.bus.idle();
    const merged = await p.api('POST', `/api/v1/customers/${ana.customerId}/merge`, {
      key: t.keys.admin,
      body: { customerId: anaAgain.customerId, reason: 'same person' },
    });
    expect(merged.status).toBe(200);
    const list = await p.api('GET', `/api/v1/customers/${ana.customerId}/receipts`, { key: t.keys.admin });
    expect(list.body.items.map((r: { transactionId: string }) => r.transactionId).sort()).toEqual([ana.transactionId, anaAgain.transactionId].sort());

    expect((await p.api('DELETE', `/api/v1/customers/${ana.customerId}`, { key: t.keys.admin })).status).toBe(204);
    // Each till's installation keeps its last record whole (its chain head): it must not name her either.
    const heads = (await store.all('receipts', t.tenantId)).filter(
      (d: { kind: string; installationId: string }) => d.kind === 'installation' && d.installationId.startsWith('store-1.till-merge'),
    );
    expect(heads.map((h: { head: { receipt: { customerId: string | null } } }) => h.head.receipt.customerId)).toEqual([null, null]);
  });

  it("adds an anonymous ticket's receipt to the customer who claims it", async () => {
    const ticket = await record(sale({ terminalId: 'till-claim' }));
    await p.bus.idle();
    const who = await p.api('POST', '/api/v1/customers/identify', {
      key: t.keys.admin,
      body: { identifiers: [{ type: 'email', value: 'claimer@example.com' }] },
    });
    const claim = await p.api('POST', `/api/v1/customers/${who.body.customerId}/claims`, {
      key: t.keys.admin,
      body: { locationId: 'store-1', externalId: ticket.externalId, date: storeDate(ticket.occurredAt), total: 4398 },
    });
    expect(claim.status).toBe(201);
    await p.bus.idle();
    const list = await p.api('GET', `/api/v1/customers/${who.body.customerId}/receipts`, { key: t.keys.admin });
    expect(list.body.items).toEqual([expect.objectContaining({ transactionId: ticket.transactionId, customerId: who.body.customerId, number: 1 })]);
  });

  it('answers 404 for a transaction without a receipt', async () => {
    expect((await p.api('GET', '/api/v1/transactions/tx_nothing/receipt', { key: t.keys.pos })).status).toBe(404);
  });
});
