import type { CreateOutcome } from '../kernel/ports';
import type { CustomerRecord, IdentifierLink, MergeRecord } from './customers';

export interface CustomerStore {
  findIdentifier(tenantId: string, identifierKey: string): Promise<IdentifierLink | undefined>;
  /** Claims an identifier for a customer; `exists` means someone holds it (maybe another customer). */
  claimIdentifier(link: IdentifierLink): Promise<CreateOutcome>;
  createCustomer(customer: CustomerRecord): Promise<CreateOutcome>;
  getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined>;
  /** Read-modify-write with optimistic concurrency; `mutate` may run more than once. */
  updateCustomer(
    tenantId: string,
    customerId: string,
    mutate: (current: CustomerRecord) => CustomerRecord | undefined,
  ): Promise<CustomerRecord | undefined>;
  listIdentifiers(tenantId: string, customerId: string): Promise<IdentifierLink[]>;
  /** Points an identifier at another customer, only if it still points at `fromCustomerId`. */
  moveIdentifier(tenantId: string, identifierKey: string, fromCustomerId: string, toCustomerId: string): Promise<boolean>;
  deleteIdentifier(tenantId: string, identifierKey: string): Promise<void>;
  saveMergeRecord(record: MergeRecord): Promise<void>;
  listMergeRecords(tenantId: string, survivorId: string): Promise<MergeRecord[]>;
}
