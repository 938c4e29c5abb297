import { randomBytes } from 'node:crypto';
import type { CloudEvent, EventOf } from '../../shared/kernel/events';
import type { TransactionRecorded } from '../../shared/transactions';
import type { Logger } from '../../shared/kernel/ports';
import { CLOCK_MARGIN_MS } from '../../shared/stock/stock';
import { sale, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

const sku = () => `SKU-${randomBytes(4).toString('hex')}`;
const ref = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function receive(locationId: string, lines: Array<{ sku: string; quantity: number }>) {
  const r = await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: { type: 'receipt', reference: ref('GR'), locationId, lines } });
  expect(r.status).toBe(201);
  return r;
}

async function availableAt(item: string, locationId: string): Promise<{ onHand: number; reserved: number; available: number }> {
  const r = await c.p.api('GET', `/api/v1/stock/${item}?locationIds=${locationId}`, { key: c.t.keys.admin });
  expect(r.status).toBe(200);
  return r.body.locations[0] ?? { onHand: 0, reserved: 0, available: 0 };
}

const reserve = (body: Record<string, unknown>, key = c.t.keys.ecommerce) =>
  c.p.api('POST', '/api/v1/stock/reservations', { key, body: { locationId: 'store-1', orderRef: ref('WEB'), ...body } });

describe('stock movements', () => {
  it('records receipts, adjustments and transfers once per reference', async () => {
    const item = sku();
    await receive('warehouse-1', [{ sku: item, quantity: 30 }]);
    const transfer = {
      type: 'transfer',
      reference: ref('TR'),
      fromLocationId: 'warehouse-1',
      toLocationId: 'store-1',
      lines: [
        { sku: item, quantity: 8 },
        { sku: item, quantity: 2 },
      ],
    };
    expect((await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: transfer })).status).toBe(201);
    const again = await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: transfer });
    expect(again.status).toBe(200);
    expect(again.body.movements.every((m: { applied: boolean }) => !m.applied)).toBe(true);
    // Still a replay once the stock it moved is gone: the repeat is not checked against on hand again.
    const all = { type: 'transfer', reference: ref('TR'), fromLocationId: 'warehouse-1', toLocationId: 'store-2', lines: [{ sku: item, quantity: 20 }] };
    expect((await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: all })).status).toBe(201);
    expect((await c.p.api('POST', '/api/v1/stock/movements', { key: c.t.keys.admin, body: all })).status).toBe(200);
    await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { ...all, reference: ref('TR'), fromLocationId: 'store-2', toLocationId: 'warehouse-1' },
    });

    const shrink = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.pos,
      body: { type: 'adjustment', reference: ref('ADJ'), locationId: 'store-1', reason: 'damaged', lines: [{ sku: item, quantity: -1 }] },
    });
    expect(shrink.status).toBe(201);
    expect(await availableAt(item, 'warehouse-1')).toMatchObject({ onHand: 20, available: 20 });
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 9, available: 9 });
  });

  it('refuses bad input, another store, a reused reference and more out than on hand, writing nothing', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 3 }]);
    const bad = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { type: 'receipt', reference: 'R', locationId: 'store-1', lines: [{ sku: item, quantity: 0 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('lines.0.quantity');
    const online = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { type: 'receipt', reference: ref('R'), locationId: 'web', lines: [{ sku: item, quantity: 1 }] },
    });
    expect(online.status).toBe(400);
    const otherStore = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.posOtherStore,
      body: { type: 'adjustment', reference: ref('A'), locationId: 'store-1', lines: [{ sku: item, quantity: 1 }] },
    });
    expect(otherStore.status).toBe(403);
    const tooMuch = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: {
        type: 'transfer',
        reference: ref('TR'),
        fromLocationId: 'store-1',
        toLocationId: 'store-2',
        lines: [
          { sku: item, quantity: 2 },
          { sku: item, quantity: 2 },
        ],
      },
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.reason).toBe('insufficient-stock');
    const reference = ref('GR');
    await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { type: 'receipt', reference, locationId: 'store-1', lines: [{ sku: item, quantity: 1 }] },
    });
    const reused = await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: { type: 'receipt', reference, locationId: 'store-1', lines: [{ sku: item, quantity: 5 }] },
    });
    expect(reused.status).toBe(409);
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 4 });
    expect(await availableAt(item, 'store-2')).toMatchObject({ onHand: 0 });
  });
});

describe('availability', () => {
  it('totals per location and promises online only what the settings allow', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 5 }]);
    await receive('store-2', [{ sku: item, quantity: 2 }]);
    await receive('warehouse-1', [{ sku: item, quantity: 10 }]);
    const before = await c.p.api('GET', `/api/v1/stock/${item}`, { key: c.t.keys.pos });
    expect(before.body.total).toEqual({ onHand: 17, reserved: 0, available: 17 });
    expect(before.body.online.available).toBe(17);

    const settings = await c.p.api('PUT', '/api/v1/settings/stock', {
      key: c.t.keys.admin,
      body: { onlineLocationIds: ['warehouse-1', 'store-1'], defaultSafetyStock: 1, safetyStock: { 'warehouse-1': 0 } },
    });
    expect(settings.status).toBe(200);
    const after = await c.p.api('GET', `/api/v1/stock/${item}`, { key: c.t.keys.ecommerce });
    // warehouse 10 - 0 safety, store-1 5 - 1 safety; store-2 does not ship online.
    expect(after.body.online.available).toBe(14);
    expect(after.body.locations.map((l: { locationId: string; shipsOnline: boolean }) => [l.locationId, l.shipsOnline])).toEqual([
      ['store-1', true],
      ['store-2', false],
      ['warehouse-1', true],
    ]);
    const unknown = await c.p.api('PUT', '/api/v1/settings/stock', { key: c.t.keys.admin, body: { onlineLocationIds: ['nowhere'] } });
    expect(unknown.status).toBe(400);
    expect((await c.p.api('PUT', '/api/v1/settings/stock', { key: c.t.keys.pos, body: { onlineLocationIds: null } })).status).toBe(403);
    await c.p.api('PUT', '/api/v1/settings/stock', { key: c.t.keys.admin, body: { onlineLocationIds: null } });
  });
});

describe('reservations', () => {
  it('100 concurrent reservations for the last 10 units hold exactly 10', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 10 }]);
    const results = await Promise.all(Array.from({ length: 100 }, () => reserve({ lines: [{ sku: item, quantity: 1 }] })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s !== 201).every((s) => s === 422)).toBe(true);
    expect(await availableAt(item, 'store-1')).toEqual(expect.objectContaining({ onHand: 10, reserved: 10, available: 0 }));
  });

  it('sums the same SKU on two lines', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 3 }]);
    const r = await reserve({
      lines: [
        { sku: item, quantity: 2 },
        { sku: item, quantity: 2 },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('insufficient-stock');
    const ok = await reserve({
      lines: [
        { sku: item, quantity: 2 },
        { sku: item, quantity: 1 },
      ],
    });
    expect(ok.status).toBe(201);
    expect(ok.body.lines).toEqual([{ sku: item, quantity: 3 }]);
    expect(await availableAt(item, 'store-1')).toMatchObject({ reserved: 3, available: 0 });
  });

  it('holds all lines or none, also when baskets compete', async () => {
    const [a, b] = [sku(), sku()].sort();
    await receive('store-1', [
      { sku: a!, quantity: 5 },
      { sku: b!, quantity: 1 },
    ]);
    const refused = await reserve({
      lines: [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 2 },
      ],
    });
    expect(refused.status).toBe(422);
    expect(await availableAt(a!, 'store-1')).toMatchObject({ reserved: 0, available: 5 });

    // Ten baskets each want 1 of a and the single b: one wins, and nobody keeps a hold on a.
    const baskets = await Promise.all(
      Array.from({ length: 10 }, () =>
        reserve({
          lines: [
            { sku: a, quantity: 1 },
            { sku: b, quantity: 1 },
          ],
        }),
      ),
    );
    expect(baskets.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await availableAt(a!, 'store-1')).toMatchObject({ reserved: 1, available: 4 });
    expect(await availableAt(b!, 'store-1')).toMatchObject({ reserved: 1, available: 0 });
  });

  it('answers a repeat with the same reservation and refuses another basket under the same order', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 4 }]);
    const body = { orderRef: ref('WEB'), lines: [{ sku: item, quantity: 1 }] };
    const [first, second] = await Promise.all([reserve(body), reserve(body)]);
    expect([first!.status, second!.status].sort()).toEqual([200, 201]);
    expect(first!.body.reservationId).toBe(second!.body.reservationId);
    expect((await reserve({ ...body, lines: [{ sku: item, quantity: 2 }] })).status).toBe(409);
    expect(await availableAt(item, 'store-1')).toMatchObject({ reserved: 1 });
  });

  it('cancels idempotently and releases', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 2 }]);
    const r = await reserve({ lines: [{ sku: item, quantity: 2 }] });
    const cancel = () => c.p.api('POST', `/api/v1/stock/reservations/${r.body.reservationId}/cancel`, { key: c.t.keys.ecommerce });
    const [one, two] = await Promise.all([cancel(), cancel()]);
    expect([one!.status, two!.status]).toEqual([200, 200]);
    expect((await cancel()).body.status).toBe('cancelled');
    expect(await availableAt(item, 'store-1')).toMatchObject({ reserved: 0, available: 2 });
    expect((await c.p.api('POST', `/api/v1/stock/reservations/res_nothing/cancel`, { key: c.t.keys.ecommerce })).status).toBe(404);
    expect((await c.p.api('GET', `/api/v1/stock/reservations/${r.body.reservationId}`, { key: c.t.keys.posOtherStore })).status).toBe(403);
  });

  it('expires: an expired hold stops counting at once, and the sweeper releases it', async () => {
    const item = sku();
    await receive('store-2', [{ sku: item, quantity: 1 }]);
    const r = await reserve({ locationId: 'store-2', expiresInMinutes: 5, lines: [{ sku: item, quantity: 1 }] });
    expect(r.status).toBe(201);
    expect(await availableAt(item, 'store-2')).toMatchObject({ available: 0 });
    c.p.advanceClock(6 * 60_000);
    expect(await availableAt(item, 'store-2')).toMatchObject({ reserved: 0, available: 1 });
    expect((await c.p.api('GET', `/api/v1/stock/reservations/${r.body.reservationId}`, { key: c.t.keys.ecommerce })).body.status).toBe('expired');
    await c.p.host.runTimer('stockSweeper');
    const level = (await c.store.all('stock', c.t.tenantId)).find((d) => d.kind === 'level' && d.sku === item);
    expect(level.holds).toEqual({});
    expect((await c.p.api('POST', `/api/v1/stock/reservations/${r.body.reservationId}/cancel`, { key: c.t.keys.ecommerce })).body.status).toBe('expired');
  });

  it('the sweeper releases a reservation a crash left half-applied', async () => {
    const [a, b] = [sku(), sku()].sort();
    await receive('store-2', [
      { sku: a!, quantity: 1 },
      { sku: b!, quantity: 1 },
    ]);
    const r = await reserve({
      locationId: 'store-2',
      lines: [
        { sku: a, quantity: 1 },
        { sku: b, quantity: 1 },
      ],
    });
    // As if the request stopped after its first hold: still pending, the second hold never taken.
    const docs = await c.store.all('stock', c.t.tenantId);
    const reservation = docs.find((d) => d.id === r.body.reservationId);
    const second = docs.find((d) => d.kind === 'level' && d.sku === b);
    await c.store.replace('stock', { ...reservation, status: 'pending' });
    await c.store.replace('stock', { ...second, holds: {}, reserved: 0 });
    c.p.advanceClock(3 * 60_000);
    await c.p.host.runTimer('stockSweeper');
    expect(await availableAt(a!, 'store-2')).toMatchObject({ reserved: 0, available: 1 });
    expect((await c.p.api('GET', `/api/v1/stock/reservations/${r.body.reservationId}`, { key: c.t.keys.ecommerce })).body).toMatchObject({
      status: 'rejected',
      reason: 'abandoned',
    });
  });
});

describe('reservations after a crash', () => {
  it('the sweeper finishes a cancellation that stopped before giving the stock back', async () => {
    const item = sku();
    await receive('store-2', [{ sku: item, quantity: 2 }]);
    const r = await reserve({ locationId: 'store-2', lines: [{ sku: item, quantity: 2 }] });
    const reservation = (await c.store.all('stock', c.t.tenantId)).find((d) => d.id === r.body.reservationId);
    // As if the cancel had written its status and stopped: the hold is still on the level.
    await c.store.replace('stock', { ...reservation, status: 'cancelled', releasePending: true });
    expect(await availableAt(item, 'store-2')).toMatchObject({ available: 0 });
    c.p.advanceClock(3 * 60_000);
    await c.p.host.runTimer('stockSweeper');
    expect(await availableAt(item, 'store-2')).toMatchObject({ reserved: 0, available: 2 });
    const after = (await c.store.all('stock', c.t.tenantId)).find((d) => d.id === r.body.reservationId);
    expect(after).toMatchObject({ status: 'cancelled', releasePending: false });
  });
});

const events = () => c.p.bus;

describe('sales and returns move stock', () => {
  const silent: Logger = { log: () => undefined, child: () => silent };
  const recorded = (tx: { transactionId: string }) =>
    ({ specversion: '1.0', id: `evt_${tx.transactionId}`, type: 'transaction.recorded', tenantid: c.t.tenantId, data: tx }) as unknown as EventOf<
      typeof TransactionRecorded
    >;

  it('a sale event delivered twice moves stock once; a return adds stock where it was returned', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 10 }]);
    const sold = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.pos,
      body: sale({
        lines: [
          { sku: item, quantity: 3, unitPrice: 1000, taxRate: 21 },
          { sku: item, quantity: 1, unitPrice: 1000, taxRate: 21 },
        ],
        tenders: [{ type: 'card', amount: 4000 }],
      }),
    });
    expect(sold.status).toBe(201);
    await events().idle();
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 6 });

    // The same event again, as a redelivery would bring it.
    expect(await c.p.platform.services.stock.handleTransaction(recorded(sold.body), silent)).toEqual({ movements: 0 });
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 6 });

    const returned = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.posOtherStore,
      body: sale({
        type: 'return',
        locationId: 'store-2',
        originalTransactionId: sold.body.transactionId,
        lines: [{ sku: item, quantity: 2, unitPrice: 1000, taxRate: 21 }],
        tenders: [{ type: 'card', amount: 2000 }],
      }),
    });
    expect(returned.status).toBe(201);
    await events().idle();
    expect(await availableAt(item, 'store-2')).toMatchObject({ onHand: 2 });
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 6 });
  });

  it('the pickup sale confirms the reservation; confirm is idempotent and cancel is then refused', async () => {
    const [a, b] = [sku(), sku()].sort();
    await receive('store-1', [
      { sku: a!, quantity: 2 },
      { sku: b!, quantity: 1 },
    ]);
    const r = await reserve({
      lines: [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 1 },
      ],
    });
    expect(await availableAt(a!, 'store-1')).toMatchObject({ onHand: 2, reserved: 2, available: 0 });
    // The customer takes only the two of a: b's hold is released with the confirmation.
    const pickup = sale({
      reservationId: r.body.reservationId,
      lines: [{ sku: a, quantity: 2, unitPrice: 1000, taxRate: 21 }],
      tenders: [{ type: 'card', amount: 2000 }],
    });
    const sold = await c.p.api('POST', '/api/v1/transactions', { key: c.t.keys.pos, body: pickup });
    expect(sold.status).toBe(201);
    await events().idle();
    // The pickup's event again: nothing moves twice, the reservation stays confirmed by the same sale.
    expect(await c.p.platform.services.stock.handleTransaction(recorded(sold.body), silent)).toEqual({ movements: 0 });
    expect(await availableAt(a!, 'store-1')).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    expect(await availableAt(b!, 'store-1')).toMatchObject({ onHand: 1, reserved: 0, available: 1 });
    const view = await c.p.api('GET', `/api/v1/stock/reservations/${r.body.reservationId}`, { key: c.t.keys.pos });
    expect(view.body).toMatchObject({ status: 'confirmed', transactionId: sold.body.transactionId });
    const cancel = await c.p.api('POST', `/api/v1/stock/reservations/${r.body.reservationId}/cancel`, { key: c.t.keys.ecommerce });
    expect(cancel.status).toBe(409);
    expect(cancel.body.reason).toBe('reservation-confirmed');
  });

  it('announces stock.changed with a deterministic id per level version', async () => {
    const item = sku();
    const seen: CloudEvent[] = [];
    const publish = c.p.bus.publish.bind(c.p.bus);
    c.p.bus.publish = async (batch) => (seen.push(...batch), publish(batch));
    try {
      await receive('store-1', [{ sku: item, quantity: 4 }]);
      await reserve({ lines: [{ sku: item, quantity: 1 }] });
    } finally {
      c.p.bus.publish = publish;
    }
    const changes = seen.filter((e) => e.type === 'stock.changed' && (e.data as { sku: string }).sku === item);
    expect(changes.map((e) => e.data)).toEqual([
      expect.objectContaining({ locationId: 'store-1', onHand: 4, reserved: 0, available: 4, version: 1 }),
      expect.objectContaining({ locationId: 'store-1', onHand: 4, reserved: 1, available: 3, version: 2 }),
    ]);
    expect(new Set(changes.map((e) => e.id)).size).toBe(2);
  });

  it('resends stock.changed whose publish failed, from the sweeper', async () => {
    const item = sku();
    const seen: CloudEvent[] = [];
    const publish = c.p.bus.publish.bind(c.p.bus);
    c.p.bus.publish = async (batch) => (seen.push(...batch), publish(batch));
    try {
      c.p.bus.failNextPublishes(1);
      await receive('store-2', [{ sku: item, quantity: 3 }]);
      const level = (await c.store.all('stock', c.t.tenantId)).find((d) => d.kind === 'level' && d.sku === item);
      expect(level.eventPending).toBe(true);
      await c.p.host.runTimer('stockSweeper');
    } finally {
      c.p.bus.publish = publish;
    }
    const level = (await c.store.all('stock', c.t.tenantId)).find((d) => d.kind === 'level' && d.sku === item);
    expect(level.eventPending).toBe(false);
    const sent = seen.filter((e) => e.type === 'stock.changed' && (e.data as { sku: string }).sku === item);
    expect(sent.map((e) => e.id)).toEqual([sent[0]!.id, sent[0]!.id]);
    expect(sent[1]!.data).toMatchObject({ available: 3, version: 1 });
  });
});

describe('sales move stock without reading the ledger when the level can tell', () => {
  const silent: Logger = { log: () => undefined, child: () => silent };
  const recorded = (tx: { transactionId: string }) =>
    ({ specversion: '1.0', id: `evt_${tx.transactionId}`, type: 'transaction.recorded', tenantid: c.t.tenantId, data: tx }) as unknown as EventOf<
      typeof TransactionRecorded
    >;
  const lines = (item: string, n: number) => Array.from({ length: n }, () => ({ sku: item, quantity: 1, unitPrice: 100, taxRate: 21 }));
  const sell = async (item: string, n = 1) => {
    const r = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.pos,
      body: sale({ lines: lines(item, n), tenders: [{ type: 'card', amount: 100 * n }] }),
    });
    expect(r.status).toBe(201);
    return r.body;
  };
  const counted = async (call: () => Promise<unknown>) => {
    const m = c.p.platform.cosmosMetrics;
    m.reset();
    const result = await call();
    return { result, ops: { reads: m.reads, writes: m.writes, queries: m.queries } };
  };
  const levelOf = async (item: string) => (await c.store.all('stock', c.t.tenantId)).find((d) => d.kind === 'level' && d.sku === item);

  it('a redelivery the level no longer remembers is told by the ledger and moves nothing; a sale recorded right after reads the ledger, one recorded later does not', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 100 }]);
    const first = await sell(item);
    await events().idle();
    // Fifty more movements of the same level: the first sale's movement leaves the recent list.
    await sell(item, 50);
    await events().idle();
    const level = await levelOf(item);
    expect(level.recentMovements).toHaveLength(50);
    expect(typeof level.forgottenUntil).toBe('number');
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 49 });

    // The level cannot tell (it forgot movements applied moments ago): the ledger decides, and the
    // level's current state is announced again (a duplicate id, dropped by the bus).
    const again = await counted(() => c.p.platform.services.stock.handleTransaction(recorded(first), silent));
    expect(again.result).toEqual({ movements: 0 });
    expect(again.ops).toEqual({ reads: 3, writes: 0, queries: 0 });
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 49 });

    // A sale recorded within the margin of what the level forgot: level read, ledger read, then the usual 3.
    const release = events().holdDeliveries();
    try {
      const soon = await sell(item);
      const applied = await counted(() => c.p.platform.services.stock.handleTransaction(recorded(soon), silent));
      expect(applied.result).toEqual({ movements: 1 });
      expect(applied.ops).toEqual({ reads: 3, writes: 2, queries: 0 });
    } finally {
      release();
    }
    await events().idle();

    // Recorded more than the margin after the level last forgot: the level decides alone.
    c.p.advanceClock(CLOCK_MARGIN_MS + 60_000);
    const hold = events().holdDeliveries();
    try {
      const later = await sell(item);
      const applied = await counted(() => c.p.platform.services.stock.handleTransaction(recorded(later), silent));
      expect(applied.result).toEqual({ movements: 1 });
      expect(applied.ops).toEqual({ reads: 1, writes: 2, queries: 0 });
      // Delivered again while the level remembers it: nothing moves.
      expect(await c.p.platform.services.stock.handleTransaction(recorded(later), silent)).toEqual({ movements: 0 });
    } finally {
      hold();
    }
    await events().idle();
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 47 });
    const ledger = (await c.store.all('stock', c.t.tenantId)).filter((d) => d.kind === 'movement' && d.sku === item);
    expect(ledger).toHaveLength(1 + 1 + 50 + 1 + 1);
  });

  it('a level written before it kept applied times lets the ledger decide, and learns them with its next movement', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 10 }]);
    const { recentAppliedAt: _times, forgottenUntil: _forgotten, ...legacy } = await levelOf(item);
    await c.store.replace('stock', legacy);
    const release = events().holdDeliveries();
    let sold: { transactionId: string } | undefined;
    try {
      sold = await sell(item);
      const applied = await counted(() => c.p.platform.services.stock.handleTransaction(recorded(sold!), silent));
      expect(applied.result).toEqual({ movements: 1 });
      expect(applied.ops).toEqual({ reads: 3, writes: 2, queries: 0 });
    } finally {
      release();
    }
    await events().idle();
    const learnt = await levelOf(item);
    expect(learnt.recentAppliedAt).toHaveLength(2);
    expect(typeof learnt.forgottenUntil).toBe('number');
    expect(await c.p.platform.services.stock.handleTransaction(recorded(sold!), silent)).toEqual({ movements: 0 });
    expect(await availableAt(item, 'store-1')).toMatchObject({ onHand: 9 });
  });

  it('a failed stock.changed publish makes the consumer throw; the redelivery announces the change, stock moves once', async () => {
    const item = sku();
    await receive('store-1', [{ sku: item, quantity: 10 }]);
    await events().idle();
    const sent: CloudEvent[] = [];
    const publish = c.p.bus.publish.bind(c.p.bus);
    c.p.bus.publish = async (batch) => {
      await publish(batch);
      sent.push(...batch.filter((e) => e.type === 'stock.changed' && (e.data as { sku: string }).sku === item));
    };
    const release = events().holdDeliveries();
    try {
      const sold = await sell(item);
      c.p.bus.failNextPublishes(1);
      await expect(c.p.platform.services.stock.handleTransaction(recorded(sold), silent)).rejects.toThrow(/unavailable/);
      expect(sent).toHaveLength(0);
      // Moved, and marked for the sweeper in case every redelivery failed too.
      const moved = await levelOf(item);
      expect(moved).toMatchObject({ onHand: 9, eventPending: true });
      // The redelivery finds the movement applied and announces the level as it is.
      expect(await c.p.platform.services.stock.handleTransaction(recorded(sold), silent)).toEqual({ movements: 0 });
      expect(sent.map((e) => e.data)).toEqual([expect.objectContaining({ onHand: 9, available: 9, version: moved.version })]);
    } finally {
      release();
      c.p.bus.publish = publish;
    }
    await events().idle();
    await c.p.host.runTimer('stockSweeper');
    expect(await levelOf(item)).toMatchObject({ onHand: 9, eventPending: false });
    expect(new Set(sent.map((e) => e.id)).size).toBe(1);
    expect(c.p.bus.deadLetters().filter((d) => JSON.stringify(d.body).includes(item))).toEqual([]);
  });
});

describe('the stock contract', () => {
  it('is in the OpenAPI document, built from the same schemas', async () => {
    const r = await c.p.api('GET', '/api/openapi.json');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/stock/movements',
        '/api/v1/stock/{sku}',
        '/api/v1/stock/reservations',
        '/api/v1/stock/reservations/{reservationId}/cancel',
        '/api/v1/settings/stock',
      ]),
    );
    const availability = r.body.paths['/api/v1/stock/{sku}'].get;
    expect(availability.parameters.map((x: { name: string; in: string }) => `${x.in}:${x.name}`).sort()).toEqual(['path:sku', 'query:locationIds']);
  });
});
