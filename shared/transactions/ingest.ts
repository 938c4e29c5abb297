import { extensionPoint } from '../kernel/extensions';
import { DomainError, invalid, unprocessable, type FieldIssue } from '../kernel/errors';
import { assertMayActFor, type Location, type Principal, type TenancyService } from '../tenancy';
import { normalizeIdentifiers, type CustomerResolver } from '../customers';
import { createEvent } from '../kernel/events';
import {
  anonymousKey,
  lineTotal,
  NOTHING_RETURNED,
  transactionIdOf,
  withReturn,
  transactionView,
  type TransactionInput,
  type TransactionRecord,
  type TransactionView,
  TransactionClaimed,
  TransactionRecorded,
  type TransactionEvent,
} from './transactions';
import type { Clock, EventPublisher, Logger } from '../kernel/ports';
import type { TransactionLocator, TransactionStore } from './ports';
import { priceReturn } from './returns';
import { claimTenders, type SaleCheck, type TenderClaimer } from './tender-claims';
import { enrichLines, type LineEnricher } from './line-enrichment';

/** What the till learns beside the recorded transaction (e.g. whether to print the receipt), from other capabilities. */
export type RecordedReply = (tenantId: string, transaction: TransactionView, newCustomer: boolean) => Promise<Record<string, unknown>>;
export const recordedReplies = extensionPoint<RecordedReply>('transactions.recordedReplies');

export interface IngestResult {
  /** `created` for the first record of this real transaction, `existing` when it was already recorded. */
  outcome: 'created' | 'existing';
  transaction: TransactionView;
  /** True when this sale created its customer (who then has no preferences yet, e.g. paperless receipts). */
  newCustomer?: boolean;
}

/** How far ahead of the platform's clock `occurredAt` may be: clock skew of a till or web server. */
export const FUTURE_SKEW_MS = 5 * 60_000;
/** How far back `occurredAt` may be: a till that was offline sends its sales late. Older only as an admin import. */
export const OFFLINE_WINDOW_DAYS = 7;
const OFFLINE_WINDOW_MS = OFFLINE_WINDOW_DAYS * 86_400_000;

/** The channel each key role may write for; admin keys may write for both, back-office staff for neither. */
const ROLE_CHANNELS: Record<Principal['role'], Array<TransactionInput['channel']>> = {
  pos: ['store'],
  ecommerce: ['online'],
  admin: ['store', 'online'],
  marketing: [],
  store: [],
  support: [],
};

export function transactionRecordedEvent(
  tx: TransactionRecord,
  contract: typeof TransactionRecorded | typeof TransactionClaimed = TransactionRecorded,
): TransactionEvent {
  return createEvent(contract, {
    // Deterministic: a republish by the sweeper carries the same id and is deduplicated.
    id: contract === TransactionRecorded ? `evt_${tx.transactionId}` : `evt_${tx.transactionId}_claimed`,
    source: `/tenants/${tx.tenantId}/locations/${tx.locationId}`,
    subject: `transactions/${tx.transactionId}`,
    time: tx.recordedAt,
    tenantid: tx.tenantId,
    data: transactionView(tx),
  });
}

/**
 * Records a sale or return exactly once per real transaction and announces it.
 *
 * The transaction id is derived from (tenant, channel, location, externalId), so every retry and
 * every concurrent duplicate aims at the same id; the store's idempotent creates pick one winner.
 * The record is written with `eventPending`; the event goes out after the write, and the sweeper
 * resends whatever was not confirmed, so a failed publish delays the event but never loses it.
 */
export class TransactionIngest {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly transactions: TransactionStore,
    private readonly resolver: CustomerResolver,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly tenderClaimers: readonly TenderClaimer[] = [],
    private readonly saleChecks: readonly SaleCheck[] = [],
    private readonly lineEnrichers: readonly LineEnricher[] = [],
  ) {}

  async ingest(principal: Principal, input: TransactionInput, log: Logger): Promise<IngestResult> {
    const { tenantId } = principal;
    assertMayActFor(principal, input.locationId);
    if (!ROLE_CHANNELS[principal.role].includes(input.channel)) {
      throw new DomainError('forbidden', `A ${principal.role} key may not record ${input.channel} transactions`, { reason: 'channel-not-allowed' });
    }
    const location = await this.tenancy.getLocation(tenantId, input.locationId);
    checkLocation(input, location);

    const transactionId = transactionIdOf(tenantId, input.channel, input.locationId, input.externalId);
    const outOfBounds = this.checkOccurredAt(principal, input);
    if (outOfBounds) {
      // A retry of a transaction recorded while it was in bounds still replays it.
      const existing = await this.recorded(tenantId, transactionId);
      if (existing) return { outcome: 'existing', transaction: transactionView(existing) };
      throw outOfBounds;
    }
    const original = input.type === 'return' ? await this.checkReturn(tenantId, transactionId, input) : undefined;

    const { identifiers, issues } = normalizeIdentifiers(tenantId, input.customer?.identifiers ?? [], location!.country, 'customer.identifiers');
    if (issues.length > 0) throw invalid(issues);

    const resolution = identifiers.length > 0 ? await this.resolver.resolve(tenantId, identifiers) : undefined;
    const customerId = resolution?.customerId ?? original?.customerId ?? null;
    const record = this.buildRecord(tenantId, transactionId, customerId, input, resolution?.conflicts ?? []);
    await enrichLines(this.lineEnrichers, record, log);

    if (original) await this.reserveReturn(original, record);
    try {
      // What other capabilities check of a sale (gift cards sold on its lines), then the redemptions its tenders claim.
      if (record.type === 'sale') for (const check of this.saleChecks) await check.check(tenantId, record);
      await claimTenders(this.tenderClaimers, record);
    } catch (error) {
      // A retry of a recorded sale replays it, even when its own effects (a card it loaded) now fail a check.
      const existing = error instanceof DomainError ? await this.recorded(tenantId, transactionId) : undefined;
      if (existing) return { outcome: 'existing', transaction: transactionView(existing) };
      throw error;
    }

    const claim = await this.transactions.claim(locatorOf(record));
    if (claim.outcome === 'exists') {
      const existing = await this.transactions.get(claim.locator);
      if (existing) return { outcome: 'existing', transaction: transactionView(existing) };
      // The first attempt claimed the id and stopped before writing: finish it where the claim points.
      relocate(record, claim.locator);
    }

    if ((await this.transactions.create(record)) === 'exists') {
      const existing = await this.transactions.get(locatorOf(record));
      if (!existing) throw new DomainError('conflict', 'The transaction is being recorded; retry shortly');
      return { outcome: 'existing', transaction: transactionView(existing) };
    }

    await this.announce(record, log);
    return { outcome: 'created', transaction: transactionView(record), newCustomer: resolution?.created ?? false };
  }

  /** The transaction as recorded, if it is. */
  private async recorded(tenantId: string, transactionId: string): Promise<TransactionRecord | undefined> {
    const locator = await this.transactions.locate(tenantId, transactionId);
    return (locator && (await this.transactions.get(locator))) || undefined;
  }

  /** Publishes what is pending and confirms; on failure the record stays pending and the sweeper resends it. */
  async announce(record: TransactionRecord, log: Logger): Promise<boolean> {
    const events = [
      ...(record.eventPending ? [transactionRecordedEvent(record)] : []),
      ...(record.claimEventPending ? [transactionRecordedEvent(record, TransactionClaimed)] : []),
    ];
    if (events.length === 0) return true;
    try {
      await this.publisher.publish(events);
      await this.transactions.markEventPublished(locatorOf(record));
      return true;
    } catch (error) {
      log.log('warn', 'transaction.recorded not published yet; the sweeper will resend it', {
        transactionId: record.transactionId,
        error: (error as Error).message,
      });
      return false;
    }
  }

  /** Resends the events of transactions recorded before `olderThanMs` ago and still pending. */
  async republishPending(olderThanMs: number, log: Logger, limit = 200): Promise<{ found: number; published: number }> {
    const cutoff = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    const pending = await this.transactions.listUnpublished(cutoff, limit);
    let published = 0;
    for (const record of pending) {
      if (await this.announce(record, log)) published += 1;
    }
    return { found: pending.length, published };
  }

  /**
   * `occurredAt` within bounds: at most FUTURE_SKEW_MS ahead of the platform clock, at most
   * OFFLINE_WINDOW_DAYS back; older only with `import: true` from an admin key. The refusal, if any.
   */
  private checkOccurredAt(principal: Principal, input: TransactionInput): DomainError | undefined {
    if (input.import && principal.role !== 'admin') {
      return new DomainError('forbidden', 'Only an admin key may import transactions', { reason: 'import-requires-admin' });
    }
    const now = this.clock.now().getTime();
    const occurred = Date.parse(input.occurredAt);
    if (occurred > now + FUTURE_SKEW_MS) {
      return unprocessable('occurred-in-future', `occurredAt is more than ${FUTURE_SKEW_MS / 60_000} minutes ahead of the platform's clock`);
    }
    if (occurred < now - OFFLINE_WINDOW_MS && !input.import) {
      return unprocessable(
        'occurred-too-long-ago',
        `occurredAt is more than ${OFFLINE_WINDOW_DAYS} days ago; an older transaction is recorded only by an admin key with import: true`,
      );
    }
    return undefined;
  }

  private async checkReturn(tenantId: string, returnId: string, input: TransactionInput): Promise<TransactionRecord> {
    const locator = await this.transactions.locate(tenantId, input.originalTransactionId!);
    const original = locator && (await this.transactions.get(locator));
    if (!original) throw unprocessable('original-transaction-not-found', `Transaction ${input.originalTransactionId} was not found`);
    if (original.type !== 'sale') throw unprocessable('original-not-a-sale', 'A return must reference a sale');
    if (original.currency !== input.currency) throw unprocessable('currency-mismatch', `The sale was in ${original.currency}`);
    if (!(returnId in original.returned.byReturn)) priceReturn(original, input.lines);
    return original;
  }

  /**
   * Adds the return to the sale's returned quantities and money, once per return id, never beyond
   * what was sold and at the sale's own prices (`priceReturn`), with optimistic concurrency: two
   * tills returning the same item, or refunding the same money, cannot both succeed.
   */
  private async reserveReturn(original: TransactionRecord, record: TransactionRecord): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      // Locate afresh: a merge or claim may have just moved the sale to another partition.
      const locator = attempt === 0 ? locatorOf(original) : await this.transactions.locate(original.tenantId, original.transactionId);
      const updated =
        locator &&
        (await this.transactions.update(locator, (current) => {
          if (record.transactionId in current.returned.byReturn) return undefined;
          const byLine = priceReturn(current, record.lines);
          return { ...current, returned: withReturn(current.returned, record.transactionId, record.lines, byLine) };
        }));
      if (updated) return;
    }
    throw new DomainError('conflict', 'The sale returned is being moved; retry shortly');
  }

  private buildRecord(
    tenantId: string,
    transactionId: string,
    customerId: string | null,
    input: TransactionInput,
    identityConflicts: TransactionRecord['identityConflicts'],
  ): TransactionRecord {
    const lines = input.lines.map((line, i) => ({ ...line, lineNumber: i + 1, total: lineTotal(line) }));
    const gross = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0);
    const discount = lines.reduce((sum, l) => sum + l.discount, 0);
    return {
      tenantId,
      transactionId,
      customerKey: customerId ?? anonymousKey(input.locationId, input.occurredAt),
      customerId,
      type: input.type,
      channel: input.channel,
      locationId: input.locationId,
      terminalId: input.terminalId ?? null,
      externalId: input.externalId,
      occurredAt: input.occurredAt,
      recordedAt: this.clock.now().toISOString(),
      ...(input.import ? { imported: true } : {}),
      currency: input.currency,
      lines,
      coupons: input.coupons,
      couponHoldId: input.couponHoldId ?? null,
      reservationId: input.reservationId ?? null,
      tenders: input.tenders,
      totals: { gross, discount, net: gross - discount, items: lines.reduce((n, l) => n + l.quantity, 0) },
      originalTransactionId: input.originalTransactionId ?? null,
      returned: NOTHING_RETURNED,
      identityConflicts,
      eventPending: true,
    };
  }
}

function checkLocation(input: TransactionInput, location: Location | undefined): asserts location is Location {
  const issues: FieldIssue[] = [];
  if (!location) {
    issues.push({ field: 'locationId', message: `location ${input.locationId} does not exist` });
  } else {
    const expected = input.channel === 'store' ? 'store' : 'online';
    if (location.type !== expected) {
      issues.push({ field: 'locationId', message: `is a ${location.type}; ${input.channel} transactions need a location of type ${expected}` });
    }
    if (location.currency !== input.currency) {
      issues.push({ field: 'currency', message: `location ${location.locationId} trades in ${location.currency}` });
    }
  }
  if (issues.length > 0) throw invalid(issues);
}

export function locatorOf(tx: Pick<TransactionRecord, 'tenantId' | 'transactionId' | 'customerKey'>): TransactionLocator {
  return { tenantId: tx.tenantId, transactionId: tx.transactionId, customerKey: tx.customerKey };
}

function relocate(record: TransactionRecord, locator: TransactionLocator): void {
  record.customerKey = locator.customerKey;
  record.customerId = locator.customerKey.startsWith('anon:') ? null : locator.customerKey;
}
