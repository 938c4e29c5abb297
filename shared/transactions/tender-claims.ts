import { extensionPoint } from '../kernel/extensions';
import { unprocessable } from '../kernel/errors';
import type { TransactionRecord } from './transactions';

/** What a sale's tender claims of another capability: the redemption it names, for this sale. */
export interface TenderClaim {
  transactionId: string;
  /** The redemption the tender names (a gift card redemption's `operationId`, a points redemption's `reference`). */
  reference: string;
  /** Minor units of `currency`: the redemption must be worth exactly this. */
  amount: number;
  currency: string;
  /** The sale's customer (points redemptions belong to one). */
  customerId: string | null;
}

/**
 * A tender type paid with something another capability keeps. `claim` marks the redemption as
 * used by this transaction in one atomic write: idempotent for the same transaction (a retry of
 * the sale claims again and succeeds), refused with a stable `reason` otherwise (not found in
 * this tenant, another amount, used by another sale, cancelled).
 */
export interface TenderClaimer {
  tenderType: 'giftCard' | 'points';
  claim(tenantId: string, claim: TenderClaim): Promise<void>;
}

/** One contributor per tender type (gift cards, loyalty points). */
export const tenderClaims = extensionPoint<TenderClaimer>('transactions.tenderClaims');

/** A check another capability makes before a sale is recorded (gift cards sold on its lines); throws a DomainError to refuse it. */
export interface SaleCheck {
  name: string;
  check(tenantId: string, sale: TransactionRecord): Promise<void>;
}

export const saleChecks = extensionPoint<SaleCheck>('transactions.saleChecks');

/** Tender types that must name a redemption another capability claims. */
export const CLAIMED_TENDERS: ReadonlyArray<TransactionRecord['tenders'][number]['type']> = ['giftCard', 'points'];

/**
 * Claims every gift card and points tender of a sale, in the order given, before the sale is
 * recorded. A refusal stops the sale (422 with the claimer's reason); claims already made stay
 * with this transaction id, so the sale's retry succeeds (see README, "Tenders").
 */
export async function claimTenders(claimers: readonly TenderClaimer[], record: TransactionRecord): Promise<number> {
  if (record.type !== 'sale') return 0;
  const tenders = record.tenders.filter((t) => CLAIMED_TENDERS.includes(t.type));
  const seen = new Set<string>();
  for (const tender of tenders) {
    if (!tender.reference) {
      throw unprocessable('tender-reference-required', `A ${tender.type} tender must name its redemption in reference`);
    }
    const key = `${tender.type}:${tender.reference}`;
    if (seen.has(key)) throw unprocessable('tender-reference-repeated', `Redemption ${tender.reference} is tendered twice in this sale`);
    seen.add(key);
  }
  for (const tender of tenders) {
    const claimer = claimers.find((c) => c.tenderType === tender.type);
    if (!claimer) throw unprocessable('tender-not-supported', `${tender.type} tenders cannot be accepted on this platform`);
    await claimer.claim(record.tenantId, {
      transactionId: record.transactionId,
      reference: tender.reference!,
      amount: tender.amount,
      currency: record.currency,
      customerId: record.customerId,
    });
  }
  return tenders.length;
}
