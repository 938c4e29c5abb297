import { deterministicId } from '../../kernel/ids';
import { emptyLevel, type LevelSummary, type Reservation, type StockLevel, type StockMovement, type StockSettings, type StockStore } from '../stock';
import type { Documents } from '../../kernel/adapters/documents';

/** Settings and other tenant-wide documents sit in a partition of their own. */
export const TENANT_WIDE = '*';
/** A hot SKU's last units draw many writers at once; each lost race costs one read and retries. */
const HOT_DOCUMENT_ATTEMPTS = 200;

/**
 * The `stock` container, partitioned by tenant and location: a location's levels, movements and
 * reservations share a partition, so reconciling a location is a few queries.
 * Ids are hashes (SKUs may hold characters Cosmos ids may not) unique within the tenant.
 */
export class CosmosStockStore implements StockStore {
  constructor(private readonly docs: Documents) {}

  private levelId(locationId: string, sku: string): string {
    return deterministicId('lvl', locationId, sku);
  }

  async getLevel(tenantId: string, locationId: string, sku: string): Promise<StockLevel | undefined> {
    return (await this.docs.read<StockLevel>(this.levelId(locationId, sku), [tenantId, locationId])) ?? undefined;
  }

  async updateLevel(tenantId: string, locationId: string, sku: string, mutate: (current: StockLevel) => StockLevel | undefined): Promise<StockLevel> {
    const id = this.levelId(locationId, sku);
    const key = [tenantId, locationId];
    const first = await this.docs.update<StockLevel>(id, key, mutate, HOT_DOCUMENT_ATTEMPTS);
    if (first) return first;
    // Missing: create it with the change already made, one write; if another writer created it
    // meanwhile, the create fails as a whole and the change is made to theirs.
    const empty = emptyLevel(tenantId, locationId, sku, new Date().toISOString());
    const created = mutate(empty) ?? empty;
    if ((await this.docs.create({ id, ...created })) === 'created') return created;
    return (await this.docs.update<StockLevel>(id, key, mutate, HOT_DOCUMENT_ATTEMPTS))!;
  }

  levelsForSku(tenantId: string, sku: string): Promise<StockLevel[]> {
    return this.docs.queryAll<StockLevel>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'level' AND c.sku = @sku", [
      { name: '@t', value: tenantId },
      { name: '@sku', value: sku },
    ]);
  }

  async *levelsAt(tenantId: string, locationId: string): AsyncIterable<LevelSummary[]> {
    let continuationToken: string | undefined;
    do {
      const page = await this.docs.query<LevelSummary>(
        "SELECT c.sku, c.onHand, c.holds FROM c WHERE c.tenantId = @t AND c.locationId = @l AND c.kind = 'level'",
        [
          { name: '@t', value: tenantId },
          { name: '@l', value: locationId },
        ],
        { maxItemCount: 5_000, continuationToken },
      );
      yield page.items;
      continuationToken = page.continuationToken ?? undefined;
    } while (continuationToken);
  }

  async markAnnounced(level: StockLevel): Promise<void> {
    // Only if nothing changed since: a newer version keeps its own pending announcement. (An
    // etag-checked replace: the stand-in's conditional patch scans the container.)
    await this.docs.update<StockLevel>(
      this.levelId(level.locationId, level.sku),
      [level.tenantId, level.locationId],
      (current) => (current.version === level.version && current.eventPending ? { ...current, eventPending: false } : undefined),
      HOT_DOCUMENT_ATTEMPTS,
    );
  }

  async listUnannounced(changedBefore: string, limit: number): Promise<StockLevel[]> {
    // Across tenants on purpose: the sweeper is the platform's own job.
    const page = await this.docs.query<StockLevel>(
      `SELECT TOP ${Math.floor(limit)} * FROM c WHERE c.kind = 'level' AND c.eventPending = true AND c.updatedAt < @before`,
      [{ name: '@before', value: changedBefore }],
    );
    return page.items;
  }

  async getMovement(tenantId: string, locationId: string, movementId: string): Promise<StockMovement | undefined> {
    return (await this.docs.read<StockMovement>(movementId, [tenantId, locationId])) ?? undefined;
  }

  async saveMovement(movement: StockMovement): Promise<void> {
    await this.docs.create({ id: movement.movementId, ...movement });
  }

  movementsSince(tenantId: string, locationId: string, after: string): Promise<StockMovement[]> {
    return this.docs.queryAll<StockMovement>("SELECT * FROM c WHERE c.tenantId = @t AND c.locationId = @l AND c.kind = 'movement' AND c.at > @after", [
      { name: '@t', value: tenantId },
      { name: '@l', value: locationId },
      { name: '@after', value: after },
    ]);
  }

  createReservation(reservation: Reservation): Promise<'created' | 'exists'> {
    return this.docs.create({ id: reservation.reservationId, ...reservation });
  }

  async getReservation(tenantId: string, reservationId: string): Promise<Reservation | undefined> {
    // The id alone does not name the location: one query within the tenant's partitions.
    const found = await this.docs.query<Reservation>("SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'reservation' AND c.id = @id", [
      { name: '@t', value: tenantId },
      { name: '@id', value: reservationId },
    ]);
    return found.items[0];
  }

  updateReservation(reservation: Reservation, mutate: (current: Reservation) => Reservation | undefined): Promise<Reservation | undefined> {
    return this.docs.update<Reservation>(reservation.reservationId, [reservation.tenantId, reservation.locationId], mutate, HOT_DOCUMENT_ATTEMPTS);
  }

  async listDueReservations(now: string, pendingBefore: string, limit: number): Promise<Reservation[]> {
    const page = await this.docs.query<Reservation>(
      `SELECT TOP @limit * FROM c WHERE c.kind = 'reservation'
         AND ((c.status = 'active' AND c.expiresAt <= @now) OR (c.status = 'pending' AND c.createdAt < @pendingBefore)
              OR (c.releasePending = true AND c.updatedAt < @pendingBefore))`,
      [
        { name: '@limit', value: limit },
        { name: '@now', value: now },
        { name: '@pendingBefore', value: pendingBefore },
      ],
    );
    return page.items;
  }

  async getSettings(tenantId: string): Promise<StockSettings | undefined> {
    return (await this.docs.read<StockSettings>('stock-settings', [tenantId, TENANT_WIDE])) ?? undefined;
  }

  async saveSettings(settings: StockSettings): Promise<void> {
    await this.docs.upsert({ id: 'stock-settings', locationId: TENANT_WIDE, ...settings });
  }
}
