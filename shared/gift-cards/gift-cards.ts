import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DomainError, notFound, unprocessable } from '../kernel/errors';
import { deterministicId, sha256Hex } from '../kernel/ids';
import { assertMayActFor, type Principal } from '../tenancy';
import { CODE_ALPHABET, formatCode, normalizeCode } from '../coupons';
import type { Clock, CreateOutcome, Logger } from '../kernel/ports';
import type { EventOf } from '../kernel/events';
import type { TenderClaim, TransactionRecorded } from '../transactions';

const amount = z.number().int('must be a whole number of minor units (cents)').positive().max(100_000_000_00);
const reference = z.string().trim().min(1).max(128).describe('Your reference for the operation: a repeat with the same one changes nothing');

export const IssueGiftCardInput = z
  .object({
    amount,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    activateOnSale: z.boolean().default(false).describe('Inactive until a sale line names it (giftCardId)'),
    reference,
  })
  .strict();
export type IssueGiftCardInput = z.infer<typeof IssueGiftCardInput>;

export const GiftCardOperationInput = z.object({ amount, reference, locationId: z.string().trim().min(1).max(64).optional() }).strict();
export type GiftCardOperationInput = z.infer<typeof GiftCardOperationInput>;

export const GiftCardLookupInput = z.object({ code: z.string().trim().min(1).max(64), pin: z.string().trim().min(1).max(16) }).strict();
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
  /** Epoch ms; far future when the card never expires. */
  expires: number;
  expiresAt: string | null;
  codeHash: string;
  pinHash: string;
  issuedAt: string;
  ops: Record<string, GiftCardOperation>;
}

export interface GiftCardStore {
  createCodeLookup(tenantId: string, codeHash: string, giftCardId: string): Promise<CreateOutcome>;
  findByCode(tenantId: string, codeHash: string): Promise<string | undefined>;
  create(card: GiftCardRecord): Promise<CreateOutcome>;
  get(tenantId: string, giftCardId: string): Promise<GiftCardRecord | undefined>;
  /**
   * Applies an operation in one atomic step if the card is active, unexpired at `now`, has not seen
   * `op.operationId`, and (for a debit) has the funds: `balanceChange` < 0 needs that much balance,
   * `refundableChange` < 0 needs that much refundable. `applied` carries the card after.
   */
  apply(
    tenantId: string,
    giftCardId: string,
    op: GiftCardOperation,
    change: { balance: number; refundable: number },
    now: number,
  ): Promise<GiftCardRecord | 'refused' | 'missing'>;
  activate(tenantId: string, giftCardId: string, op: GiftCardOperation): Promise<boolean>;
  /** Read, change, replace with the etag (retried on a lost race); `mutate` returns undefined for no change. Undefined when there is no such card. */
  update(tenantId: string, giftCardId: string, mutate: (card: GiftCardRecord) => GiftCardRecord | undefined): Promise<GiftCardRecord | undefined>;
  failedLookups(tenantId: string, keyId: string): Promise<{ failures: number; windowStart: number } | undefined>;
  recordFailedLookup(tenantId: string, keyId: string, now: number, windowMs: number): Promise<void>;
}

export const LOOKUP_FAILURES_ALLOWED = 5;
export const LOOKUP_WINDOW_MS = 15 * 60_000;
const NEVER = 8.64e15;

/**
 * Gift cards: a bearer code and a PIN (hashed) shown once, a balance that only moves by single
 * conditional writes, every operation idempotent on the caller's reference and kept as history.
 */
export class GiftCardService {
  constructor(
    private readonly store: GiftCardStore,
    private readonly clock: Clock,
  ) {}

  async issue(principal: Principal, input: IssueGiftCardInput): Promise<{ created: boolean; card: GiftCardView; code?: string; pin?: string }> {
    const giftCardId = deterministicId('gc', principal.tenantId, 'issue', input.reference);
    const existing = await this.store.get(principal.tenantId, giftCardId);
    if (existing) return { created: false, card: view(existing) };
    const code = [...randomBytes(16)].map((b) => CODE_ALPHABET[b & 31]).join('');
    const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.clock.now().toISOString();
    const codeHash = sha256Hex(code);
    await this.store.createCodeLookup(principal.tenantId, codeHash, giftCardId);
    const issueOp = this.operation(principal, 'issue', input.amount, input.reference, undefined);
    const card: GiftCardRecord = {
      tenantId: principal.tenantId,
      giftCardId,
      currency: input.currency,
      balance: input.amount,
      refundable: 0,
      status: input.activateOnSale ? 'inactive' : 'active',
      expires: input.expiresAt ? Date.parse(input.expiresAt) : NEVER,
      expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
      codeHash,
      pinHash: hashPin(pin),
      issuedAt: now,
      ops: { [issueOp.operationId]: issueOp },
    };
    if ((await this.store.create(card)) === 'exists') return { created: false, card: view((await this.store.get(principal.tenantId, giftCardId))!) };
    return { created: true, card: view(card), code: formatCode(code), pin };
  }

  /** Code and PIN to id and balance; throttled per API key after repeated failures. */
  async lookup(principal: Principal, input: GiftCardLookupInput): Promise<GiftCardView> {
    const now = this.clock.now().getTime();
    const throttle = await this.store.failedLookups(principal.tenantId, principal.keyId);
    if (throttle && throttle.failures >= LOOKUP_FAILURES_ALLOWED && now - throttle.windowStart < LOOKUP_WINDOW_MS) {
      const retryAfter = Math.ceil((throttle.windowStart + LOOKUP_WINDOW_MS - now) / 1000);
      throw new DomainError('too-many-requests', `Too many failed gift card lookups with this API key; retry in ${retryAfter} s`, {
        reason: 'lookup-throttled',
      });
    }
    const codeHash = sha256Hex(normalizeCode(input.code));
    const giftCardId = await this.store.findByCode(principal.tenantId, codeHash);
    const card = giftCardId ? await this.store.get(principal.tenantId, giftCardId) : undefined;
    if (!card || card.codeHash !== codeHash || !pinMatches(input.pin, card.pinHash)) {
      await this.store.recordFailedLookup(principal.tenantId, principal.keyId, now, LOOKUP_WINDOW_MS);
      throw notFound('A gift card with this code and PIN');
    }
    return view(card);
  }

  async get(tenantId: string, giftCardId: string): Promise<GiftCardWithHistory> {
    const card = await this.require(tenantId, giftCardId);
    return { ...view(card), history: Object.values(card.ops).sort((a, b) => a.at.localeCompare(b.at)) };
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

  reload(principal: Principal, giftCardId: string, input: GiftCardOperationInput) {
    return this.move(principal, giftCardId, 'reload', input, { balance: input.amount, refundable: 0 });
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

  /** `transaction.recorded`: each sale line that names a gift card activates it; idempotent. */
  async handle(event: EventOf<typeof TransactionRecorded>, log: Logger): Promise<number> {
    const tx = event.data;
    if (tx.type !== 'sale') return 0;
    let activated = 0;
    for (const line of tx.lines) {
      if (line.giftCardId && (await this.activateOnSale(event.tenantid, line.giftCardId, tx.transactionId, tx.locationId))) activated += 1;
    }
    if (activated > 0) log.log('info', 'gift cards activated by a sale', { transactionId: tx.transactionId, activated });
    return activated;
  }

  /** A sale line that names the card activates it (cards sold with `activateOnSale`). */
  async activateOnSale(tenantId: string, giftCardId: string, transactionId: string, locationId: string): Promise<boolean> {
    const op: GiftCardOperation = {
      operationId: deterministicId('gco', tenantId, giftCardId, 'activation'),
      type: 'activation',
      amount: 0,
      reference: transactionId,
      channel: 'sale',
      locationId,
      at: this.clock.now().toISOString(),
    };
    return this.store.activate(tenantId, giftCardId, op);
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
    const outcome = await this.store.apply(principal.tenantId, giftCardId, op, change, now);
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
    throw unprocessable('refund-exceeds-redeemed', `At most ${card.refundable} can be refunded to this card`);
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

function view(card: GiftCardRecord): GiftCardView {
  return {
    giftCardId: card.giftCardId,
    currency: card.currency,
    balance: card.balance,
    status: card.status,
    expiresAt: card.expiresAt,
    issuedAt: card.issuedAt,
  };
}

function hashPin(pin: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(pin, salt, 32).toString('base64')}`;
}

function pinMatches(pin: string, stored: string): boolean {
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64');
  return timingSafeEqual(scryptSync(pin, Buffer.from(salt!, 'base64'), expected.length), expected);
}
