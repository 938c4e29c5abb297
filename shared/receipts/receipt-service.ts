import { DomainError, notFound } from '../kernel/errors';
import { requireCurrentCustomer } from '../customers';
import { z } from 'zod';
import { createEvent, defineEvent, type EventOf } from '../kernel/events';
import type { TenancyService } from '../tenancy';
import type { CustomerParticipant } from '../customers';
import { TransactionClaimed, type TransactionEvent, type TransactionView } from '../transactions';
import type { Clock, CreateOutcome, EventPublisher, Logger, Page } from '../kernel/ports';
import type { CustomerStore } from '../customers';
import { buildReceipt, ReceiptSchema, RECEIPT_LINK_TTL_MS, seriesIdOf, verifySeries, type Receipt, type ReceiptContext, type ReceiptExtras, type ReceiptExtrasProvider, type SeriesVerification } from './receipts';
import { renderReceiptHtml } from './receipt-html';

// ---- Ports -------------------------------------------------------------------------------

/** The head of a series: the last receipt issued in it, kept whole so it can be persisted by whoever comes next. */
export interface SeriesState {
  tenantId: string;
  seriesId: string;
  head: Receipt | null;
}

export interface ReceiptStore {
  getReceipt(tenantId: string, transactionId: string): Promise<Receipt | undefined>;
  /** Idempotent: `exists` when this transaction's receipt is already stored. */
  createReceipt(receipt: Receipt): Promise<CreateOutcome>;
  getSeries(tenantId: string, seriesId: string): Promise<(SeriesState & { etag: string }) | undefined>;
  createSeries(state: SeriesState): Promise<CreateOutcome>;
  /** Replaces only if unchanged since read; false when another sale took the next number first. */
  replaceSeries(state: SeriesState, etag: string): Promise<boolean>;
  /** Every stored receipt of a series, in number order. */
  listSeries(tenantId: string, seriesId: string): Promise<Receipt[]>;
  listForCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<Page<Receipt>>;
  countForCustomer(tenantId: string, customerId: string): Promise<number>;
  /** Attaches an anonymous receipt to the customer who claimed the sale. */
  setCustomer(tenantId: string, transactionId: string, customerId: string): Promise<Receipt | undefined>;
  /** Points every receipt of `fromId` at `toId` (null to name nobody); returns the receipts changed. */
  reassign(tenantId: string, fromId: string, toId: string | null): Promise<Receipt[]>;
}

/** The rendered files, under a tenant-scoped path, and links to them that open without an API key. */
export interface ReceiptFiles {
  save(tenantId: string, transactionId: string, files: { json: string; html: string }): Promise<void>;
  link(tenantId: string, transactionId: string, format: 'html' | 'json', expiresAt: Date): Promise<string>;
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
    links: z.object({ html: z.string(), json: z.string(), expiresAt: z.string() }).describe('Signed links that open without an API key until expiresAt'),
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
      .array(z.object({ transactionId: z.string(), invoiceNumber: z.string(), channel: z.enum(['store', 'online']), occurredAt: z.string(), total: z.number().int(), currency: z.string() }))
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

/**
 * Issues one receipt per transaction, numbered without gaps or duplicates in its series.
 *
 * The series document holds its head: the last receipt, whole. Taking the next number is one
 * etag-checked replace of that document, and before moving the head on, the allocator stores the
 * head it replaces (an idempotent create). So a number once taken is always stored, by its own
 * sale or by the next one, and a redelivered event finds its receipt (or the head) and reuses it.
 */
export class ReceiptService {
  constructor(
    private readonly store: ReceiptStore,
    private readonly files: ReceiptFiles,
    private readonly tenancy: TenancyService,
    private readonly customers: CustomerStore,
    private readonly publisher: EventPublisher,
    private readonly extrasProviders: readonly ReceiptExtrasProvider[],
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
    await this.files.save(tenantId, tx.transactionId, await renderFiles(receipt));
    await this.publisher.publish([receiptIssuedEvent(receipt)]);
    log.log('debug', 'receipt issued', { transactionId: tx.transactionId, seriesId: receipt.seriesId, number: receipt.number });
    return 'issued';
  }

  /** This transaction's receipt: the one already issued (a redelivery), or a new one with the next number. */
  private async issue(tenantId: string, tx: TransactionView): Promise<Receipt> {
    const seriesId = seriesIdOf(tx);
    let context: Omit<ReceiptContext, 'number' | 'previousFingerprint' | 'now'> | undefined;

    for (let attempt = 0; attempt < MAX_NUMBERING_ATTEMPTS; attempt += 1) {
      const series = await this.series(tenantId, seriesId);
      // Read after the series: if our number was taken and the head has moved on, it is stored by now.
      const stored = await this.store.getReceipt(tenantId, tx.transactionId);
      if (stored) return stored;
      const head = series.head;
      if (head?.transactionId === tx.transactionId) {
        await this.store.createReceipt(head);
        return head;
      }
      if (head) await this.store.createReceipt(head);
      context ??= await this.contextFor(tenantId, tx);
      const receipt = buildReceipt(tx, tenantId, {
        ...context,
        number: (head?.number ?? 0) + 1,
        previousFingerprint: head?.fiscal?.fingerprint ?? '',
        now: this.clock.now(),
      });
      if (await this.store.replaceSeries({ tenantId, seriesId, head: receipt }, series.etag)) {
        await this.store.createReceipt(receipt);
        return receipt;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
    throw new DomainError('conflict', `Series ${seriesId} is too busy; the receipt will be retried`);
  }

  /** What a new receipt needs besides its number: issuer, the sale a return corrects, other capabilities' figures. */
  private async contextFor(tenantId: string, tx: TransactionView): Promise<Omit<ReceiptContext, 'number' | 'previousFingerprint' | 'now'>> {
    const [tenant, location] = await Promise.all([this.tenancy.getTenant(tenantId), this.tenancy.getLocation(tenantId, tx.locationId)]);
    if (!tenant || !location) throw new Error(`Tenant ${tenantId} or location ${tx.locationId} is unknown`);
    const original = tx.originalTransactionId ? await this.store.getReceipt(tenantId, tx.originalTransactionId) : undefined;
    const corrects = tx.originalTransactionId
      ? { transactionId: tx.originalTransactionId, invoiceNumber: original?.invoiceNumber ?? null, issueDate: original?.fiscal?.FechaExpedicionFactura ?? null }
      : null;
    const extras = await Promise.all(this.extrasProviders.map((p) => p.extras(tenantId, tx)));
    return { tenant, location, corrects, extras: Object.assign({}, ...extras) as ReceiptExtras };
  }

  private async series(tenantId: string, seriesId: string): Promise<SeriesState & { etag: string }> {
    const existing = await this.store.getSeries(tenantId, seriesId);
    if (existing) return existing;
    await this.store.createSeries({ tenantId, seriesId, head: null });
    return (await this.store.getSeries(tenantId, seriesId))!;
  }

  async get(tenantId: string, transactionId: string): Promise<ReceiptWithLinks> {
    const receipt = await this.store.getReceipt(tenantId, transactionId);
    if (!receipt) throw notFound(`The receipt of transaction ${transactionId}`);
    const expiresAt = new Date(this.clock.now().getTime() + RECEIPT_LINK_TTL_MS);
    const [html, json] = await Promise.all([
      this.files.link(tenantId, transactionId, 'html', expiresAt),
      this.files.link(tenantId, transactionId, 'json', expiresAt),
    ]);
    return { receipt, links: { html, json, expiresAt: expiresAt.toISOString() } };
  }

  async forCustomer(tenantId: string, customerId: string, limit: number, continuationToken?: string): Promise<ReceiptPage> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    return this.store.listForCustomer(tenantId, customer.customerId, limit, continuationToken);
  }

  async verify(tenantId: string, seriesId: string): Promise<SeriesVerification> {
    const series = await this.store.getSeries(tenantId, seriesId);
    if (!series) throw notFound(`Series ${seriesId}`);
    const stored = await this.store.listSeries(tenantId, seriesId);
    const head = series.head;
    // The head may not be stored yet (its sale is still being handled): it is part of the chain.
    const receipts = head && !stored.some((r) => r.number === head.number) ? [...stored, head] : stored;
    return verifySeries(seriesId, receipts, head?.number ?? 0);
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
    for (const receipt of changed) await this.files.save(tenantId, receipt.transactionId, await renderFiles(receipt));
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

async function renderFiles(receipt: Receipt): Promise<{ json: string; html: string }> {
  return { json: JSON.stringify(receipt, null, 2), html: await renderReceiptHtml(receipt) };
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
