import type { PatchOperation } from '@azure/cosmos';
import type { Campaign, CodeUsage, Counter, PendingUse } from '../coupon-rules';
import type { CounterLimits, CounterRef, CouponStore, HoldRecord, IssueRecord } from '../coupons';
import type { CreateOutcome, Page } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';

/**
 * Everything about coupons in `coupons` ([tenantId, id]): campaigns (`campaign:KEY`), public codes
 * (`public:CODE`), code counters (`code:CODE`), per-customer counters (`customer:KEY:id`) and holds
 * (`hold:id`). Counters move only by conditional patches: one atomic write per claim.
 */
export class CosmosCouponStore implements CouponStore {
  constructor(private readonly docs: Documents) {}

  private pk = (tenantId: string, id: string) => [tenantId, id];

  private async get<T>(tenantId: string, id: string): Promise<T | undefined> {
    const doc = await this.docs.read<T & { tenantId: string }>(id, this.pk(tenantId, id));
    return doc && doc.tenantId === tenantId ? unwrap<T>(doc) : undefined;
  }

  createCampaign(campaign: Campaign): Promise<CreateOutcome> {
    return this.docs.create({ ...campaign, id: `campaign:${campaign.key}`, kind: 'campaign' });
  }

  getCampaign(tenantId: string, key: string): Promise<Campaign | undefined> {
    return this.get<Campaign>(tenantId, `campaign:${key}`);
  }

  async listCampaigns(tenantId: string, limit: number, continuationToken?: string): Promise<Page<Campaign>> {
    const page = await this.docs.query<Campaign>(
      'SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "campaign" ORDER BY c.createdAt DESC',
      [{ name: '@t', value: tenantId }],
      { maxItemCount: limit, continuationToken },
    );
    return { items: page.items.map((c) => unwrap<Campaign>(c)), continuationToken: page.continuationToken };
  }

  async reserveSerials(tenantId: string, key: string, count: number): Promise<number> {
    const id = `campaign:${key}`;
    const result = await this.docs.patchIf<Campaign>(id, this.pk(tenantId, id), undefined, [{ op: 'incr', path: '/nextSerial', value: count }]);
    if (result.outcome !== 'applied') throw new Error(`Campaign ${key} vanished while reserving codes`);
    return result.doc.nextSerial - count;
  }

  claimPublicCode(tenantId: string, code: string, campaignKey: string): Promise<CreateOutcome> {
    return this.docs.create({ id: `public:${code}`, tenantId, kind: 'publicCode', campaignKey });
  }

  async findPublicCode(tenantId: string, code: string): Promise<string | undefined> {
    return (await this.get<{ campaignKey: string }>(tenantId, `public:${code}`))?.campaignKey;
  }

  getCodeUsage(tenantId: string, code: string): Promise<CodeUsage | undefined> {
    return this.get<CodeUsage>(tenantId, `code:${code}`);
  }

  createCodeUsage(usage: CodeUsage): Promise<CreateOutcome> {
    return this.docs.create({ ...usage, id: `code:${usage.code}`, kind: 'code' });
  }

  getCustomerUsage(tenantId: string, key: string, customerId: string): Promise<Counter | undefined> {
    return this.get<Counter>(tenantId, counterId({ kind: 'customer', key, customerId }));
  }

  createCounter(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse, extra: Record<string, unknown>): Promise<CreateOutcome> {
    const counter: Counter = { used: use.n, spent: use.amt, pending: { [holdId]: use }, restored: {} };
    return this.docs.create({ ...extra, ...counter, id: counterId(ref), tenantId, kind: ref.kind });
  }

  readCounter(tenantId: string, ref: CounterRef): Promise<Counter | undefined> {
    return this.get<Counter>(tenantId, counterId(ref));
  }

  async claim(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse, limits: CounterLimits) {
    const conditions = [`NOT IS_DEFINED(c.pending["${safe(holdId)}"])`];
    if (limits.maxUsed !== null) conditions.push(`c.used <= ${limits.maxUsed - use.n}`);
    if (limits.maxSpent !== null) conditions.push(`c.spent <= ${limits.maxSpent - use.amt}`);
    const result = await this.patch(tenantId, ref, conditions.join(' AND '), [
      { op: 'incr', path: '/used', value: use.n },
      { op: 'incr', path: '/spent', value: use.amt },
      { op: 'set', path: `/pending/${safe(holdId)}`, value: use },
    ]);
    if (result === 'condition-failed') {
      // Refused, or this hold already holds it (a retry): only a read tells them apart.
      const counter = await this.readCounter(tenantId, ref);
      return counter?.pending[holdId] ? 'applied' : 'refused';
    }
    return result;
  }

  async release(tenantId: string, ref: CounterRef, holdId: string): Promise<boolean> {
    const counter = await this.readCounter(tenantId, ref);
    const use = counter?.pending[holdId];
    if (!use) return false;
    const result = await this.patch(tenantId, ref, `IS_DEFINED(c.pending["${safe(holdId)}"])`, [
      { op: 'remove', path: `/pending/${safe(holdId)}` },
      { op: 'incr', path: '/used', value: -use.n },
      { op: 'incr', path: '/spent', value: -use.amt },
    ]);
    return result === 'applied';
  }

  async settle(tenantId: string, ref: CounterRef, holdId: string): Promise<boolean> {
    const result = await this.patch(tenantId, ref, `IS_DEFINED(c.pending["${safe(holdId)}"])`, [{ op: 'remove', path: `/pending/${safe(holdId)}` }]);
    return result === 'applied';
  }

  async restore(tenantId: string, ref: CounterRef, holdId: string, use: PendingUse): Promise<boolean> {
    const result = await this.patch(tenantId, ref, `NOT IS_DEFINED(c.restored["${safe(holdId)}"])`, [
      { op: 'set', path: `/restored/${safe(holdId)}`, value: true },
      { op: 'incr', path: '/used', value: -use.n },
      { op: 'incr', path: '/spent', value: -use.amt },
    ]);
    return result === 'applied';
  }

  private async patch(tenantId: string, ref: CounterRef, condition: string, operations: PatchOperation[]) {
    const id = counterId(ref);
    return (await this.docs.patchIf(id, this.pk(tenantId, id), `from c where ${condition}`, operations)).outcome;
  }

  createHold(hold: HoldRecord): Promise<CreateOutcome> {
    return this.docs.create({ ...hold, id: `hold:${hold.holdId}`, kind: 'hold', expiresMs: Date.parse(hold.expiresAt) });
  }

  getHold(tenantId: string, holdId: string): Promise<HoldRecord | undefined> {
    return this.get<HoldRecord>(tenantId, `hold:${holdId}`);
  }

  async updateHold(tenantId: string, holdId: string, mutate: (hold: HoldRecord) => HoldRecord | undefined) {
    const id = `hold:${holdId}`;
    let doc = await this.docs.update<HoldRecord & { tenantId: string }>(id, this.pk(tenantId, id), (current) => {
      if (current.tenantId !== tenantId) return undefined;
      const next = mutate(unwrap<HoldRecord>(current));
      return next && { ...current, ...next };
    });
    if (doc && doc.tenantId !== tenantId) doc = undefined;
    return doc && unwrap<HoldRecord>(doc);
  }

  async listHoldsToSweep(nowIso: string, staleBefore: string, limit: number): Promise<HoldRecord[]> {
    const { items } = await this.docs.query<HoldRecord>(
      `SELECT TOP @limit * FROM c WHERE c.kind = "hold" AND ((c.status = "active" AND c.expiresAt <= @now) OR ((c.settled = false OR c.eventPending = true) AND c.updatedAt < @stale))`,
      [
        { name: '@limit', value: limit },
        { name: '@now', value: nowIso },
        { name: '@stale', value: staleBefore },
      ],
    );
    return items.map((h) => unwrap<HoldRecord>(h));
  }

  async listHoldsForTransaction(tenantId: string, transactionId: string): Promise<HoldRecord[]> {
    const { items } = await this.docs.query<HoldRecord>('SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "hold" AND c.transactionId = @tx', [
      { name: '@t', value: tenantId },
      { name: '@tx', value: transactionId },
    ]);
    return items.map((h) => unwrap<HoldRecord>(h));
  }

  async campaignUsage(tenantId: string, campaignId: string, now: string): Promise<{ redemptions: number; discount: number }> {
    const from = `FROM c JOIN r IN c.results WHERE c.tenantId = @t AND c.kind = "hold" AND r.campaignId = @campaign
      AND (c.status = "confirmed" OR (c.status = "active" AND c.expiresAt > @now))`;
    const parameters = [
      { name: '@t', value: tenantId },
      { name: '@campaign', value: campaignId },
      { name: '@now', value: now },
    ];
    // One aggregate row (the SDK combines partitions); summed anyway, in case it comes back in parts.
    const rows = await this.docs.queryAll<{ n?: number; amount?: number }>(`SELECT COUNT(1) AS n, SUM(r.discount) AS amount ${from}`, parameters);
    return { redemptions: rows.reduce((n, r) => n + (r.n ?? 0), 0), discount: rows.reduce((n, r) => n + (r.amount ?? 0), 0) };
  }

  async listPersonalCodes(tenantId: string, customerId: string): Promise<CodeUsage[]> {
    const { items } = await this.docs.query<CodeUsage>(
      'SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "code" AND c.customerId = @c',
      [
        { name: '@t', value: tenantId },
        { name: '@c', value: customerId },
      ],
      { maxItemCount: 200 },
    );
    return items.map((u) => unwrap<CodeUsage>(u));
  }

  getIssue(tenantId: string, issueId: string): Promise<IssueRecord | undefined> {
    return this.get<IssueRecord>(tenantId, `issue:${issueId}`);
  }

  createIssue(issue: IssueRecord): Promise<CreateOutcome> {
    return this.docs.create({ ...issue, id: `issue:${issue.issueId}`, kind: 'issue' });
  }

  async markCodeAnnounced(tenantId: string, code: string): Promise<void> {
    const id = `code:${code}`;
    await this.docs.patchAll(id, this.pk(tenantId, id), { '/eventPending': false });
  }

  async unannouncedCodes(issuedBefore: string, limit: number): Promise<CodeUsage[]> {
    const { items } = await this.docs.query<CodeUsage>('SELECT TOP @limit * FROM c WHERE c.kind = "code" AND c.eventPending = true AND c.issuedAt < @before', [
      { name: '@limit', value: limit },
      { name: '@before', value: issuedBefore },
    ]);
    return items.map((u) => unwrap<CodeUsage>(u));
  }

  async publicCampaigns(tenantId: string): Promise<Campaign[]> {
    const items = await this.docs.queryAll<Campaign>('SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "campaign" AND NOT IS_NULL(c.publicCode)', [
      { name: '@t', value: tenantId },
    ]);
    return items.map((c) => unwrap<Campaign>(c));
  }

  async confirmedRedemptions(tenantId: string, campaignId: string): Promise<Array<{ code: string; channel: 'store' | 'online' }>> {
    return this.docs.queryAll<{ code: string; channel: 'store' | 'online' }>(
      `SELECT r.code, c.channel FROM c JOIN r IN c.results
        WHERE c.tenantId = @t AND c.kind = "hold" AND c.status = "confirmed" AND r.campaignId = @campaign AND r.valid = true`,
      [
        { name: '@t', value: tenantId },
        { name: '@campaign', value: campaignId },
      ],
    );
  }

  async moveCode(tenantId: string, code: string, fromCustomerId: string, intoCustomerId: string): Promise<boolean> {
    const id = `code:${code}`;
    let moved = false;
    await this.docs.update<CodeUsage>(id, this.pk(tenantId, id), (usage) => {
      if (usage.tenantId !== tenantId || usage.customerId !== fromCustomerId) return undefined;
      moved = true;
      return { ...usage, customerId: intoCustomerId };
    });
    return moved;
  }
}

function counterId(ref: CounterRef): string {
  if (ref.kind === 'campaign') return `campaign:${ref.key}`;
  if (ref.kind === 'code') return `code:${ref.code}`;
  return `customer:${ref.key}:${ref.customerId}`;
}

/** Ids that go into a patch predicate or path are generated ids; anything else would be refused here. */
function safe(id: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error('An id in a patch condition must be letters, digits, _ or -');
  return id;
}

function unwrap<T>(doc: object): T {
  const { id: _id, kind: _kind, expiresMs: _e, _etag, _rid, _self, _ts, _attachments, ...rest } = doc as Record<string, unknown>;
  return rest as T;
}
