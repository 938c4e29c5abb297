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
  idempotency: {
    id: 'idempotency',
    partitionKeyPaths: ['/tenantId', '/id'],
    defaultTtl: 86_400,
    purpose: 'Idempotency-Key records, kept 24 hours',
  },
  stock: {
    id: 'stock',
    partitionKeyPaths: ['/tenantId', '/locationId'],
    purpose: "Stock levels, movement ledger and reservations per location; stock settings and reconciled files under location '*'",
  },
} satisfies Record<string, ContainerSpec>;

export type ContainerName = keyof typeof CONTAINERS;
