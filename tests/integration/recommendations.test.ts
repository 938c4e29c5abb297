import { randomBytes } from 'node:crypto';
import type { EventOf } from '../../shared/kernel/events';
import type { Logger } from '../../shared/kernel/ports';
import type { TransactionRecorded } from '../../shared/transactions';
import { startLocalPlatform } from '../../local/platform';
import { onlineSale, sale, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

/** SKUs of one test: no other test's baskets pair with them. */
const skus = (...names: string[]) => {
  const prefix = randomBytes(3).toString('hex');
  return Object.fromEntries(names.map((n) => [n, `${n}-${prefix}`])) as Record<string, string>;
};
const email = () => ({ type: 'email', value: `recs-${randomBytes(4).toString('hex')}@example.com` });
const line = (sku: string, description?: string) => ({ sku, quantity: 1, unitPrice: 1000, taxRate: 21, ...(description && { description }) });
const lines = (...items: string[]) => items.map((sku) => line(sku));
const tenders = (n: number) => [{ type: 'card', amount: n * 1000 }];

async function record(body: Record<string, unknown>, key = c.t.keys.admin) {
  const r = await c.p.api('POST', '/api/v1/transactions', { key, body });
  expect([200, 201]).toContain(r.status);
  return r.body as { transactionId: string; customerId: string | null };
}
/** Anonymous baskets that teach the model which items go together. */
async function together(times: number, items: string[], channel: 'store' | 'online' = 'online') {
  for (let i = 0; i < times; i++) {
    const base = { lines: lines(...items), tenders: tenders(items.length) };
    await record(channel === 'online' ? onlineSale(base) : sale(base));
  }
}
async function stock(locationId: string, items: string[], quantity = 20, key = c.t.keys.admin) {
  const r = await c.p.api('POST', '/api/v1/stock/movements', {
    key,
    body: { type: 'receipt', reference: `GR-${randomBytes(4).toString('hex')}`, locationId, lines: items.map((sku) => ({ sku, quantity })) },
  });
  expect(r.status).toBe(201);
}
const settle = () => c.p.bus.idle();
async function recommend(customerId: string, query: string, key = c.t.keys.admin) {
  const r = await c.p.api('GET', `/api/v1/customers/${customerId}/recommendations?${query}`, { key });
  expect(r.status).toBe(200);
  return r.body as {
    recommendationId: string;
    kind: string;
    items: Array<{
      sku: string;
      explanation: { reason: string; text: string; because?: { sku: string; channel?: string; locationId?: string; locationName?: string } };
    }>;
  };
}
const skusOf = (list: { items: Array<{ sku: string }> }) => list.items.map((i) => i.sku);

describe('recommendations from both channels', () => {
  it('a store purchase changes what the web shop recommends, and the explanation names it', async () => {
    const s = skus('SCARF', 'GLOVES', 'CANDLE', 'MUG');
    await stock('warehouse-1', Object.values(s));
    await together(3, [s.SCARF!, s.GLOVES!]);
    await together(4, [s.CANDLE!, s.MUG!]);
    const who = email();
    const online = await record(onlineSale({ customer: { identifiers: [who] }, lines: [line(s.CANDLE!)], tenders: tenders(1) }), c.t.keys.ecommerce);
    await settle();
    const before = await recommend(online.customerId!, 'channel=online');
    expect(before.items[0]).toMatchObject({ sku: s.MUG, explanation: { reason: 'bought-before', because: { sku: s.CANDLE, channel: 'online' } } });
    // The rest of the list is best sellers (gloves among them), explained as such.
    expect(before.items.filter((i) => i.explanation.reason === 'bought-before').map((i) => i.sku)).toEqual([s.MUG]);

    await record(sale({ customer: { identifiers: [who] }, lines: [line(s.SCARF!, 'Wool scarf')], tenders: tenders(1) }), c.t.keys.pos);
    await settle();
    const after = await recommend(online.customerId!, 'channel=online');
    expect(after.items.filter((i) => i.explanation.reason === 'bought-before').map((i) => i.sku)).toEqual(expect.arrayContaining([s.MUG, s.GLOVES]));
    expect(after.items.find((i) => i.sku === s.GLOVES)!.explanation).toMatchObject({
      reason: 'bought-before',
      text: 'Because you bought Wool scarf in store-1',
      because: { sku: s.SCARF, channel: 'store', locationId: 'store-1', locationName: 'store-1' },
    });
    // Nothing she bought comes back (no repeat-purchase category set).
    expect(skusOf(after)).not.toContain(s.SCARF);
    expect(skusOf(after)).not.toContain(s.CANDLE);
    expect(after.recommendationId).toMatch(/^rec\.customer\./);
  });

  it('never recommends for a store what the store has not got available', async () => {
    const s = skus('BOOTS', 'POLISH', 'LACES');
    await together(3, [s.BOOTS!, s.POLISH!, s.LACES!], 'store');
    await stock('store-1', [s.LACES!], 5);
    await stock('warehouse-1', [s.POLISH!, s.LACES!], 5);
    const buyer = await record(sale({ customer: { identifiers: [email()] }, lines: [line(s.BOOTS!)], tenders: tenders(1) }), c.t.keys.pos);
    await settle();
    const inStore = await recommend(buyer.customerId!, 'channel=store&locationId=store-1', c.t.keys.pos);
    expect(skusOf(inStore)).toContain(s.LACES);
    expect(skusOf(inStore)).not.toContain(s.POLISH);
    // The web shop may promise the warehouse's units.
    const web = await recommend(buyer.customerId!, 'channel=online');
    expect(skusOf(web).slice(0, 2).sort()).toEqual([s.LACES, s.POLISH].sort());
    // Once the store sells its last laces, they are not offered there any more.
    await record(sale({ lines: [{ ...line(s.LACES!), quantity: 5 }], tenders: tenders(5) }), c.t.keys.pos);
    await settle();
    expect(skusOf(await recommend(buyer.customerId!, 'channel=store&locationId=store-1', c.t.keys.pos))).not.toContain(s.LACES);
    // A till key may not ask for another store.
    const other = await c.p.api('GET', `/api/v1/customers/${buyer.customerId}/recommendations?channel=store&locationId=store-2`, { key: c.t.keys.pos });
    expect(other.status).toBe(403);
  });

  it('removes a returned item from her history: it no longer drives her recommendations', async () => {
    const s = skus('LAMP', 'BULB', 'VASE', 'FLOWERS');
    await stock('warehouse-1', Object.values(s));
    await together(3, [s.LAMP!, s.BULB!]);
    await together(3, [s.VASE!, s.FLOWERS!]);
    const who = email();
    const bought = await record(sale({ customer: { identifiers: [who] }, lines: lines(s.LAMP!, s.VASE!), tenders: tenders(2) }), c.t.keys.pos);
    await settle();
    const before = await recommend(bought.customerId!, 'channel=online');
    expect(skusOf(before)).toEqual(expect.arrayContaining([s.BULB, s.FLOWERS]));

    const ret = sale({ type: 'return', originalTransactionId: bought.transactionId, lines: [line(s.LAMP!)], tenders: [{ type: 'cash', amount: 1000 }] });
    await record(ret, c.t.keys.pos);
    await record(ret, c.t.keys.pos); // a retry changes nothing
    await settle();
    const after = await recommend(bought.customerId!, 'channel=online');
    expect(after.items.find((i) => i.explanation.because?.sku === s.LAMP)).toBeUndefined();
    expect(after.items.find((i) => i.sku === s.FLOWERS)?.explanation.because?.sku).toBe(s.VASE);
    const history = await c.p.platform.services.recommendations.history(c.t.tenantId, bought.customerId!);
    expect(Object.keys(history!.items)).toEqual([s.VASE]);
  });

  it('answers a customer with no purchases with the best sellers where she is buying', async () => {
    const s = skus('HIT');
    await stock('store-2', [s.HIT!]);
    for (let i = 0; i < 6; i++)
      await record(sale({ locationId: 'store-2', terminalId: 'till-9', lines: [line(s.HIT!)], tenders: tenders(1) }), c.t.keys.posOtherStore);
    await settle();
    const newcomer = await c.p.api('POST', '/api/v1/customers/identify', { key: c.t.keys.admin, body: { identifiers: [email()] } });
    const list = await recommend(newcomer.body.customerId, 'channel=store&locationId=store-2', c.t.keys.posOtherStore);
    expect(list.items[0]).toMatchObject({ sku: s.HIT, explanation: { reason: 'best-seller', text: 'A best seller in store-2' } });
    const best = await c.p.api('GET', '/api/v1/recommendations/best-sellers?channel=store&locationId=store-2&limit=3', { key: c.t.keys.posOtherStore });
    expect(best.status).toBe(200);
    expect(best.body.items[0].sku).toBe(s.HIT);
    const trending = await c.p.api('GET', '/api/v1/recommendations/trending?channel=store&locationId=store-2&limit=3', { key: c.t.keys.posOtherStore });
    expect(trending.body.items[0].sku).toBe(s.HIT);
  });

  it("blends the catalogue's relations, in their order, before what is bought with a product", async () => {
    const s = skus('LAMP', 'SHADE', 'BULB', 'VASE');
    const admin = { key: c.t.keys.admin };
    const settings = { families: [{ familyId: 'home', name: 'Home', parentId: null }], attributes: [], priceLists: [] };
    expect((await c.p.api('PUT', '/api/v1/catalogue/settings', { ...admin, body: settings })).status).toBe(200);
    const product = (id: string) => ({ type: 'product', productId: id, version: 1, name: id, families: ['home'] });
    const variant = (id: string) => ({ type: 'variant', productId: id, sku: id, version: 1, options: {} });
    const items = [...[s.LAMP!, s.SHADE!, s.BULB!, s.VASE!].flatMap((id) => [product(id), variant(id)])];
    items.push({ type: 'relations', productId: s.LAMP!, relation: 'accessory', related: [s.BULB!, s.SHADE!], version: 1 } as never);
    const upserted = await c.p.api('POST', '/api/v1/catalogue/items', { ...admin, body: { items } });
    expect(upserted.status).toBe(200);
    await stock('store-1', Object.values(s));
    await together(3, [s.LAMP!, s.VASE!], 'store');
    await settle();
    const related = await c.p.api('GET', `/api/v1/recommendations/related/${s.LAMP}?channel=store&locationId=store-1`, { key: c.t.keys.pos });
    expect(related.status).toBe(200);
    expect(skusOf(related.body).slice(0, 3)).toEqual([s.BULB, s.SHADE, s.VASE]);
  });

  it('recommends for a basket and for a product what is bought with them, and measures conversion', async () => {
    const s = skus('PASTA', 'SAUCE', 'CHEESE', 'WINE');
    await stock('store-1', Object.values(s));
    await together(4, [s.PASTA!, s.SAUCE!, s.CHEESE!], 'store');
    await together(1, [s.PASTA!, s.WINE!], 'store');
    await settle();
    const basket = await c.p.api('POST', '/api/v1/recommendations/basket', {
      key: c.t.keys.pos,
      body: { channel: 'store', locationId: 'store-1', skus: [s.PASTA], limit: 3 },
    });
    expect(basket.status).toBe(200);
    expect(skusOf(basket.body).slice(0, 3)).toEqual(expect.arrayContaining([s.SAUCE, s.CHEESE]));
    expect(basket.body.items[0].explanation).toMatchObject({ reason: 'in-basket', because: { sku: s.PASTA } });
    const related = await c.p.api('GET', `/api/v1/recommendations/related/${s.SAUCE}?channel=store&locationId=store-1`, { key: c.t.keys.pos });
    expect(skusOf(related.body).slice(0, 2).sort()).toEqual([s.PASTA, s.CHEESE].sort());

    const from = new Date(Date.now() - 86_400_000).toISOString();
    const bought = sale({ lines: [{ ...line(s.SAUCE!), recommendationId: basket.body.recommendationId }], tenders: tenders(1) });
    await record(bought, c.t.keys.pos);
    await record(bought, c.t.keys.pos);
    await settle();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const report = await c.p.api('GET', `/api/v1/recommendations/conversion?from=${from}&to=${to}`, { key: c.t.keys.admin });
    expect(report.status).toBe(200);
    const ofBaskets = report.body.byKind.find((k: { kind: string }) => k.kind === 'basket');
    expect(ofBaskets).toMatchObject({ convertedLines: 1, convertedLists: 1, units: 1, amount: { EUR: 1000 } });
    expect(ofBaskets.served).toBeGreaterThanOrEqual(1);
  });

  it('a merge combines both histories', async () => {
    const s = skus('TENT', 'PEGS', 'STOVE', 'FUEL');
    await stock('warehouse-1', Object.values(s));
    await together(3, [s.TENT!, s.PEGS!]);
    await together(3, [s.STOVE!, s.FUEL!]);
    const a = await record(sale({ customer: { identifiers: [email()] }, lines: lines(s.TENT!), tenders: tenders(1) }), c.t.keys.pos);
    const b = await record(onlineSale({ customer: { identifiers: [email()] }, lines: lines(s.STOVE!), tenders: tenders(1) }), c.t.keys.ecommerce);
    await settle();
    const merged = await c.p.api('POST', `/api/v1/customers/${a.customerId}/merge`, {
      key: c.t.keys.admin,
      body: { customerId: b.customerId, reason: 'Same person' },
    });
    expect(merged.status).toBe(200);
    const list = await recommend(a.customerId!, 'channel=online');
    expect(skusOf(list)).toEqual(expect.arrayContaining([s.PEGS, s.FUEL]));
    expect(skusOf(list)).not.toContain(s.STOVE);
    expect(list.items.find((i) => i.sku === s.FUEL)!.explanation.because).toMatchObject({ sku: s.STOVE, channel: 'online' });
  });

  it('erasure removes her history and her baskets from the model', async () => {
    const s = skus('RARE', 'PAIR');
    await stock('warehouse-1', Object.values(s));
    const who = await record(sale({ customer: { identifiers: [email()] }, lines: lines(s.RARE!, s.PAIR!), tenders: tenders(2) }), c.t.keys.pos);
    await settle();
    const service = c.p.platform.services.recommendations;
    expect((await service.modelOf(c.t.tenantId)).similarTo(s.RARE!).map((i) => i.sku)).toEqual([s.PAIR]);
    expect(await service.history(c.t.tenantId, who.customerId!)).toBeDefined();

    expect((await c.p.api('DELETE', `/api/v1/customers/${who.customerId}`, { key: c.t.keys.admin })).status).toBe(204);
    expect(await service.history(c.t.tenantId, who.customerId!)).toBeUndefined();
    expect((await service.modelOf(c.t.tenantId)).similarTo(s.RARE!)).toEqual([]);
    expect((await c.p.api('GET', `/api/v1/customers/${who.customerId}/recommendations?channel=online`, { key: c.t.keys.admin })).status).toBe(410);
  });

  it("never shows another tenant's items", async () => {
    const other = await c.p.createTenant();
    const s = skus('SECRET', 'ONLY');
    await stock('warehouse-1', [s.SECRET!, s.ONLY!]);
    await together(5, [s.SECRET!, s.ONLY!]);
    // The other tenant stocks the same SKUs: only the model could keep them out.
    await stock('warehouse-1', [s.SECRET!, s.ONLY!], 20, other.keys.admin);
    await settle();
    for (const path of ['/api/v1/recommendations/best-sellers?channel=online&limit=50', '/api/v1/recommendations/trending?channel=online&limit=50']) {
      const r = await c.p.api('GET', path, { key: other.keys.admin });
      expect(r.status).toBe(200);
      expect(skusOf(r.body)).toEqual([]);
    }
    const related = await c.p.api('GET', `/api/v1/recommendations/related/${s.SECRET}?channel=online`, { key: other.keys.admin });
    expect(skusOf(related.body)).toEqual([]);
    const basket = await c.p.api('POST', '/api/v1/recommendations/basket', { key: other.keys.admin, body: { channel: 'online', skus: [s.SECRET] } });
    expect(skusOf(basket.body)).toEqual([]);
  });

  it('learns each transaction once: redeliveries, also concurrent ones, change nothing; concurrent sales all reach her history', async () => {
    const s = skus('FRAME', 'HOOK', 'NAIL', 'GLUE');
    const silent: Logger = { log: () => undefined, child: () => silent };
    const who = email();
    const first = await record(sale({ customer: { identifiers: [who] }, lines: lines(s.FRAME!, s.HOOK!), tenders: tenders(2) }), c.t.keys.pos);
    await settle();
    const service = c.p.platform.services.recommendations;
    const figures = async () => {
      const model = await service.modelOf(c.t.tenantId);
      return { frame: model.popularity(s.FRAME!), related: model.similarTo(s.FRAME!), history: await service.history(c.t.tenantId, first.customerId!) };
    };
    const before = await figures();
    const view = (await c.p.api('GET', `/api/v1/transactions/${first.transactionId}`, { key: c.t.keys.admin })).body;
    const event = {
      specversion: '1.0',
      id: `evt_${view.transactionId}`,
      type: 'transaction.recorded',
      tenantid: c.t.tenantId,
      data: view,
    } as unknown as EventOf<typeof TransactionRecorded>;
    await Promise.all([service.handle(event, silent), service.handle(event, silent), service.handle(event, silent)]);
    expect(await figures()).toEqual(before);

    await Promise.all(
      [s.NAIL!, s.GLUE!, s.NAIL!].map((sku) =>
        record(onlineSale({ customer: { identifiers: [who] }, lines: lines(sku), tenders: tenders(1) }), c.t.keys.ecommerce),
      ),
    );
    await settle();
    const history = await service.history(c.t.tenantId, first.customerId!);
    expect(Object.fromEntries(Object.entries(history!.items).map(([sku, item]) => [sku, item.quantity]))).toEqual({
      [s.FRAME!]: 1,
      [s.HOOK!]: 1,
      [s.NAIL!]: 2,
      [s.GLUE!]: 1,
    });
  });

  it('another instance serves the same model: it loads it, then catches up on baskets it did not handle, each once', async () => {
    const s = skus('KETTLE', 'TEA', 'CUP', 'SAUCER');
    await together(2, [s.KETTLE!, s.TEA!]);
    await settle();
    const second = await startLocalPlatform({
      port: 0,
      stack: c.p.stack,
      databaseName: c.p.platform.config.cosmos.databaseName,
      timers: false,
      env: { LOG_LEVEL: 'silent' },
    });
    try {
      const there = second.platform.services.recommendations;
      const here = c.p.platform.services.recommendations;
      expect((await there.modelOf(c.t.tenantId)).similarTo(s.KETTLE!).map((i) => i.sku)).toEqual([s.TEA]);
      // Learnt by the first instance's consumer only (each instance has its own bus here).
      await together(3, [s.CUP!, s.SAUCER!]);
      await settle();
      await new Promise((resolve) => setTimeout(resolve, 5_100));
      const model = await there.modelOf(c.t.tenantId);
      expect(model.similarTo(s.CUP!).map((i) => i.sku)).toEqual([s.SAUCER]);
      const mine = await here.modelOf(c.t.tenantId);
      expect(model.popularity(s.CUP!) / model.popularity(s.KETTLE!)).toBeCloseTo(mine.popularity(s.CUP!) / mine.popularity(s.KETTLE!), 6);
      await new Promise((resolve) => setTimeout(resolve, 5_100));
      expect((await there.modelOf(c.t.tenantId)).popularity(s.CUP!)).toBe(model.popularity(s.CUP!));
    } finally {
      await second.stop();
    }
  });

  it('refuses bad input naming the field', async () => {
    const noStore = await c.p.api('GET', '/api/v1/recommendations/best-sellers?channel=store', { key: c.t.keys.admin });
    expect(noStore.status).toBe(400);
    expect(noStore.body.errors[0].field).toBe('query.locationId');
    const badLimit = await c.p.api('POST', '/api/v1/recommendations/basket', { key: c.t.keys.admin, body: { channel: 'online', skus: ['A'], limit: 500 } });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors[0].field).toBe('limit');
  });
});
