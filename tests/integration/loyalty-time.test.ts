import { FakeClock } from '../support/fakes';
import { sale, useTestPlatform, type TestContext, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
let store: TestContext['store'];
const clock = new FakeClock(new Date('2026-11-22T12:00:00Z'));
useTestPlatform((context) => ({ p, t, store } = context), { clock });

const DAY = 86_400_000;
const customer = { identifiers: [{ type: 'email', value: 'time@example.com' }] };

describe('loyalty over time, on the maintenance timer', () => {
  it('makes pending points spendable after the return window, and expires them with an entry', async () => {
    const program = { name: 'Club', currency: 'EUR', earn: { pointsPerUnit: 1 }, pendingDays: 14, expiryMonths: 12, redemption: { pointValue: 1 } };
    expect((await p.api('PUT', '/api/v1/loyalty/program', { key: t.keys.admin, body: program })).status).toBe(200);
    const r = await p.api('POST', '/api/v1/transactions', { key: t.keys.pos, body: sale({ customer, occurredAt: '2026-11-22T11:00:00Z' }) });
    await p.bus.idle();
    const summary = async () => (await p.api('GET', `/api/v1/customers/${r.body.customerId}/loyalty`, { key: t.keys.pos })).body;
    const accountDoc = async () => (await store.all('loyalty', t.tenantId)).find((d: { id: string }) => d.id === `${r.body.customerId}|account`);

    expect(await summary()).toMatchObject({ spendable: 0, pending: 43 });
    // Pending days count from when the platform learnt of the sale (12:00), an hour after it happened.
    expect((await accountDoc()).dueAt).toBe('2026-12-06T12:00:00.000Z');

    clock.advance(15 * DAY);
    await p.host.runTimer('loyaltyMaintenance');
    expect(await summary()).toMatchObject({ spendable: 43, pending: 0, expiringSoon: { points: 0 } });
    expect((await accountDoc()).dueAt).toBe('2027-11-22T11:00:00.000Z');

    clock.advance(340 * DAY);
    expect((await summary()).expiringSoon).toMatchObject({ points: 43, first: '2027-11-22T11:00:00.000Z' });

    clock.advance(30 * DAY);
    await p.host.runTimer('loyaltyMaintenance');
    await p.host.runTimer('loyaltyMaintenance');
    const ledger = (await p.api('GET', `/api/v1/customers/${r.body.customerId}/loyalty/ledger`, { key: t.keys.pos })).body.items;
    expect(ledger.map((e: { type: string; points: number }) => [e.type, e.points])).toEqual([
      ['expiry', -43],
      ['accrual', 43],
    ]);
    expect(await summary()).toMatchObject({ spendable: 0, totals: { earned: 43, expired: 43 } });
    expect((await accountDoc()).dueAt).toBeNull();
  });
});
