import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { DomainError, notFound, unprocessable } from '../kernel/errors';
import { currentCustomer, requireCurrentCustomer } from '../customers';
import { transactionView, type TenderClaim, type TransactionEvent, type TransactionView } from '../transactions';
import type { Principal } from '../tenancy';
import type { Clock, CreateOutcome, EventPublisher, Logger, Page } from '../kernel/ports';
import { createEvent } from '../kernel/events';
import { deterministicId } from '../kernel/ids';
import { LoyaltyPointsChanged, type PointsChange } from './events';
import type { CustomerStore } from '../customers';
import type { TransactionStore } from '../transactions';
import type { Audience, CustomerParticipant } from '../customers';
import {
  absorb,
  accrue,
  awardBonus,
  reverseBonus,
  type BonusInput,
  cancelRedemption,
  claimRedemption,
  emptyAccount,
  LedgerEntrySchema,
  LoyaltyAccountSchema,
  LoyaltySummarySchema,
  RedemptionSchema,
  redeem,
  reverse,
  settle,
  summarize,
  tierMultiplier,
  type Change,
  type LedgerEntry,
  type LoyaltyAccount,
  type LoyaltySummary,
} from './account';
import { pointsForLines, type LoyaltyProgram, type LoyaltyProgramInput } from './program';

export interface StoredAccount {
  account: LoyaltyAccount;
  etag: string;
}

/** Where programs, accounts and ledger entries are kept. Accounts change only with their etag. */
export interface LoyaltyStore {
  getProgram(tenantId: string): Promise<LoyaltyProgram | undefined>;
  /** Replaces the program only if it is still at `expectedVersion` (0: none yet). */
  saveProgram(program: LoyaltyProgram, expectedVersion: number): Promise<boolean>;
  readAccount(tenantId: string, customerId: string): Promise<StoredAccount | undefined>;
  createAccount(account: LoyaltyAccount): Promise<CreateOutcome>;
  /** False when the account changed since `etag` was read. */
  replaceAccount(account: LoyaltyAccount, etag: string): Promise<boolean>;
  deleteAccount(tenantId: string, customerId: string): Promise<void>;
  /** Idempotent: an entry already written is left as it is. */
  writeEntries(entries: LedgerEntry[]): Promise<void>;
  listEntries(tenantId: string, customerId: string, limit: number, continuation?: string): Promise<Page<LedgerEntry>>;
  allEntries(tenantId: string, customerId: string): Promise<LedgerEntry[]>;
  deleteEntry(entry: LedgerEntry): Promise<void>;
  /** Accounts whose `dueAt` has passed, across tenants, for the maintenance timer. */
  dueAccounts(now: string, limit: number): Promise<Array<{ tenantId: string; customerId: string }>>;
  /** Empties the account's outbox if it still holds the events up to `announcements` and no later ones. */
  clearOutbox(tenantId: string, customerId: string, announcements: number): Promise<void>;
  /** Accounts with events not confirmed published, changed before `changedBefore`, across tenants. */
  unannounced(changedBefore: string, limit: number): Promise<LoyaltyAccount[]>;
}

export const RedemptionInput = z
  .object({
    points: z.number().int('must be a whole number of points').positive().max(100_000_000),
    reference: idField(128).describe('Unique per checkout; the `points` tender of the sale carries it'),
  })
  .strict();
export type RedemptionInput = z.infer<typeof RedemptionInput>;

/** A customer's points as a till or the customer sees them. */
export const LoyaltyAccountSummarySchema = z
  .object({ customerId: z.string(), programVersion: z.number().int() })
  .extend(LoyaltySummarySchema.shape)
  .meta({ id: 'LoyaltyAccountSummary' });
export type LoyaltyAccountSummary = z.output<typeof LoyaltyAccountSummarySchema>;

export const LoyaltyLedgerPageSchema = z
  .object({
    customerId: z.string(),
    items: z.array(LedgerEntrySchema),
    continuationToken: z.string().nullable().describe('Pass back as ?continuationToken= for the next page'),
  })
  .meta({ id: 'LoyaltyLedgerPage' });
export type LoyaltyLedgerPage = z.output<typeof LoyaltyLedgerPageSchema>;

const redemptionFields = {
  customerId: z.string(),
  reference: z.string(),
  points: z.number().int(),
  status: RedemptionSchema.shape.status,
  spendable: z.number().int().describe('Spendable points after it'),
};

export const PointsRedemptionSchema = z
  .object({ ...redemptionFields, value: z.number().int().describe('What the points pay, minor units of `currency`'), currency: z.string() })
  .meta({ id: 'PointsRedemption' });
export type PointsRedemption = z.output<typeof PointsRedemptionSchema>;

export const CancelledPointsRedemptionSchema = z.object(redemptionFields).meta({ id: 'CancelledPointsRedemption' });
export type CancelledPointsRedemption = z.output<typeof CancelledPointsRedemptionSchema>;

/** Loyalty's section of the 360 view (null without a program) and of the export. */
const LoyaltyView = z.object({ loyalty: LoyaltySummarySchema.nullable() });
const LoyaltyExport = z.object({ loyalty: z.object({ account: LoyaltyAccountSchema.nullable(), ledger: z.array(LedgerEntrySchema) }) });

const MAX_ATTEMPTS = 20;
const MAX_MERGE_HOPS = 10;
const PROGRAM_CACHE_MS = 30_000;
/**
 * A redemption claimed by a sale that was never recorded (the till stopped after the claim and
 * never retried) can be cancelled once this long has passed since the claim: longer than any
 * request lives, so the sale cannot still be on its way.
 */
export const UNRECORDED_CLAIM_GRACE_MS = 15 * 60_000;

type Operation = (account: LoyaltyAccount, program: LoyaltyProgram) => Change | undefined;

/**
 * Loyalty that works the same in every channel. Accrual and reversal come from
 * `transaction.recorded` (at least once, in any order); redemption is synchronous at checkout.
 * Every change is one etag-checked write of the customer's account, which carries its newest
 * ledger entries; the entries are then written to the ledger with deterministic ids, so a retry
 * or redelivery never doubles anything.
 */
export class LoyaltyService {
  private readonly programs = new Map<string, { program: LoyaltyProgram | undefined; until: number }>();

  constructor(
    private readonly store: LoyaltyStore,
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly clock: Clock,
    private readonly publisher: EventPublisher,
  ) {}

  /** `fresh` skips the cache (an admin reading what was just set); checkout paths take the cached one. */
  async getProgram(tenantId: string, fresh = true): Promise<LoyaltyProgram> {
    const program = await this.program(tenantId, fresh);
    if (!program) throw notFound('The loyalty program');
    return program;
  }

  /** A new version of the program; points already earned keep what they were computed with. */
  async putProgram(tenantId: string, input: LoyaltyProgramInput): Promise<LoyaltyProgram> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const current = await this.store.getProgram(tenantId);
      const version = current?.version ?? 0;
      const program: LoyaltyProgram = { ...input, tenantId, version: version + 1, updatedAt: this.clock.now().toISOString() };
      if (await this.store.saveProgram(program, version)) {
        this.programs.set(tenantId, { program, until: Date.now() + PROGRAM_CACHE_MS });
        return program;
      }
    }
    throw new DomainError('conflict', 'The program is being changed; retry shortly');
  }

  /** `transaction.recorded` / `transaction.claimed`: sales earn, returns reverse. */
  async handle(event: TransactionEvent, log: Logger): Promise<'applied' | 'unchanged' | 'ignored'> {
    const tx = event.data;
    const program = await this.program(event.tenantid);
    if (!program || !tx.customerId || tx.currency !== program.currency) return 'ignored';
    let outcome: 'applied' | 'unchanged' | 'ignored';
    try {
      outcome = tx.type === 'sale' ? await this.accrueSale(event.tenantid, tx.customerId, tx) : await this.reverseReturn(event.tenantid, tx);
    } catch (error) {
      // An erased customer earns nothing; anything else is retried by redelivery.
      if (!(error instanceof DomainError && error.code === 'gone')) throw error;
      outcome = 'ignored';
    }
    log.log('info', `loyalty ${tx.type === 'sale' ? 'accrual' : 'reversal'} ${outcome}`, { transactionId: tx.transactionId });
    return outcome;
  }

  async redeem(principal: Principal, customerId: string, input: RedemptionInput): Promise<{ created: boolean; body: PointsRedemption }> {
    const program = await this.getProgram(principal.tenantId, false);
    const { account, entries } = await this.change(principal.tenantId, customerId, (a) => redeem(a, input.reference, input.points, program, this.clock.now()), {
      mustExist: true,
    });
    const redemption = account.redemptions[input.reference]!;
    return {
      created: entries.length > 0,
      body: {
        customerId: account.customerId,
        reference: input.reference,
        points: redemption.points,
        value: Math.floor(redemption.points * program.redemption.pointValue),
        currency: program.currency,
        status: redemption.status,
        spendable: summarize(account, program, this.clock.now()).spendable,
      },
    };
  }

  async cancelRedemption(principal: Principal, customerId: string, reference: string): Promise<CancelledPointsRedemption> {
    const program = await this.getProgram(principal.tenantId, false);
    const releaseClaimOf = await this.unrecordedClaim(principal.tenantId, customerId, reference);
    const { account } = await this.change(principal.tenantId, customerId, (a) => cancelRedemption(a, reference, this.clock.now(), releaseClaimOf), {
      mustExist: true,
    });
    const redemption = account.redemptions[reference]!;
    return {
      customerId: account.customerId,
      reference,
      points: redemption.points,
      status: redemption.status,
      spendable: summarize(account, program, this.clock.now()).spendable,
    };
  }

  /**
   * The sale a redemption is claimed by, when that sale was never recorded with this tender and the
   * claim is older than the grace: its points may then be given back.
   */
  private async unrecordedClaim(tenantId: string, customerId: string, reference: string): Promise<string | undefined> {
    const loaded = await this.load(tenantId, customerId, true);
    const redemption = loaded.stored?.account.redemptions[reference];
    if (!redemption?.transactionId || redemption.status !== 'active' || !redemption.claimedAt) return undefined;
    if (this.clock.now().getTime() - Date.parse(redemption.claimedAt) < UNRECORDED_CLAIM_GRACE_MS) return undefined;
    const locator = await this.transactions.locate(tenantId, redemption.transactionId);
    const sale = locator && (await this.transactions.get(locator));
    const tendered = sale?.tenders.some((t) => t.type === 'points' && t.reference === reference);
    return tendered ? undefined : redemption.transactionId;
  }

  /** A sale's `points` tender claims the redemption it names, on the account of the sale's customer. */
  async claimTender(tenantId: string, claim: TenderClaim): Promise<void> {
    if (!claim.customerId)
      throw unprocessable('tender-redemption-not-found', 'A points tender needs the customer on the sale: points redemptions belong to one');
    const program = await this.program(tenantId);
    if (!program) throw unprocessable('tender-redemption-not-found', 'The tenant has no loyalty program');
    if (program.currency !== claim.currency) throw unprocessable('tender-amount-mismatch', `Points pay in ${program.currency}, not ${claim.currency}`);
    await this.change(tenantId, claim.customerId, (account) => claimRedemption(account, claim.reference, claim, program, this.clock.now()), {
      mustExist: true,
    });
  }

  async summary(principal: Principal, customerId: string): Promise<LoyaltyAccountSummary> {
    const program = await this.getProgram(principal.tenantId, false);
    const customer = await requireCurrentCustomer(this.customers, principal.tenantId, customerId);
    return { customerId: customer.customerId, programVersion: program.version, ...(await this.summaryOf(principal.tenantId, customer.customerId, program)) };
  }

  /** Newest first; the first page also shows the account's newest entries not yet in the ledger. */
  async ledger(principal: Principal, customerId: string, limit: number, continuation?: string): Promise<LoyaltyLedgerPage> {
    const customer = await requireCurrentCustomer(this.customers, principal.tenantId, customerId);
    const page = await this.store.listEntries(principal.tenantId, customer.customerId, limit, continuation);
    if (!continuation) {
      const account = (await this.store.readAccount(principal.tenantId, customer.customerId))?.account;
      const known = new Set(page.items.map((e) => e.key));
      const newest = page.items[page.items.length - 1]?.at;
      const missing = (account?.journal ?? []).filter((e) => !known.has(e.key) && (!page.continuationToken || !newest || e.at >= newest));
      page.items = [...page.items, ...missing].sort((a, b) => b.at.localeCompare(a.at));
    }
    return { customerId: customer.customerId, ...page };
  }

  /** Bonus points (offers): once per award id; undefined without a program or for an erased customer. */
  async awardBonus(tenantId: string, customerId: string, input: BonusInput): Promise<{ customerId: string; points: number } | undefined> {
    if (!(await this.program(tenantId))) return undefined;
    try {
      const { account } = await this.change(tenantId, customerId, (a, program) => awardBonus(a, input, program, this.clock.now()));
      return { customerId: account.customerId, points: account.bonuses?.[input.awardId]?.points ?? 0 };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'gone') return undefined;
      throw error;
    }
  }

  /** Takes a bonus back, once (the sale that earned it was returned). */
  async reverseBonus(tenantId: string, customerId: string, awardId: string): Promise<boolean> {
    if (!(await this.program(tenantId))) return false;
    try {
      const { entries } = await this.change(tenantId, customerId, (a) => reverseBonus(a, awardId, this.clock.now()));
      return entries.some((e) => e.type === 'bonus-reversal');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'gone') return false;
      throw error;
    }
  }

  /** Timer: expires points, releases pending ones, reviews tiers, for every account that is due; resends unconfirmed events. */
  async maintain(log: Logger, limit = 500): Promise<{ due: number; changed: number }> {
    const stale = new Date(this.clock.now().getTime() - 60_000).toISOString();
    for (const account of await this.store.unannounced(stale, limit)) await this.announce(account, log);
    const due = await this.store.dueAccounts(this.clock.now().toISOString(), limit);
    let changed = 0;
    for (const { tenantId, customerId } of due) {
      const result = await this.change(tenantId, customerId, () => undefined, { mustExist: true });
      if (result.entries.length > 0 || result.written) changed += 1;
    }
    if (due.length > 0) log.log('info', 'loyalty maintenance', { due: due.length, changed });
    return { due: due.length, changed };
  }

  private async summaryOf(tenantId: string, customerId: string, program: LoyaltyProgram): Promise<LoyaltySummary> {
    const now = this.clock.now();
    const stored = await this.store.readAccount(tenantId, customerId);
    const account = stored?.account ?? emptyAccount(tenantId, customerId, now);
    return summarize(settle(account, program, now)?.account ?? account, program, now);
  }

  private async accrueSale(tenantId: string, customerId: string, sale: TransactionView): Promise<'applied' | 'unchanged'> {
    const { entries } = await this.change(tenantId, customerId, (account, program) =>
      accrue(account, accrualOf(sale, account, program), program, this.clock.now()),
    );
    return entries.some((e) => e.type === 'accrual') ? 'applied' : 'unchanged';
  }

  /**
   * Reverses on the account that earned the sale. When the return arrives before the sale's
   * accrual, the sale is accrued first (the sale's own event then finds it done).
   */
  private async reverseReturn(tenantId: string, ret: TransactionView): Promise<'applied' | 'unchanged' | 'ignored'> {
    const saleId = ret.originalTransactionId!;
    const locator = await this.transactions.locate(tenantId, saleId);
    const sale = locator && (await this.transactions.get(locator));
    if (!sale?.customerId) return 'ignored';
    const input = { saleId, returnId: ret.transactionId, lines: ret.lines, spend: ret.totals.net };
    const apply: Operation = (account) => reverse(account, input, this.clock.now());
    let result = await this.change(tenantId, sale.customerId, apply);
    if (!result.account.earnings[saleId]) {
      await this.accrueSale(tenantId, sale.customerId, transactionView(sale));
      result = await this.change(tenantId, sale.customerId, apply);
    }
    return result.entries.some((e) => e.type === 'reversal') ? 'applied' : 'unchanged';
  }

  /**
   * The one way an account changes: read (following merges), let time pass (`settle`), apply the
   * operation, settle again, write with the etag, retry on a lost race; then write the entries.
   * A first change creates the account, after checking the customer is current.
   */
  private async change(
    tenantId: string,
    customerId: string,
    operation: Operation,
    options: { mustExist?: boolean } = {},
  ): Promise<{ account: LoyaltyAccount; entries: LedgerEntry[]; written: boolean }> {
    const program = await this.program(tenantId);
    if (!program) throw notFound('The loyalty program');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.clock.now();
      const loaded = await this.load(tenantId, customerId, options.mustExist ?? false);
      const base = loaded.stored?.account ?? emptyAccount(tenantId, loaded.customerId, now);
      const settled = settle(base, program, now);
      const changed = operation(settled?.account ?? base, program);
      const final = changed ? settle(changed.account, program, now) : undefined;
      const entries = [...(settled?.entries ?? []), ...(changed?.entries ?? []), ...(final?.entries ?? [])];
      const changedAccount = final?.account ?? changed?.account ?? settled?.account;
      if (!changedAccount) return { account: base, entries: [], written: false };
      const account = withAnnouncement(base, changedAccount, entries, program, now);
      const written = loaded.stored ? await this.store.replaceAccount(account, loaded.stored.etag) : (await this.store.createAccount(account)) === 'created';
      if (written) {
        await this.store.writeEntries(entries);
        await this.announce(account);
        return { account, entries, written: true };
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new DomainError('conflict', 'The loyalty account is changing too often; retry shortly');
  }

  /**
   * Publishes the account's outbox, then clears it. A failed publish leaves it there: the
   * maintenance timer resends it (the event ids are deterministic, so a resend is deduplicated).
   */
  private async announce(account: LoyaltyAccount, log?: Logger): Promise<void> {
    const outbox = account.outbox ?? [];
    if (outbox.length === 0) return;
    try {
      await this.publisher.publish(
        outbox.map(({ id, data }) =>
          createEvent(LoyaltyPointsChanged, {
            id,
            source: `/tenants/${account.tenantId}/loyalty`,
            subject: `customers/${account.customerId}`,
            time: (data as PointsChange).at,
            tenantid: account.tenantId,
            data: data as PointsChange,
          }),
        ),
      );
      await this.store.clearOutbox(account.tenantId, account.customerId, account.announcements ?? 0);
    } catch (error) {
      log?.log('warn', 'loyalty.points.changed not published yet; maintenance resends it', { customerId: account.customerId, error: (error as Error).message });
    }
  }

  /** The account a customer id stands for now: merged accounts point to their survivor. */
  private async load(tenantId: string, customerId: string, mustExist: boolean): Promise<{ customerId: string; stored?: StoredAccount }> {
    let id = customerId;
    for (let hop = 0; hop < MAX_MERGE_HOPS; hop += 1) {
      const stored = await this.store.readAccount(tenantId, id);
      if (stored?.account.mergedInto) {
        id = stored.account.mergedInto;
        continue;
      }
      if (stored) return { customerId: id, stored };
      // No account yet: open one for the customer this id stands for now, never for an erased one.
      const customer = mustExist ? await requireCurrentCustomer(this.customers, tenantId, id) : await currentCustomer(this.customers, tenantId, id);
      if (!customer || customer.erasedAt) throw new DomainError('gone', `Customer ${customerId} has no loyalty account (erased or unknown)`);
      if (customer.customerId === id) return { customerId: id };
      id = customer.customerId;
    }
    throw new DomainError('conflict', `Customer ${customerId} is merged too many times over`);
  }

  private async program(tenantId: string, fresh = false): Promise<LoyaltyProgram | undefined> {
    const cached = this.programs.get(tenantId);
    if (!fresh && cached && cached.until > Date.now()) return cached.program;
    const program = await this.store.getProgram(tenantId);
    this.programs.set(tenantId, { program, until: Date.now() + PROGRAM_CACHE_MS });
    return program;
  }

  /** Merge: the merged account is frozen first (later changes follow it to the survivor), then absorbed, then its ledger moves. */
  async move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    const now = this.clock.now();
    let frozen: LoyaltyAccount | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !frozen; attempt += 1) {
      const stored = await this.store.readAccount(tenantId, fromId);
      if (!stored) {
        const tombstone = { ...emptyAccount(tenantId, fromId, now), mergedInto: intoId };
        if ((await this.store.createAccount(tombstone)) === 'created') frozen = tombstone;
      } else if (stored.account.mergedInto) {
        frozen = stored.account;
      } else {
        const marked = { ...stored.account, mergedInto: intoId, dueAt: null, updatedAt: now.toISOString() };
        if (await this.store.replaceAccount(marked, stored.etag)) frozen = marked;
      }
    }
    if (!frozen) throw new DomainError('conflict', 'The loyalty account is changing too often; retry shortly');
    const merged = frozen;
    if (merged.lots.length > 0 || merged.owed > 0 || Object.keys(merged.earnings).length > 0) {
      await this.change(tenantId, intoId, (account) => absorb(account, merged, now));
    }
    const listed = await this.store.allEntries(tenantId, fromId);
    const copies = new Map([...listed, ...merged.journal].map((e) => [e.key, { ...e, customerId: intoId }]));
    await this.store.writeEntries([...copies.values()]);
    // Only what was listed, and so copied, is deleted.
    for (const entry of listed) await this.store.deleteEntry(entry);
    return listed.length;
  }

  async export(tenantId: string, customerId: string): Promise<z.output<typeof LoyaltyExport>> {
    const account = (await this.store.readAccount(tenantId, customerId))?.account;
    return { loyalty: { account: account ?? null, ledger: await this.store.allEntries(tenantId, customerId) } };
  }

  /** Membership ends with the person: the account and its ledger go. */
  async erase(tenantId: string, customerId: string): Promise<void> {
    for (const entry of await this.store.allEntries(tenantId, customerId)) await this.store.deleteEntry(entry);
    await this.store.deleteAccount(tenantId, customerId);
  }

  /**
   * What a receipt prints: the points this sale earns and the balance once they are credited. The
   * receipt is issued beside the accrual, not after it: when the accrual has not run yet, the
   * account is shown as that accrual will leave it (the same computation), so a customer's first
   * receipt never prints a balance of 0. Empty for anonymous sales.
   */
  async receiptExtras(tenantId: string, tx: TransactionView): Promise<{ loyalty?: { pointsEarned: number; balance: number; pending: number } }> {
    const program = await this.program(tenantId);
    if (!program || !tx.customerId || tx.type !== 'sale' || tx.currency !== program.currency) return {};
    const now = this.clock.now();
    let loaded: { customerId: string; stored?: StoredAccount };
    try {
      loaded = await this.load(tenantId, tx.customerId, false);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'gone') return {};
      throw error;
    }
    const base = loaded.stored?.account ?? emptyAccount(tenantId, loaded.customerId, now);
    const settled = settle(base, program, now)?.account ?? base;
    const credited = settled.earnings[tx.transactionId] ? settled : (accrue(settled, accrualOf(tx, settled, program), program, now)?.account ?? settled);
    const lines = credited.earnings[tx.transactionId]?.lines ?? [];
    const summary = summarize(credited, program, now);
    return { loyalty: { pointsEarned: lines.reduce((n, l) => n + l.points, 0), balance: summary.spendable + summary.pending, pending: summary.pending } };
  }

  /** The customer's points now with the program (cached), for an answer at the till; null without a program. */
  async balance(tenantId: string, customerId: string): Promise<{ summary: LoyaltySummary; program: LoyaltyProgram } | null> {
    const program = await this.program(tenantId);
    return program ? { summary: await this.summaryOf(tenantId, customerId, program), program } : null;
  }

  async view(tenantId: string, customerId: string): Promise<z.output<typeof LoyaltyView>> {
    const program = await this.program(tenantId);
    return { loyalty: program ? await this.summaryOf(tenantId, customerId, program) : null };
  }
}

/**
 * The account with a `loyalty.points.changed` event in its outbox when the change moved its
 * points or tier (written in the same etag-checked write as the change itself).
 */
function withAnnouncement(before: LoyaltyAccount, after: LoyaltyAccount, entries: LedgerEntry[], program: LoyaltyProgram, now: Date): LoyaltyAccount {
  const was = summarize(before, program, now);
  const is = summarize(after, program, now);
  const previousTier = before.tier?.code ?? null;
  const tier = after.tier?.code ?? null;
  const change = is.spendable + is.pending - (was.spendable + was.pending);
  if (change === 0 && is.spendable === was.spendable && tier === previousTier) return after;
  const announcements = (before.announcements ?? 0) + 1;
  const data: PointsChange = {
    customerId: after.customerId,
    spendable: is.spendable,
    pending: is.pending,
    tier,
    previousTier,
    change,
    entries: entries.map((e) => e.key),
    at: now.toISOString(),
  };
  const id = deterministicId('evt', after.tenantId, after.customerId, 'points', String(announcements));
  return { ...after, announcements, outbox: [...(after.outbox ?? []), { id, data }] };
}

/**
 * What a sale earns for an account now: points line by line (the part paid with points earns
 * nothing unless the program says so) and its qualifying spend. Accrual and receipts share it.
 */
function accrualOf(sale: TransactionView, account: LoyaltyAccount | undefined, program: LoyaltyProgram) {
  const pointsPaid = sale.tenders.filter((t) => t.type === 'points').reduce((n, t) => n + t.amount, 0);
  return {
    saleId: sale.transactionId,
    occurredAt: new Date(sale.occurredAt).toISOString(),
    learntAt: new Date(sale.recordedAt).toISOString(),
    lines: pointsForLines(program, sale.lines, { tierMultiplier: tierMultiplier(account, program), pointsPaid }),
    spend: sale.totals.net - pointsPaid,
    redemptionReferences: sale.tenders.filter((t) => t.type === 'points' && t.reference).map((t) => t.reference!),
  };
}

/** Loyalty's part of merges, the 360 view, export and erasure. */
export class LoyaltyParticipant implements CustomerParticipant {
  readonly name = 'loyalty';
  readonly viewSchema = LoyaltyView;
  readonly exportSchema = LoyaltyExport;
  constructor(private readonly loyalty: LoyaltyService) {}
  move(tenantId: string, fromId: string, intoId: string) {
    return this.loyalty.move(tenantId, fromId, intoId);
  }
  view(tenantId: string, customerId: string, _audience: Audience) {
    return this.loyalty.view(tenantId, customerId);
  }
  export(tenantId: string, customerId: string) {
    return this.loyalty.export(tenantId, customerId);
  }
  erase(tenantId: string, customerId: string) {
    return this.loyalty.erase(tenantId, customerId);
  }
}
