import { daysAgo, hoursAgo, sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
useTestPlatform((context) => ({ p, t, store } = context));

const DAY = 86_400_000;
const record = (body: Record<string, unknown>, key = t.keys.pos) => p.api('POST', '/api/v1/transactions', { key, body });
const minutesAhead = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

describe('occurredAt is bounded', () => {
  it('accepts a small clock skew into the future and refuses more, however far', async () => {
    expect((await record(sale({ occurredAt: minutesAhead(4) }))).status).toBe(201);
    for (const occurredAt of [minutesAhead(6), '2099-01-01T00:00:00Z']) {
      const r = await record(sale({ occurredAt }));
      expect([occurredAt, r.status, r.body.reason]).toEqual([occurredAt, 422, 'occurred-in-future']);
    }
    // Not even an import may be in the future.
    expect((await record(sale({ occurredAt: '2099-01-01T00:00:00Z', import: true }), t.keys.admin)).body.reason).toBe('occurred-in-future');
  });

  it('accepts a till that was offline for up to 7 days; older only as an admin import', async () => {
    expect((await record(sale({ occurredAt: daysAgo(6.9) }))).status).toBe(201);
    for (const occurredAt of [daysAgo(7.1), '1970-01-01T00:00:00Z']) {
      const r = await record(sale({ occurredAt }));
      expect([occurredAt, r.status, r.body.reason]).toEqual([occurredAt, 422, 'occurred-too-long-ago']);
    }
    const notAdmin = await record(sale({ occurredAt: daysAgo(30), import: true }));
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.reason).toBe('import-requires-admin');
    expect((await record(sale({ occurredAt: daysAgo(30) }), t.keys.admin)).body.reason).toBe('occurred-too-long-ago');
    const imported = await record(sale({ occurredAt: daysAgo(30), import: true }), t.keys.admin);
    expect(imported.status).toBe(201);
    const doc = (await store.all('transactions', t.tenantId)).find((d: { transactionId: string }) => d.transactionId === imported.body.transactionId);
    expect(doc.imported).toBe(true);
  });

  it('still replays a sale recorded in bounds when its retry comes after the window', async () => {
    const body = sale({ occurredAt: hoursAgo(1) });
    const first = await record(body);
    expect(first.status).toBe(201);
    p.advanceClock(8 * DAY);
    try {
      const again = await record(body);
      expect(again.status).toBe(200);
      expect(again.body.transactionId).toBe(first.body.transactionId);
      expect((await record(sale({ occurredAt: hoursAgo(1) }))).body.reason).toBe('occurred-too-long-ago');
    } finally {
      p.advanceClock(-8 * DAY);
    }
  });
});

describe('loyalty pending days', () => {
  it('count from when the platform learnt of the sale when that is later than the sale', async () => {
    const program = { name: 'Club', currency: 'EUR', earn: { pointsPerUnit: 1 }, pendingDays: 14, redemption: { pointValue: 1 } };
    expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program })).status).toBe(200);
    const customer = { identifiers: [{ type: 'email', value: `late-${Date.now()}@example.com` }] };
    const late = await record(sale({ customer, occurredAt: '2025-01-10T10:00:00Z', import: true }), t.keys.admin);
    expect(late.status).toBe(201);
    await p.bus.idle();
    const summary = (await p.api('GET', `/api/v1/customers/${late.body.customerId}/loyalty`, { key: t.keys.pos })).body;
    expect(summary).toMatchObject({ spendable: 0, pending: 43 });
    const account = (await store.all('loyalty', t.tenantId)).find((d: { id: string }) => d.id === `${late.body.customerId}|account`);
    expect(account.lots[0].availableAt).toBe(new Date(Date.parse(late.body.recordedAt) + 14 * DAY).toISOString());
    expect(account.lots[0].earnedAt).toBe('2025-01-10T10:00:00.000Z');
  });
});
