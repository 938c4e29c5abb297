import { ChainVerifier, linkTo, ONLINE_INSTALLATIONS, walkedReceipt } from './chain';
import { buildReceipt, seriesIdOf, vatBreakdown, verifySeries, type Receipt } from './receipts';
import { verifactuFingerprint } from './verifactu';
import { renderReceiptHtml } from './receipt-html';
import type { Location, Tenant } from '../tenancy';
import type { TransactionView } from '../transactions';

const tenant: Tenant = {
  tenantId: 't1',
  name: 'Demo Retail S.L.',
  country: 'ES',
  currency: 'EUR',
  timeZone: 'Europe/Madrid',
  taxId: 'B12345678',
  createdAt: '2026-01-01T00:00:00Z',
};
const store: Location = {
  tenantId: 't1',
  locationId: 'store-1',
  name: 'Madrid',
  type: 'store',
  country: 'ES',
  currency: 'EUR',
  timeZone: 'Europe/Madrid',
  createdAt: '2026-01-01T00:00:00Z',
};

function tx(overrides: Partial<TransactionView> = {}): TransactionView {
  const lines = [
    { sku: 'A', quantity: 2, unitPrice: 1999, taxRate: 21, discount: 0, lineNumber: 1, total: 3998 },
    { sku: 'B', quantity: 1, unitPrice: 500, taxRate: 21, discount: 100, lineNumber: 2, total: 400 },
    { sku: 'C', quantity: 1, unitPrice: 335, taxRate: 10, discount: 10, lineNumber: 3, total: 325 },
    { sku: 'D', quantity: 3, unitPrice: 105, taxRate: 4, discount: 0, lineNumber: 4, total: 315 },
  ];
  return {
    transactionId: 'tx_1',
    customerId: null,
    type: 'sale',
    channel: 'store',
    locationId: 'store-1',
    terminalId: 'till-1',
    externalId: 'T-1',
    occurredAt: '2026-11-22T10:15:00+01:00',
    recordedAt: '2026-11-22T09:15:01Z',
    currency: 'EUR',
    lines,
    coupons: ['WELCOME10'],
    couponHoldId: undefined,
    reservationId: undefined,
    tenders: [{ type: 'card', amount: 5038 }],
    totals: { gross: 5148, discount: 110, net: 5038, items: 7 },
    originalTransactionId: null,
    claimedAt: undefined,
    returned: {},
    identityConflicts: undefined,
    ...overrides,
  };
}

describe('VAT breakdown', () => {
  it('sums each rate after discounts, rounds the base half-up to the cent, and the tax is the rest', () => {
    expect(vatBreakdown(tx().lines)).toEqual([
      { rate: 21, base: 3635, tax: 763, total: 4398 }, // 4398 / 1.21 = 3634.71
      { rate: 10, base: 295, tax: 30, total: 325 }, // 325 / 1.10 = 295.45
      { rate: 4, base: 303, tax: 12, total: 315 }, // 315 / 1.04 = 302.88
    ]);
  });

  it('rounds an exact half cent up, and rounds the sum of a rate rather than each line', () => {
    expect(vatBreakdown([{ taxRate: 4, total: 13 }])).toEqual([{ rate: 4, base: 13, tax: 0, total: 13 }]); // 12.5 -> 13
    // Line by line: 82.64 + 82.64 -> 83 + 83 = 166; the invoice rounds 200 / 1.21 = 165.29 once.
    expect(
      vatBreakdown([
        { taxRate: 21, total: 100 },
        { taxRate: 21, total: 100 },
      ]),
    ).toEqual([{ rate: 21, base: 165, tax: 35, total: 200 }]);
    expect(vatBreakdown([{ taxRate: 0, total: 999 }])).toEqual([{ rate: 0, base: 999, tax: 0, total: 999 }]);
  });
});

describe('receipts', () => {
  const context = {
    tenant,
    location: store,
    chain: { installationId: 'store-1.till-1', sequence: 1, link: { previousFingerprint: '', previous: null } },
    now: new Date('2026-11-22T09:15:02Z'),
    extras: {},
    corrects: null,
  };

  it('makes a Spanish sale a simplified invoice (F2) with its fiscal record and QR URL', () => {
    const receipt = buildReceipt(tx(), 't1', { ...context, number: 1 });
    expect(receipt).toMatchObject({
      seriesId: 'store-1.till-1',
      invoiceNumber: 'store-1.till-1/1',
      documentType: 'simplifiedInvoice',
      totals: { base: 4233, tax: 805, total: 5038 },
      coupons: ['WELCOME10'],
      discountTotal: 110,
      returnPolicy: expect.any(String),
    });
    expect(receipt.fiscal).toMatchObject({
      IDEmisorFactura: 'B12345678',
      NumSerieFactura: 'store-1.till-1/1',
      FechaExpedicionFactura: '22-11-2026',
      TipoFactura: 'F2',
      CuotaTotal: '8.05',
      ImporteTotal: '50.38',
      Huella: '',
      FechaHoraHusoGenRegistro: '2026-11-22T10:15:02+01:00',
      qrUrl:
        'https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQRNoVerifactu?nif=B12345678&numserie=store-1.till-1%2F1&fecha=22-11-2026&importe=50.38',
    });
    expect(receipt.fiscal!.fingerprint).toBe(verifactuFingerprint(receipt.fiscal!));
  });

  it('makes a return a corrective invoice (R5) in a series of its own, with negative amounts', () => {
    const corrects = { transactionId: 'tx_0', invoiceNumber: 'store-1.till-1/1', issueDate: '22-11-2026' };
    const receipt = buildReceipt(tx({ type: 'return', originalTransactionId: 'tx_0' }), 't1', { ...context, number: 1, corrects });
    expect(receipt).toMatchObject({ seriesId: 'store-1.till-1-R', documentType: 'correctiveInvoice', corrects, returnPolicy: null });
    expect(receipt.fiscal).toMatchObject({ TipoFactura: 'R5', ImporteTotal: '-50.38', CuotaTotal: '-8.05' });
  });

  it('gives other countries a plain receipt, and spreads an online shop over a few installations, each with its series', () => {
    const receipt = buildReceipt(tx(), 't1', { ...context, number: 7, location: { ...store, country: 'PT' } });
    expect(receipt).toMatchObject({ documentType: 'receipt', fiscal: null, number: 7 });
    const online = (transactionId: string) => seriesIdOf({ channel: 'online', locationId: 'web', terminalId: null, type: 'sale', transactionId });
    expect(online('tx_1')).toMatch(/^web\.web[0-7]$/);
    expect(online('tx_1')).toBe(online('tx_1'));
    expect(new Set(Array.from({ length: 200 }, (_, i) => online(`tx_${i}`))).size).toBe(ONLINE_INSTALLATIONS);
    expect(seriesIdOf({ channel: 'store', locationId: 'store-1', terminalId: 'Till #3/a', type: 'sale', transactionId: 'tx_1' })).toMatch(
      /^store-1\.[0-9a-f]{12}$/,
    );
  });
});

describe('the receipt page', () => {
  const context = {
    tenant,
    location: store,
    chain: { installationId: 'store-1.till-1', sequence: 1, link: { previousFingerprint: '', previous: null } },
    now: new Date('2026-11-22T09:15:02Z'),
    corrects: null,
    number: 3,
  };

  it('shows the figures other capabilities provide, and leaves them out when unknown', async () => {
    const extras = { giftCards: [{ reference: 'gcr_00001234', balanceLeft: 1550 }], loyalty: { pointsEarned: 50, balance: 1250 } };
    const withExtras = await renderReceiptHtml(buildReceipt(tx(), 't1', { ...context, extras }));
    expect(withExtras).toContain('Gift card 1234: 15,50');
    expect(withExtras).toContain('Points earned: 50 · Balance: 1250');
    const without = await renderReceiptHtml(buildReceipt(tx(), 't1', { ...context, extras: {} }));
    expect(without).not.toMatch(/Gift card|Points earned/);
  });

  it('escapes text that comes from the till', async () => {
    const lines = [{ sku: 'X', description: '<script>alert(1)</script>', quantity: 1, unitPrice: 100, taxRate: 21, discount: 0, lineNumber: 1, total: 100 }];
    const html = await renderReceiptHtml(
      buildReceipt(tx({ lines, totals: { gross: 100, discount: 0, net: 100, items: 1 } }), 't1', { ...context, extras: {} }),
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
  });
});

describe('verifySeries', () => {
  function chain(n: number): Receipt[] {
    const out: Receipt[] = [];
    for (let i = 1; i <= n; i += 1) {
      const link = linkTo(out[i - 2]?.fiscal ?? null);
      out.push(
        buildReceipt(tx({ transactionId: `tx_${i}` }), 't1', {
          tenant,
          location: store,
          number: i,
          chain: { installationId: 'store-1.till-1', sequence: i, link },
          now: new Date(),
          extras: {},
          corrects: null,
        }),
      );
    }
    return out;
  }
  const walk = (receipts: Receipt[]) => {
    const verifier = new ChainVerifier('store-1.till-1');
    for (const r of receipts) if (!verifier.add(walkedReceipt(r))) break;
    return verifier.finish(receipts.length, { 'store-1.till-1': receipts.length });
  };

  it('verifies an intact chain', () => {
    expect(verifySeries('s', chain(5), 5)).toMatchObject({ verified: true, records: 5, firstBreak: null });
  });

  it('reports an altered record, a broken link, a gap, a duplicate and a removed last record', () => {
    const altered = chain(5);
    altered[2] = { ...altered[2]!, fiscal: { ...altered[2]!.fiscal!, ImporteTotal: '1.00' } };
    expect(verifySeries('s', altered, 5).firstBreak).toMatchObject({ number: 3, reason: 'altered' });

    const relinked = chain(5);
    const forged = { ...relinked[2]!.fiscal!, ImporteTotal: '1.00' };
    relinked[2] = { ...relinked[2]!, totals: { ...relinked[2]!.totals, total: 100 }, fiscal: { ...forged, fingerprint: verifactuFingerprint(forged) } };
    // A forged record with a recomputed fingerprint passes alone; the chain (per installation) catches it at the next record.
    expect(verifySeries('s', relinked, 5).firstBreak).toBeNull();
    expect(walk(relinked).firstBreak).toMatchObject({ sequence: 4, reason: 'chain-broken' });
    expect(walk(chain(5))).toMatchObject({ verified: true, records: 5 });

    const gap = chain(5);
    gap.splice(1, 1);
    expect(verifySeries('s', gap, 5).firstBreak).toMatchObject({ number: 2, reason: 'missing' });

    const twice = chain(3);
    expect(verifySeries('s', [twice[0]!, twice[1]!, twice[1]!, twice[2]!], 3).firstBreak).toMatchObject({ number: 2, reason: 'duplicate' });

    expect(verifySeries('s', chain(4), 5).firstBreak).toMatchObject({ number: 5, reason: 'missing' });
  });
});
