import { z } from 'zod';
import { extensionPoint } from '../kernel/extensions';
import type { Location, Tenant } from '../tenancy';
import { TransactionViewSchema, type TransactionView } from '../transactions';
import { fiscalAmount, fiscalDate, isoWithOffset, verifactuFingerprint, verifactuQrUrl, type VerifactuRegistration } from './verifactu';
import { ChainPositionSchema, installationOf, PreviousInvoiceSchema, seriesOf, type ChainLink } from './chain';

const minor = z.number().int();

/** One line of the VAT breakdown: amounts in minor units, `total` = `base` + `tax`. */
export const VatLineSchema = z.object({ rate: z.number(), base: minor, tax: minor, total: minor });
export type VatLine = z.output<typeof VatLineSchema>;

/** Figures other capabilities add to a receipt once they know them (loyalty, gift cards). */
export const ReceiptExtrasSchema = z.object({
  giftCards: z
    .array(z.object({ reference: z.string(), balanceLeft: minor.describe('What the card holds after this sale’s redemption') }))
    .optional()
    .describe('One per giftCard tender of a sale'),
  loyalty: z
    .object({
      pointsEarned: z.number().int(),
      balance: z.number().int().describe('Points the customer holds once this sale is credited (spendable and pending)'),
      pending: z.number().int().optional().describe('Of the balance, points not spendable yet (the return window)'),
    })
    .optional(),
});
export type ReceiptExtras = z.output<typeof ReceiptExtrasSchema>;

/**
 * The extension point for those figures: each capability registers one provider in the
 * composition root. A provider that does not know yet returns `{}`; the receipt is never held up.
 */
/** Figures other capabilities print on receipts (loyalty points, gift card balance left): they contribute a provider. */
export const receiptExtras = extensionPoint<ReceiptExtrasProvider>('receipts.extras');

export interface ReceiptExtrasProvider {
  name: string;
  extras(tenantId: string, transaction: TransactionView): Promise<ReceiptExtras>;
}

/** Spain's chained record (Verifactu), as stored with the receipt; field names are the specification's own. */
export const FiscalRecordSchema = z.object({
  system: z.literal('ES-verifactu'),
  TipoHuella: z.literal('01'),
  IDEmisorFactura: z.string(),
  NumSerieFactura: z.string(),
  FechaExpedicionFactura: z.string().describe('dd-mm-yyyy'),
  TipoFactura: z.string(),
  CuotaTotal: z.string(),
  ImporteTotal: z.string(),
  Huella: z.string().describe("The fingerprint of the previous record in the installation's chain (any series); empty for the first"),
  FechaHoraHusoGenRegistro: z.string().describe('ISO 8601 with offset'),
  fingerprint: z.string().describe("This record's fingerprint; the installation's next record carries it as `Huella`"),
  previous: PreviousInvoiceSchema,
  qrUrl: z.string(),
});
export type FiscalRecord = z.output<typeof FiscalRecordSchema>;

export const ReceiptSchema = z
  .object({
    tenantId: z.string(),
    transactionId: z.string(),
    seriesId: z.string(),
    number: z.number().int().describe('Consecutive within the series, from 1'),
    chain: ChainPositionSchema.describe('The issuing installation (a till or an online shop instance) and the place of this record in its chain'),
    invoiceNumber: z.string(),
    documentType: z.enum(['simplifiedInvoice', 'correctiveInvoice', 'receipt']),
    type: z.enum(['sale', 'return']),
    issuedAt: z.string(),
    customerId: z.string().nullable().describe('Null for anonymous sales, and once the customer is erased'),
    channel: z.enum(['store', 'online']),
    locationId: z.string(),
    terminalId: z.string().nullable(),
    externalId: z.string(),
    occurredAt: z.string(),
    currency: z.string(),
    timeZone: z.string(),
    issuer: z.object({ name: z.string(), taxId: z.string().nullable(), country: z.string(), locationName: z.string() }),
    lines: z.array(
      z.object({
        lineNumber: z.number().int(),
        sku: z.string(),
        description: z.string().nullable(),
        quantity: z.number().int(),
        unitPrice: minor,
        discount: minor,
        taxRate: z.number(),
        total: minor,
      }),
    ),
    coupons: z.array(z.string()),
    discountTotal: minor,
    vat: z.array(VatLineSchema).describe('Negative on a corrective receipt, like every amount that changes hands'),
    totals: z.object({ base: minor, tax: minor, total: minor }).describe('Negative on a corrective receipt: the same sign as its fiscal ImporteTotal'),
    tenders: TransactionViewSchema.shape.tenders,
    extras: ReceiptExtrasSchema,
    returnPolicy: z.string().nullable(),
    corrects: z
      .object({ transactionId: z.string(), invoiceNumber: z.string().nullable(), issueDate: z.string().nullable() })
      .nullable()
      .describe('Returns: the sale they correct (its invoice number once that receipt exists)'),
    fiscal: FiscalRecordSchema.nullable().describe('Spain: the chained Verifactu record'),
    cancelled: z
      .object({ at: z.string(), reason: z.string(), sequence: z.number().int(), fingerprint: z.string().nullable() })
      .nullable()
      .describe('Issued in error and cancelled (anulación): the invoice stays in its series; the cancellation record joins the chain'),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.output<typeof ReceiptSchema>;

export const DEFAULT_RETURN_POLICY = 'Returns within 30 days with this receipt.';
/** How long a receipt link opens without an API key; the API hands out a fresh one on each call. */
export const RECEIPT_LINK_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * VAT per rate on VAT-included prices, as a Spanish invoice states it: the lines of one rate are
 * summed first, the base is that total divided by (1 + rate), rounded half-up to the cent, and
 * the tax is the rest, so base + tax always equals what the customer paid.
 */
export function vatBreakdown(lines: Array<{ taxRate: number; total: number }>): VatLine[] {
  const byRate = new Map<number, number>();
  for (const line of lines) byRate.set(line.taxRate, (byRate.get(line.taxRate) ?? 0) + line.total);
  return [...byRate.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([rate, total]) => {
      // Integer arithmetic on hundredths of a percent keeps 10 or 21 exact; half-up on the exact quotient.
      const rateBp = Math.round(rate * 100);
      const base = Math.floor((2 * total * 10_000 + (10_000 + rateBp)) / (2 * (10_000 + rateBp)));
      return { rate, base, tax: total - base, total };
    });
}

/** The series a transaction numbers in: its installation's, or that installation's corrective (`-R`) series for a return. */
export function seriesIdOf(tx: Pick<TransactionView, 'channel' | 'locationId' | 'terminalId' | 'type' | 'transactionId'>): string {
  return seriesOf(installationOf(tx), tx.type);
}

/** Country rules: which fiscal record a receipt carries. Other countries get a plain receipt until theirs are added here. */
export interface FiscalRules {
  documentType(type: 'sale' | 'return'): Receipt['documentType'];
  record(receipt: Receipt, link: ChainLink, generatedAt: Date): FiscalRecord | null;
}

const SPAIN: FiscalRules = {
  documentType: (type) => (type === 'sale' ? 'simplifiedInvoice' : 'correctiveInvoice'),
  record(receipt, link, generatedAt) {
    if (!receipt.issuer.taxId) return null;
    // The receipt's amounts are already signed (negative on a corrective receipt): stated as they are.
    const fields: VerifactuRegistration = {
      IDEmisorFactura: receipt.issuer.taxId,
      NumSerieFactura: receipt.invoiceNumber,
      FechaExpedicionFactura: fiscalDate(new Date(receipt.occurredAt), receipt.timeZone),
      TipoFactura: receipt.type === 'sale' ? 'F2' : 'R5',
      CuotaTotal: fiscalAmount(receipt.totals.tax),
      ImporteTotal: fiscalAmount(receipt.totals.total),
      Huella: link.previousFingerprint,
      FechaHoraHusoGenRegistro: isoWithOffset(generatedAt, receipt.timeZone),
    };
    const qrUrl = verifactuQrUrl({
      nif: fields.IDEmisorFactura,
      numserie: fields.NumSerieFactura,
      fecha: fields.FechaExpedicionFactura,
      importe: fields.ImporteTotal,
    });
    return { system: 'ES-verifactu', TipoHuella: '01', ...fields, fingerprint: verifactuFingerprint(fields), previous: link.previous, qrUrl };
  },
};

const PLAIN: FiscalRules = { documentType: () => 'receipt', record: () => null };

export const FISCAL_RULES: Record<string, FiscalRules> = { ES: SPAIN };

export function fiscalRulesFor(country: string): FiscalRules {
  return FISCAL_RULES[country] ?? PLAIN;
}

export interface ReceiptContext {
  tenant: Tenant;
  location: Location;
  number: number;
  /** The installation's chain: this record's place and the record before it. */
  chain: { installationId: string; sequence: number; link: ChainLink };
  now: Date;
  extras: ReceiptExtras;
  corrects: Receipt['corrects'];
}

/**
 * The sign convention of receipts: a corrective receipt (a return) states every amount that changes
 * hands as negative, as its fiscal record does (`ImporteTotal`, `CuotaTotal`, the VAT breakdown):
 * line totals, the VAT breakdown and the totals. Unit prices, discounts and quantities are stated as
 * sold, and tenders say how the money went back, all positive.
 */
export function signOf(type: 'sale' | 'return'): 1 | -1 {
  return type === 'return' ? -1 : 1;
}

/**
 * The receipt with its signed amounts as magnitudes, for what applies the document's sign itself
 * (the rendered page, and the AEAT record built from the VAT breakdown in `chain.ts`).
 */
export function unsigned(receipt: Receipt): Receipt {
  if (signOf(receipt.type) === 1) return receipt;
  const flip = (n: number) => -n;
  return {
    ...receipt,
    lines: receipt.lines.map((l) => ({ ...l, total: flip(l.total) })),
    vat: receipt.vat.map((v) => ({ ...v, base: flip(v.base), tax: flip(v.tax), total: flip(v.total) })),
    totals: { base: flip(receipt.totals.base), tax: flip(receipt.totals.tax), total: flip(receipt.totals.total) },
  };
}

/** The receipt of one transaction, with its number in the series and its chained fiscal record. */
export function buildReceipt(tx: TransactionView, tenantId: string, context: ReceiptContext): Receipt {
  const { tenant, location } = context;
  const rules = fiscalRulesFor(location.country);
  const seriesId = seriesOf(context.chain.installationId, tx.type);
  const sign = signOf(tx.type);
  const vat = vatBreakdown(tx.lines).map((v) => ({ ...v, base: sign * v.base, tax: sign * v.tax, total: sign * v.total }));
  const receipt: Receipt = {
    tenantId,
    transactionId: tx.transactionId,
    seriesId,
    number: context.number,
    chain: { installationId: context.chain.installationId, sequence: context.chain.sequence },
    invoiceNumber: `${seriesId}/${context.number}`,
    documentType: rules.documentType(tx.type),
    type: tx.type,
    issuedAt: context.now.toISOString(),
    customerId: tx.customerId,
    channel: tx.channel,
    locationId: tx.locationId,
    terminalId: tx.terminalId,
    externalId: tx.externalId,
    occurredAt: tx.occurredAt,
    currency: tx.currency,
    timeZone: location.timeZone,
    issuer: { name: tenant.name, taxId: tenant.taxId ?? null, country: location.country, locationName: location.name },
    lines: tx.lines.map((l) => ({
      lineNumber: l.lineNumber,
      sku: l.sku,
      description: l.description ?? null,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      discount: l.discount,
      taxRate: l.taxRate,
      total: sign * l.total,
    })),
    coupons: tx.coupons,
    discountTotal: tx.totals.discount,
    vat,
    totals: { base: sum(vat, 'base'), tax: sum(vat, 'tax'), total: sign * tx.totals.net },
    tenders: tx.tenders,
    extras: context.extras,
    returnPolicy: tx.type === 'sale' ? (tenant.returnPolicy ?? DEFAULT_RETURN_POLICY) : null,
    corrects: context.corrects,
    fiscal: null,
    cancelled: null,
  };
  receipt.fiscal = rules.record(receipt, context.chain.link, context.now);
  return receipt;
}

function sum(vat: VatLine[], field: 'base' | 'tax'): number {
  return vat.reduce((n, v) => n + v[field], 0);
}

export const ChainBreakSchema = z.object({
  number: z.number().int(),
  invoiceNumber: z.string().nullable(),
  reason: z.enum(['missing', 'duplicate', 'altered', 'chain-broken']),
  detail: z.string(),
});
export type ChainBreak = z.output<typeof ChainBreakSchema>;

export const SeriesVerificationSchema = z
  .object({
    seriesId: z.string(),
    records: z.number().int(),
    lastNumber: z.number().int(),
    verified: z.boolean(),
    firstBreak: ChainBreakSchema.nullable(),
  })
  .meta({ id: 'ReceiptSeriesVerification' });
export type SeriesVerification = z.output<typeof SeriesVerificationSchema>;

/**
 * Recomputes a series: numbers 1..n with no gap or duplicate, and each fiscal record's fingerprint
 * recomputed from its fields. How records chain is checked per installation (`ChainVerifier`).
 * `receipts` in number order; `lastNumber` is what the series counter says was issued.
 */
export function verifySeries(seriesId: string, receipts: Receipt[], lastNumber: number): SeriesVerification {
  const result = (firstBreak: ChainBreak | null): SeriesVerification => ({
    seriesId,
    records: receipts.length,
    lastNumber,
    verified: firstBreak === null,
    firstBreak,
  });
  let previous: Receipt | undefined;
  for (const receipt of receipts) {
    const expected = (previous?.number ?? 0) + 1;
    if (receipt.number < expected)
      return result({ number: receipt.number, invoiceNumber: receipt.invoiceNumber, reason: 'duplicate', detail: `number ${receipt.number} appears twice` });
    if (receipt.number > expected) return result({ number: expected, invoiceNumber: null, reason: 'missing', detail: `number ${expected} is missing` });
    const fiscal = receipt.fiscal;
    if (fiscal) {
      if (verifactuFingerprint(fiscal) !== fiscal.fingerprint) {
        return result({ number: receipt.number, invoiceNumber: receipt.invoiceNumber, reason: 'altered', detail: 'the fingerprint does not match the record' });
      }
      if (fiscal.NumSerieFactura !== receipt.invoiceNumber || fiscalAmount(receipt.totals.total) !== fiscal.ImporteTotal) {
        return result({
          number: receipt.number,
          invoiceNumber: receipt.invoiceNumber,
          reason: 'altered',
          detail: 'the receipt does not match its fiscal record',
        });
      }
      // The chain itself (Huella = the previous record's fingerprint) runs per installation, across series: see ChainVerifier.
    }
    previous = receipt;
  }
  const last = previous?.number ?? 0;
  if (last < lastNumber)
    return result({ number: last + 1, invoiceNumber: null, reason: 'missing', detail: `numbers ${last + 1} to ${lastNumber} are missing` });
  return result(null);
}
