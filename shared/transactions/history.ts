import { DomainError, notFound } from '../kernel/errors';
import { requireCurrentCustomer } from '../customers';
import { transactionView, type TransactionPage, type TransactionView } from './transactions';
import type { CustomerStore } from '../customers';
import type { TransactionStore } from './ports';

/** Reads of recorded transactions, always within the caller's tenant. */
export class TransactionHistory {
  constructor(
    private readonly transactions: TransactionStore,
    private readonly customers: CustomerStore,
  ) {}

  async get(tenantId: string, transactionId: string): Promise<TransactionView> {
    const locator = await this.transactions.locate(tenantId, transactionId);
    const record = locator && (await this.transactions.get(locator));
    if (!record) throw notFound(`Transaction ${transactionId}`);
    return transactionView(record);
  }

  /** Newest first, both channels; the continuation token is opaque to callers. */
  async forCustomer(tenantId: string, customerId: string, limit: number, continuation?: string): Promise<TransactionPage> {
    const customer = await requireCurrentCustomer(this.customers, tenantId, customerId);
    const page = await this.transactions.listForCustomer(tenantId, customer.customerId, limit, continuation && decodeToken(continuation));
    return {
      items: page.items.map(transactionView),
      continuationToken: page.continuationToken ? Buffer.from(page.continuationToken, 'utf8').toString('base64url') : null,
    };
  }
}

function decodeToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
    throw new DomainError('validation-failed', 'The continuation token is not valid', {
      issues: [{ field: 'continuationToken', message: 'is not valid' }],
    });
  }
  return decoded;
}
