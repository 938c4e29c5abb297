import type { CustomerRecord, IdentifierLink, MergeRecord } from '../customers';
import type { CreateOutcome } from '../../kernel/ports';
import type { CustomerStore } from '../customers';
import type { Documents } from '../../kernel/adapters/documents';

/** Customers in `customers` ([tenantId, customerId]); identifier links in `lookups` ([tenantId, id]). */
export class CosmosCustomerStore implements CustomerStore {
  /** The version (etag) each record `getCustomer` returned was read at, for `updateCustomer`'s basis. */
  private readonly versions = new WeakMap<CustomerRecord, string>();

  constructor(
    private readonly customers: Documents,
    private readonly lookups: Documents,
  ) {}

  async findIdentifier(tenantId: string, identifierKey: string): Promise<IdentifierLink | undefined> {
    const doc = await this.lookups.read<IdentifierLink & { tenantId: string }>(identifierKey, [tenantId, identifierKey]);
    return doc && doc.tenantId === tenantId ? unwrapLink(doc) : undefined;
  }

  claimIdentifier(link: IdentifierLink): Promise<CreateOutcome> {
    return this.lookups.create({ ...link, id: link.key, kind: 'identifier' });
  }

  createCustomer(customer: CustomerRecord): Promise<CreateOutcome> {
    return this.customers.create({ ...customer, id: customer.customerId, kind: 'customer' });
  }

  async getCustomer(tenantId: string, customerId: string): Promise<CustomerRecord | undefined> {
    const doc = await this.customers.read<CustomerRecord>(customerId, [tenantId, customerId]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const customer = unwrapCustomer(doc);
    this.versions.set(customer, doc._etag);
    return customer;
  }

  async updateCustomer(tenantId: string, customerId: string, mutate: (current: CustomerRecord) => CustomerRecord | undefined, basis?: CustomerRecord) {
    const etag = basis && this.versions.get(basis);
    if (basis && etag && basis.tenantId === tenantId && basis.customerId === customerId) {
      const next = mutate(basis);
      if (!next) return basis;
      if (await this.customers.replace({ ...next, id: customerId, kind: 'customer' }, [tenantId, customerId], etag)) return next;
      // Changed since it was read: the ordinary read-modify-write below, on the current version.
    }
    const updated = await this.customers.update<CustomerRecord & { kind: string }>(customerId, [tenantId, customerId], (doc) => {
      const next = mutate(unwrapCustomer(doc));
      return next && { ...next, kind: 'customer' };
    });
    return updated && unwrapCustomer(updated);
  }

  async listIdentifiers(tenantId: string, customerId: string): Promise<IdentifierLink[]> {
    const { items } = await this.lookups.query<IdentifierLink>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "identifier" AND c.customerId = @customerId',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: customerId },
      ],
      { maxItemCount: 100 },
    );
    return items.map(unwrapLink);
  }

  async moveIdentifier(tenantId: string, identifierKey: string, fromCustomerId: string, toCustomerId: string): Promise<boolean> {
    let moved = false;
    await this.lookups.update<IdentifierLink & { kind: string }>(identifierKey, [tenantId, identifierKey], (doc) => {
      if (doc.customerId !== fromCustomerId) return undefined;
      moved = true;
      return { ...doc, customerId: toCustomerId };
    });
    return moved;
  }

  deleteIdentifier(tenantId: string, identifierKey: string): Promise<void> {
    return this.lookups.delete(identifierKey, [tenantId, identifierKey]);
  }

  /** Merge records live in the survivor's partition, beside its customer document. */
  async saveMergeRecord(record: MergeRecord): Promise<void> {
    await this.customers.upsert({ ...record, id: `merge:${record.mergedId}`, customerId: record.survivorId, kind: 'merge' });
  }

  async listMergeRecords(tenantId: string, survivorId: string): Promise<MergeRecord[]> {
    const { items } = await this.customers.query<MergeRecord & { kind?: string; customerId?: string }>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.customerId = @customerId AND c.kind = "merge"',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@customerId', value: survivorId },
      ],
    );
    return items.map(({ tenantId: t, survivorId: s, mergedId, mergedAt, mergedBy, reason, moved }) => ({
      tenantId: t,
      survivorId: s,
      mergedId,
      mergedAt,
      mergedBy,
      reason,
      moved,
    }));
  }
}

function unwrapLink(doc: IdentifierLink): IdentifierLink {
  const { tenantId, customerId, type, value, key, linkedAt } = doc;
  return { tenantId, customerId, type, value, key, linkedAt };
}

function unwrapCustomer(doc: CustomerRecord): CustomerRecord {
  const { id: _id, kind: _kind, _etag: _e, _rid, _self, _ts, _attachments, ...rest } = doc as CustomerRecord & Record<string, unknown>;
  return rest as CustomerRecord;
}
