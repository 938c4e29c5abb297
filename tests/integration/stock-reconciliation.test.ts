import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { stockModule } from '../../shared/stock/module';
const BLOB_CONTAINERS = stockModule.blobContainers;
import { sale, useTestPlatform, type TestContext } from '../support/platform';

let c: TestContext;
useTestPlatform((context) => (c = context));

const blob = () => BlobServiceClient.fromConnectionString(process.env.TEST_BLOB_CONNECTION_STRING!);
const drop = (name: string, text: string) =>
  blob().getContainerClient(BLOB_CONTAINERS.erpStockSnapshots.name).getBlockBlobClient(name).uploadData(Buffer.from(text));
const download = async (name: string) =>
  (await blob().getContainerClient(BLOB_CONTAINERS.stockReconciliationReports.name).getBlobClient(name).downloadToBuffer()).toString();
const record = async (file: string) => (await c.store.all('stock', c.t.tenantId)).find((d) => d.kind === 'reconciliation' && d.file === file);
/** The latest run's report of a snapshot, found through the record of the file. */
const report = async (file: string, format: 'json' | 'csv' = 'json') => {
  const text = await download((await record(file)).summary.report[format]);
  return format === 'json' ? JSON.parse(text) : text;
};

async function onHand(sku: string, locationId = 'store-1'): Promise<number> {
  const r = await c.p.api('GET', `/api/v1/stock/${sku}?locationIds=${locationId}`, { key: c.t.keys.admin });
  return r.body.locations[0]?.onHand ?? 0;
}

describe('ERP reconciliation', () => {
  const tag = randomBytes(3).toString('hex');
  const sku = (name: string) => `${name}-${tag}`;
  const file = () => `${c.t.tenantId}/snapshot-${tag}.csv`;

  it('finds and corrects differences, respecting movements after the as-of time, and reports bad rows', async () => {
    await c.p.api('POST', '/api/v1/stock/movements', {
      key: c.t.keys.admin,
      body: {
        type: 'receipt',
        reference: `GR-${tag}`,
        locationId: 'store-1',
        lines: [
          { sku: sku('A'), quantity: 10 },
          { sku: sku('B'), quantity: 5 },
          { sku: sku('D'), quantity: 3 },
        ],
      },
    });
    c.p.advanceClock(2 * 3_600_000);
    const asOf = new Date(c.p.platform.clock.now().getTime() - 3_600_000).toISOString();
    // Sold after the ERP took its snapshot: the ERP's 12 already became 10.
    const sold = await c.p.api('POST', '/api/v1/transactions', {
      key: c.t.keys.pos,
      body: sale({
        occurredAt: c.p.platform.clock.now().toISOString(),
        lines: [{ sku: sku('A'), quantity: 2, unitPrice: 1000, taxRate: 21 }],
        tenders: [{ type: 'card', amount: 2000 }],
      }),
    });
    expect(sold.status).toBe(201);
    await c.p.bus.idle();
    expect(await onHand(sku('A'))).toBe(8);

    await drop(
      file(),
      [
        'sku,location,onHand,asOf',
        `${sku('A')},store-1,12,${asOf}`,
        `${sku('B')},store-1,5,${asOf}`,
        `${sku('C')},store-1,4,${asOf}`,
        `${sku('D')},store-1,1,${asOf}`,
        `${sku('E')},store-1,abc,${asOf}`,
        `${sku('F')},nowhere,1,${asOf}`,
        `${sku('G')},store-1`,
        `${sku('A')},store-1,12,${asOf}`,
        `${sku('H')},store-1,1,2020-01-01T00:00:00Z`,
        `${sku('I')},store-2,7,${asOf}`,
      ].join('\n'),
    );
    await drop(
      `${c.t.tenantId}/snapshot-${tag}.jsonl`,
      [
        JSON.stringify({ sku: sku('J'), locationId: 'warehouse-1', onHand: 9, asOf }),
        '{not json',
        JSON.stringify({ sku: sku('K'), location: 'web', onHand: 1, asOf }),
      ].join('\n'),
    );
    await c.p.host.runTimer('stockReconciliation');

    expect(await onHand(sku('A'))).toBe(10);
    expect(await onHand(sku('B'))).toBe(5);
    expect(await onHand(sku('C'))).toBe(4);
    expect(await onHand(sku('D'))).toBe(1);
    expect(await onHand(sku('I'), 'store-2')).toBe(7);
    expect(await onHand(sku('J'), 'warehouse-1')).toBe(9);

    const csv = await report(file());
    expect(csv).toMatchObject({ rows: 10, matched: 1 });
    expect(csv.differences.map((d: { line: number; correction: number; movementsAfterAsOf: number }) => [d.line, d.correction, d.movementsAfterAsOf])).toEqual([
      [2, 2, -2],
      [4, 4, 0],
      [5, -2, 0],
      [11, 7, 0],
    ]);
    expect(csv.badRows.map((b: { line: number }) => b.line)).toEqual([6, 7, 8, 9, 10]);
    expect(csv.badRows[0].reason).toMatch(/on hand/);
    expect(csv.badRows[1].reason).toMatch(/nowhere does not exist/);
    expect(csv.badRows[3].reason).toMatch(/more than once/);
    const jsonl = await report(`${c.t.tenantId}/snapshot-${tag}.jsonl`);
    expect(jsonl.badRows).toEqual([
      { line: 2, reason: 'not valid JSON' },
      { line: 3, reason: expect.stringMatching(/online shop/) },
    ]);
    const reportCsv = await report(file(), 'csv');
    expect(reportCsv.split('\n')[0]).toBe('kind,line,locationId,sku,erpOnHand,asOf,movementsAfterAsOf,platformOnHand,correction,reason');
    expect(reportCsv).toContain(`difference,2,store-1,${sku('A')},12,`);

    // What the back office lists: each reconciled snapshot with its summary, for admin keys only.
    const listed = await c.p.api('GET', '/api/v1/stock-reconciliations', { key: c.t.keys.admin });
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: file(), status: 'done', summary: expect.objectContaining({ rows: 10, matched: 1, differences: 4, corrected: 4 }) }),
      ]),
    );
    expect((await c.p.api('GET', '/api/v1/stock-reconciliations', { key: c.t.keys.pos })).status).toBe(403);
  });

  it('applies the same file once, also when a run stopped half-way and is taken over', async () => {
    await c.p.host.runTimer('stockReconciliation');
    expect(await onHand(sku('A'))).toBe(10);

    // As if the run had crashed before recording that it finished: it is taken over after its lease.
    const first = await record(file());
    await c.store.replace('stock', { ...first, status: 'running', finishedAt: null, summary: null });
    c.p.advanceClock(31 * 60_000);
    await c.p.host.runTimer('stockReconciliation');
    expect(await onHand(sku('A'))).toBe(10);
    expect(await onHand(sku('C'))).toBe(4);
    const corrections = (await c.store.all('stock', c.t.tenantId)).filter((d) => d.kind === 'movement' && d.type === 'erp-correction');
    expect(corrections).toHaveLength(5);
    const rerun = await report(file());
    expect((await record(file())).summary.report.json).not.toBe(first.summary.report.json);
    expect(rerun.differences).toEqual([]);
  });
});
