import { z } from 'zod';
import { DomainError, notFound, unprocessable } from '../kernel/errors';
import { createEvent, defineEvent, type EventOf } from '../kernel/events';
import type { Clock, CreateOutcome, EventPublisher, Logger, Page } from '../kernel/ports';
import { requireCurrentCustomer, type CustomerParticipant, type CustomerStore } from '../customers';
import type { Principal, TenancyService } from '../tenancy';
import { TransactionClaimed, type TransactionEvent, type TransactionView } from '../transactions';
import {
  buildReceipt,
  ReceiptSchema,
  RECEIPT_LINK_TTL_MS,
  verifySeries,
  type Receipt,
  type ReceiptContext,
  type ReceiptExtras,
  type ReceiptExtrasProvider,
  type SeriesVerification,
  unsigned,
} from './receipts';
import { renderReceiptHtml } from './receipt-html';
import { submissionXml, type BillingRecord } from './aeat-records';
import {
  cancellationOf,
  cancellationRecord,
  certainlyNew,
  ChainVerifier,
  installationOf,
  installationOfSeries,
  linkTo,
  registrationOf,
  seriesOf,
  walkedCancellation,
  walkedReceipt,
  withRecord,
  type Cancellation,
  type ChainLink,
  type ChainRecord,
  type ChainVerification,
  type InstallationState,
  type InvoicingSystem,
  type WalkedRecord,
} from './chain';
import { isoWithOffset } from './verifactu';

// ---- Ports -------------------------------------------------------------------------------

export interface ReceiptStore {
  getReceipt(tenantId: string, transactionId: string): Promise<Receipt | undefined>;
  /** Idempotent: `exists` when this transaction's receipt is already stored. */
  createReceipt(receipt: Receipt): Promise<CreateOutcome>;
  getInstallation(tenantId: string, installationId: string): Promise<(InstallationState<Receipt> & { etag: string }) | undefined>;
  createInstallation(state: InstallationState<Receipt>): Promise<CreateOutcome>;
  /** Replaces only if unchanged since read; false when another record took the chain's next place first. */
  replaceInstallation(state: InstallationState<Receipt>, etag: string): Promise<boolean>;
  /** Stores a chain record (receipt or cancellation); idempotent. */
  storeRecord(record: ChainRecord<Receipt>): Promise<CreateOutcome>;
  getCancellation(tenantId: string, transactionId: string): Promise<Cancellation | undefined>;
  /** Marks a stored receipt cancelled (once); returns it as it is now. */
  markCancelled(tenantId: string, transactionId: string, cancelled: NonNullable<Receipt['cancelled']>): Promise<Receipt | undefined>;
  /** An installation's records, registrations and cancellations, in chain order, a page at a time. */
  listChain(tenantId: string, installationId: string, limit: number, continuationToken?: string): Promise<Page<ChainRecord<Receipt>>>;
  /** Every stored receipt of a series, in number order. */
  listSeries(tenantId: string, seriesId: string): Promise<Receipt[]>;
  listForCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<Page<Receipt>>;
  countForCustomer(tenantId: string, customerId: string): Promise<number>;
  /** Attaches an anonymous receipt to the customer who claimed the sale. */
  setCustomer(tenantId: string, transactionId: string, customerId: string): Promise<Receipt | undefined>;
  /** Points every receipt of `fromId` at `toId` (null to name nobody); returns the receipts changed. */
  reassign(tenantId: string, fromId: string, toId: string | null): Promise<Receipt[]>;
}

/**
 * Where a real Verifactu submitter plugs in: AEAT's web service takes the records of a taxpayer
 * (`RegFactuSistemaFacturacion`, signed with the taxpayer's or its representative's certificate).
 * Called after each record is stored; AEAT answers a record sent twice as a duplicate.
 */
export interface AeatSubmitter {
  submit(submission: { tenantId: string; issuer: { NombreRazon: string; NIF: string }; records: BillingRecord[] }): Promise<void>;
}

/** The rendered files, under a tenant-scoped path, and links to them that open without an API key. */
export interface ReceiptFiles {
  /** The receipt as JSON and HTML, and its AEAT record as XML when it has one. */
  save(tenantId: string, transactionId: string, files: { json: string; html: string; xml?: string }): Promise<void>;
  link(tenantId: string, transactionId: string, format: 'html' | 'json' | 'xml', expiresAt: Date): Promise<string>;
  /** A file for an inspector (records of an installation for a period), under `<tenantId>/exports/`. */
  saveExport(tenantId: string, name: string, content: string, contentType: string): Promise<void>;
  linkExport(tenantId: string, name: string, expiresAt: Date): Promise<string>;
}

// ---- Use cases ---------------------------------------------------------------------------

export const ReceiptIssuedSchema = z
  .object({
    transactionId: z.string(),
    customerId: z.string().nullable(),
    invoiceNumber: z.string(),
    seriesId: z.string(),
    channel: z.enum(['store', 'online']),
    total: z.number().int(),
    currency: z.string(),
  })
  .meta({ id: 'ReceiptIssued' });

/** A receipt was issued (e-mail or SMS delivery subscribes here). Data: what identifies it. */
export const ReceiptIssued = defineEvent('receipt.issued', ReceiptIssuedSchema);

export const ReceiptWithLinksSchema = z
  .object({
    receipt: ReceiptSchema,
    links: z
      .object({
        html: z.string(),
        json: z.string(),
        xml: z.string().optional().describe('The AEAT record (RegistroAlta), when the receipt has one'),
        expiresAt: z.string(),
      })
      .describe('Signed links that open without an API key until expiresAt'),
  })
  .meta({ id: 'ReceiptWithLinks' });
export type ReceiptWithLinks = z.output<typeof ReceiptWithLinksSchema>;

export const ReceiptPageSchema = z
  .object({
    items: z.array(ReceiptSchema),
    continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page'),
  })
  .meta({ id: 'ReceiptPage' });
export type ReceiptPage = z.output<typeof ReceiptPageSchema>;

/** Receipts' section of the 360 view (a count and the newest few) and of the export (every receipt). */
const ReceiptsView = z.object({
  receipts: z.object({
    count: z.number().int(),
    latest: z
      .array(
        z.object({
          transactionId: z.string(),
          invoiceNumber: z.string(),
          channel: z.enum(['store', 'online']),
          occurredAt: z.string(),
          total: z.number().int(),
          currency: z.string(),
        }),
      )
      .describe('The newest 5'),
  }),
});
const ReceiptsExport = z.object({ receipts: z.array(ReceiptSchema) });

/** Whether the till should print: not when the customer chose paperless receipts. */
export interface PaperDecision {
  paper: boolean;
  /** Where the digital receipt can be fetched (with an API key) once issued. */
  url: string;
}

const MAX_NUMBERING_ATTEMPTS = 200;
/** Records read per page when walking a chain: memory stays flat however long the chain. */
const CHAIN_PAGE = 500;
const MAX_EXPORT_RECORDS = 100_000;

export const CancelInput = z.object({ reason: z.string().trim().min(1).max(500).describe('Why the receipt was issued in error') }).strict();
export type CancelInput = z.output<typeof CancelInput>;

export const ExportInput = z
  .object({
    from: z.iso.datetime({ offset: true }).describe('Records generated at or after this moment'),
    to: z.iso.datetime({ offset: true }).describe('Records generated before this moment'),
  })
  .strict()
  .refine((p) => Date.parse(p.from) < Date.parse(p.to), { path: ['to'], message: 'must be after from' });
export type ExportInput = z.output<typeof ExportInput>;

export const RecordsExportSchema = z
  .object({
    installationId: z.string(),
    from: z.string(),
    to: z.string(),
    records: z.number().int(),
    links: z.object({
      xml: z.array(z.string()).describe("AEAT's RegFactuSistemaFacturacion, one file per 1,000 records"),
      csv: z.string(),
      expiresAt: z.string(),
    }),
  })
  .meta({ id: 'ReceiptRecordsExport' });
export type RecordsExport = z.output<typeof RecordsExportSchema>;

/**
 * Issues one receipt per transaction, numbered without gaps or duplicates in its series and
 * chained in its installation.
 *
 * The installation document holds each series' last number, the chain's length and its head: the
 * last record, whole. Taking the next number and the chain's next place is one etag-checked
 * replace of that document, and before moving the head on, the allocator stores the head it
 * replaces (an idempotent create). So a record once generated is always stored, by its own issuer
 * or by the next one, and a redelivered event finds its receipt (or the head) and reuses it.
 */
export class ReceiptService {
  /** Records generated, and replaces of an installation that lost the race and were tried again (contention). */
  readonly numbering = { records: 0, retries: 0 };

  constructor(
    private readonly store: ReceiptStore,
    private readonly files: ReceiptFiles,
    private readonly tenancy: TenancyService,
    private readonly customers: CustomerStore,
    private readonly publisher: EventPublisher,
    private readonly extrasProviders: readonly ReceiptExtrasProvider[],
    private readonly system: InvoicingSystem,
    private readonly submitter: AeatSubmitter,
    private readonly clock: Clock,
  ) {}

  async handle(event: TransactionEvent, log: Logger): Promise<'issued' | 'ignored'> {
    const tx = event.data;
    const tenantId = event.tenantid;
    let receipt = await this.issue(tenantId, tx);
    if (event.type === TransactionClaimed.type && tx.customerId && receipt.customerId === null) {
      // An anonymous sale claimed afterwards: its receipt joins the customer's.
      receipt = (await this.store.setCustomer(tenantId, tx.transactionId, tx.customerId)) ?? receipt;
    }
    await this.files.save(tenantId, tx.transactionId, await this.renderFiles(receipt));
    await this.submit(tenantId, receipt.issuer, registrationOf(unsigned(receipt), this.system));
    await this.publisher.publish([receiptIssuedEvent(receipt)]);
    log.log('debug', 'receipt issued', { transactionId: tx.transactionId, seriesId: receipt.seriesId, number: receipt.number });
    return 'issued';
  }

  /** This transaction's receipt: the one already issued (a redelivery), or a new one with the next number. */
  private async issue(tenantId: string, tx: TransactionView): Promise<Receipt> {
    const installationId = installationOf(tx);
    const seriesId = seriesOf(installationId, tx.type);
    let context: Omit<ReceiptContext, 'number' | 'chain' | 'now'> | undefined;
    return this.appendToChain(tenantId, installationId, 'the receipt will be retried', {
      existing: async (installation) => {
        const head = installation.head;
        if (head?.kind === 'receipt' && head.receipt.transactionId === tx.transactionId) {
          await this.store.createReceipt(head.receipt);
          return head.receipt;
        }
        // A redelivery, or an event older than the installation's recent records: its receipt may exist.
        if (certainlyNew(installation, tx.transactionId, tx.recordedAt, 'receipt')) return undefined;
        return this.store.getReceipt(tenantId, tx.transactionId);
      },
      next: async (installation, link, now) => {
        context ??= await this.contextFor(tenantId, tx);
        const number = (installation.series[seriesId] ?? 0) + 1;
        const receipt = buildReceipt(tx, tenantId, { ...context, number, chain: { installationId, sequence: installation.sequence + 1, link }, now });
        return { record: { kind: 'receipt', receipt }, entry: { transactionId: tx.transactionId, seriesId, number }, result: receipt };
      },
    });
  }

  /**
   * Adds a record to an installation's chain: a record already made for this purpose is returned
   * (`existing`); otherwise the head is stored (whoever comes next stores what a stopped issuer
   * left), the next record is built on it and takes the chain's next place with one etag-checked
   * replace of the installation, then is stored itself. A lost race reads again and retries.
   */
  private async appendToChain<T>(
    tenantId: string,
    installationId: string,
    busy: string,
    steps: {
      existing(installation: InstallationState<Receipt>): Promise<T | undefined>;
      next(
        installation: InstallationState<Receipt>,
        link: ChainLink,
        now: Date,
      ): Promise<{ record: ChainRecord<Receipt>; entry: { transactionId: string; seriesId?: string; number?: number }; result: T }>;
    },
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_NUMBERING_ATTEMPTS; attempt += 1) {
      const installation = await this.installation(tenantId, installationId);
      const found = await steps.existing(installation);
      if (found !== undefined) return found;
      if (installation.head) await this.store.storeRecord(installation.head);
      const now = this.clock.now();
      const { record, entry, result } = await steps.next(installation, this.linkToHead(installation.head), now);
      if (await this.store.replaceInstallation(withRecord(installation, record, { ...entry, at: now.toISOString() }), installation.etag)) {
        this.numbering.records += 1;
        await this.store.storeRecord(record);
        return result;
      }
      this.numbering.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
    throw new DomainError('conflict', `Installation ${installationId} is too busy; ${busy}`);
  }

  private linkToHead(head: ChainRecord<Receipt> | null): ChainLink {
    if (!head) return { previousFingerprint: '', previous: null };
    return head.kind === 'receipt' ? linkTo(head.receipt.fiscal) : linkTo(null, head.cancellation.fiscal);
  }

  /** What a new receipt needs besides its number: issuer, the sale a return corrects, other capabilities' figures. */
  private async contextFor(tenantId: string, tx: TransactionView): Promise<Omit<ReceiptContext, 'number' | 'chain' | 'now'>> {
    const [tenant, location] = await Promise.all([this.tenancy.getTenant(tenantId), this.tenancy.getLocation(tenantId, tx.locationId)]);
    if (!tenant || !location) throw new Error(`Tenant ${tenantId} or location ${tx.locationId} is unknown`);
    const original = tx.originalTransactionId ? await this.store.getReceipt(tenantId, tx.originalTransactionId) : undefined;
    const corrects = tx.originalTransactionId
      ? { transactionId: tx.originalTransactionId, invoiceNumber: original?.invoiceNumber ?? null, issueDate: original?.fiscal?.FechaExpedicionFactura ?? null }
      : null;
    const extras = await Promise.all(this.extrasProviders.map((p) => p.extras(tenantId, tx)));
    return { tenant, location, corrects, extras: Object.assign({}, ...extras) as ReceiptExtras };
  }

  private async installation(tenantId: string, installationId: string): Promise<InstallationState<Receipt> & { etag: string }> {
    const existing = await this.store.getInstallation(tenantId, installationId);
    if (existing) return existing;
    await this.store.createInstallation({ tenantId, installationId, series: {}, sequence: 0, head: null, recent: [] });
    return (await this.store.getInstallation(tenantId, installationId))!;
  }

  /**
   * Cancels a receipt issued in error (anulación): a cancellation record takes the next place in
   * the chain of the installation that issued it; the invoice keeps its number, marked cancelled.
   * Idempotent: a repeat answers the cancellation already made.
   */
  async cancel(principal: Principal, transactionId: string, input: CancelInput): Promise<{ created: boolean; cancellation: Cancellation }> {
    const { tenantId } = principal;
    const receipt = await this.store.getReceipt(tenantId, transactionId);
    if (!receipt) throw notFound(`The receipt of transaction ${transactionId}`);
    const installationId = receipt.chain.installationId;
    const { created, cancellation } = await this.appendToChain(tenantId, installationId, 'retry the cancellation', {
      existing: async (installation) => {
        const head = installation.head;
        if (head?.kind === 'cancellation' && head.cancellation.transactionId === transactionId) {
          await this.store.storeRecord(head);
          return { created: false, cancellation: head.cancellation };
        }
        const stored = await this.store.getCancellation(tenantId, transactionId);
        return stored && { created: false, cancellation: stored };
      },
      next: async (installation, link, now) => {
        const fiscal = receipt.fiscal
          ? cancellationRecord(
              {
                IDEmisorFactura: receipt.fiscal.IDEmisorFactura,
                NumSerieFactura: receipt.fiscal.NumSerieFactura,
                FechaExpedicionFactura: receipt.fiscal.FechaExpedicionFactura,
              },
              link,
              isoWithOffset(now, receipt.timeZone),
            )
          : null;
        const made: Cancellation = {
          tenantId,
          transactionId,
          invoiceNumber: receipt.invoiceNumber,
          chain: { installationId, sequence: installation.sequence + 1 },
          cancelledAt: now.toISOString(),
          reason: input.reason,
          cancelledBy: principal.keyId,
          fiscal,
        };
        return { record: { kind: 'cancellation', cancellation: made }, entry: { transactionId }, result: { created: true, cancellation: made } };
      },
    });
    return { created, cancellation: await this.finishCancellation(receipt, cancellation) };
  }

  /** The receipt shows it is cancelled (JSON and page), and the record goes where records go. */
  private async finishCancellation(receipt: Receipt, cancellation: Cancellation): Promise<Cancellation> {
    if (receipt.cancelled) return cancellation;
    const marked = await this.store.markCancelled(receipt.tenantId, receipt.transactionId, {
      at: cancellation.cancelledAt,
      reason: cancellation.reason,
      sequence: cancellation.chain.sequence,
      fingerprint: cancellation.fiscal?.fingerprint ?? null,
    });
    if (marked?.cancelled) await this.files.save(marked.tenantId, marked.transactionId, await this.renderFiles(marked));
    await this.submit(receipt.tenantId, receipt.issuer, cancellationOf(cancellation, this.system));
    return cancellation;
  }

  private async submit(tenantId: string, issuer: Receipt['issuer'], record: BillingRecord | null): Promise<void> {
    if (record && issuer.taxId)
      await this.submitter.submit({ tenantId, issuer: { NombreRazon: issuer.name.slice(0, 120), NIF: issuer.taxId }, records: [record] });
  }

  private async renderFiles(receipt: Receipt): Promise<{ json: string; html: string; xml?: string }> {
    // The page and the AEAT record apply the document's sign themselves: they take magnitudes.
    const record = registrationOf(unsigned(receipt), this.system);
    return {
      json: JSON.stringify(receipt, null, 2),
      html: await renderReceiptHtml(unsigned(receipt)),
      ...(record && receipt.issuer.taxId
        ? { xml: submissionXml({ NombreRazon: receipt.issuer.name.slice(0, 120), NIF: receipt.issuer.taxId }, [record]) }
        : {}),
    };
  }

  /**
   * Walks an installation's chain, registrations and cancellations in the order they were
   * generated, a page at a time, and reports the first break: a record missing or twice, a record
   * altered, a link to the wrong previous record, a gap in a series, or a missing tail.
   */
  async verifyInstallation(tenantId: string, installationId: string, pageSize = CHAIN_PAGE): Promise<ChainVerification> {
    const installation = await this.store.getInstallation(tenantId, installationId);
    if (!installation) throw notFound(`Installation ${installationId}`);
    const verifier = new ChainVerifier(installationId);
    let last = 0;
    let token: string | undefined;
    let going = true;
    do {
      const page = await this.store.listChain(tenantId, installationId, pageSize, token);
      for (const record of page.items) {
        const seen = walked(record);
        going = verifier.add(seen);
        last = seen.sequence;
        if (!going) break;
      }
      token = page.continuationToken ?? undefined;
    } while (token && going);
    // The head may not be stored yet (its issuer is still at work): it is part of the chain.
    const head = installation.head;
    const tail = going && head ? walked(head) : undefined;
    if (tail?.sequence === last + 1) verifier.add(tail);
    return verifier.finish(installation.sequence, installation.series);
  }

  /**
   * The records one installation generated in a period, for an inspector: AEAT's XML (one file per
   * 1,000 records, as its service takes them) and a CSV, behind signed links that expire.
   */
  async exportRecords(tenantId: string, installationId: string, input: ExportInput): Promise<RecordsExport> {
    const installation = await this.store.getInstallation(tenantId, installationId);
    if (!installation) throw notFound(`Installation ${installationId}`);
    const tenant = await this.tenancy.getTenant(tenantId);
    const from = Date.parse(input.from);
    const to = Date.parse(input.to);
    const records: BillingRecord[] = [];
    const rows: string[] = [CSV_HEADER];
    let token: string | undefined;
    do {
      const page = await this.store.listChain(tenantId, installationId, CHAIN_PAGE, token);
      for (const record of page.items) {
        const at = Date.parse(record.kind === 'receipt' ? record.receipt.issuedAt : record.cancellation.cancelledAt);
        if (at < from || at >= to) continue;
        if (records.length >= MAX_EXPORT_RECORDS)
          throw unprocessable('export-too-large', `A period may hold at most ${MAX_EXPORT_RECORDS} records; choose a shorter one`);
        const billing = record.kind === 'receipt' ? registrationOf(unsigned(record.receipt), this.system) : cancellationOf(record.cancellation, this.system);
        if (billing) records.push(billing);
        rows.push(csvRow(record));
      }
      token = page.continuationToken ?? undefined;
    } while (token);
    const exportId = `${installationId}.${input.from.slice(0, 10)}.${input.to.slice(0, 10)}.${this.clock.now().getTime()}`;
    const expiresAt = new Date(this.clock.now().getTime() + RECEIPT_LINK_TTL_MS);
    const issuer = { NombreRazon: (tenant?.name ?? tenantId).slice(0, 120), NIF: tenant?.taxId ?? '' };
    const xml: string[] = [];
    for (let i = 0; i < records.length; i += 1000) {
      const name = `${exportId}.part-${i / 1000 + 1}.xml`;
      await this.files.saveExport(tenantId, name, submissionXml(issuer, records.slice(i, i + 1000)), 'application/xml; charset=utf-8');
      xml.push(await this.files.linkExport(tenantId, name, expiresAt));
    }
    const csvName = `${exportId}.csv`;
    await this.files.saveExport(tenantId, csvName, `${rows.join('\n')}\n`, 'text/csv; charset=utf-8');
    return {
      installationId,
      from: input.from,
      to: input.to,
      records: rows.length - 1,
      links: { xml, csv: await this.files.linkExport(tenantId, csvName, expiresAt), expiresAt: expiresAt.toISOString() },
    };
  }

  async get(tenantId: string, transactionId: string): Promise<ReceiptWithLinks> {
    const receipt = await this.store.getReceipt(tenantId, transactionId);
    if (!receipt) throw notFound(`The receipt of transaction ${transactionId}`);
    return { receipt, links: await this.linksOf(receipt) };
  }

  /** Signed links to a receipt already read (e.g. from a customer's list), without reading it again. */
  async linksOf(receipt: Receipt): Promise<ReceiptWithLinks['links']> {
    const { tenantId, transactionId } = receipt;
    const expiresAt = new Date(this.clock.now().getTime() + RECEIPT_LINK_TTL_MS);
    const [html, json, xml] = await Promise.all([
      this.files.link(tenantId, transactionId, 'html', expiresAt),
      this.files.link(tenantId, transactionId, 'json', expiresAt),
      receipt.fiscal && receipt.issuer.taxId ? this.files.link(tenantId, transactionId, 'xml', expiresAt) : undefined,
    ]);
    return { html, json, ...(xml ? { xml } : {}), expiresAt: expiresAt.toISOString() };
  }

  async forCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<ReceiptPage> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    return this.store.listForCustomer(tenantId, customer.customerId, limit, continuationToken);
  }

  async verify(tenantId: string, seriesId: string): Promise<SeriesVerification> {
    const installation = await this.store.getInstallation(tenantId, installationOfSeries(seriesId));
    const lastNumber = installation?.series[seriesId];
    if (!installation || lastNumber === undefined) throw notFound(`Series ${seriesId}`);
    const stored = await this.store.listSeries(tenantId, seriesId);
    const head = installation.head?.kind === 'receipt' && installation.head.receipt.seriesId === seriesId ? installation.head.receipt : undefined;
    // The head may not be stored yet (its sale is still being handled): it is part of the series.
    const receipts = head && !stored.some((r) => r.number === head.number) ? [...stored, head] : stored;
    return verifySeries(seriesId, receipts, lastNumber);
  }

  /**
   * Paper unless the customer chose paperless receipts; online sales never print. Identification
   * reads identifier links, not the customer, so this is one point read, for store sales of a
   * customer known before the sale only.
   */
  async paperFor(tenantId: string, tx: Pick<TransactionView, 'transactionId' | 'channel' | 'customerId'>, newCustomer = false): Promise<PaperDecision> {
    const url = `/api/v1/transactions/${tx.transactionId}/receipt`;
    if (tx.channel === 'online') return { paper: false, url };
    if (!tx.customerId || newCustomer) return { paper: true, url };
    const customer = await this.customers.getCustomer(tenantId, tx.customerId);
    return { paper: !(customer?.consents.paperlessReceipts?.granted ?? false), url };
  }

  /** Rewrites what the receipts of `fromId` name, in the store and in the rendered files. */
  async reassign(tenantId: string, fromId: string, toId: string | null): Promise<number> {
    const changed = await this.store.reassign(tenantId, fromId, toId);
    for (const receipt of changed) await this.files.save(tenantId, receipt.transactionId, await this.renderFiles(receipt));
    return changed.length;
  }

  /** How many receipts a customer has, and the newest few. */
  async summary(tenantId: string, customerId: string, newest: number): Promise<{ count: number; latest: Receipt[] }> {
    const [count, page] = await Promise.all([this.store.countForCustomer(tenantId, customerId), this.store.listForCustomer(tenantId, customerId, newest)]);
    return { count, latest: page.items };
  }

  async listAll(tenantId: string, customerId: string): Promise<Receipt[]> {
    const all: Receipt[] = [];
    let token: string | undefined;
    do {
      const page = await this.store.listForCustomer(tenantId, customerId, 100, token);
      all.push(...page.items);
      token = page.continuationToken ?? undefined;
    } while (token);
    return all;
  }
}

function walked(record: ChainRecord<Receipt>): WalkedRecord {
  return record.kind === 'receipt' ? walkedReceipt(record.receipt) : walkedCancellation(record.cancellation);
}

const CSV_HEADER = 'sequence,record,TipoFactura,NumSerieFactura,FechaExpedicionFactura,CuotaTotal,ImporteTotal,Huella,FechaHoraHusoGenRegistro,fingerprint';

function csvRow(record: ChainRecord<Receipt>): string {
  const cells =
    record.kind === 'receipt'
      ? [
          record.receipt.chain.sequence,
          'alta',
          record.receipt.fiscal?.TipoFactura ?? '',
          record.receipt.invoiceNumber,
          record.receipt.fiscal?.FechaExpedicionFactura ?? '',
          record.receipt.fiscal?.CuotaTotal ?? '',
          record.receipt.fiscal?.ImporteTotal ?? '',
          record.receipt.fiscal?.Huella ?? '',
          record.receipt.fiscal?.FechaHoraHusoGenRegistro ?? record.receipt.issuedAt,
          record.receipt.fiscal?.fingerprint ?? '',
        ]
      : [
          record.cancellation.chain.sequence,
          'anulacion',
          '',
          record.cancellation.invoiceNumber,
          record.cancellation.fiscal?.FechaExpedicionFacturaAnulada ?? '',
          '',
          '',
          record.cancellation.fiscal?.Huella ?? '',
          record.cancellation.fiscal?.FechaHoraHusoGenRegistro ?? record.cancellation.cancelledAt,
          record.cancellation.fiscal?.fingerprint ?? '',
        ];
  return cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',');
}

export function receiptIssuedEvent(receipt: Receipt): EventOf<typeof ReceiptIssued> {
  return createEvent(ReceiptIssued, {
    id: `evt_receipt_${receipt.transactionId}`,
    source: `/tenants/${receipt.tenantId}/locations/${receipt.locationId}`,
    subject: `transactions/${receipt.transactionId}/receipt`,
    time: receipt.issuedAt,
    tenantid: receipt.tenantId,
    data: {
      transactionId: receipt.transactionId,
      customerId: receipt.customerId,
      invoiceNumber: receipt.invoiceNumber,
      seriesId: receipt.seriesId,
      channel: receipt.channel,
      total: receipt.totals.total,
      currency: receipt.currency,
    },
  });
}

/** Receipts follow their customer through merges, show in the 360 view and export, and stop naming an erased one. */
export class ReceiptParticipant implements CustomerParticipant {
  readonly name = 'receipts';
  readonly viewSchema = ReceiptsView;
  readonly exportSchema = ReceiptsExport;
  constructor(private readonly receipts: ReceiptService) {}

  move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    return this.receipts.reassign(tenantId, fromId, intoId);
  }

  async view(tenantId: string, customerId: string): Promise<z.output<typeof ReceiptsView>> {
    const { count, latest: newest } = await this.receipts.summary(tenantId, customerId, 5);
    const latest = newest.map((r) => ({
      transactionId: r.transactionId,
      invoiceNumber: r.invoiceNumber,
      channel: r.channel,
      occurredAt: r.occurredAt,
      total: r.totals.total,
      currency: r.currency,
    }));
    return { receipts: { count, latest } };
  }

  async export(tenantId: string, customerId: string): Promise<z.output<typeof ReceiptsExport>> {
    return { receipts: await this.receipts.listAll(tenantId, customerId) };
  }

  /** Invoices must be kept: they stay, stored and rendered again without the customer id. */
  async erase(tenantId: string, customerId: string): Promise<void> {
    await this.receipts.reassign(tenantId, customerId, null);
  }
}
