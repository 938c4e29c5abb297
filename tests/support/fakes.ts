/** In-memory ports for unit tests of the domain: same contracts as the Cosmos DB adapters. */
import type { CustomerRecord, IdentifierLink, MergeRecord } from '../../shared/customers/customers';
import type { IdempotencyRecord } from '../../shared/kernel/idempotency';
import type { Clock, CreateOutcome } from '../../shared/kernel/ports';
import type { IdempotencyStore } from '../../shared/kernel/idempotency';
import type { CustomerStore } from '../../shared/customers';

const tick = () => new Promise((resolve) => setImmediate(resolve));

export class FakeCustomerStore implements CustomerStore {
  readonly links = new Map<string, IdentifierLink>();
  readonly customers = new Map<string, CustomerRecord>();

  async findIdentifier(tenantId: string, key: string) {
    await tick();
    return this.links.get(`${tenantId}|${key}`);
  }
  async claimIdentifier(link: IdentifierLink): Promise<CreateOutcome> {
    await tick();
    const id = `${link.tenantId}|${link.key}`;
    if (this.links.has(id)) return 'exists';
    this.links.set(id, link);
    return 'created';
  }
  async createCustomer(customer: CustomerRecord): Promise<CreateOutcome> {
    await tick();
    const id = `${customer.tenantId}|${customer.customerId}`;
    if (this.customers.has(id)) return 'exists';
    this.customers.set(id, customer);
    return 'created';
  }
  async getCustomer(tenantId: string, customerId: string) {
    return this.customers.get(`${tenantId}|${customerId}`);
  }
  async updateCustomer(tenantId: string, customerId: string, mutate: (c: CustomerRecord) => CustomerRecord | undefined) {
    const current = this.customers.get(`${tenantId}|${customerId}`);
    if (!current) return undefined;
    const next = mutate(current);
    if (next) this.customers.set(`${tenantId}|${customerId}`, next);
    return next ?? current;
  }
  async listIdentifiers(tenantId: string, customerId: string) {
    return [...this.links.values()].filter((l) => l.tenantId === tenantId && l.customerId === customerId);
  }
  async moveIdentifier(tenantId: string, key: string, from: string, to: string) {
    const link = this.links.get(`${tenantId}|${key}`);
    if (link?.customerId !== from) return false;
    this.links.set(`${tenantId}|${key}`, { ...link, customerId: to });
    return true;
  }
  async deleteIdentifier(tenantId: string, key: string) {
    this.links.delete(`${tenantId}|${key}`);
  }
  readonly merges: MergeRecord[] = [];
  async saveMergeRecord(record: MergeRecord) {
    this.merges.push(record);
  }
  async listMergeRecords(tenantId: string, survivorId: string) {
    return this.merges.filter((m) => m.tenantId === tenantId && m.survivorId === survivorId);
  }
}

export class FakeIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord & { etag: string }>();
  private version = 0;

  async create(record: IdempotencyRecord): Promise<CreateOutcome> {
    await tick();
    if (this.records.has(record.id)) return 'exists';
    this.records.set(record.id, { ...record, etag: String(++this.version) });
    return 'created';
  }
  async get(_tenantId: string, id: string) {
    await tick();
    const r = this.records.get(id);
    return r && { ...r };
  }
  async replace(record: IdempotencyRecord, etag: string) {
    await tick();
    if (this.records.get(record.id)?.etag !== etag) return false;
    this.records.set(record.id, { ...record, etag: String(++this.version) });
    return true;
  }
  async delete(_tenantId: string, id: string) {
    this.records.delete(id);
  }
}

export class FakeClock implements Clock {
  constructor(public current = new Date('2026-11-22T10:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}
