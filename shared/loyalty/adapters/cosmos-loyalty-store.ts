import type { LedgerEntry, LoyaltyAccount } from '../account';
import type { LoyaltyProgram } from '../program';
import type { LoyaltyStore, StoredAccount } from '../service';
import type { CreateOutcome, Page } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';

const PROGRAM_ID = 'loyalty-program';

/**
 * Programs beside their tenant in `tenants`; accounts and ledger entries in `loyalty`
 * ([tenantId, customerId]): one customer's points are one logical partition. Ids carry the
 * customer id, so a merge can copy an entry to the survivor before deleting the original.
 */
export class CosmosLoyaltyStore implements LoyaltyStore {
  constructor(
    private readonly tenants: Documents,
    private readonly loyalty: Documents,
  ) {}

  async getProgram(tenantId: string): Promise<LoyaltyProgram | undefined> {
    const doc = await this.tenants.read<LoyaltyProgram & { kind: string }>(PROGRAM_ID, tenantId);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, kind: _kind, ...program } = strip<LoyaltyProgram & { id: string; kind: string }>(doc);
    return program;
  }

  async saveProgram(program: LoyaltyProgram, expectedVersion: number): Promise<boolean> {
    const doc = { ...program, id: PROGRAM_ID, kind: 'loyaltyProgram' };
    if (expectedVersion === 0) return (await this.tenants.create(doc)) === 'created';
    const current = await this.tenants.read<LoyaltyProgram>(PROGRAM_ID, program.tenantId);
    if (!current || current.version !== expectedVersion) return false;
    return this.tenants.replace(doc, program.tenantId, current._etag);
  }

  async readAccount(tenantId: string, customerId: string): Promise<StoredAccount | undefined> {
    const doc = await this.loyalty.read<LoyaltyAccount>(accountId(customerId), [tenantId, customerId]);
    if (!doc || doc.tenantId !== tenantId) return undefined;
    const { id: _id, kind: _kind, ...account } = strip<LoyaltyAccount & { id: string; kind: string }>(doc);
    return { account, etag: doc._etag };
  }

  createAccount(account: LoyaltyAccount): Promise<CreateOutcome> {
    return this.loyalty.create(accountDoc(account));
  }

  replaceAccount(account: LoyaltyAccount, etag: string): Promise<boolean> {
    return this.loyalty.replace(accountDoc(account), [account.tenantId, account.customerId], etag);
  }

  deleteAccount(tenantId: string, customerId: string): Promise<void> {
    return this.loyalty.delete(accountId(customerId), [tenantId, customerId]);
  }

  async writeEntries(entries: LedgerEntry[]): Promise<void> {
    await Promise.all(entries.map((entry) => this.loyalty.create({ ...entry, id: entryId(entry), kind: 'entry' })));
  }

  async listEntries(tenantId: string, customerId: string, limit: number, continuation?: string): Promise<Page<LedgerEntry>> {
    const { items, continuationToken } = await this.loyalty.query<LedgerEntry & { kind?: string }>(ENTRIES, params(tenantId, customerId), {
      maxItemCount: limit,
      continuationToken: continuation,
    });
    return { items: items.map(unwrapEntry), continuationToken };
  }

  async allEntries(tenantId: string, customerId: string): Promise<LedgerEntry[]> {
    return (await this.loyalty.queryAll<LedgerEntry & { kind?: string }>(ENTRIES, params(tenantId, customerId))).map(unwrapEntry);
  }

  deleteEntry(entry: LedgerEntry): Promise<void> {
    return this.loyalty.delete(entryId(entry), [entry.tenantId, entry.customerId]);
  }

  async dueAccounts(now: string, limit: number): Promise<Array<{ tenantId: string; customerId: string }>> {
    const { items } = await this.loyalty.query<{ tenantId: string; customerId: string }>(
      'SELECT c.tenantId, c.customerId FROM c WHERE c.kind = "account" AND IS_NULL(c.mergedInto) AND c.dueAt <= @now',
      [{ name: '@now', value: now }],
      { maxItemCount: limit },
    );
    return items;
  }

  /** One conditional write: cleared only if no later change has added an event since (that one's announcement clears both). */
  async clearOutbox(tenantId: string, customerId: string, announcements: number): Promise<void> {
    await this.loyalty.patchIf(accountId(customerId), [tenantId, customerId], `from c where c.announcements = ${Math.floor(announcements)}`, [
      { op: 'set', path: '/outbox', value: [] },
    ]);
  }

  async unannounced(changedBefore: string, limit: number): Promise<LoyaltyAccount[]> {
    const { items } = await this.loyalty.query<LoyaltyAccount & { id: string; kind: string }>(
      'SELECT * FROM c WHERE c.kind = "account" AND ARRAY_LENGTH(c.outbox) > 0 AND c.updatedAt < @before',
      [{ name: '@before', value: changedBefore }],
      { maxItemCount: limit },
    );
    return items.map(({ id: _id, kind: _kind, ...account }) => account);
  }
}

const ENTRIES = 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.customerId = @customerId AND c.kind = "entry" ORDER BY c.at DESC';

const params = (tenantId: string, customerId: string) => [
  { name: '@tenantId', value: tenantId },
  { name: '@customerId', value: customerId },
];

const accountId = (customerId: string) => `${customerId}|account`;
const entryId = (entry: LedgerEntry) => `${entry.customerId}|${entry.key}`;
const accountDoc = (account: LoyaltyAccount) => ({ ...account, id: accountId(account.customerId), kind: 'account' });

function unwrapEntry(doc: LedgerEntry & { id?: string; kind?: string }): LedgerEntry {
  const { id: _id, kind: _kind, ...entry } = doc;
  return entry;
}
