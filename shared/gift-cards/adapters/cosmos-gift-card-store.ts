import type { GiftCardOperation, GiftCardRecord, GiftCardStore } from '../gift-cards';
import type { CreateOutcome } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';
import type { GiftCardSettings } from '../settings';

const SETTINGS_ID = 'settings';

/** `giftCards` ([tenantId, id]): cards by id, `code:<sha256>` lookups, `throttle:<keyId>` failure counts, the tenant's `settings`. */
export class CosmosGiftCardStore implements GiftCardStore {
  constructor(private readonly docs: Documents) {}

  private pk = (tenantId: string, id: string) => [tenantId, id];

  createCodeLookup(tenantId: string, codeHash: string, giftCardId: string): Promise<CreateOutcome> {
    return this.docs.create({ id: `code:${codeHash}`, tenantId, kind: 'code', giftCardId });
  }

  async findByCode(tenantId: string, codeHash: string): Promise<string | undefined> {
    const id = `code:${codeHash}`;
    const doc = await this.docs.read<{ tenantId: string; giftCardId: string }>(id, this.pk(tenantId, id));
    return doc?.tenantId === tenantId ? doc.giftCardId : undefined;
  }

  create(card: GiftCardRecord): Promise<CreateOutcome> {
    return this.docs.create({ ...card, id: card.giftCardId, kind: 'giftCard' });
  }

  async get(tenantId: string, giftCardId: string): Promise<GiftCardRecord | undefined> {
    const doc = await this.docs.read<GiftCardRecord>(giftCardId, this.pk(tenantId, giftCardId));
    return doc?.tenantId === tenantId ? unwrap(doc) : undefined;
  }

  async apply(
    tenantId: string,
    giftCardId: string,
    op: GiftCardOperation,
    change: { balance: number; refundable: number },
    now: number,
    limits: { maxBalance?: number; activate?: boolean } = {},
  ) {
    const conditions = [
      `c.status = "${limits.activate ? 'inactive' : 'active'}"`,
      `c.expires > ${Math.floor(now)}`,
      `NOT IS_DEFINED(c.ops["${safe(op.operationId)}"])`,
    ];
    if (change.balance < 0) conditions.push(`c.balance >= ${-change.balance}`);
    if (change.balance > 0 && limits.maxBalance !== undefined) conditions.push(`c.balance <= ${Math.floor(limits.maxBalance - change.balance)}`);
    if (change.refundable < 0) conditions.push(`c.refundable >= ${-change.refundable}`);
    const result = await this.docs.patchIf<GiftCardRecord>(giftCardId, this.pk(tenantId, giftCardId), `from c where ${conditions.join(' AND ')}`, [
      { op: 'incr', path: '/balance', value: change.balance },
      { op: 'incr', path: '/refundable', value: change.refundable },
      { op: 'set', path: `/ops/${safe(op.operationId)}`, value: op },
      ...(limits.activate ? [{ op: 'set' as const, path: '/status', value: 'active' }] : []),
    ]);
    if (result.outcome === 'applied') return result.doc.tenantId === tenantId ? unwrap(result.doc) : 'missing';
    return result.outcome === 'missing' ? 'missing' : 'refused';
  }

  async getSettings(tenantId: string): Promise<GiftCardSettings | undefined> {
    const doc = await this.docs.read<GiftCardSettings & { tenantId: string }>(SETTINGS_ID, this.pk(tenantId, SETTINGS_ID));
    return doc?.tenantId === tenantId ? { maxBalance: doc.maxBalance, updatedAt: doc.updatedAt } : undefined;
  }

  async saveSettings(tenantId: string, settings: GiftCardSettings): Promise<void> {
    await this.docs.upsert({ ...settings, id: SETTINGS_ID, tenantId, kind: 'settings' });
  }

  async update(tenantId: string, giftCardId: string, mutate: (card: GiftCardRecord) => GiftCardRecord | undefined): Promise<GiftCardRecord | undefined> {
    let found = false;
    const doc = await this.docs.update<GiftCardRecord & { id: string; kind: string }>(giftCardId, this.pk(tenantId, giftCardId), (current) => {
      if (current.tenantId !== tenantId) return undefined;
      found = true;
      const next = mutate(unwrap(current));
      return next && { ...next, id: giftCardId, kind: 'giftCard' };
    });
    return found && doc ? unwrap(doc) : undefined;
  }

  async failedLookups(tenantId: string, keyId: string) {
    const id = `throttle:${keyId}`;
    const doc = await this.docs.read<{ tenantId: string; failures: number; windowStart: number }>(id, this.pk(tenantId, id));
    return doc?.tenantId === tenantId ? { failures: doc.failures, windowStart: doc.windowStart } : undefined;
  }

  async recordFailedLookup(tenantId: string, keyId: string, now: number, windowMs: number): Promise<void> {
    const id = `throttle:${keyId}`;
    const first = { id, tenantId, kind: 'throttle', failures: 1, windowStart: now };
    if ((await this.docs.create(first)) === 'created') return;
    await this.docs.update<typeof first>(id, this.pk(tenantId, id), (doc) =>
      now - doc.windowStart >= windowMs ? { ...doc, failures: 1, windowStart: now } : { ...doc, failures: doc.failures + 1 },
    );
  }
}

function safe(id: string): string {
  if (!/^[a-z0-9_]+$/.test(id)) throw new Error('An id in a patch condition must be lower-case letters, digits or _');
  return id;
}

function unwrap(doc: object): GiftCardRecord {
  const { id: _id, kind: _kind, _etag, _rid, _self, _ts, _attachments, ...rest } = doc as Record<string, unknown>;
  return rest as unknown as GiftCardRecord;
}
