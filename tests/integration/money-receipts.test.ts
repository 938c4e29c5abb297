import type { EventOf } from '../../shared/kernel/events';
import type { TransactionRecorded } from '../../shared/transactions';
import { sale, useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

let n = 0;
const unique = (what: string) => `${what}-${Date.now()}-${++n}`;
const record = async (body: Record<string, unknown>, key = t.keys.pos) => {
  const r = await p.api('POST', '/api/v1/transactions', { key, body });
  expect(r.status).toBe(201);
  return r.body;
};
const receiptOf = async (transactionId: string) => (await p.api('GET', `/api/v1/transactions/${transactionId}/receipt`, { key: t.keys.admin })).body;
const recorded = (tx: { transactionId: string }) =>
  ({ specversion: '1.0', id: `evt_${tx.transactionId}`, type: 'transaction.recorded', tenantid: t.tenantId, data: tx }) as unknown as EventOf<
    typeof TransactionRecorded
  >;

/** Records a sale and issues its receipt before any other consumer has run (as it may in production), then lets them run. */
async function receiptFirst(body: Record<string, unknown>, meanwhile: () => Promise<unknown> = async () => undefined) {
  await p.bus.idle();
  const release = p.bus.holdDeliveries();
  try {
    const tx = await record(body);
    await meanwhile();
    await p.platform.services.receipts.handle(recorded(tx), p.platform.logger);
    return tx;
  } finally {
    release();
    await p.bus.idle();
  }
}

describe('receipt figures from other capabilities', () => {
  it('print the balance a gift card holds after the sale’s redemption, even when the card was used again before the receipt was issued', async () => {
    const card = await p.api('POST', '/api/v1/gift-cards', { key: t.keys.admin, body: { amount: 5000, currency: 'EUR', reference: unique('card') } });
    const paid = await p.api('POST', `/api/v1/gift-cards/${card.body.giftCardId}/redemptions`, {
      key: t.keys.pos,
      body: { amount: 2000, reference: unique('pay') },
    });
    const tx = await receiptFirst(
      sale({
        terminalId: 'till-gift',
        tenders: [
          { type: 'giftCard', amount: 2000, reference: paid.body.operationId },
          { type: 'card', amount: 2398 },
        ],
      }),
      () => p.api('POST', `/api/v1/gift-cards/${card.body.giftCardId}/redemptions`, { key: t.keys.pos, body: { amount: 500, reference: unique('later') } }),
    );
    const { receipt, links } = await receiptOf(tx.transactionId);
    expect(receipt.extras.giftCards).toEqual([{ reference: paid.body.operationId, balanceLeft: 3000 }]);
    expect(await (await fetch(links.html)).text()).toMatch(/Gift card .{4}: 30,00\s€ left/);
  });

  it('print on a customer’s first receipt the points earned and the balance with them credited', async () => {
    const program = { name: 'Club', currency: 'EUR', earn: { pointsPerUnit: 1 }, redemption: { pointValue: 1 } };
    expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program })).status).toBe(200);
    const customer = { identifiers: [{ type: 'email', value: `${unique('first')}@example.com` }] };
    const first = await receiptFirst(sale({ customer }));
    expect((await receiptOf(first.transactionId)).receipt.extras.loyalty).toEqual({ pointsEarned: 43, balance: 43, pending: 0 });
    // The second, once the first was credited: 43 + 43.
    const second = await receiptFirst(sale({ customer }));
    expect((await receiptOf(second.transactionId)).receipt.extras.loyalty).toEqual({ pointsEarned: 43, balance: 86, pending: 0 });
    // With a return window, the new points are in the balance as pending.
    expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: { ...program, pendingDays: 14 } })).status).toBe(200);
    const third = await receiptFirst(sale({ customer }));
    expect((await receiptOf(third.transactionId)).receipt.extras.loyalty).toEqual({ pointsEarned: 43, balance: 129, pending: 43 });
    const account = (await p.api('GET', `/api/v1/customers/${first.customerId}/loyalty`, { key: t.keys.pos })).body;
    expect(account.spendable + account.pending).toBe(129);
  });
});

describe('one sign convention for corrective receipts', () => {
  it('states a return’s amounts negative in the receipt as in its fiscal record, page and AEAT record, and its series verifies', async () => {
    const sold = await record(sale({ terminalId: 'till-sign' }));
    await p.bus.idle();
    const returned = await record(
      sale({
        type: 'return',
        terminalId: 'till-sign',
        originalTransactionId: sold.transactionId,
        lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 1999, taxRate: 21 }],
        tenders: [{ type: 'card', amount: 1999 }],
      }),
    );
    await p.bus.idle();
    const { receipt, links } = await receiptOf(returned.transactionId);
    expect(receipt).toMatchObject({
      documentType: 'correctiveInvoice',
      lines: [{ unitPrice: 1999, quantity: 1, total: -1999 }],
      vat: [{ rate: 21, base: -1652, tax: -347, total: -1999 }],
      totals: { base: -1652, tax: -347, total: -1999 },
      tenders: [{ type: 'card', amount: 1999 }],
      fiscal: { TipoFactura: 'R5', ImporteTotal: '-19.99', CuotaTotal: '-3.47' },
    });
    const sale_ = (await receiptOf(sold.transactionId)).receipt;
    expect(sale_).toMatchObject({ totals: { total: 4398 }, fiscal: { ImporteTotal: '43.98' } });

    const page = await (await fetch(links.html)).text();
    expect(page).toMatch(/id="total">-19,99\s€/);
    const xml = await (await fetch(links.xml)).text();
    expect(xml).toMatch(/BaseImponibleOimporteNoSujeto>-16\.52</);
    expect(xml).toMatch(/CuotaRepercutida>-3\.47</);
    expect(xml).toMatch(/ImporteTotal>-19\.99</);

    const verified = await p.api('GET', '/api/v1/receipts/series/store-1.till-sign-R/verify', { key: t.keys.admin });
    expect(verified.body).toMatchObject({ verified: true, records: 1 });
    expect((await p.api('GET', '/api/v1/receipts/installations/store-1.till-sign/verify', { key: t.keys.admin })).body.verified).toBe(true);
  });
});
