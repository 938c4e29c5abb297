import { DomainError } from '../kernel/errors';
import type { CreateOutcome, Logger } from '../kernel/ports';
import { newCustomer } from '../customers';
import { FakeClock, FakeCustomerStore } from '../../tests/support/fakes';
import { OfferService, type Activation, type CouponPort, type OfferStore, type PointsPort } from './offers';
import { capAllows, RuleInput, type CapState, type FrequencyCap, type Rule } from './rules';
import type { SegmentDirectory, TraitQuery } from './segments';

/** A platform without segments: it knows none, and says so. */
const NO_SEGMENTS: SegmentDirectory = {
  available: false,
  exists: () => Promise.resolve(false),
  isMember: () => Promise.resolve(false),
  customersMatching: async function* () {},
};

const silent: Logger = { log: () => undefined, child: () => silent };
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The Cosmos DB adapter's contract in memory: idempotent creates, counters that record who holds a place. */
class FakeOfferStore implements OfferStore {
  readonly rules = new Map<string, { rule: Rule; etag: number }>();
  readonly activations = new Map<string, Activation>();
  readonly caps = new Map<string, CapState & { pending: Record<string, unknown> }>();
  readonly budgets = new Map<string, { used: number; pending: Record<string, unknown> }>();
  async createRule(rule: Rule): Promise<CreateOutcome> {
    this.rules.set(rule.ruleId, { rule, etag: 1 });
    return 'created';
  }
  async getRule(tenantId: string, ruleId: string) {
    const r = this.rules.get(ruleId);
    return r && r.rule.tenantId === tenantId ? { rule: r.rule, etag: String(r.etag) } : undefined;
  }
  async replaceRule(rule: Rule, etag: string) {
    const r = this.rules.get(rule.ruleId);
    if (!r || String(r.etag) !== etag) return false;
    this.rules.set(rule.ruleId, { rule, etag: r.etag + 1 });
    return true;
  }
  async listRules(tenantId: string) {
    return [...this.rules.values()].map((r) => r.rule).filter((r) => r.tenantId === tenantId);
  }
  async timedRules() {
    return [...this.rules.values()].map((r) => r.rule).filter((r) => r.versions.some((v) => v.trigger.type === 'birthday' || v.trigger.type === 'lapsed'));
  }
  async getActivation(_tenantId: string, id: string) {
    await tick();
    return this.activations.get(id);
  }
  async createActivation(a: Activation): Promise<CreateOutcome> {
    await tick();
    if (this.activations.has(a.activationId)) return 'exists';
    this.activations.set(a.activationId, a);
    return 'created';
  }
  async updateActivation(_tenantId: string, id: string, mutate: (a: Activation) => Activation | undefined) {
    await tick();
    const current = this.activations.get(id);
    const next = current && mutate(current);
    if (next) this.activations.set(id, next);
    return next ?? current;
  }
  async activationsOfRule(_t: string, ruleId: string) {
    return [...this.activations.values()].filter((a) => a.ruleId === ruleId);
  }
  async activationsOfCustomer(_t: string, customerId: string) {
    return [...this.activations.values()].filter((a) => a.customerId === customerId);
  }
  async activationsOfSale(_t: string, transactionId: string) {
    return [...this.activations.values()].filter((a) => a.trigger.transactionId === transactionId);
  }
  async unannounced() {
    return [...this.activations.values()].filter((a) => a.eventPending);
  }
  async readCap(_t: string, ruleId: string, customerId: string) {
    return this.caps.get(`${ruleId}:${customerId}`);
  }
  async claimCap(_t: string, ruleId: string, customerId: string, act: string, atMs: number, cap: FrequencyCap) {
    await tick();
    const key = `${ruleId}:${customerId}`;
    const state = this.caps.get(key) ?? { n: 0, last: 0, pending: {} };
    if (state.pending[act]) return 'applied';
    if (!capAllows(cap, state, new Date(atMs).toISOString())) return 'refused';
    this.caps.set(key, { n: state.n + 1, last: atMs, pending: { ...state.pending, [act]: { prev: state.last } } });
    return 'applied';
  }
  async releaseCap(_t: string, ruleId: string, customerId: string, act: string) {
    const key = `${ruleId}:${customerId}`;
    const state = this.caps.get(key);
    const held = state?.pending[act] as { prev: number } | undefined;
    if (!state || !held) return;
    const { [act]: _gone, ...pending } = state.pending;
    this.caps.set(key, { n: state.n - 1, last: held.prev, pending });
  }
  async readBudget(_t: string, ruleId: string) {
    return this.budgets.get(ruleId);
  }
  async claimBudget(_t: string, ruleId: string, act: string, limit: number) {
    await tick();
    const state = this.budgets.get(ruleId) ?? { used: 0, pending: {} };
    if (state.pending[act]) return 'applied';
    if (state.used >= limit) return 'refused';
    this.budgets.set(ruleId, { used: state.used + 1, pending: { ...state.pending, [act]: true } });
    return 'applied';
  }
  async settle() {}
}

/** A segments capability in memory: members by segment, and customers by trait value. */
class FakeSegments implements SegmentDirectory {
  readonly available = true;
  constructor(
    readonly members: Record<string, string[]>,
    readonly traits: Record<string, Record<string, number>> = {},
  ) {}
  async exists(_t: string, segmentId: string) {
    return segmentId in this.members;
  }
  async isMember(_t: string, segmentId: string, customerId: string) {
    return this.members[segmentId]?.includes(customerId) ?? false;
  }
  async *customersMatching(_t: string, query: TraitQuery) {
    const { trait, value } = query.all[0]!;
    for (const [customerId, values] of Object.entries(this.traits)) if (values[trait] === value) yield customerId;
  }
}

function setup(segments: SegmentDirectory) {
  const clock = new FakeClock();
  const store = new FakeOfferStore();
  const customers = new FakeCustomerStore();
  for (const id of ['ana', 'bea']) customers.customers.set(`t1|${id}`, newCustomer('t1', id, clock.now().toISOString()));
  const issued: string[] = [];
  const coupons: CouponPort = {
    issuePersonal: async (_t, _c, customerId, issueId) => {
      if (!issued.includes(issueId)) issued.push(issueId);
      return { code: `CODE-${issueId}`, customerId };
    },
    getCampaign: async (_t, campaignId) => {
      if (campaignId !== 'cmp_known') throw new DomainError('not-found', 'no');
      return {};
    },
    redemptionsByChannel: async () => ({ store: 0, online: 0 }),
  };
  const points: PointsPort = { awardBonus: async () => undefined, reverseBonus: async () => false };
  const published: unknown[] = [];
  const service = new OfferService(
    store,
    customers,
    { listForCustomer: async () => ({ items: [], continuationToken: null }) } as never,
    coupons,
    points,
    segments,
    {
      publish: async (events) => void published.push(...events),
    },
    clock,
  );
  return { service, store, issued, clock, published };
}

const rule = (body: Record<string, unknown>) => RuleInput.parse({ name: 'R', actions: [{ type: 'issue-coupon', campaignId: 'cmp_known' }], ...body });
const saleEvent = (customerId: string, at: string, transactionId = `tx_${customerId}`) =>
  ({
    specversion: '1.0',
    id: `evt_${transactionId}`,
    type: 'transaction.recorded',
    tenantid: 't1',
    time: at,
    data: { transactionId, customerId, type: 'sale', channel: 'store', locationId: 's1', totals: { net: 1000 }, lines: [{ sku: 'A' }] },
  }) as never;

describe('segment triggers and conditions, against a fake segments capability', () => {
  it('acts once when a customer enters the segment, however often the event is delivered', async () => {
    const { service, issued, clock } = setup(new FakeSegments({ vip: ['ana'] }));
    await service.createRule('t1', rule({ trigger: { type: 'segment-entered', segmentId: 'vip' } }));
    clock.advance(1000);
    const change = { eventId: 'seg-1', segmentId: 'vip', customerId: 'ana', at: clock.now().toISOString(), entered: true };
    const acted = await Promise.all(Array.from({ length: 5 }, () => service.handleSegmentChange('t1', change, silent)));
    expect(acted).toEqual([1, 1, 1, 1, 1]);
    expect(issued).toHaveLength(1);
    expect(await service.handleSegmentChange('t1', { ...change, eventId: 'seg-2', entered: false }, silent)).toBe(0);
  });

  it('a segment condition lets members through only', async () => {
    const { service, issued, clock } = setup(new FakeSegments({ vip: ['ana'] }));
    await service.createRule('t1', rule({ trigger: { type: 'sale' }, conditions: { segmentIds: ['vip'] } }));
    clock.advance(1000);
    expect(await service.handleTransaction(saleEvent('bea', clock.now().toISOString()), silent)).toBe(0);
    expect(await service.handleTransaction(saleEvent('ana', clock.now().toISOString()), silent)).toBe(1);
    expect(issued).toHaveLength(1);
  });

  it('refuses a rule naming an unknown segment, naming the field', async () => {
    const { service } = setup(new FakeSegments({ vip: [] }));
    const error = await service.createRule('t1', rule({ trigger: { type: 'segment-left', segmentId: 'gold' } })).catch((e: DomainError) => e);
    expect(error).toMatchObject({ code: 'validation-failed', details: { issues: [{ field: 'trigger.segmentId' }] } });
  });
});

describe('birthday and lapsed, with the daily timer', () => {
  it('acts for the customers whose traits match today, once per birthday and once per lapse', async () => {
    const { service, issued, clock } = setup(new FakeSegments({}, { ana: { daysUntilBirthday: 3 }, bea: { daysSinceLastPurchase: 90 } }));
    await service.createRule('t1', rule({ trigger: { type: 'birthday', daysBefore: 3 } }));
    await service.createRule('t1', rule({ trigger: { type: 'lapsed', days: 90 } }));
    clock.advance(1000);
    expect(await service.runDaily(silent)).toBe(2);
    expect(await service.runDaily(silent)).toBe(2);
    expect(issued).toHaveLength(2);
  });

  it('waits for segments: without them the timer does nothing and such rules are refused', async () => {
    const { service } = setup(NO_SEGMENTS);
    expect(await service.runDaily(silent)).toBe(0);
    await expect(service.createRule('t1', rule({ trigger: { type: 'birthday', daysBefore: 3 } }))).rejects.toMatchObject({
      code: 'unprocessable',
      details: { reason: 'segments-unavailable', issues: [{ field: 'trigger.type' }] },
    });
  });
});

describe('rules', () => {
  it('refuses a campaign that does not exist, naming the action', async () => {
    const { service } = setup(NO_SEGMENTS);
    await expect(
      service.createRule('t1', rule({ trigger: { type: 'sale' }, actions: [{ type: 'issue-coupon', campaignId: 'cmp_nope' }] })),
    ).rejects.toMatchObject({
      details: { issues: [{ field: 'actions.0.campaignId' }] },
    });
  });

  it('a once-per-customer cap and a budget never pass their limit when claims race', async () => {
    const { service, store, clock } = setup(NO_SEGMENTS);
    const created = await service.createRule('t1', rule({ trigger: { type: 'sale' }, cap: { type: 'once' }, budget: { activations: 1 } }));
    clock.advance(1000);
    const at = clock.now().toISOString();
    await Promise.all(Array.from({ length: 5 }, (_, i) => service.handleTransaction(saleEvent('ana', at, `tx${i}`), silent)));
    await service.handleTransaction(saleEvent('bea', at), silent);
    const report = await service.report('t1', created.ruleId);
    expect(report).toMatchObject({ triggered: 6, acted: 1, capped: 5 });
    expect(store.budgets.get(created.ruleId)?.used).toBe(1);
  });
});
