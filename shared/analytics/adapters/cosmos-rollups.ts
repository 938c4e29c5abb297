import { DomainError } from '../../kernel/errors';
import { strip, type Documents } from '../../kernel/adapters/documents';
import { transactionView, type TransactionRecord, type TransactionView } from '../../transactions';
import type { RollupStore, TransactionSource } from '../analytics';
import type { DayRollup } from '../rollups';

type RollupDoc = DayRollup & { id: string; kind: 'dayRollup' };
const ATTEMPTS = 30;

/**
 * Rollups in `analytics` ([tenantId, day]): a report over a range reads one tenant's days, and a
 * sale touches one document. Each change is one read and one etag-checked replace (or a create
 * for the day's first transaction), retried when another delivery changed it first.
 */
export class CosmosRollupStore implements RollupStore {
  constructor(private readonly docs: Documents) {}

  async update(tenantId: string, key: string, initial: DayRollup, mutate: (current: DayRollup) => DayRollup | undefined): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const current = await this.docs.read<RollupDoc>(key, [tenantId, initial.day]);
      if (!current) {
        const next = mutate(initial);
        if (!next || (await this.docs.create<RollupDoc>({ ...next, id: key, kind: 'dayRollup' })) === 'created') return;
        continue;
      }
      const { id: _id, kind: _kind, ...rollup } = strip<RollupDoc>(current);
      const next = mutate(rollup);
      if (!next || (await this.docs.replace<RollupDoc>({ ...next, id: key, kind: 'dayRollup' }, [tenantId, initial.day], current._etag))) return;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
    }
    throw new DomainError('conflict', 'The rollup is changing too often; retry shortly');
  }

  async between(tenantId: string, from: string, to: string): Promise<DayRollup[]> {
    const docs = await this.docs.queryAll<RollupDoc>(
      'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "dayRollup" AND c.day >= @from AND c.day <= @to',
      [
        { name: '@tenantId', value: tenantId },
        { name: '@from', value: from },
        { name: '@to', value: to },
      ],
    );
    return docs.map(({ id: _id, kind: _kind, ...rollup }) => rollup);
  }

  async keys(tenantId: string): Promise<string[]> {
    const docs = await this.docs.queryAll<{ id: string }>('SELECT c.id FROM c WHERE c.tenantId = @tenantId AND c.kind = "dayRollup"', [
      { name: '@tenantId', value: tenantId },
    ]);
    return docs.map((d) => d.id);
  }

  async replaceAll(tenantId: string, rollups: Map<string, DayRollup>, stale: string[]): Promise<void> {
    for (const [key, rollup] of rollups) await this.docs.upsert<RollupDoc>({ ...rollup, id: key, kind: 'dayRollup' });
    for (const key of stale) await this.docs.delete(key, [tenantId, dayOfKey(key)]);
  }
}

function dayOfKey(key: string): string {
  return key.split(':')[1]!;
}

/** A tenant's transactions, read page by page from the transactions container (the rebuild's input). */
export class CosmosTransactionSource implements TransactionSource {
  constructor(private readonly transactions: Documents) {}

  async *all(tenantId: string): AsyncIterable<TransactionView> {
    let continuationToken: string | undefined;
    do {
      const page = await this.transactions.query<TransactionRecord>(
        'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = "transaction"',
        [{ name: '@tenantId', value: tenantId }],
        { maxItemCount: 500, continuationToken },
      );
      for (const record of page.items) yield transactionView(record);
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
  }
}
