/**
 * Installations, series and the Verifactu chain.
 *
 * An installation is one issuing instance of the invoicing system: a till in a store, or one of a
 * few instances of an online shop. Its billing records (registrations and cancellations, of
 * sales and of returns) form ONE chain, in the order they are generated: each record's `Huella`
 * is the fingerprint of the record before it in that installation, whatever its series. Numbers
 * are kept per series (a sale series and a corrective `-R` series per installation), consecutive
 * from 1 with no gap, independent of the chain.
 */
import { z } from 'zod';
import { sha256Hex } from '../kernel/ids';
import type { TransactionView } from '../transactions';
import type { AltaRecord, AnulacionRecord, BillingRecord, InvoiceId, PreviousRecord, SistemaInformatico } from './aeat-records';
import { fiscalAmount, verifactuCancellationFingerprint, verifactuFingerprint, type VerifactuRegistration } from './verifactu';

/**
 * Web sales spread over this many installations (each with its own chain and series), chosen by
 * the transaction id, so no single document serialises every online sale. Allowed because each
 * instance of the shop is an installation of the system with its own installation number, as
 * each till is; numbering stays consecutive within each series.
 */
export const ONLINE_INSTALLATIONS = 8;

const SAFE_ID = /^[A-Za-z0-9-]{1,32}$/;

/** The installation that issues a transaction's records: its till, or one of the online shop's instances. */
export function installationOf(tx: Pick<TransactionView, 'channel' | 'locationId' | 'terminalId' | 'transactionId'>): string {
  if (tx.channel === 'online') return `${tx.locationId}.web${Number.parseInt(sha256Hex(tx.transactionId).slice(0, 8), 16) % ONLINE_INSTALLATIONS}`;
  const till = tx.terminalId ?? 'till';
  return `${tx.locationId}.${SAFE_ID.test(till) ? till : sha256Hex(till).slice(0, 12)}`;
}

/** Sales number in the installation's series; returns (corrective invoices) in a series of their own. */
export function seriesOf(installationId: string, type: 'sale' | 'return'): string {
  return type === 'return' ? `${installationId}-R` : installationId;
}

export function installationOfSeries(seriesId: string): string {
  return seriesId.endsWith('-R') ? seriesId.slice(0, -2) : seriesId;
}

/**
 * The invoicing system, as every record names it. `TipoUsoPosibleMultiOT`: the platform serves many
 * taxpayers; `IndicadorMultiplesOT`: an installation belongs to one tenant, so no.
 */
export interface InvoicingSystem {
  producerName: string;
  producerNif: string;
  name: string;
  id: string;
  version: string;
}

export function sistemaInformatico(system: InvoicingSystem, installationId: string): SistemaInformatico {
  return {
    NombreRazon: system.producerName,
    NIF: system.producerNif,
    NombreSistemaInformatico: system.name,
    IdSistemaInformatico: system.id,
    Version: system.version,
    NumeroInstalacion: installationId,
    TipoUsoPosibleSoloVerifactu: 'N',
    TipoUsoPosibleMultiOT: 'S',
    IndicadorMultiplesOT: 'N',
  };
}

/** Where a record stands in its installation's chain, from 1. */
export const ChainPositionSchema = z.object({ installationId: z.string(), sequence: z.number().int() });
export type ChainPosition = z.output<typeof ChainPositionSchema>;

/** The invoice a record chains to (`Encadenamiento/RegistroAnterior`), without its fingerprint (that is `Huella`). */
export const PreviousInvoiceSchema = z
  .object({ IDEmisorFactura: z.string(), NumSerieFactura: z.string(), FechaExpedicionFactura: z.string() })
  .nullable()
  .describe("The invoice of the previous record in the installation's chain; null for the first");

/** The Verifactu cancellation record of an invoice issued in error. */
export const CancellationRecordSchema = z.object({
  system: z.literal('ES-verifactu'),
  TipoHuella: z.literal('01'),
  IDEmisorFacturaAnulada: z.string(),
  NumSerieFacturaAnulada: z.string(),
  FechaExpedicionFacturaAnulada: z.string(),
  Huella: z.string().describe("The previous record's fingerprint in the installation's chain"),
  FechaHoraHusoGenRegistro: z.string(),
  fingerprint: z.string(),
  previous: PreviousInvoiceSchema,
});

/** A cancellation (anulación): the invoice stays in its series, marked cancelled; the record joins the chain. */
export const CancellationSchema = z
  .object({
    tenantId: z.string(),
    transactionId: z.string().describe('The transaction whose receipt is cancelled'),
    invoiceNumber: z.string(),
    chain: ChainPositionSchema,
    cancelledAt: z.string(),
    reason: z.string(),
    cancelledBy: z.string().describe('The API key that asked for it'),
    fiscal: CancellationRecordSchema.nullable(),
  })
  .meta({ id: 'ReceiptCancellation' });
export type Cancellation = z.output<typeof CancellationSchema>;

/** A record of the chain: a receipt's registration, or a cancellation. */
export type ChainRecord<R> = { kind: 'receipt'; receipt: R } | { kind: 'cancellation'; cancellation: Cancellation };

/**
 * One document per installation: the last number of each of its series, the chain's length and
 * its head (the last record generated, whole, so whoever comes next stores it if its own issuer
 * stopped), and the transactions of its newest records, so a redelivered event is recognised
 * without reading its receipt.
 */
export interface InstallationState<R> {
  tenantId: string;
  installationId: string;
  series: Record<string, number>;
  sequence: number;
  head: ChainRecord<R> | null;
  recent: Array<{ transactionId: string; kind: 'receipt' | 'cancellation'; sequence: number; at: string }>;
}

export const RECENT_RECORDS = 50;
/** Clocks of two instances may disagree by this much; a redelivery older than the recent list is looked up. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Whether a transaction can be known to have no record in this installation without reading: it
 * is not among the recent records, and it was recorded after the oldest of them was generated
 * (so, had it been issued, it would be among them). The list is complete while it is not full.
 */
export function certainlyNew(state: InstallationState<unknown>, transactionId: string, recordedAt: string, kind: 'receipt' | 'cancellation'): boolean {
  if (state.recent.some((r) => r.transactionId === transactionId && r.kind === kind)) return false;
  if (state.recent.length < RECENT_RECORDS) return state.sequence === state.recent.length;
  return Date.parse(recordedAt) - CLOCK_SKEW_MS > Date.parse(state.recent[0]!.at);
}

export function withRecord<R>(
  state: InstallationState<R>,
  record: ChainRecord<R>,
  entry: { transactionId: string; seriesId?: string; number?: number; at: string },
): InstallationState<R> {
  const sequence = state.sequence + 1;
  const kind = record.kind;
  return {
    ...state,
    series: entry.seriesId ? { ...state.series, [entry.seriesId]: entry.number! } : state.series,
    sequence,
    head: record,
    recent: [...state.recent, { transactionId: entry.transactionId, kind, sequence, at: entry.at }].slice(-RECENT_RECORDS),
  };
}

/** What a fiscal record needs of the record before it in the chain. */
export interface ChainLink {
  previousFingerprint: string;
  previous: z.output<typeof PreviousInvoiceSchema>;
}

/** The link to a record: its invoice and fingerprint, as the next record carries them. */
export function linkTo(
  fiscal: { IDEmisorFactura?: string; NumSerieFactura?: string; FechaExpedicionFactura?: string; fingerprint: string } | null,
  cancellation?: Cancellation['fiscal'],
): ChainLink {
  if (cancellation) {
    return {
      previousFingerprint: cancellation.fingerprint,
      previous: {
        IDEmisorFactura: cancellation.IDEmisorFacturaAnulada,
        NumSerieFactura: cancellation.NumSerieFacturaAnulada,
        FechaExpedicionFactura: cancellation.FechaExpedicionFacturaAnulada,
      },
    };
  }
  if (!fiscal?.IDEmisorFactura) return { previousFingerprint: fiscal?.fingerprint ?? '', previous: null };
  return {
    previousFingerprint: fiscal.fingerprint,
    previous: { IDEmisorFactura: fiscal.IDEmisorFactura, NumSerieFactura: fiscal.NumSerieFactura!, FechaExpedicionFactura: fiscal.FechaExpedicionFactura! },
  };
}

/** The cancellation record of an invoice, chained after `link`. */
export function cancellationRecord(invoice: InvoiceId, link: ChainLink, generatedAt: string): NonNullable<Cancellation['fiscal']> {
  const fields = {
    IDEmisorFacturaAnulada: invoice.IDEmisorFactura,
    NumSerieFacturaAnulada: invoice.NumSerieFactura,
    FechaExpedicionFacturaAnulada: invoice.FechaExpedicionFactura,
    Huella: link.previousFingerprint,
    FechaHoraHusoGenRegistro: generatedAt,
  };
  return { system: 'ES-verifactu', TipoHuella: '01', ...fields, fingerprint: verifactuCancellationFingerprint(fields), previous: link.previous };
}

/** The receipt fields the AEAT registration record is built from. */
export interface RegisteredReceipt {
  type: 'sale' | 'return';
  issuer: { name: string };
  vat: Array<{ rate: number; base: number; tax: number }>;
  corrects: { invoiceNumber: string | null; issueDate: string | null } | null;
  chain: ChainPosition;
  fiscal: (VerifactuRegistration & { fingerprint: string; previous: z.output<typeof PreviousInvoiceSchema> }) | null;
}

const previousRecord = (previous: z.output<typeof PreviousInvoiceSchema>, huella: string): PreviousRecord =>
  previous ? { ...previous, Huella: huella } : null;

/** The AEAT registration record (RegistroAlta) of a receipt; null without a fiscal record. */
export function registrationOf(receipt: RegisteredReceipt, system: InvoicingSystem): BillingRecord | null {
  const fiscal = receipt.fiscal;
  if (!fiscal) return null;
  const sign = receipt.type === 'return' ? -1 : 1;
  const record: AltaRecord = {
    IDEmisorFactura: fiscal.IDEmisorFactura,
    NumSerieFactura: fiscal.NumSerieFactura,
    FechaExpedicionFactura: fiscal.FechaExpedicionFactura,
    NombreRazonEmisor: receipt.issuer.name.slice(0, 120),
    TipoFactura: fiscal.TipoFactura === 'R5' ? 'R5' : 'F2',
    ...(receipt.type === 'return' && receipt.corrects?.invoiceNumber && receipt.corrects.issueDate
      ? {
          FacturasRectificadas: [
            { IDEmisorFactura: fiscal.IDEmisorFactura, NumSerieFactura: receipt.corrects.invoiceNumber, FechaExpedicionFactura: receipt.corrects.issueDate },
          ],
        }
      : {}),
    DescripcionOperacion: receipt.type === 'sale' ? 'Venta al por menor' : 'Devolución de venta al por menor',
    Desglose: receipt.vat.map((v) => ({
      TipoImpositivo: v.rate.toFixed(2),
      BaseImponibleOimporteNoSujeto: fiscalAmount(sign * v.base),
      CuotaRepercutida: fiscalAmount(sign * v.tax),
    })),
    CuotaTotal: fiscal.CuotaTotal,
    ImporteTotal: fiscal.ImporteTotal,
    previous: previousRecord(fiscal.previous, fiscal.Huella),
    SistemaInformatico: sistemaInformatico(system, receipt.chain.installationId),
    FechaHoraHusoGenRegistro: fiscal.FechaHoraHusoGenRegistro,
    Huella: fiscal.fingerprint,
  };
  return { kind: 'alta', record };
}

/** The AEAT cancellation record (RegistroAnulacion); null without a fiscal record. */
export function cancellationOf(cancellation: Cancellation, system: InvoicingSystem): BillingRecord | null {
  const fiscal = cancellation.fiscal;
  if (!fiscal) return null;
  const record: AnulacionRecord = {
    cancelled: {
      IDEmisorFactura: fiscal.IDEmisorFacturaAnulada,
      NumSerieFactura: fiscal.NumSerieFacturaAnulada,
      FechaExpedicionFactura: fiscal.FechaExpedicionFacturaAnulada,
    },
    previous: previousRecord(fiscal.previous, fiscal.Huella),
    SistemaInformatico: sistemaInformatico(system, cancellation.chain.installationId),
    FechaHoraHusoGenRegistro: fiscal.FechaHoraHusoGenRegistro,
    Huella: fiscal.fingerprint,
  };
  return { kind: 'anulacion', record };
}

// ---- Verification of an installation's chain ------------------------------------------------

export const ChainVerificationSchema = z
  .object({
    installationId: z.string(),
    records: z.number().int().describe('Records walked, registrations and cancellations'),
    lastSequence: z.number().int().describe('How many records the installation says it generated'),
    series: z.record(z.string(), z.object({ lastNumber: z.number().int(), verified: z.number().int().describe('Numbers 1..n seen with no gap') })),
    verified: z.boolean(),
    firstBreak: z
      .object({
        sequence: z.number().int(),
        invoiceNumber: z.string().nullable(),
        reason: z.enum(['missing', 'duplicate', 'altered', 'chain-broken', 'series-gap']),
        detail: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'ReceiptChainVerification' });
export type ChainVerification = z.output<typeof ChainVerificationSchema>;

/** One record as the verifier sees it: its place in the chain and its fiscal fields. */
export interface WalkedRecord {
  sequence: number;
  invoiceNumber: string;
  seriesId: string | null;
  number: number | null;
  /** Recomputed-from-fields check and the link it carries. */
  fingerprintIntact: boolean;
  fingerprint: string | null;
  huella: string | null;
  previous: z.output<typeof PreviousInvoiceSchema>;
  invoice: { IDEmisorFactura: string; NumSerieFactura: string; FechaExpedicionFactura: string } | null;
}

/**
 * Walks an installation's records in chain order, page by page, keeping only what the next
 * record is checked against (the previous record, and per series the numbers seen above the
 * contiguous run), so a long chain is never held whole.
 */
export class ChainVerifier {
  private previous: WalkedRecord | undefined;
  private walked = 0;
  private readonly series = new Map<string, { contiguous: number; above: Set<number> }>();
  private failure: ChainVerification['firstBreak'] = null;

  constructor(private readonly installationId: string) {}

  add(record: WalkedRecord): boolean {
    if (this.failure) return false;
    this.walked += 1;
    const expected = (this.previous?.sequence ?? 0) + 1;
    const fail = (
      reason: NonNullable<ChainVerification['firstBreak']>['reason'],
      detail: string,
      sequence = record.sequence,
      invoiceNumber: string | null = record.invoiceNumber,
    ) => {
      this.failure = { sequence, invoiceNumber, reason, detail };
      return false;
    };
    if (record.sequence < expected) return fail('duplicate', `record ${record.sequence} appears twice`);
    if (record.sequence > expected) return fail('missing', `record ${expected} of the chain is missing`, expected, null);
    if (!record.fingerprintIntact) return fail('altered', 'the fingerprint does not match the record');
    if (record.huella !== null) {
      const previousFingerprint = this.previous?.fingerprint ?? '';
      if (record.huella !== previousFingerprint) return fail('chain-broken', `Huella does not match the fingerprint of record ${record.sequence - 1}`);
      const previousInvoice = this.previous?.invoice ?? null;
      if (JSON.stringify(record.previous) !== JSON.stringify(previousInvoice))
        return fail('chain-broken', `the previous invoice named does not match record ${record.sequence - 1}`);
    }
    if (record.seriesId !== null && record.number !== null) {
      const s = this.series.get(record.seriesId) ?? { contiguous: 0, above: new Set<number>() };
      if (record.number <= s.contiguous || s.above.has(record.number))
        return fail('duplicate', `number ${record.number} of series ${record.seriesId} appears twice`);
      s.above.add(record.number);
      while (s.above.delete(s.contiguous + 1)) s.contiguous += 1;
      this.series.set(record.seriesId, s);
    }
    this.previous = record;
    return true;
  }

  /** The result, against what the installation says it issued. */
  finish(lastSequence: number, lastNumbers: Record<string, number>): ChainVerification {
    const series = Object.fromEntries(
      Object.entries(lastNumbers).map(([id, lastNumber]) => [id, { lastNumber, verified: this.series.get(id)?.contiguous ?? 0 }]),
    );
    let firstBreak = this.failure;
    if (!firstBreak && (this.previous?.sequence ?? 0) < lastSequence) {
      const from = (this.previous?.sequence ?? 0) + 1;
      firstBreak = { sequence: from, invoiceNumber: null, reason: 'missing', detail: `records ${from} to ${lastSequence} are missing (the chain's tail)` };
    }
    if (!firstBreak) {
      for (const [id, s] of Object.entries(series)) {
        const seen = this.series.get(id);
        if (s.verified < s.lastNumber || (seen?.above.size ?? 0) > 0) {
          firstBreak = {
            sequence: this.previous?.sequence ?? 0,
            invoiceNumber: `${id}/${s.verified + 1}`,
            reason: 'series-gap',
            detail: `series ${id}: number ${s.verified + 1} is missing`,
          };
          break;
        }
      }
    }
    return { installationId: this.installationId, records: this.walked, lastSequence, series, verified: firstBreak === null, firstBreak };
  }
}

/** How the verifier sees a registration: recomputes its fingerprint from its fields. */
export function walkedReceipt(receipt: {
  chain: ChainPosition;
  invoiceNumber: string;
  seriesId: string;
  number: number;
  fiscal: RegisteredReceipt['fiscal'];
}): WalkedRecord {
  const fiscal = receipt.fiscal;
  return {
    sequence: receipt.chain.sequence,
    invoiceNumber: receipt.invoiceNumber,
    seriesId: receipt.seriesId,
    number: receipt.number,
    fingerprintIntact: !fiscal || (verifactuFingerprint(fiscal) === fiscal.fingerprint && fiscal.NumSerieFactura === receipt.invoiceNumber),
    fingerprint: fiscal?.fingerprint ?? null,
    huella: fiscal ? fiscal.Huella : null,
    previous: fiscal?.previous ?? null,
    invoice: fiscal
      ? { IDEmisorFactura: fiscal.IDEmisorFactura, NumSerieFactura: fiscal.NumSerieFactura, FechaExpedicionFactura: fiscal.FechaExpedicionFactura }
      : null,
  };
}

/** How the verifier sees a cancellation: it numbers nothing, and chains like any record. */
export function walkedCancellation(cancellation: Cancellation): WalkedRecord {
  const fiscal = cancellation.fiscal;
  return {
    sequence: cancellation.chain.sequence,
    invoiceNumber: cancellation.invoiceNumber,
    seriesId: null,
    number: null,
    fingerprintIntact: !fiscal || verifactuCancellationFingerprint(fiscal) === fiscal.fingerprint,
    fingerprint: fiscal?.fingerprint ?? null,
    huella: fiscal ? fiscal.Huella : null,
    previous: fiscal?.previous ?? null,
    invoice: fiscal
      ? {
          IDEmisorFactura: fiscal.IDEmisorFacturaAnulada,
          NumSerieFactura: fiscal.NumSerieFacturaAnulada,
          FechaExpedicionFactura: fiscal.FechaExpedicionFacturaAnulada,
        }
      : null,
  };
}
