import { currentCustomer, mergeActivity, newCustomer, recentEntry, type CustomerStore } from '../customers';
import type { TransactionEvent } from './transactions';
import type { TransactionStore } from './ports';
import type { Clock, Logger } from '../kernel/ports';

/**
 * Keeps each customer's activity summary (channels used, last seen, newest transactions) from
 * `transaction.recorded`. Every change is a merge that gives the same result however often it is
 * applied (set union, maximum, newest-N by time), so a redelivered event changes nothing.
 * It also heals the one gap a merge leaves: a sale recorded for the merged customer while the
 * merge ran is moved to the survivor.
 */
export class CustomerActivity {
  constructor(
    private readonly customers: CustomerStore,
    private readonly transactions: TransactionStore,
    private readonly clock: Clock,
  ) {}

  async handle(event: TransactionEvent, log: Logger): Promise<'applied' | 'unchanged' | 'ignored'> {
    const tx = event.data;
    if (!tx.customerId) return 'ignored';
    const entry = recentEntry(tx);
    const owner = await currentCustomer(this.customers, event.tenantid, tx.customerId);
    // The customer document may be missing if its creation was interrupted: recreate it.
    if (!owner) await this.customers.createCustomer(newCustomer(event.tenantid, tx.customerId, this.clock.now().toISOString()));
    const customerId = owner?.customerId ?? tx.customerId;
    if (customerId !== tx.customerId) {
      const locator = { tenantId: event.tenantid, transactionId: tx.transactionId, customerKey: tx.customerId };
      await this.transactions.move(locator, { customerKey: customerId, customerId }, (copy) => copy);
      log.log('info', 'moved a transaction recorded during a merge to the survivor', { transactionId: tx.transactionId, customerId });
    }
    let changed = false;
    // The customer just read is the basis: one read and one replace, unless it changed meanwhile.
    await this.customers.updateCustomer(
      event.tenantid,
      customerId,
      (current) => {
        // A merged or erased customer's summary stays empty; the merge gives the survivor its part.
        changed = false;
        if (current.mergedInto || current.erasedAt) return undefined;
        const next = mergeActivity(current, entry);
        changed = next !== current;
        return changed ? next : undefined;
      },
      owner,
    );
    log.log('debug', 'customer activity', { customerId, transactionId: tx.transactionId, changed });
    return changed ? 'applied' : 'unchanged';
  }
}
