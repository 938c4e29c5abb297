import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { codeField, idField } from '../kernel/id-rules';
import { DomainError, notFound, throttled, unprocessable } from '../kernel/errors';
import { deterministicId, sha256Hex } from '../kernel/ids';
import { assertMayActFor, type Principal } from '../tenancy';
import { CODE_ALPHABET, formatCode, normalizeCode } from '../coupons';
import type { Clock, CreateOutcome, Logger } from '../kernel/ports';
import type { EventOf } from '../kernel/events';
import type { TenderClaim, TransactionRecorded, TransactionView } from '../transactions';
import { DEFAULT_GIFT_CARD_SETTINGS, type GiftCardSettings, type GiftCardSettingsInput } from './settings';

const amount = z.number().int('must be a whole number of minor units (cents)').positive().max(100_000_000_00);
const reference = z.string().trim().min(1).max(128).describe('Your reference for the operation: a repeat with the same one changes nothing');

export const IssueGiftCardInput = z
  .object({
    amount,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    activateOnSale: z
      .boolean()
      .default(false)
      .describe('Inactive, with nothing on it, until a sale line of exactly `amount` names it (giftCardId); pos and ecommerce keys issue only these'),
    reference,
  })
  .strict();
export type IssueGiftCardInput = z.infer<typeof IssueGiftCardInput>;

export const GiftCardOperationInput = z.object({ amount, reference, locationId: idField(64).optional() }).strict();
export type GiftCardOperationInput = z.infer<typeof GiftCardOperationInput>;

export const GiftCardLookupInput = z.object({ code: codeField(64), pin: z.string().trim().min(1).max(16) }).strict();
export type GiftCardLookupInput = z.infer<typeof GiftCardLookupInput>;

export const GiftCardOperationType = z.enum(['issue', 'activation', 'redemption', 'refund', 'reload']);
export type GiftCardOperationType = z.output<typeof GiftCardOperationType>;

export const GiftCardOperationSchema = z.object({
  operationId: z.string().describe('For a redemption, what the sale’s giftCard tender carries as `reference`'),
  type: GiftCardOperationType,
  amount: z.number().int().describe('Minor units; 0 for an activation'),
  reference: z.string(),
  channel: z.enum(['store', 'online', 'admin', 'sale']),
  locationId: z.string().nullable(),
  at: z.string(),
  transactionId: z.string().nullable().optional().describe('A redemption: the sale whose giftCard tender claimed it (one sale only)'),
});
export type GiftCardOperation = z.output<typeof GiftCardOperationSchema>;

/** A card as the API shows it: never its code or PIN (see `IssuedGiftCardSchema`). */
export const GiftCardViewSchema = z
  .object({
    giftCardId: z.string(),
    currency: z.string(),
    balance: z.number().int().describe('Minor units'),
    status: z.enum(['inactive', 'active']).describe('Inactive until a sale line names it (cards issued with activateOnSale)'),
    locked: z.boolean().describe('Locked after repeated wrong PINs: lookups are refused until an admin unlocks it'),
    faceValue: z.number().int().nullable().describe('Cards issued with activateOnSale: what the sale line that activates it must total (and loads)'),
    expiresAt: z.string().nullable(),
    issuedAt: z.string(),
  })
  .meta({ id: 'GiftCard' });
export type GiftCardView = z.output<typeof GiftCardViewSchema>;

export const IssuedGiftCardSchema = GiftCardViewSchema.extend({
  code: z.string().describe('The bearer code, shown this once'),
  pin: z.string().describe('Shown this once'),
}).meta({ id: 'IssuedGiftCard' });

export const GiftCardWithHistorySchema = GiftCardViewSchema.extend({
  history: z.array(GiftCardOperationSchema).describe('Every operation, oldest first'),
}).meta({ id: 'GiftCardWithHistory' });
export type GiftCardWithHistory = z.output<typeof GiftCardWithHistorySchema>;

/** What an operation on a card answers: the operation and the card's balance after it. */
export const GiftCardOperationResultSchema = GiftCardOperationSchema.extend({
  giftCardId: z.string(),
  balance: z.number().int().describe('After the operation (now, for a repeat)'),
  currency: z.string(),
}).meta({ id: 'GiftCardOperationResult' });
export type GiftCardOperationResult = z.output<typeof GiftCardOperationResultSchema>;

export function operationResultView(operation: GiftCardOperation, card: GiftCardView): GiftCardOperationResult {
  return { ...operation, giftCardId: card.giftCardId, balance: card.balance, currency: card.currency };
}

export interface GiftCardRecord {
  tenantId: string;
  giftCardId: string;
  currency: string;
  /** Field names the store's conditions read are lower-case (see Documents.patchIf). */
  balance: number;
  /** What was redeemed and not yet refunded: a refund can never exceed it. */
  refundable: number;
  status: 'inactive' | 'active';
  /** What the activating sale line must total (cards issued with activateOnSale). */
  faceValue?: number | null;
  /** Epoch ms; far future when the card never expires. */
  expires: number;
  expiresAt: string | null;
  codeHash: string;
  pinHash: string;
  /** Wrong PINs in a row (lower-case: conditions read it). */
  pinstrikes?: number;
  /** Set after LOCK_AFTER_STRIKES wrong PINs in a row; cleared by an admin. */
  locked?: boolean;
  issuedAt: string;
  ops: Record<string, GiftCardOperation>;
}

export interface GiftCardStore {
  createCodeLookup(tenantId: string, codeHash: string, giftCardId: string): Promise<CreateOutcome>;
  findByCode(tenantId: string, codeHash: string): Promise<string | undefined>;
  create(card: GiftCardRecord): Promise<CreateOutcome>;
  get(tenantId: string, giftCardId: string): Promise<GiftCardRecord | undefined>;
  /**
   * Applies an operation in one atomic step if the card is active (inactive, and then activates
   * it, with `activate`), unexpired at `now`, has not seen `op.operationId`, and (for a debit) has
   * the funds: `balanceChange` < 0 needs that much balance, `refundableChange` < 0 needs that much
   * refundable; a credit may not take the balance above `maxBalance`. `applied` carries the card after.
   */
  apply(
    tenantId: string,
    giftCardId: string,
    op: GiftCardOperation,
    change: { balance: number; refundable: number },
    now: number,
    limits?: { maxBalance?: number; activate?: boolean },
  ): Promise<GiftCardRecord | 'refused' | 'missing'>;
  getSettings(tenantId: string): Promise<GiftCardSettings | undefined>;
  saveSettings(tenantId: string, settings: GiftCardSettings): Promise<void>;
  /** Read, change, replace with the etag (retried on a lost race); `mutate` returns undefined for no change. Undefined when there is no such card. */
  update(tenantId: string, giftCardId: string, mutate: (card: GiftCardRecord) => GiftCardRecord | undefined): Promise<GiftCardRecord | undefined>;
  /**
   * Takes one of the `limit` PIN checks of the current window for `subject` (an API key or a card)
   * in one atomic step; the window starts with its first check and lasts `windowMs`.
   */
  takeAttempt(
    tenantId: string,
    subject: string,
    now: number,
    windowMs: number,
    limit: number,
  ): Promise<{ taken: true; since: number } | { taken: false; until: number }>;
  /** Gives back a check taken in the window that started at `since` (the lookup succeeded, or checked no PIN). */
  returnAttempt(tenantId: string, subject: string, since: number): Promise<void>;
  /** Forgets the subject's window (an admin unlocked the card). */
  clearAttempts(tenantId: string, subject: string): Promise<void>;
  /** Counts a wrong PIN against the card, atomically; returns the wrong PINs in a row. */
  addStrike(tenantId: string, giftCardId: string): Promise<number>;
  /** Sets the card's strikes and lock. */
  setLock(tenantId: string, giftCardId: string, state: { pinstrikes: number; locked: boolean }): Promise<void>;
}

/** PIN checks an API key may fail in a window, and a card may have failed in a window (whichever keys). */
export const LOOKUP_FAILURES_ALLOWED = 5;
export const LOOKUP_WINDOW_MS = 15 * 60_000;
/** Wrong PINs in a row after which a card is locked until an admin unlocks it. */
export const LOCK_AFTER_STRIKES = 10;
const NEVER = 8.64e15;
const SETTINGS_CACHE_MS = 30_000;

/**
 * Gift cards: a bearer code and a PIN (hashed) shown once, a balance that only moves by single
 * conditional writes, every operation idempotent on the caller's reference and kept as history.
 */
export class GiftCardService {
  private readonly settingsCache = new Map<string, { settings: GiftCardSettings; until: number }>();

  constructor(
    private readonly store: GiftCardStore,
    private readonly clock: Clock,
  ) {}

  /** The tenant's gift card settings (defaults until set); read through a 30 s cache, written through. */
  async settings(tenantId: string, fresh = false): Promise<GiftCardSettings> {
    const cached = this.settingsCache.get(tenantId);
    if (!fresh && cached && cached.until > Date.now()) return cached.settings;
    const settings = (await this.store.getSettings(tenantId)) ?? DEFAULT_GIFT_CARD_SETTINGS;
    this.settingsCache.set(tenantId, { settings, until: Date.now() + SETTINGS_CACHE_MS });
    return settings;
  }

  async saveSettings(tenantId: string, input: GiftCardSettingsInput): Promise<GiftCardSettings> {
    const settings: GiftCardSettings = { ...input, updatedAt: this.clock.now().toISOString() };
    await this.store.saveSettings(tenantId, settings);
    this.settingsCache.set(tenantId, { settings, until: Date.now() + SETTINGS_CACHE_MS });
    return settings;
  }

  /**
   * Money enters a card only through a sale line that names it, or an admin key: pos and
   * ecommerce keys issue cards with `activateOnSale` only (nothing on them until the sale).
   */
  async issue(principal: Principal, input: IssueGiftCardInput): Promise<{ created: boolean; card: GiftCardView; code?: string; pin?: string }> {
    if (principal.role !== 'admin' && !input.activateOnSale) {
      throw new DomainError('forbidden', 'A pos or ecommerce key issues gift cards with activateOnSale only: the sale line that names the card loads it', {
        reason: 'gift-card-issue-requires-admin',
      });
    }
    const giftCardId = deterministicId('gc', principal.tenantId, 'issue', input.reference);
    const existing = await this.store.get(principal.tenantId, giftCardId);
    if (existing) return { created: false, card: view(existing) };
    const { maxBalance } = await this.settings(principal.tenantId);
    if (input.amount > maxBalance) throw capExceeded(maxBalance);
    const code = [...randomBytes(16)].map((b) => CODE_ALPHABET[b & 31]).join('');
    const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.clock.now().toISOString();
    const codeHash = sha256Hex(code);
    await this.store.createCodeLookup(principal.tenantId, codeHash, giftCardId);
    const issueOp = this.operation(principal, 'issue', input.activateOnSale ? 0 : input.amount, input.reference, undefined);
    const card: GiftCardRecord = {
      tenantId: principal.tenantId,
      giftCardId,
      currency: input.currency,
      balance: input.activateOnSale ? 0 : input.amount,
      refundable: 0,
      status: input.activateOnSale ? 'inactive' : 'active',
      faceValue: input.activateOnSale ? input.amount : null,
      expires: input.expiresAt ? Date.parse(input.expiresAt) : NEVER,
      expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
      codeHash,
      pinHash: await hashPin(pin),
      issuedAt: now,
      ops: { [issueOp.operationId]: issueOp },
    };
    if ((await this.store.create(card)) === 'exists') return { created: false, card: view((await this.store.get(principal.tenantId, giftCardId))!) };
    return { created: true, card: view(card), code: formatCode(code), pin };
  }

  /**
   * Code and PIN to id and balance. Each PIN check first takes one of the 5 checks a window allows
   * the API key, then one of the 5 the card allows (whichever keys ask), each in one atomic write:
   * however many lookups arrive at once, at most 5 PINs a window are checked per key and per card.
   * A lookup that succeeds (or checks no PIN) gives its checks back, so only failures count. Ten
   * wrong PINs in a row lock the card until an admin unlocks it. The PIN is checked with
   * asynchronous scrypt, off the event loop.
   */
  async lookup(principal: Principal, input: GiftCardLookupInput): Promise<GiftCardView> {
    const { tenantId } = principal;
    const now = this.clock.now().getTime();
    const keySubject = `key:${principal.keyId}`;
    const keyCheck = await this.store.takeAttempt(tenantId, keySubject, now, LOOKUP_WINDOW_MS, LOOKUP_FAILURES_ALLOWED);
    if (!keyCheck.taken) throw throttled('lookup-throttled', 'Too many failed gift card lookups with this API key', keyCheck.until - now);
    const giveBack = async (...checks: Array<[string, number]>) => {
      await Promise.all(checks.map(([subject, since]) => this.store.returnAttempt(tenantId, subject, since)));
    };

    const codeHash = sha256Hex(normalizeCode(input.code));
    const giftCardId = await this.store.findByCode(tenantId, codeHash);
    const card = giftCardId ? await this.store.get(tenantId, giftCardId) : undefined;
    if (!card || card.codeHash !== codeHash) {
      // Unknown code: the key's check stays spent; as long as a real check, so timing tells nothing.
      await pinMatches(input.pin, DUMMY_PIN_HASH);
      throw notFound('A gift card with this code and PIN');
    }
    if (card.locked) {
      await giveBack([keySubject, keyCheck.since]);
      throw unprocessable('gift-card-locked', 'The gift card is locked after repeated wrong PINs; an admin can unlock it');
    }
    const cardSubject = `card:${card.giftCardId}`;
    const cardCheck = await this.store.takeAttempt(tenantId, cardSubject, now, LOOKUP_WINDOW_MS, LOOKUP_FAILURES_ALLOWED);
    if (!cardCheck.taken) {
      await giveBack([keySubject, keyCheck.since]);
      throw throttled('card-lookup-throttled', 'Too many wrong PINs for this gift card', cardCheck.until - now);
    }
    if (!(await pinMatches(input.pin, card.pinHash))) {
      const strikes = await this.store.addStrike(tenantId, card.giftCardId);
      if (strikes >= LOCK_AFTER_STRIKES) await this.store.setLock(tenantId, card.giftCardId, { pinstrikes: strikes, locked: true });
      throw notFound('A gift card with this code and PIN');
    }
    await Promise.all([
      giveBack([keySubject, keyCheck.since], [cardSubject, cardCheck.since]),
      card.pinstrikes ? this.store.setLock(tenantId, card.giftCardId, { pinstrikes: 0, locked: false }) : undefined,
    ]);
    return view(card);
  }

  /** Admin: lets a locked card be looked up again (its wrong PINs forgotten). */
  async unlock(tenantId: string, giftCardId: string): Promise<GiftCardView> {
    await this.require(tenantId, giftCardId);
    await this.store.setLock(tenantId, giftCardId, { pinstrikes: 0, locked: false });
    await this.store.clearAttempts(tenantId, `card:${giftCardId}`);
    return view(await this.require(tenantId, giftCardId));
  }

  async get(tenantId: string, giftCardId: string): Promise<GiftCardWithHistory> {
    const card = await this.require(tenantId, giftCardId);
    return { ...view(card), history: Object.values(card.ops).sort((a, b) => a.at.localeCompare(b.at)) };
  }

  /**
   * What a sale's receipt prints for each giftCard tender: the balance its card held right after
   * that redemption (later operations on the card are taken back out, so a receipt issued late
   * still prints the figure of its sale).
   */
  async receiptExtras(tenantId: string, tx: TransactionView): Promise<{ giftCards?: Array<{ reference: string; balanceLeft: number }> }> {
    if (tx.type !== 'sale') return {};
    const giftCards: Array<{ reference: string; balanceLeft: number }> = [];
    for (const tender of tx.tenders) {
      const giftCardId = tender.type === 'giftCard' && tender.reference ? giftCardOfRedemption(tender.reference) : undefined;
      const card = giftCardId && (await this.store.get(tenantId, giftCardId));
      const redemption = card && card.ops[tender.reference!];
      if (!card || !redemption) continue;
      const later = Object.values(card.ops).filter((op) => op.at > redemption.at);
      giftCards.push({ reference: tender.reference!, balanceLeft: card.balance - later.reduce((n, op) => n + effectOf(op), 0) });
    }
    return giftCards.length > 0 ? { giftCards } : {};
  }

  /** For receipts: the balance left on a card. */
  async balance(tenantId: string, giftCardId: string): Promise<{ balance: number; currency: string } | undefined> {
    const card = await this.store.get(tenantId, giftCardId);
    return card && { balance: card.balance, currency: card.currency };
  }

  redeem(principal: Principal, giftCardId: string, input: GiftCardOperationInput) {
    return this.move(principal, giftCardId, 'redemption', input, { balance: -input.amount, refundable: input.amount });
  }

  refund(principal: Principal, giftCardId: string, input: GiftCardOperationInput) {
    return this.move(principal, giftCardId, 'refund', input, { balance: input.amount, refundable: -input.amount });
  }

  /** Admin keys only (the route says so); a till or web shop reloads a card by selling it on a sale line. */
  reload(principal: Principal, giftCardId: string, input: GiftCardOperationInput) {
    return this.move(principal, giftCardId, 'reload', input, { balance: input.amount, refundable: 0 });
  }

  /**
   * Before a sale is recorded (`saleChecks`): each line naming a gift card must name a card of this
   * tenant, in the sale's currency, not expired; an inactive card's line must total its face value;
   * and the load must keep the card within the balance cap. The load itself happens once the sale
   * is recorded (`handle`), so money enters a card only through a recorded sale.
   */
  async checkSale(
    tenantId: string,
    sale: { type: 'sale' | 'return'; currency: string; lines: Array<{ giftCardId?: string; total: number; lineNumber: number }> },
  ) {
    if (sale.type !== 'sale') return;
    const lines = sale.lines.filter((l) => l.giftCardId);
    if (lines.length === 0) return;
    const { maxBalance } = await this.settings(tenantId);
    const loads = new Map<string, number>();
    for (const line of lines) loads.set(line.giftCardId!, (loads.get(line.giftCardId!) ?? 0) + line.total);
    for (const line of lines) {
      const card = await this.store.get(tenantId, line.giftCardId!);
      const at = `Line ${line.lineNumber}: gift card ${line.giftCardId}`;
      if (!card) throw unprocessable('gift-card-not-found', `${at} was not found`);
      if (card.currency !== sale.currency) throw unprocessable('gift-card-currency-mismatch', `${at} is in ${card.currency}`);
      if (card.expires <= this.clock.now().getTime()) throw unprocessable('gift-card-expired', `${at} has expired`);
      if (card.status === 'inactive' && typeof card.faceValue === 'number' && line.total !== card.faceValue)
        throw unprocessable('gift-card-amount-mismatch', `${at} is a card of ${card.faceValue}; the line totals ${line.total}`);
      if (card.balance + loads.get(line.giftCardId!)! > maxBalance) throw capExceeded(maxBalance);
    }
  }

  /**
   * A sale's giftCard tender claims the redemption it names (`reference` = the redemption's
   * `operationId`): it must be a redemption of this tenant, of exactly the tendered amount and
   * currency, not claimed by another sale. The claim is one etag-checked write of the card;
   * the same sale claiming again (a retry) changes nothing.
   */
  async claimTender(tenantId: string, claim: TenderClaim): Promise<void> {
    const giftCardId = giftCardOfRedemption(claim.reference);
    let refusal: DomainError | undefined;
    const notFound = () => unprocessable('tender-redemption-not-found', `No gift card redemption ${claim.reference} in this tenant`);
    const card =
      giftCardId &&
      (await this.store.update(tenantId, giftCardId, (current) => {
        refusal = undefined;
        const op = current.ops[claim.reference];
        if (!op || op.type !== 'redemption') refusal = notFound();
        else if (op.amount !== claim.amount || current.currency !== claim.currency)
          refusal = unprocessable(
            'tender-amount-mismatch',
            `Redemption ${claim.reference} is of ${op.amount} ${current.currency}, not ${claim.amount} ${claim.currency}`,
          );
        else if (op.transactionId && op.transactionId !== claim.transactionId)
          refusal = unprocessable('tender-redemption-used', `Redemption ${claim.reference} pays for another sale (${op.transactionId})`);
        if (refusal || op!.transactionId === claim.transactionId) return undefined;
        return { ...current, ops: { ...current.ops, [claim.reference]: { ...op!, transactionId: claim.transactionId } } };
      }));
    if (!card) throw notFound();
    if (refusal) throw refusal;
  }

  /**
   * `transaction.recorded`: each sale line that names a gift card loads it with the line's total,
   * what was paid for it: an inactive card is activated with it, an active one reloaded. Once per
   * sale line (the operation id derives from it), within the balance cap.
   */
  async handle(event: EventOf<typeof TransactionRecorded>, log: Logger): Promise<number> {
    const tx = event.data;
    if (tx.type !== 'sale') return 0;
    let loaded = 0;
    for (const line of tx.lines) {
      if (!line.giftCardId) continue;
      const outcome = await this.loadFromSale(event.tenantid, line.giftCardId, tx, line);
      if (outcome === 'loaded') loaded += 1;
      else if (outcome !== 'done')
        log.log('warn', 'a gift card sold on a sale line was not loaded', { transactionId: tx.transactionId, lineNumber: line.lineNumber, reason: outcome });
    }
    if (loaded > 0) log.log('info', 'gift cards loaded by a sale', { transactionId: tx.transactionId, loaded });
    return loaded;
  }

  /** Loads a card from a sale line: `done` when this line already loaded it. */
  async loadFromSale(
    tenantId: string,
    giftCardId: string,
    tx: { transactionId: string; locationId: string; currency: string },
    line: { lineNumber: number; total: number },
  ): Promise<'loaded' | 'done' | 'gift-card-not-found' | 'gift-card-currency-mismatch' | 'gift-card-expired' | 'gift-card-balance-cap'> {
    const operationId = deterministicId('gco', tenantId, giftCardId, 'sale', tx.transactionId, String(line.lineNumber));
    const { maxBalance } = await this.settings(tenantId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const card = await this.store.get(tenantId, giftCardId);
      if (!card) return 'gift-card-not-found';
      if (card.ops[operationId]) return 'done';
      if (card.currency !== tx.currency) return 'gift-card-currency-mismatch';
      const activate = card.status === 'inactive';
      const op: GiftCardOperation = {
        operationId,
        type: activate ? 'activation' : 'reload',
        amount: line.total,
        reference: tx.transactionId,
        channel: 'sale',
        locationId: tx.locationId,
        at: this.clock.now().toISOString(),
      };
      const now = this.clock.now().getTime();
      const outcome = await this.store.apply(tenantId, giftCardId, op, { balance: line.total, refundable: 0 }, now, { maxBalance, activate });
      if (outcome === 'missing') return 'gift-card-not-found';
      if (outcome !== 'refused') return 'loaded';
      if (card.expires <= now) return 'gift-card-expired';
      if (card.balance + line.total > maxBalance) return 'gift-card-balance-cap';
      // The card changed meanwhile (activated, loaded, spent): look again.
    }
    return 'gift-card-balance-cap';
  }

  /**
   * One conditional write on the happy path. A refusal is explained by one read: a repeat of an
   * operation already applied answers as the first time did.
   */
  private async move(
    principal: Principal,
    giftCardId: string,
    type: GiftCardOperationType,
    input: GiftCardOperationInput,
    change: { balance: number; refundable: number },
  ) {
    if (input.locationId) assertMayActFor(principal, input.locationId);
    const op = this.operation(principal, type, input.amount, input.reference, input.locationId, giftCardId);
    const now = this.clock.now().getTime();
    const maxBalance = change.balance > 0 ? (await this.settings(principal.tenantId)).maxBalance : undefined;
    const outcome = await this.store.apply(principal.tenantId, giftCardId, op, change, now, { maxBalance });
    if (outcome === 'missing') throw notFound(`Gift card ${giftCardId}`);
    if (outcome !== 'refused') return { replayed: false, operation: op, card: view(outcome) };
    const card = await this.require(principal.tenantId, giftCardId);
    const earlier = card.ops[op.operationId];
    if (earlier) {
      if (earlier.type !== type || earlier.amount !== input.amount)
        throw new DomainError('conflict', `Reference ${input.reference} was already used for another operation`);
      return { replayed: true, operation: earlier, card: view(card) };
    }
    if (card.status !== 'active') throw unprocessable('gift-card-not-active', 'The gift card is not active yet');
    if (card.expires <= now) throw unprocessable('gift-card-expired', 'The gift card has expired');
    if (change.balance < 0) throw unprocessable('insufficient-balance', `The gift card has ${card.balance} left`);
    if (change.refundable < 0 && card.refundable < -change.refundable)
      throw unprocessable('refund-exceeds-redeemed', `At most ${card.refundable} can be refunded to this card`);
    throw capExceeded(maxBalance!);
  }

  private operation(
    principal: Principal,
    type: GiftCardOperationType,
    amount: number,
    reference: string,
    locationId: string | undefined,
    giftCardId = '',
  ): GiftCardOperation {
    const channel = principal.role === 'pos' ? 'store' : principal.role === 'ecommerce' ? 'online' : 'admin';
    return {
      // The id of a redemption is what a giftCard tender's `reference` carries: it names its card.
      operationId:
        type === 'redemption'
          ? redemptionIdOf(principal.tenantId, giftCardId, reference)
          : deterministicId('gco', principal.tenantId, giftCardId, type, reference),
      type,
      amount,
      reference,
      channel,
      locationId: locationId ?? null,
      at: this.clock.now().toISOString(),
    };
  }

  private async require(tenantId: string, giftCardId: string): Promise<GiftCardRecord> {
    const card = await this.store.get(tenantId, giftCardId);
    if (!card) throw notFound(`Gift card ${giftCardId}`);
    return card;
  }
}

/** A redemption's id: `gcr_<card>_<operation>`, so a giftCard tender's reference leads to its card with no lookup. */
export function redemptionIdOf(tenantId: string, giftCardId: string, reference: string): string {
  return `gcr_${giftCardId.replace(/^gc_/, '')}_${deterministicId('x', tenantId, giftCardId, 'redemption', reference).slice(2, 18)}`;
}

/** The card a redemption id names, or undefined when it is not one. */
export function giftCardOfRedemption(operationId: string): string | undefined {
  const match = /^gcr_([0-9a-z]{26})_[0-9a-z]{16}$/.exec(operationId);
  return match ? `gc_${match[1]}` : undefined;
}

/** What an operation did to a card's balance. */
function effectOf(op: GiftCardOperation): number {
  return op.type === 'redemption' ? -op.amount : op.amount;
}

function capExceeded(maxBalance: number): DomainError {
  return unprocessable('gift-card-balance-cap', `No gift card may hold more than ${maxBalance} (the tenant's gift card settings)`);
}

function view(card: GiftCardRecord): GiftCardView {
  return {
    giftCardId: card.giftCardId,
    currency: card.currency,
    balance: card.balance,
    status: card.status,
    locked: card.locked ?? false,
    faceValue: card.faceValue ?? null,
    expiresAt: card.expiresAt,
    issuedAt: card.issuedAt,
  };
}

/** scrypt on libuv's thread pool: a PIN check never blocks the event loop. */
function scryptAsync(secret: string, salt: Buffer, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, length, (error, key) => (error ? reject(error) : resolve(key))));
}

async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${(await scryptAsync(pin, salt, 32)).toString('base64')}`;
}

async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64');
  return timingSafeEqual(await scryptAsync(pin, Buffer.from(salt!, 'base64'), expected.length), expected);
}

/** A hash no PIN matches (a fixed salt and digest), checked for unknown codes so they take as long as known ones. */
const DUMMY_PIN_HASH = `scrypt$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
