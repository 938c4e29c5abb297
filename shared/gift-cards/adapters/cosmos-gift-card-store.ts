import type { GiftCardOperation, GiftCardRecord, GiftCardStore } from '../gift-cards';
import type { CreateOutcome } from '../../kernel/ports';
import { strip, type Documents } from '../../kernel/adapters/documents';
import type { GiftCardSettings } from '../settings';

const SETTINGS_ID = 'settings';

interface Attempts {
  id: string;
  tenantId: string;
  kind: 'attempts';
  subject: string;
  used: number;
  since: number;
}

/** Subjects are `key:<keyId>` or `card:<giftCardId>`: ids the platform made, safe in a document id. */
const attemptsId = (subject: string) => `attempts:${subject}`;

/** `giftCards` ([tenantId, id]): cards by id, `code:<sha256>` lookups, `attempts:<key or card>` PIN-check windows, the tenant's `settings`. */
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

  /**
   * `attempts:<subject>` holds the window's start (`since`, epoch ms) and the checks taken (`used`).
   * Taking one is a conditional increment (window live and below the limit); a window that ended
   * starts again with an etag-checked replace, so two requests cannot both reset it.
   */
  async takeAttempt(tenantId: string, subject: string, now: number, windowMs: number, limit: number) {
    const id = attemptsId(subject);
    const pk = this.pk(tenantId, id);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const result = await this.docs.patchIf<Attempts>(id, pk, `from c where c.since > ${Math.floor(now - windowMs)} AND c.used < ${Math.floor(limit)}`, [
        { op: 'incr', path: '/used', value: 1 },
      ]);
      if (result.outcome === 'applied') return { taken: true as const, since: result.doc.since };
      if (result.outcome === 'missing') {
        if ((await this.docs.create<Attempts>({ id, tenantId, kind: 'attempts', subject, used: 1, since: now })) === 'created')
          return { taken: true as const, since: now };
        continue;
      }
      const current = await this.docs.read<Attempts>(id, pk);
      if (!current) continue;
      if (current.since > now - windowMs) return { taken: false as const, until: current.since + windowMs };
      if (await this.docs.replace<Attempts>({ ...strip<Attempts>(current), used: 1, since: now }, pk, current._etag))
        return { taken: true as const, since: now };
    }
    return { taken: false as const, until: now + windowMs };
  }

  async returnAttempt(tenantId: string, subject: string, since: number): Promise<void> {
    const id = attemptsId(subject);
    await this.docs.patchIf(id, this.pk(tenantId, id), `from c where c.since = ${Math.floor(since)} AND c.used > 0`, [
      { op: 'incr', path: '/used', value: -1 },
    ]);
  }

  async clearAttempts(tenantId: string, subject: string): Promise<void> {
    const id = attemptsId(subject);
    await this.docs.delete(id, this.pk(tenantId, id));
  }

  async addStrike(tenantId: string, giftCardId: string): Promise<number> {
    const result = await this.docs.patchIf<GiftCardRecord>(giftCardId, this.pk(tenantId, giftCardId), undefined, [
      { op: 'incr', path: '/pinstrikes', value: 1 },
    ]);
    return result.outcome === 'applied' ? (result.doc.pinstrikes ?? 0) : 0;
  }

  async setLock(tenantId: string, giftCardId: string, state: { pinstrikes: number; locked: boolean }): Promise<void> {
    await this.docs.patchAll(giftCardId, this.pk(tenantId, giftCardId), { '/pinstrikes': state.pinstrikes, '/locked': state.locked });
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
