import { useTestPlatform, type TestPlatform, type TestTenant } from '../support/platform';

let p: TestPlatform;
let t: TestTenant;
useTestPlatform((context) => ({ p, t } = context));

async function campaign(tenant: TestTenant, name: string) {
  const r = await p.api('POST', '/api/v1/campaigns', {
    key: tenant.keys.admin,
    body: { name, discount: { type: 'fixedAmount', amount: 500 }, validFrom: '2026-01-01T00:00:00Z', validTo: '2030-01-01T00:00:00Z' },
  });
  expect(r.status).toBe(201);
  return r.body as { campaignId: string };
}

const list = (query = '', key = t.keys.admin) => p.api('GET', `/api/v1/campaigns${query}`, { key });

describe('GET /api/v1/campaigns', () => {
  it("lists the tenant's campaigns newest first, a page at a time, and only its own", async () => {
    const ids: string[] = [];
    for (const name of ['Spring', 'Summer', 'Autumn']) {
      ids.push((await campaign(t, name)).campaignId);
      // createdAt orders the list: a millisecond apart at least.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const other = await p.createTenant();
    await campaign(other, 'Not theirs');

    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { name: string }) => c.name)).toEqual(['Autumn', 'Summer', 'Spring']);
    expect(all.body.items[0]).toMatchObject({ campaignId: ids[2], discount: { type: 'fixedAmount', amount: 500 }, codesIssued: 0, publicCode: null });
    // What a campaign gave is counted when it is opened, not in the list.
    expect(all.body.items[0]).not.toHaveProperty('redemptions');
    expect(all.body.continuationToken).toBeNull();

    const first = await list('?limit=2');
    expect(first.body.items.map((c: { campaignId: string }) => c.campaignId)).toEqual([ids[2], ids[1]]);
    expect(typeof first.body.continuationToken).toBe('string');
    const second = await list(`?limit=2&continuationToken=${first.body.continuationToken}`);
    expect(second.status).toBe(200);
    expect(second.body.items.map((c: { campaignId: string }) => c.campaignId)).toEqual([ids[0]]);
    expect(second.body.continuationToken).toBeNull();

    // Another tenant's token is not a way into this tenant's list.
    const theirs = await list('', other.keys.admin);
    expect(theirs.body.items.map((c: { name: string }) => c.name)).toEqual(['Not theirs']);
    const replayed = await list(`?limit=2&continuationToken=${first.body.continuationToken}`, other.keys.admin);
    expect(replayed.status).toBe(400);
    expect(replayed.body.errors).toEqual([expect.objectContaining({ field: 'continuationToken' })]);
  });

  it('refuses a bad limit or token naming the field, and keys that are not admin', async () => {
    const badLimit = await list('?limit=0');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    const badToken = await list('?continuationToken=not%20a%20token');
    expect(badToken.status).toBe(400);
    expect(badToken.body.errors).toEqual([expect.objectContaining({ field: 'query.continuationToken' })]);
    expect((await list('', t.keys.pos)).status).toBe(403);
    // Marketing staff find campaigns as they open them.
    const marketing = await p.api('POST', `/api/v1/tenants/${t.tenantId}/api-keys`, { key: p.adminKey, body: { role: 'marketing', name: 'Marketing' } });
    expect(marketing.status).toBe(201);
    expect((await list('', marketing.body.apiKey)).status).toBe(200);
  });
});
