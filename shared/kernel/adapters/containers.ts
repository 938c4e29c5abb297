/**
 * Every Cosmos DB container the code uses, with its partition key paths. The adapters create
 * them locally from this list, and the Bicep templates are tested against it.
 */
export interface ContainerSpec {
  id: string;
  partitionKeyPaths: string[];
  /** Seconds; -1 turns per-item TTL on without a default; absent leaves TTL off. */
  defaultTtl?: number;
  purpose: string;
}

export const CONTAINERS = {
  tenants: {
    id: 'tenants',
    partitionKeyPaths: ['/tenantId'],
    purpose: 'Tenant settings, locations and hashed API keys: small, read through a cache',
  },
  customers: {
    id: 'customers',
    partitionKeyPaths: ['/tenantId', '/customerId'],
    purpose: 'One document per customer, and later everything attached to a customer',
  },
  transactions: {
    id: 'transactions',
    partitionKeyPaths: ['/tenantId', '/customerKey'],
    purpose: "Sales and returns in their customer's partition; anonymous ones in a per-location, per-month bucket",
  },
  lookups: {
    id: 'lookups',
    partitionKeyPaths: ['/tenantId', '/id'],
    purpose: 'Unique keys within a tenant (identifiers, transaction ids): point reads and idempotent claims',
  },
  loyalty: {
    id: 'loyalty',
    partitionKeyPaths: ['/tenantId', '/customerId'],
    purpose: "One loyalty account per customer and its ledger, in the customer's partition",
  },
  coupons: {
    id: 'coupons',
    partitionKeyPaths: ['/tenantId', '/id'],
    purpose: 'Campaigns, public codes, per-code and per-customer counters, coupon holds: point reads and conditional patches',
  },
  giftCards: {
    id: 'giftCards',
    partitionKeyPaths: ['/tenantId', '/id'],
    purpose: 'Gift cards (balance and history in one document), code lookups by hash, lookup throttles per API key',
  },
  idempotency: {
    id: 'idempotency',
    partitionKeyPaths: ['/tenantId', '/id'],
    defaultTtl: 86_400,
    purpose: 'Idempotency-Key records, kept 24 hours',
  },
  receipts: {
    id: 'receipts',
    partitionKeyPaths: ['/tenantId', '/id'],
    purpose: 'One receipt per transaction (id receipt:<transactionId>) and one head per numbering series (id series:<seriesId>)',
  },
  stock: {
    id: 'stock',
    partitionKeyPaths: ['/tenantId', '/locationId'],
    purpose: "Stock levels, movement ledger and reservations per location; stock settings and reconciled files under location '*'",
  },
} satisfies Record<string, ContainerSpec>;

export type ContainerName = keyof typeof CONTAINERS;
