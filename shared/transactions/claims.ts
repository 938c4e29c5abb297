import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { DomainError, invalid, notFound, unprocessable } from '../kernel/errors';
import type { Clock, Logger } from '../kernel/ports';
import { requireCurrentCustomer, type CustomerStore } from '../customers';
import type { Principal, TenancyService } from '../tenancy';
import { transactionIdOf, transactionView, type TransactionView } from './transactions';
import { locatorOf, type TransactionIngest } from './ingest';
import type { TransactionStore } from './ports';

export const ClaimInput = z
  .object({
    locationId: idField(64),
    externalId: z.string().min(1).max(64).describe('The ticket number printed on the receipt'),
    date: z.iso.date().describe('The date printed on the receipt, YYYY-MM-DD, in the store’s time zone'),
    total: z.number().int().nonnegative().describe('The total printed on the receipt, in minor units'),
  })
  .strict();
export type ClaimInput = z.infer<typeof ClaimInput>;

/** Claiming an anonymous store purchase afterwards, from what the receipt prints. */
export class PurchaseClaims {
  constructor(
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly tenancy: TenancyService,
    private readonly ingest: TransactionIngest,
    private readonly clock: Clock,
  ) {}

  /**
   * Attaches an anonymous store sale to a customer, from the details printed on the receipt.
   * Once only: the sale moves into the customer's history and `transaction.claimed` tells the
   * consumers to count it as if the customer had been identified at the till.
   */
  async claim(principal: Principal, customerId: string, input: ClaimInput, log: Logger): Promise<{ transaction: TransactionView; alreadyClaimed: boolean }> {
    const { tenantId } = principal;
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    const location = await this.tenancy.getLocation(tenantId, input.locationId);
    if (!location) throw invalid([{ field: 'locationId', message: `location ${input.locationId} does not exist` }]);
    const transactionId = transactionIdOf(tenantId, 'store', input.locationId, input.externalId);
    const locator = await this.transactions.locate(tenantId, transactionId);
    const tx = locator && (await this.transactions.get(locator));
    if (!tx) throw notFound(`Ticket ${input.externalId} at ${input.locationId}`);
    const printedDate = new Intl.DateTimeFormat('en-CA', { timeZone: location.timeZone }).format(new Date(tx.occurredAt));
    if (tx.type !== 'sale' || printedDate !== input.date || tx.totals.net !== input.total) {
      throw unprocessable('claim-details-mismatch', 'The date or total does not match the ticket');
    }
    if (tx.customerId === customer.customerId) return { transaction: transactionView(tx), alreadyClaimed: true };
    if (tx.customerId !== null) throw new DomainError('conflict', 'This purchase already belongs to a customer', { reason: 'already-claimed' });

    const claimedAt = this.clock.now().toISOString();
    const outcome = await this.transactions.move(
      locatorOf(tx),
      { customerKey: customer.customerId, customerId: customer.customerId },
      (copy) => ({ ...copy, claimedAt, claimEventPending: true }),
      tx.customerKey,
    );
    if (outcome === 'lost') throw new DomainError('conflict', 'This purchase already belongs to a customer', { reason: 'already-claimed' });
    const claimed = await this.transactions.get({ tenantId, transactionId, customerKey: customer.customerId });
    if (!claimed) throw new DomainError('conflict', 'The purchase is being claimed; retry shortly');
    await this.ingest.announce(claimed, log);
    return { transaction: transactionView(claimed), alreadyClaimed: outcome === 'already-there' };
  }
}
