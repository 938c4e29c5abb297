import { z } from 'zod';
import { DomainError, unprocessable } from '../kernel/errors';
import { LinePointsSchema, pointsToReverse, type LinePoints, type LoyaltyProgram, type TierLevel } from './program';

/**
 * A loyalty account is one document per customer, changed only by the pure operations below
 * under an etag. Points live in lots, one per sale that earned, each with its own date to become
 * spendable and to expire; redemptions and expiry consume lots oldest-expiring first. That is
 * what a single balance field cannot do.
 */
const points = z.number().int();

export const LotSchema = z.object({
  id: z.string().describe('The ledger entry that created it, e.g. `accrual:<saleId>`'),
  transactionId: z.string().nullable(),
  points,
  remaining: points,
  earnedAt: z.string(),
  availableAt: z.string(),
  expiresAt: z.string().nullable(),
});
export type Lot = z.output<typeof LotSchema>;

export const EntryType = z.enum(['accrual', 'reversal', 'redemption', 'redemption-cancelled', 'expiry', 'merge', 'bonus', 'bonus-reversal']);
export type EntryType = z.output<typeof EntryType>;

export const LedgerEntrySchema = z
  .object({
    tenantId: z.string(),
    customerId: z.string(),
    key: z.string().describe('Unique per account and deterministic: the same operation always makes the same key'),
    type: EntryType,
    points: points.describe("Effect on the customer's points: positive earns, negative takes away"),
    at: z.string(),
    transactionId: z.string().nullable(),
    reference: z.string().optional(),
    lines: z.array(LinePointsSchema).optional(),
    availableAt: z.string().optional(),
    expiresAt: z.string().nullable().optional(),
    programVersion: z.number().int().optional(),
    tier: z.string().nullable().optional(),
    owed: points.optional().describe('Points that could not be taken from any lot and are owed from future earnings'),
  })
  .meta({ id: 'LoyaltyLedgerEntry' });
export type LedgerEntry = z.output<typeof LedgerEntrySchema>;

/** What a sale earned line by line, and what each return took back, so reversals are exact and once. */
export const EarningSchema = z.object({
  lines: z.array(LinePointsSchema),
  returned: z.record(z.string(), z.record(z.string(), z.number().int())).describe('returnId -> lineNumber -> units'),
});
export type Earning = z.output<typeof EarningSchema>;

export const RedemptionSchema = z.object({
  points,
  at: z.string(),
  status: z.enum(['active', 'cancelled']),
  consumed: z.array(LotSchema.omit({ remaining: true })),
  transactionId: z.string().nullable().describe('The sale that paid with it (a `points` tender whose reference is the redemption’s)'),
  value: z
    .number()
    .int()
    .optional()
    .describe("What the points pay, minor units of the program's currency, fixed when redeemed: the points tender must be of exactly this"),
  claimedAt: z.string().nullable().optional().describe('When a sale’s points tender claimed it'),
});
export type Redemption = z.output<typeof RedemptionSchema>;

export const QualifyingItemSchema = z.object({ key: z.string(), at: z.string(), spend: z.number().int(), points });
export type QualifyingItem = z.output<typeof QualifyingItemSchema>;

export const TierStateSchema = z.object({
  code: z.string(),
  since: z.string(),
  qualifiedUntil: z.string().describe('The tier is kept at least until then, even if its threshold is no longer met'),
});
export type TierState = z.output<typeof TierStateSchema>;

const TotalsSchema = z.object({ earned: points, redeemed: points, reversed: points, expired: points });

export const LoyaltyAccountSchema = z
  .object({
    tenantId: z.string(),
    customerId: z.string(),
    lots: z.array(LotSchema),
    owed: points.describe('Points reversed after they were spent: new earnings settle this first'),
    earnings: z.record(z.string(), EarningSchema),
    redemptions: z.record(z.string(), RedemptionSchema),
    qualifying: z.array(QualifyingItemSchema),
    tier: TierStateSchema.nullable(),
    totals: TotalsSchema,
    journal: z.array(LedgerEntrySchema).describe('The newest entries, written with the account: the ledger is never behind the balance'),
    bonuses: z
      .record(z.string(), z.object({ points, reversed: z.boolean(), transactionId: z.string().nullable() }))
      .optional()
      .describe('Bonus points awarded by offers, by award id: each awarded once and reversed at most once'),
    outbox: z
      .array(z.object({ id: z.string(), data: z.unknown() }))
      .optional()
      .describe('`loyalty.points.changed` events written with the change and not yet confirmed published'),
    announcements: z.number().int().optional().describe('How many changes were announced: numbers each event id, deterministic and unique'),
    mergedFrom: z.array(z.string()),
    mergedInto: z.string().nullable().describe("Set on a merged customer's account: everything goes to the survivor's"),
    dueAt: z.string().nullable().describe('When maintenance next has something to do (points to release or expire, a tier to review)'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'LoyaltyAccount' });
export type LoyaltyAccount = z.output<typeof LoyaltyAccountSchema>;

export interface Change {
  account: LoyaltyAccount;
  entries: LedgerEntry[];
}

const JOURNAL_SIZE = 10;
const DAY = 86_400_000;

export function emptyAccount(tenantId: string, customerId: string, now: Date): LoyaltyAccount {
  const at = now.toISOString();
  return {
    tenantId,
    customerId,
    lots: [],
    owed: 0,
    earnings: {},
    redemptions: {},
    qualifying: [],
    tier: null,
    totals: { earned: 0, redeemed: 0, reversed: 0, expired: 0 },
    journal: [],
    mergedFrom: [],
    mergedInto: null,
    dueAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY).toISOString();
}

export function addMonths(iso: string, months: number): string {
  const date = new Date(iso);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.toISOString();
}

const before = (a: string, b: string) => Date.parse(a) <= Date.parse(b);
const isAvailable = (lot: Lot, now: Date) => Date.parse(lot.availableAt) <= now.getTime();
/** Oldest expiry first (never-expiring last), then oldest earned. */
const spendOrder = (a: Lot, b: Lot) =>
  (a.expiresAt ? Date.parse(a.expiresAt) : Infinity) - (b.expiresAt ? Date.parse(b.expiresAt) : Infinity) || Date.parse(a.earnedAt) - Date.parse(b.earnedAt);

export function spendablePoints(account: LoyaltyAccount, now: Date): number {
  if (account.owed > 0) return 0;
  return account.lots.filter((l) => isAvailable(l, now) && !(l.expiresAt && before(l.expiresAt, now.toISOString()))).reduce((n, l) => n + l.remaining, 0);
}

function clone(account: LoyaltyAccount): LoyaltyAccount {
  return structuredClone(account);
}

function record(account: LoyaltyAccount, entries: LedgerEntry[], now: Date): Change {
  account.journal = [...account.journal, ...entries].slice(-JOURNAL_SIZE);
  account.updatedAt = now.toISOString();
  return { account, entries };
}

/** Adds a lot, paying off anything owed first. */
function addLot(account: LoyaltyAccount, lot: Lot): void {
  const settled = Math.min(account.owed, lot.remaining);
  account.owed -= settled;
  const existing = account.lots.find((l) => l.id === lot.id);
  if (existing) existing.remaining += lot.remaining - settled;
  else if (lot.remaining - settled > 0) account.lots.push({ ...lot, remaining: lot.remaining - settled });
}

/** Takes `points` from the given lots in order; returns what each gave and what could not be found. */
function take(lots: Lot[], points: number): { parts: Array<{ lot: Lot; points: number }>; missing: number } {
  const parts: Array<{ lot: Lot; points: number }> = [];
  let missing = points;
  for (const lot of lots) {
    if (missing === 0) break;
    const n = Math.min(lot.remaining, missing);
    if (n === 0) continue;
    lot.remaining -= n;
    missing -= n;
    parts.push({ lot, points: n });
  }
  return { parts, missing };
}

function dropEmptyLots(account: LoyaltyAccount): void {
  account.lots = account.lots.filter((l) => l.remaining > 0);
}

export interface AccrualInput {
  saleId: string;
  occurredAt: string;
  /** When the platform learnt of the sale: pending days count from then when it is later (an offline till, an import). */
  learntAt?: string;
  lines: LinePoints[];
  /** Qualifying spend of the sale, minor units. */
  spend: number;
  /** References of the redemptions the sale paid with. */
  redemptionReferences: string[];
}

/** Credits a sale's points once; undefined when the sale already earned. */
export function accrue(current: LoyaltyAccount, input: AccrualInput, program: LoyaltyProgram, now: Date): Change | undefined {
  if (current.earnings[input.saleId]) return undefined;
  const account = clone(current);
  const points = input.lines.reduce((n, l) => n + l.points, 0);
  const key = `accrual:${input.saleId}`;
  const pendingFrom = input.learntAt && Date.parse(input.learntAt) > Date.parse(input.occurredAt) ? input.learntAt : input.occurredAt;
  const availableAt = addDays(pendingFrom, program.pendingDays);
  const expiresAt = program.expiryMonths === null ? null : addMonths(input.occurredAt, program.expiryMonths);
  account.earnings[input.saleId] = { lines: input.lines, returned: {} };
  addLot(account, { id: key, transactionId: input.saleId, points, remaining: points, earnedAt: input.occurredAt, availableAt, expiresAt });
  account.qualifying.push({ key, at: input.occurredAt, spend: input.spend, points });
  account.totals.earned += points;
  for (const reference of input.redemptionReferences) {
    const redemption = account.redemptions[reference];
    if (redemption && !redemption.transactionId) redemption.transactionId = input.saleId;
  }
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key,
        type: 'accrual',
        points,
        at: now.toISOString(),
        transactionId: input.saleId,
        lines: input.lines,
        availableAt,
        expiresAt,
        programVersion: program.version,
        tier: account.tier?.code ?? null,
      },
    ],
    now,
  );
}

export interface BonusInput {
  /** Unique per award and deterministic (the offer activation that awards it). */
  awardId: string;
  points: number;
  /** Why: the rule that awarded it. */
  reference: string;
  /** The sale that earned it, when a sale did. */
  transactionId: string | null;
}

/**
 * Bonus points, a ledger entry of their own kind: spendable at once, expiring as the program's
 * points do, not counted towards tiers (they are not spend). The same award again changes nothing.
 */
export function awardBonus(current: LoyaltyAccount, input: BonusInput, program: LoyaltyProgram, now: Date): Change | undefined {
  if (current.bonuses?.[input.awardId]) return undefined;
  const account = clone(current);
  const at = now.toISOString();
  const key = `bonus:${input.awardId}`;
  const expiresAt = program.expiryMonths === null ? null : addMonths(at, program.expiryMonths);
  account.bonuses = { ...account.bonuses, [input.awardId]: { points: input.points, reversed: false, transactionId: input.transactionId } };
  addLot(account, { id: key, transactionId: input.transactionId, points: input.points, remaining: input.points, earnedAt: at, availableAt: at, expiresAt });
  account.totals.earned += input.points;
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key,
        type: 'bonus',
        points: input.points,
        at,
        transactionId: input.transactionId,
        reference: input.reference,
        availableAt: at,
        expiresAt,
        programVersion: program.version,
      },
    ],
    now,
  );
}

/**
 * Takes points back from the lot that gave them first, then from other spendable points, then
 * pending ones; what none of them holds is owed (and returned).
 */
function takeBack(account: LoyaltyAccount, lotId: string, points: number, now: Date): number {
  const own = account.lots.filter((l) => l.id === lotId);
  const others = account.lots.filter((l) => l.id !== lotId).sort(spendOrder);
  const ordered = [...own, ...others.filter((l) => isAvailable(l, now)), ...others.filter((l) => !isAvailable(l, now))];
  const { missing } = take(ordered, points);
  account.owed += missing;
  dropEmptyLots(account);
  return missing;
}

/**
 * Takes a bonus back, once: from its own lot first, then as a reversal does (other spendable
 * points, then pending ones, the rest owed). Undefined when it was never awarded or already reversed.
 */
export function reverseBonus(current: LoyaltyAccount, awardId: string, now: Date): Change | undefined {
  const bonus = current.bonuses?.[awardId];
  if (!bonus || bonus.reversed) return undefined;
  const account = clone(current);
  account.bonuses![awardId] = { ...bonus, reversed: true };
  const missing = takeBack(account, `bonus:${awardId}`, bonus.points, now);
  account.totals.reversed += bonus.points;
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key: `bonus-reversal:${awardId}`,
        type: 'bonus-reversal',
        points: -bonus.points,
        at: now.toISOString(),
        transactionId: bonus.transactionId,
        reference: awardId,
        ...(missing > 0 ? { owed: missing } : {}),
      },
    ],
    now,
  );
}

export interface ReversalInput {
  saleId: string;
  returnId: string;
  lines: Array<{ sku: string; quantity: number }>;
  /** The return's amount, taken off the qualifying spend. */
  spend: number;
}

/**
 * Takes back the points of the returned lines, once per return. Policy when they were already
 * spent: first the sale's own lot, then other spendable points (oldest expiry first), then
 * pending ones; whatever is still missing is owed and settled from the next points earned.
 * Nothing is lost and nothing invented: earned - redeemed - reversed - expired = balance - owed.
 */
export function reverse(current: LoyaltyAccount, input: ReversalInput, now: Date): Change | undefined {
  const earning = current.earnings[input.saleId];
  if (!earning || earning.returned[input.returnId]) return undefined;
  const account = clone(current);
  const target = account.earnings[input.saleId]!;
  const returnedUnits = (lineNumber: number) => Object.values(target.returned).reduce((n, byLine) => n + (byLine[String(lineNumber)] ?? 0), 0);

  const byLine: Record<string, number> = {};
  const reversedLines: LinePoints[] = [];
  for (const returned of input.lines) {
    let units = returned.quantity;
    for (const line of target.lines.filter((l) => l.sku === returned.sku)) {
      if (units === 0) break;
      const before = returnedUnits(line.lineNumber) + (byLine[String(line.lineNumber)] ?? 0);
      const n = Math.min(units, line.quantity - before);
      if (n <= 0) continue;
      reversedLines.push({ lineNumber: line.lineNumber, sku: line.sku, quantity: n, points: pointsToReverse(line, before, n) });
      byLine[String(line.lineNumber)] = (byLine[String(line.lineNumber)] ?? 0) + n;
      units -= n;
    }
  }
  target.returned[input.returnId] = byLine;

  const points = reversedLines.reduce((n, l) => n + l.points, 0);
  const key = `reversal:${input.returnId}`;
  const missing = takeBack(account, `accrual:${input.saleId}`, points, now);
  account.qualifying.push({ key, at: now.toISOString(), spend: -input.spend, points: -points });
  account.totals.reversed += points;
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key,
        type: 'reversal',
        points: -points,
        at: now.toISOString(),
        transactionId: input.returnId,
        reference: input.saleId,
        lines: reversedLines,
        ...(missing > 0 ? { owed: missing } : {}),
      },
    ],
    now,
  );
}

/** Debits spendable points, oldest expiry first. The same reference again changes nothing. */
export function redeem(current: LoyaltyAccount, reference: string, points: number, program: LoyaltyProgram, now: Date): Change | undefined {
  const existing = current.redemptions[reference];
  if (existing) {
    if (existing.points !== points || existing.status !== 'active') {
      throw new DomainError('conflict', `Redemption ${reference} exists with ${existing.points} points (${existing.status})`, { reason: 'reference-reused' });
    }
    return undefined;
  }
  if (points < program.redemption.minimumPoints) {
    throw unprocessable('below-minimum', `At least ${program.redemption.minimumPoints} points must be redeemed at once`);
  }
  const spendable = spendablePoints(current, now);
  if (points > spendable) throw unprocessable('insufficient-points', `${points} points requested but ${spendable} are spendable`);
  const account = clone(current);
  const lots = account.lots.filter((l) => isAvailable(l, now)).sort(spendOrder);
  const { parts } = take(lots, points);
  dropEmptyLots(account);
  const at = now.toISOString();
  account.redemptions[reference] = {
    points,
    at,
    status: 'active',
    consumed: parts.map(({ lot, points: n }) => ({
      id: lot.id,
      transactionId: lot.transactionId,
      earnedAt: lot.earnedAt,
      availableAt: lot.availableAt,
      expiresAt: lot.expiresAt,
      points: n,
    })),
    transactionId: null,
    value: Math.floor(points * program.redemption.pointValue),
    claimedAt: null,
  };
  account.totals.redeemed += points;
  const key = `redemption:${reference}`;
  return record(
    account,
    [{ tenantId: account.tenantId, customerId: account.customerId, key, type: 'redemption', points: -points, at, transactionId: null, reference }],
    now,
  );
}

/** What a redemption pays: fixed when redeemed (older redemptions: at the program's value now). */
export function redemptionValue(redemption: Redemption, program: LoyaltyProgram): number {
  return redemption.value ?? Math.floor(redemption.points * program.redemption.pointValue);
}

/**
 * A sale's points tender claims the redemption it names: active, of exactly the tendered value,
 * not claimed by another sale. The same sale again changes nothing.
 */
export function claimRedemption(
  current: LoyaltyAccount,
  reference: string,
  claim: { transactionId: string; amount: number },
  program: LoyaltyProgram,
  now: Date,
): Change | undefined {
  const redemption = current.redemptions[reference];
  if (!redemption) throw unprocessable('tender-redemption-not-found', `The customer has no points redemption ${reference}`);
  if (redemption.status === 'cancelled') throw unprocessable('tender-redemption-cancelled', `Points redemption ${reference} was cancelled`);
  const value = redemptionValue(redemption, program);
  if (value !== claim.amount) throw unprocessable('tender-amount-mismatch', `Points redemption ${reference} pays ${value}, not ${claim.amount}`);
  if (redemption.transactionId === claim.transactionId) return undefined;
  if (redemption.transactionId)
    throw unprocessable('tender-redemption-used', `Points redemption ${reference} pays for another sale (${redemption.transactionId})`);
  const account = clone(current);
  account.redemptions[reference] = { ...redemption, transactionId: claim.transactionId, claimedAt: now.toISOString() };
  return record(account, [], now);
}

/**
 * Gives a redemption's points back to the lots they came from (expiry unchanged). Idempotent.
 * A redemption a sale claimed is refused (return the sale instead), unless `releaseClaimOf`
 * names that sale: the caller found it was never recorded with this tender.
 */
export function cancelRedemption(current: LoyaltyAccount, reference: string, now: Date, releaseClaimOf?: string): Change | undefined {
  const redemption = current.redemptions[reference];
  if (!redemption) throw new DomainError('not-found', `Redemption ${reference} was not found`);
  if (redemption.status === 'cancelled') return undefined;
  if (redemption.transactionId && redemption.transactionId !== releaseClaimOf) {
    throw unprocessable('redemption-used', `Redemption ${reference} paid for transaction ${redemption.transactionId}; return the sale instead`);
  }
  const account = clone(current);
  const target = account.redemptions[reference]!;
  target.status = 'cancelled';
  target.transactionId = null;
  for (const part of target.consumed) addLot(account, { ...part, remaining: part.points });
  account.totals.redeemed -= target.points;
  const at = now.toISOString();
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key: `redemption-cancelled:${reference}`,
        type: 'redemption-cancelled',
        points: target.points,
        at,
        transactionId: null,
        reference,
      },
    ],
    now,
  );
}

/** Qualifying value within the program's window. */
export function qualifyingValue(account: LoyaltyAccount, tiers: NonNullable<LoyaltyProgram['tiers']>, now: Date): number {
  const from = addMonths(now.toISOString(), -tiers.windowMonths);
  return account.qualifying.filter((q) => Date.parse(q.at) > Date.parse(from)).reduce((n, q) => n + (tiers.basis === 'spend' ? q.spend : q.points), 0);
}

function levelFor(levels: TierLevel[], value: number): number {
  let index = 0;
  levels.forEach((level, i) => {
    if (value >= level.threshold) index = i;
  });
  return index;
}

/**
 * What time does to an account: expired points leave (an expiry entry per lot), the tier goes up
 * at once and down only once its grace has passed, and `dueAt` says when to look again.
 * Undefined when nothing changed.
 */
export function settle(current: LoyaltyAccount, program: LoyaltyProgram | undefined, now: Date): Change | undefined {
  const account = clone(current);
  const at = now.toISOString();
  const entries: LedgerEntry[] = [];
  for (const lot of account.lots) {
    if (lot.expiresAt && before(lot.expiresAt, at) && lot.remaining > 0) {
      entries.push({
        tenantId: account.tenantId,
        customerId: account.customerId,
        key: `expiry:${lot.id}`,
        type: 'expiry',
        points: -lot.remaining,
        at,
        transactionId: lot.transactionId,
        expiresAt: lot.expiresAt,
      });
      account.totals.expired += lot.remaining;
      lot.remaining = 0;
    }
  }
  dropEmptyLots(account);

  const tiers = program?.tiers;
  if (tiers) {
    const oldest = addMonths(at, -tiers.windowMonths);
    account.qualifying = account.qualifying.filter((q) => Date.parse(q.at) > Date.parse(oldest));
    const levels = tiers.levels;
    const target = levelFor(levels, qualifyingValue(account, tiers, now));
    const currentIndex = account.tier ? levels.findIndex((l) => l.code === account.tier!.code) : -1;
    const enter = (index: number) => ({
      code: levels[index]!.code,
      since: index === currentIndex ? account.tier!.since : at,
      qualifiedUntil: addMonths(lapseOf(account, tiers, levels[index]!.threshold, now), tiers.graceMonths),
    });
    if (currentIndex < 0 || target >= currentIndex || before(account.tier!.qualifiedUntil, at)) account.tier = enter(target);
  }
  account.dueAt = nextDue(account, program, now);
  if (entries.length === 0 && JSON.stringify({ ...account, updatedAt: '' }) === JSON.stringify({ ...current, updatedAt: '' })) return undefined;
  return record(account, entries, now);
}

/**
 * When the qualifying value will fall below `threshold` as items leave the window, if nothing
 * new comes in: the tier is held from now until then, plus the grace.
 */
function lapseOf(account: LoyaltyAccount, tiers: NonNullable<LoyaltyProgram['tiers']>, threshold: number, now: Date): string {
  const items = [...account.qualifying].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let value = qualifyingValue(account, tiers, now);
  if (value < threshold) return now.toISOString();
  for (const item of items) {
    value -= tiers.basis === 'spend' ? item.spend : item.points;
    if (value < threshold) return addMonths(item.at, tiers.windowMonths);
  }
  return '9999-12-31T00:00:00.000Z';
}

function nextDue(account: LoyaltyAccount, program: LoyaltyProgram | undefined, now: Date): string | null {
  const times: number[] = [];
  for (const lot of account.lots) {
    if (Date.parse(lot.availableAt) > now.getTime()) times.push(Date.parse(lot.availableAt));
    if (lot.expiresAt) times.push(Date.parse(lot.expiresAt));
  }
  const tiers = program?.tiers;
  if (tiers) {
    for (const q of account.qualifying) times.push(Date.parse(addMonths(q.at, tiers.windowMonths)));
    if (account.tier) times.push(Date.parse(account.tier.qualifiedUntil));
  }
  const future = times.filter((t) => t > now.getTime());
  return future.length > 0 ? new Date(Math.min(...future)).toISOString() : null;
}

/** Takes a merged customer's account into the survivor's, once; lots keep their own dates. */
export function absorb(current: LoyaltyAccount, merged: LoyaltyAccount, now: Date): Change | undefined {
  if (current.mergedFrom.includes(merged.customerId)) return undefined;
  const account = clone(current);
  account.mergedFrom.push(merged.customerId);
  const owed = merged.owed;
  for (const lot of merged.lots) addLot(account, structuredClone(lot));
  if (owed > 0) {
    const { missing } = take([...account.lots].sort(spendOrder), owed);
    account.owed += missing;
    dropEmptyLots(account);
  }
  account.earnings = { ...structuredClone(merged.earnings), ...account.earnings };
  account.redemptions = { ...structuredClone(merged.redemptions), ...account.redemptions };
  if (merged.bonuses) account.bonuses = { ...structuredClone(merged.bonuses), ...account.bonuses };
  account.qualifying.push(...structuredClone(merged.qualifying));
  for (const k of Object.keys(account.totals) as Array<keyof LoyaltyAccount['totals']>) account.totals[k] += merged.totals[k];
  const points = merged.lots.reduce((n, l) => n + l.remaining, 0) - owed;
  return record(
    account,
    [
      {
        tenantId: account.tenantId,
        customerId: account.customerId,
        key: `merge:${merged.customerId}`,
        type: 'merge',
        points,
        at: now.toISOString(),
        transactionId: null,
        reference: merged.customerId,
      },
    ],
    now,
  );
}

export const LoyaltySummarySchema = z.object({
  spendable: points,
  pending: points.describe('Earned, not spendable yet (the return window)'),
  owed: points,
  spendableValue: z.number().int().describe("Money value of the spendable points, minor units of the program's currency"),
  currency: z.string(),
  tier: z.object({ code: z.string(), name: z.string(), multiplier: z.number(), since: z.string(), keptUntil: z.string() }).nullable(),
  nextTier: z
    .object({
      code: z.string(),
      name: z.string(),
      threshold: z.number().int(),
      qualifying: z.number().int(),
      remaining: z.number().int(),
      basis: z.enum(['spend', 'points']),
    })
    .nullable(),
  expiringSoon: z.object({ points, within: z.string(), first: z.string().nullable() }),
  totals: TotalsSchema,
});
export type LoyaltySummary = z.output<typeof LoyaltySummarySchema>;

/** The account as a customer or a till sees it at `now`. */
export function summarize(account: LoyaltyAccount, program: LoyaltyProgram, now: Date): LoyaltySummary {
  const at = now.toISOString();
  const live = account.lots.filter((l) => !(l.expiresAt && before(l.expiresAt, at)));
  const spendable = spendablePoints(account, now);
  const pending = live.filter((l) => !isAvailable(l, now)).reduce((n, l) => n + l.remaining, 0);
  const horizon = addDays(at, 30);
  const expiring = live.filter((l) => l.expiresAt && before(l.expiresAt, horizon)).sort(spendOrder);
  const tiers = program.tiers;
  const levels = tiers?.levels ?? [];
  const tierIndex = account.tier ? levels.findIndex((l) => l.code === account.tier!.code) : tiers ? 0 : -1;
  const level = levels[tierIndex];
  const next = levels[tierIndex + 1];
  const qualifying = tiers ? qualifyingValue(account, tiers, now) : 0;
  return {
    spendable,
    pending,
    owed: account.owed,
    spendableValue: Math.floor(spendable * program.redemption.pointValue),
    currency: program.currency,
    tier: level
      ? {
          code: level.code,
          name: level.name,
          multiplier: level.multiplier,
          since: account.tier?.since ?? account.createdAt,
          keptUntil: account.tier?.qualifiedUntil ?? account.createdAt,
        }
      : null,
    nextTier:
      next && tiers
        ? { code: next.code, name: next.name, threshold: next.threshold, qualifying, remaining: Math.max(0, next.threshold - qualifying), basis: tiers.basis }
        : null,
    expiringSoon: { points: expiring.reduce((n, l) => n + l.remaining, 0), within: horizon, first: expiring[0]?.expiresAt ?? null },
    totals: account.totals,
  };
}

/** The multiplier of the customer's tier now (1 without tiers). */
export function tierMultiplier(account: LoyaltyAccount | undefined, program: LoyaltyProgram): number {
  const levels = program.tiers?.levels;
  if (!levels) return 1;
  return levels.find((l) => l.code === account?.tier?.code)?.multiplier ?? levels[0]!.multiplier;
}
