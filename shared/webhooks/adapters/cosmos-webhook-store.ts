import { strip, type Documents } from '../../kernel/adapters/documents';
import type { DeliveryStore, EndpointStore } from '../ports';
import { MAX_LOGGED_ATTEMPTS, type Attempt, type DeliveryRecord, type EndpointRecord } from '../webhooks';

/**
 * One container, partitioned by tenant and endpoint: an endpoint's document (id = endpoint id)
 * and its deliveries (id = `deliveryIdOf`) share a logical partition, so its delivery log is read
 * in one partition; the timer's query for due deliveries is the only one across partitions.
 */
export class CosmosEndpointStore implements EndpointStore {
  constructor(private readonly docs: Documents) {}

  async create(record: EndpointRecord): Promise<void> {
    // An endpoint outlives the container's 30-day default.
    await this.docs.create({ ...record, id: record.endpointId, kind: 'endpoint', ttl: -1 });
  }

  async get(tenantId: string, endpointId: string): Promise<EndpointRecord | undefined> {
    const doc = await this.docs.read<EndpointDoc>(endpointId, [tenantId, endpointId]);
    return doc?.kind === 'endpoint' ? endpointOf(strip(doc)) : undefined;
  }

  async list(tenantId: string): Promise<EndpointRecord[]> {
    const docs = await this.docs.queryAll<EndpointDoc>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'endpoint' ORDER BY c.createdAt", [
      { name: '@t', value: tenantId },
    ]);
    return docs.map(endpointOf);
  }

  async update(tenantId: string, endpointId: string, mutate: (current: EndpointRecord) => EndpointRecord | undefined): Promise<EndpointRecord | undefined> {
    const updated = await this.docs.update<EndpointDoc>(endpointId, [tenantId, endpointId], (current) => {
      if (current.kind !== 'endpoint') return undefined;
      const next = mutate(endpointOf(current));
      return next && { ...next, id: endpointId, kind: 'endpoint', ttl: -1 };
    });
    return updated?.kind === 'endpoint' ? endpointOf(updated) : undefined;
  }

  async delete(tenantId: string, endpointId: string): Promise<void> {
    await this.docs.delete(endpointId, [tenantId, endpointId]);
  }
}

type EndpointDoc = EndpointRecord & { id: string; kind: string; ttl?: number };

function endpointOf(doc: EndpointDoc): EndpointRecord {
  const { id: _id, kind: _kind, ttl: _ttl, ...record } = doc;
  return record;
}

type DeliveryDoc = DeliveryRecord & { kind: string };

function deliveryOf(doc: DeliveryDoc): DeliveryRecord {
  const { kind: _kind, ...record } = doc;
  return record;
}

/** The deliveries, in the same container as their endpoint. */
export class CosmosDeliveryStore implements DeliveryStore {
  constructor(private readonly docs: Documents) {}

  create(record: DeliveryRecord): Promise<'created' | 'exists'> {
    return this.docs.create({ ...record, kind: 'delivery' });
  }

  async get(tenantId: string, endpointId: string, id: string): Promise<DeliveryRecord | undefined> {
    const doc = await this.docs.read<DeliveryDoc>(id, [tenantId, endpointId]);
    return doc?.kind === 'delivery' ? deliveryOf(strip(doc)) : undefined;
  }

  async claim(record: DeliveryRecord, leaseUntil: number): Promise<boolean> {
    // Numbers only in the condition: the local stand-in lower-cases it.
    const result = await this.docs.patchIf(record.id, [record.tenantId, record.endpointId], `from c where c.due = ${Number(record.due)}`, [
      { op: 'set', path: '/due', value: leaseUntil },
    ]);
    return result.outcome === 'applied';
  }

  async recordAttempt(record: DeliveryRecord, attempt: Attempt, next: Pick<DeliveryRecord, 'status' | 'due' | 'deliveredAt' | 'failedReason'>): Promise<void> {
    await this.docs.patchAll(record.id, [record.tenantId, record.endpointId], {
      '/attempts': [...record.attempts, attempt].slice(-MAX_LOGGED_ATTEMPTS),
      '/attemptCount': record.attemptCount + 1,
      '/status': next.status,
      '/due': next.due,
      '/deliveredAt': next.deliveredAt ?? record.deliveredAt,
      '/failedReason': next.failedReason,
    });
  }

  async reschedule(
    record: Pick<DeliveryRecord, 'id' | 'tenantId' | 'endpointId'>,
    next: Pick<DeliveryRecord, 'status' | 'due' | 'failedReason' | 'replayedAfter'>,
  ): Promise<void> {
    await this.docs.patchAll(record.id, [record.tenantId, record.endpointId], {
      '/status': next.status,
      '/due': next.due,
      '/failedReason': next.failedReason,
      '/replayedAfter': next.replayedAfter,
    });
  }

  async due(now: number, limit: number): Promise<DeliveryRecord[]> {
    const page = await this.docs.query<DeliveryDoc>(
      "SELECT TOP @n * FROM c WHERE c.kind = 'delivery' AND c.status = 'pending' AND c.due <= @now ORDER BY c.due",
      [
        { name: '@n', value: limit },
        { name: '@now', value: now },
      ],
      { maxItemCount: limit },
    );
    return page.items.map(deliveryOf);
  }

  async page(
    tenantId: string,
    endpointId: string,
    limit: number,
    continuationToken?: string,
  ): Promise<{ items: DeliveryRecord[]; continuationToken: string | null }> {
    const page = await this.docs.query<DeliveryDoc>(
      "SELECT * FROM c WHERE c.tenantId = @t AND c.endpointId = @e AND c.kind = 'delivery' ORDER BY c.createdAt DESC",
      [
        { name: '@t', value: tenantId },
        { name: '@e', value: endpointId },
      ],
      { maxItemCount: limit, continuationToken },
    );
    return { items: page.items.map(deliveryOf), continuationToken: page.continuationToken };
  }

  async inRange(tenantId: string, endpointId: string, since: string, until: string, limit: number): Promise<DeliveryRecord[]> {
    const page = await this.docs.query<DeliveryDoc>(
      "SELECT TOP @n * FROM c WHERE c.tenantId = @t AND c.endpointId = @e AND c.kind = 'delivery' AND c.eventTime >= @since AND c.eventTime < @until ORDER BY c.eventTime",
      [
        { name: '@n', value: limit },
        { name: '@t', value: tenantId },
        { name: '@e', value: endpointId },
        { name: '@since', value: since },
        { name: '@until', value: until },
      ],
      { maxItemCount: limit },
    );
    return page.items.map(deliveryOf);
  }
}
