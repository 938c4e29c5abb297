import type { PatchOperation } from '@azure/cosmos';
import type { Activation, OfferStore } from '../offers';
import { capAllows, TIMED_TRIGGERS, type CapState, type FrequencyCap, type Rule } from '../rules';
import { DomainError } from '../../kernel/errors';
import type { CreateOutcome } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';

/**
 * Everything about offers in `offers` ([tenantId, id]): rules with their versions (`rule:id`),
 * activations (`activation:id`), per-customer caps (`cap:ruleId:customerId`) and budgets
 * (`budget:ruleId`). Caps and budgets move only by conditional patches that record the activation
 * holding the place, so a retry recognises its own claim and a limit is never passed.
 */
export class CosmosOfferStore implements OfferStore {
  constructor(private readonly docs: Documents) {}

  private pk = (tenantId: string, id: string) => [tenantId, id];

  private async get<T>(tenantId: string, id: string): Promise<(T & { _etag: string }) | undefined> {
    const doc = await this.docs.read<T & { tenantId: string }>(id, this.pk(tenantId, id));
    return doc && doc.tenantId === tenantId ? doc : undefined;
  }

  createRule(rule: Rule): Promise<CreateOutcome> {
    return this.docs.create(ruleDoc(rule));
  }

  async getRule(tenantId: string, ruleId: string): Promise<{ rule: Rule; etag: string } | undefined> {
    const doc = await this.get<Rule>(tenantId, `rule:${ruleId}`);
    return doc && { rule: unwrap<Rule>(doc), etag: doc._etag };
  }

  replaceRule(rule: Rule, etag: string): Promise<boolean> {
    const id = `rule:${rule.ruleId}`;
    return this.docs.replace(ruleDoc(rule), this.pk(rule.tenantId, id), etag);
  }

  async listRules(tenantId: string): Promise<Rule[]> {
    const items = await this.docs.queryAll<Rule>('SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "rule"', [{ name: '@t', value: tenantId }]);
    return items.map((r) => unwrap<Rule>(r)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async timedRules(): Promise<Rule[]> {
    const items = await this.docs.queryAll<Rule>('SELECT * FROM c WHERE c.kind = "rule" AND c.timed = true', []);
    return items.map((r) => unwrap<Rule>(r));
  }

  async getActivation(tenantId: string, activationId: string): Promise<Activation | undefined> {
    const doc = await this.get<Activation>(tenantId, `activation:${activationId}`);
    return doc && unwrap<Activation>(doc);
  }

  createActivation(activation: Activation): Promise<CreateOutcome> {
    return this.docs.create({ ...activation, id: `activation:${activation.activationId}`, kind: 'activation' });
  }

  async updateActivation(tenantId: string, activationId: string, mutate: (a: Activation) => Activation | undefined): Promise<Activation | undefined> {
    const id = `activation:${activationId}`;
    const doc = await this.docs.update<Activation & { kind: string }>(id, this.pk(tenantId, id), (current) => {
      if (current.tenantId !== tenantId) return undefined;
      const next = mutate(unwrap<Activation>(current));
      return next && { ...next, kind: 'activation' };
    });
    return doc && doc.tenantId === tenantId ? unwrap<Activation>(doc) : undefined;
  }

  activationsOfRule(tenantId: string, ruleId: string): Promise<Activation[]> {
    return this.activations('c.ruleId = @v', tenantId, ruleId);
  }

  activationsOfCustomer(tenantId: string, customerId: string): Promise<Activation[]> {
    return this.activations('c.customerId = @v', tenantId, customerId);
  }

  activationsOfSale(tenantId: string, transactionId: string): Promise<Activation[]> {
    return this.activations('c.trigger.transactionId = @v', tenantId, transactionId);
  }

  private async activations(where: string, tenantId: string, value: string): Promise<Activation[]> {
    const items = await this.docs.queryAll<Activation>(`SELECT * FROM c WHERE c.tenantId = @t AND c.kind = "activation" AND ${where}`, [
      { name: '@t', value: tenantId },
      { name: '@v', value },
    ]);
    return items.map((a) => unwrap<Activation>(a));
  }

  async unannounced(changedBefore: string, limit: number): Promise<Activation[]> {
    const { items } = await this.docs.query<Activation>(
      'SELECT TOP @limit * FROM c WHERE c.kind = "activation" AND c.eventPending = true AND c.updatedAt < @before',
      [
        { name: '@limit', value: limit },
        { name: '@before', value: changedBefore },
      ],
    );
    return items.map((a) => unwrap<Activation>(a));
  }

  async readCap(tenantId: string, ruleId: string, customerId: string) {
    return this.get<CapState & { pending: Record<string, unknown> }>(tenantId, capId(ruleId, customerId));
  }

  async claimCap(tenantId: string, ruleId: string, customerId: string, activationId: string, atMs: number, cap: FrequencyCap): Promise<'applied' | 'refused'> {
    const id = capId(ruleId, customerId);
    const act = safe(activationId);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const existing = await this.readCap(tenantId, ruleId, customerId);
      if (!existing) {
        const created = await this.docs.create({ id, tenantId, kind: 'cap', ruleId, customerId, n: 1, last: atMs, pending: { [act]: { prev: 0 } } });
        if (created === 'created') return 'applied';
        continue;
      }
      if (existing.pending[act]) return 'applied';
      if (!capAllows(cap, existing, new Date(atMs).toISOString())) return 'refused';
      // Applied only if nobody claimed since the read; the previous time is kept so a budget refusal gives the place back exactly.
      const result = await this.patch(tenantId, id, `NOT IS_DEFINED(c.pending["${act}"]) AND c.n = ${existing.n} AND c.last = ${existing.last}`, [
        { op: 'incr', path: '/n', value: 1 },
        { op: 'set', path: '/last', value: atMs },
        { op: 'set', path: `/pending/${act}`, value: { prev: existing.last } },
      ]);
      if (result === 'applied') return 'applied';
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new DomainError('conflict', 'The offer cap is changing too often; retry shortly');
  }

  async releaseCap(tenantId: string, ruleId: string, customerId: string, activationId: string): Promise<void> {
    const id = capId(ruleId, customerId);
    const act = safe(activationId);
    const cap = await this.readCap(tenantId, ruleId, customerId);
    const held = cap?.pending[act] as { prev: number } | undefined;
    if (!held) return;
    await this.patch(tenantId, id, `IS_DEFINED(c.pending["${act}"])`, [
      { op: 'remove', path: `/pending/${act}` },
      { op: 'incr', path: '/n', value: -1 },
      { op: 'set', path: '/last', value: held.prev },
    ]);
  }

  async readBudget(tenantId: string, ruleId: string) {
    return this.get<{ used: number; pending: Record<string, unknown> }>(tenantId, budgetId(ruleId));
  }

  async claimBudget(tenantId: string, ruleId: string, activationId: string, limit: number): Promise<'applied' | 'refused'> {
    const id = budgetId(ruleId);
    const act = safe(activationId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await this.patch(tenantId, id, `NOT IS_DEFINED(c.pending["${act}"]) AND c.used <= ${Math.floor(limit) - 1}`, [
        { op: 'incr', path: '/used', value: 1 },
        { op: 'set', path: `/pending/${act}`, value: true },
      ]);
      if (result === 'applied') return 'applied';
      if (result === 'missing') {
        if ((await this.docs.create({ id, tenantId, kind: 'budget', ruleId, used: 1, pending: { [act]: true } })) === 'created') return 'applied';
        continue;
      }
      // Refused, or this activation already holds it (a retry): only a read tells them apart.
      return (await this.readBudget(tenantId, ruleId))?.pending[act] ? 'applied' : 'refused';
    }
    return 'refused';
  }

  async settle(tenantId: string, ruleId: string, customerId: string, activationId: string, counters: { cap: boolean; budget: boolean }): Promise<void> {
    const act = safe(activationId);
    const forget: PatchOperation[] = [{ op: 'remove', path: `/pending/${act}` }];
    const ids = [...(counters.cap ? [capId(ruleId, customerId)] : []), ...(counters.budget ? [budgetId(ruleId)] : [])];
    await Promise.all(ids.map((id) => this.patch(tenantId, id, `IS_DEFINED(c.pending["${act}"])`, forget)));
  }

  private async patch(tenantId: string, id: string, condition: string, operations: PatchOperation[]) {
    return (await this.docs.patchIf(id, this.pk(tenantId, id), `from c where ${condition}`, operations)).outcome;
  }
}

const capId = (ruleId: string, customerId: string) => `cap:${ruleId}:${customerId}`;
const budgetId = (ruleId: string) => `budget:${ruleId}`;

function ruleDoc(rule: Rule) {
  return { ...rule, id: `rule:${rule.ruleId}`, kind: 'rule', timed: rule.versions.some((v) => TIMED_TRIGGERS.includes(v.trigger.type)) };
}

/** Ids that go into a patch predicate or path are generated ids; anything else would be refused here. */
function safe(id: string): string {
  if (!/^[a-z0-9_-]+$/.test(id)) throw new Error('An id in a patch condition must be lower-case letters, digits, _ or -');
  return id;
}

function unwrap<T>(doc: object): T {
  const { id: _id, kind: _kind, timed: _timed, _etag, _rid, _self, _ts, _attachments, ...rest } = doc as Record<string, unknown>;
  return rest as T;
}
