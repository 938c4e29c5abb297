import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import { DomainError, invalid, notFound, unprocessable } from '../kernel/errors';
import { createEvent, defineEvent, type EventOf } from '../kernel/events';
import { deterministicId } from '../kernel/ids';
import { assertMayActFor, type Principal, type TenancyService } from '../tenancy';
import { quantitiesBySku, type TransactionRecorded } from '../transactions';
import type { Clock, EventPublisher, Logger } from '../kernel/ports';

const code = z.string().trim().min(1).max(64);
/** SKUs and locations name documents and URLs: the id rule (400 naming the field otherwise). */
const id = idField(64);
const units = z.number().int('must be a whole number of units').positive().max(1_000_000);
const StockLineInput = z.object({ sku: id, quantity: units }).strict();

/** The physical facts the API records; sales and returns come from transactions, corrections from the ERP. */
export const MovementInput = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('receipt'),
      reference: code.describe('Goods receipt number; the movement is recorded once per reference'),
      locationId: id,
      lines: z.array(StockLineInput).min(1).max(500),
    })
    .strict(),
  z
    .object({
      type: z.literal('adjustment'),
      reference: code.describe('Count or adjustment number; the movement is recorded once per reference'),
      locationId: id,
      reason: z.string().trim().min(1).max(200).optional(),
      lines: z
        .array(
          z
            .object({
              sku: id,
              quantity: z
                .number()
                .int()
                .min(-1_000_000)
                .max(1_000_000)
                .refine((n) => n !== 0, 'must not be zero'),
            })
            .strict(),
        )
        .min(1)
        .max(500)
        .describe('Signed quantities: negative for shrinkage, positive for found stock'),
    })
    .strict(),
  z
    .object({
      type: z.literal('transfer'),
      reference: code.describe('Transfer number; the movement is recorded once per reference'),
      fromLocationId: id,
      toLocationId: id,
      lines: z.array(StockLineInput).min(1).max(500),
    })
    .strict()
    .refine((t) => t.fromLocationId !== t.toLocationId, { path: ['toLocationId'], message: 'must differ from fromLocationId' }),
]);
export type MovementInput = z.infer<typeof MovementInput>;

export const ReservationInput = z
  .object({
    locationId: id.describe('The store or warehouse that holds the goods'),
    orderRef: code.describe('The order; one reservation per order and location, so a retry finds the first'),
    lines: z.array(StockLineInput).min(1).max(500).describe('Quantities of the same SKU are summed'),
    expiresInMinutes: z
      .number()
      .int()
      .min(1)
      .max(14 * 24 * 60)
      .default(120),
  })
  .strict();
export type ReservationInput = z.infer<typeof ReservationInput>;

export const StockSettingsInput = z
  .object({
    onlineLocationIds: z.array(id).max(1000).nullable().describe('Locations whose stock the web may promise; null: every store and warehouse'),
    defaultSafetyStock: z.number().int().min(0).max(1_000_000).default(0).describe('Units kept back from the web per location and SKU'),
    safetyStock: z.record(id, z.number().int().min(0).max(1_000_000)).default({}).describe('Per location, overriding the default'),
  })
  .strict();
export type StockSettingsInput = z.infer<typeof StockSettingsInput>;

export const MovementType = z.enum(['sale', 'return', 'receipt', 'adjustment', 'transfer-out', 'transfer-in', 'erp-correction']);
export type MovementType = z.output<typeof MovementType>;

/** One reservation's claim on a stock level; it stops counting when it expires, swept or not. */
export interface StockHold {
  quantity: number;
  expiresAt: string;
}

/**
 * The one truth for a SKU at a location: on hand and the holds of open reservations, changed only
 * by etag-checked replaces. `recentMovements` makes applying a movement idempotent within the document;
 * with `recentAppliedAt` and `forgottenUntil` it also tells when a movement missing from it is new
 * without reading the ledger (see `remembersSince`).
 */
export interface StockLevel {
  kind: 'level';
  tenantId: string;
  locationId: string;
  sku: string;
  onHand: number;
  reserved: number;
  holds: Record<string, StockHold>;
  recentMovements: string[];
  /** When each of `recentMovements` was applied: epoch seconds, rounded up, by its writer's clock. */
  recentAppliedAt?: number[];
  /**
   * Every movement that has left `recentMovements` was applied by then (epoch seconds, its writer's
   * clock); null: none has left yet. Absent on a level written before it was kept: unknown.
   */
  forgottenUntil?: number | null;
  version: number;
  updatedAt: string;
  /** Available changed and `stock.changed` is not confirmed published yet: the sweeper resends it. */
  eventPending?: boolean;
}

export interface StockMovement {
  kind: 'movement';
  movementId: string;
  tenantId: string;
  locationId: string;
  sku: string;
  type: MovementType;
  /** Signed: what it did to on hand. */
  quantity: number;
  /** When it physically happened (the till's time for sales), compared with ERP as-of times. */
  at: string;
  reference: string;
  recordedAt: string;
}

export const ReservationStatus = z.enum(['pending', 'active', 'confirmed', 'cancelled', 'expired', 'rejected']);
export type ReservationStatus = z.output<typeof ReservationStatus>;

export interface Reservation {
  kind: 'reservation';
  reservationId: string;
  tenantId: string;
  locationId: string;
  orderRef: string;
  /** Summed per SKU, sorted by SKU: the order holds are taken in. */
  lines: Array<{ sku: string; quantity: number }>;
  status: ReservationStatus;
  createdAt: string;
  expiresAt: string;
  updatedAt: string;
  transactionId: string | null;
  reason: string | null;
  /** Set with a final status, cleared once its holds are given back: the sweeper finishes an interrupted release. */
  releasePending?: boolean;
}

/** Whether a location ships online orders, the units it keeps back from the web, and so what the web may promise from it. */
export function onlineShipping(
  settings: { onlineLocationIds: string[] | null; defaultSafetyStock: number; safetyStock: Record<string, number> },
  locationId: string,
): { shipsOnline: boolean; safetyStock: number; promise(available: number): number } {
  const shipsOnline = settings.onlineLocationIds === null || settings.onlineLocationIds.includes(locationId);
  const safetyStock = settings.safetyStock[locationId] ?? settings.defaultSafetyStock;
  return { shipsOnline, safetyStock, promise: (available) => (shipsOnline ? Math.max(0, available - safetyStock) : 0) };
}

export interface StockSettings extends StockSettingsInput {
  kind: 'settings';
  tenantId: string;
  updatedAt: string | null;
}

/** What the reconciliation needs of a location's stock: SKU and on hand, nothing more. */
export interface LevelSummary {
  sku: string;
  onHand: number;
  holds: Record<string, StockHold>;
}

export interface StockStore {
  getLevel(tenantId: string, locationId: string, sku: string): Promise<StockLevel | undefined>;
  /** Read-modify-write with the etag; a missing level is created at zero with the change in the same write. `mutate` may run more than once. */
  updateLevel(tenantId: string, locationId: string, sku: string, mutate: (current: StockLevel) => StockLevel | undefined): Promise<StockLevel>;
  levelsForSku(tenantId: string, sku: string): Promise<StockLevel[]>;
  /** Every level of a location, page by page (a few queries, not a read per SKU). */
  levelsAt(tenantId: string, locationId: string): AsyncIterable<LevelSummary[]>;
  /** Clears `eventPending` if the level is still at this version. */
  markAnnounced(level: StockLevel): Promise<void>;
  /** Levels whose announcement is pending since before `changedBefore`, across tenants. */
  listUnannounced(changedBefore: string, limit: number): Promise<StockLevel[]>;
  getMovement(tenantId: string, locationId: string, movementId: string): Promise<StockMovement | undefined>;
  saveMovement(movement: StockMovement): Promise<void>;
  /** Movements of a location that happened after `after`. */
  movementsSince(tenantId: string, locationId: string, after: string): Promise<StockMovement[]>;
  createReservation(reservation: Reservation): Promise<'created' | 'exists'>;
  getReservation(tenantId: string, reservationId: string): Promise<Reservation | undefined>;
  updateReservation(reservation: Reservation, mutate: (current: Reservation) => Reservation | undefined): Promise<Reservation | undefined>;
  /** Active reservations past expiry, pending ones started before `pendingBefore`, and final ones whose release was interrupted before then, across tenants. */
  listDueReservations(now: string, pendingBefore: string, limit: number): Promise<Reservation[]>;
  getSettings(tenantId: string): Promise<StockSettings | undefined>;
  saveSettings(settings: StockSettings): Promise<void>;
}

export function available(level: Pick<StockLevel, 'onHand' | 'holds'>, now: Date): number {
  return Math.max(0, level.onHand - heldQuantity(level.holds, now));
}

function heldQuantity(holds: Record<string, StockHold>, now: Date): number {
  return Object.values(holds).reduce((sum, h) => (new Date(h.expiresAt) > now ? sum + h.quantity : sum), 0);
}

function liveHolds(holds: Record<string, StockHold>, now: Date): Record<string, StockHold> {
  return Object.fromEntries(Object.entries(holds).filter(([, h]) => new Date(h.expiresAt) > now));
}

export function emptyLevel(tenantId: string, locationId: string, sku: string, now: string): StockLevel {
  return {
    kind: 'level',
    tenantId,
    locationId,
    sku,
    onHand: 0,
    reserved: 0,
    holds: {},
    recentMovements: [],
    recentAppliedAt: [],
    forgottenUntil: null,
    version: 0,
    updatedAt: now,
    eventPending: false,
  };
}

/** Enough to recognise a redelivered movement; older ones are recognised by their ledger entry. */
const RECENT_MOVEMENTS = 50;

/** How far the clocks of two instances (the one that recorded a sale, the one that applies it) may disagree. */
export const CLOCK_MARGIN_MS = 5 * 60_000;

/**
 * Whether a movement that cannot have been applied before `notBefore` (by the clock of whoever
 * read it) would still be in `recentMovements` had it been applied: yes when nothing has ever left
 * the list, or when everything that left it was applied more than the margin before `notBefore`.
 * (If it had been applied and had left, it was applied at or after `notBefore`, so no earlier than
 * `notBefore` less the margin by any instance's clock, yet by `forgottenUntil`: a contradiction.)
 * No for a level that does not know (written before these fields were kept): the ledger decides.
 */
export function remembersSince(level: Pick<StockLevel, 'forgottenUntil'>, notBefore: string): boolean {
  if (level.forgottenUntil === undefined) return false;
  if (level.forgottenUntil === null) return true;
  const since = Date.parse(notBefore);
  return Number.isFinite(since) && since - CLOCK_MARGIN_MS > level.forgottenUntil * 1000;
}

/**
 * The recent list with one more movement, applied at `appliedAt`; what leaves it moves
 * `forgottenUntil` on. A level that does not know its times yet (written before they were kept)
 * takes `appliedAt` for all it remembers and all it has forgotten: they were applied before it, so
 * the guess is late, never early, and late only makes `remembersSince` answer no more often.
 */
function remember(current: StockLevel, movementId: string, appliedAt: Date): Pick<StockLevel, 'recentMovements' | 'recentAppliedAt' | 'forgottenUntil'> {
  const at = Math.ceil(appliedAt.getTime() / 1000);
  const known = current.forgottenUntil !== undefined && current.recentAppliedAt?.length === current.recentMovements.length;
  const ids = [...current.recentMovements, movementId];
  const times = [...(known ? current.recentAppliedAt! : current.recentMovements.map(() => at)), at];
  let forgottenUntil = known ? (current.forgottenUntil ?? null) : at;
  while (ids.length > RECENT_MOVEMENTS) {
    ids.shift();
    const left = times.shift()!;
    forgottenUntil = Math.max(forgottenUntil ?? left, left);
  }
  return { recentMovements: ids, recentAppliedAt: times, forgottenUntil };
}

export function stockChangedEvent(level: StockLevel, now: Date): EventOf<typeof StockChanged> {
  return createEvent(StockChanged, {
    // Deterministic: one event per version of the level, so a republish is deduplicated.
    id: deterministicId('evt', 'stock', level.tenantId, level.locationId, level.sku, String(level.version)),
    source: `/tenants/${level.tenantId}/locations/${level.locationId}`,
    subject: `stock/${level.locationId}/${level.sku}`,
    time: level.updatedAt,
    tenantid: level.tenantId,
    data: levelView(level, now),
  });
}

export const StockViewSchema = z
  .object({
    sku: z.string(),
    locationId: z.string(),
    onHand: z.number().int(),
    reserved: z.number().int(),
    available: z.number().int(),
    version: z.number().int(),
  })
  .meta({ id: 'StockLevel' });
export type StockView = z.output<typeof StockViewSchema>;

/** A location's available quantity of a SKU changed. Data: the level as it is now. */
export const StockChanged = defineEvent('stock.changed', StockViewSchema, (level) => ({ locationid: level.locationId }));

function levelView(level: StockLevel, now: Date): StockView {
  const reserved = heldQuantity(level.holds, now);
  return {
    sku: level.sku,
    locationId: level.locationId,
    onHand: level.onHand,
    reserved,
    available: Math.max(0, level.onHand - reserved),
    version: level.version,
  };
}

/** What recording movements answers: each movement with the level it left. */
export const MovementsRecordedSchema = z
  .object({
    reference: z.string(),
    movements: z.array(
      StockViewSchema.extend({
        movementType: MovementType,
        quantity: z.number().int().describe('Signed: what it did to on hand'),
        applied: z.boolean().describe('False when this reference had already moved it'),
      }),
    ),
  })
  .meta({ id: 'StockMovementsRecorded' });
export type MovementsRecorded = z.output<typeof MovementsRecordedSchema>;

export const AvailabilitySchema = z
  .object({
    sku: z.string(),
    locations: z.array(
      StockViewSchema.extend({
        shipsOnline: z.boolean(),
        safetyStock: z.number().int().describe('Units kept back from the web here'),
      }),
    ),
    total: z.object({ onHand: z.number().int(), reserved: z.number().int(), available: z.number().int() }),
    online: z.object({
      available: z.number().int().describe('What the online shop may promise: available less safety stock, over the locations that ship online'),
    }),
  })
  .meta({ id: 'StockAvailability' });
export type Availability = z.output<typeof AvailabilitySchema>;

export const ReservationViewSchema = z
  .object({
    reservationId: z.string(),
    locationId: z.string(),
    orderRef: z.string(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })).describe('Summed per SKU, sorted by SKU'),
    status: ReservationStatus.describe('An active reservation past its expiry reads as expired'),
    createdAt: z.string(),
    expiresAt: z.string(),
    transactionId: z.string().nullable().describe('The sale that picked it up'),
    reason: z.string().nullable().describe('Why it was rejected'),
  })
  .meta({ id: 'StockReservation' });
export type ReservationView = z.output<typeof ReservationViewSchema>;

export function reservationView(r: Reservation, now: Date): ReservationView {
  const status = r.status === 'active' && new Date(r.expiresAt) <= now ? 'expired' : r.status;
  return {
    reservationId: r.reservationId,
    locationId: r.locationId,
    orderRef: r.orderRef,
    lines: r.lines,
    status,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    transactionId: r.transactionId,
    reason: r.reason,
  };
}

export const StockSettingsViewSchema = z
  .object({
    onlineLocationIds: z.array(z.string()).nullable().describe('Locations whose stock the web may promise; null: every store and warehouse'),
    defaultSafetyStock: z.number().int(),
    safetyStock: z.record(z.string(), z.number().int()).describe('Per location, overriding the default'),
    updatedAt: z.string().nullable().describe('null: the defaults, never set'),
  })
  .meta({ id: 'StockSettings' });
export type StockSettingsView = z.output<typeof StockSettingsViewSchema>;

export function settingsView({
  onlineLocationIds,
  defaultSafetyStock,
  safetyStock,
  updatedAt,
}: StockSettingsInput & { updatedAt: string | null }): StockSettingsView {
  return { onlineLocationIds, defaultSafetyStock, safetyStock, updatedAt };
}

export const DEFAULT_STOCK_SETTINGS = { onlineLocationIds: null, defaultSafetyStock: 0, safetyStock: {} } satisfies StockSettingsInput;

/** Seconds a reservation may stay half-applied before the sweeper releases what it holds. */
export const PENDING_GRACE_MS = 120_000;

type MovementSpec = Omit<StockMovement, 'kind' | 'tenantId' | 'recordedAt'> & {
  /** A pickup sale also releases its reservation's hold on the SKU, in the same write. */
  releaseHold?: string;
  /**
   * The movement cannot have been applied before this time (a sale line: before its transaction was
   * recorded). Given, the level's recent list decides alone whenever `remembersSince` allows.
   */
  notBefore?: string;
};

/**
 * How a changed level's `stock.changed` is made sure of. `outbox`: the write marks the level
 * `eventPending` and the mark is cleared after the publish (two more operations), so the sweeper
 * resends what a failed publish or a crash left; what the API writes needs it, nothing else would
 * retry. `redelivery`: for consumers, which Service Bus redelivers until they succeed: no mark; a
 * failed publish throws, and the redelivery, finding the movement applied, republishes the level.
 */
type Announce = 'outbox' | 'redelivery';

/**
 * Stock levels, movements and reservations. Every change is one etag-checked write to one level
 * document; what spans documents (a reservation's lines, a transfer) is applied in a fixed order,
 * recorded, and undone or finished by a retry or the sweeper.
 */
export class StockService {
  constructor(
    private readonly store: StockStore,
    private readonly tenancy: TenancyService,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  // ---- movements ----

  /**
   * Applies one movement once: the level's recent list or the ledger entry tells a repeat.
   *
   * Without `notBefore` the ledger is read first. With it, the level is read (as the write needs it
   * anyway) and decides when it can: listed = a repeat; not listed and `remembersSince` = new. Only
   * when it cannot tell is the ledger read, then the level again. Either way the ledger entry is
   * written after the level (reconciliation replays it), also on a repeat: that heals an entry a crash
   * between the two writes left out.
   */
  async applyMovement(tenantId: string, spec: MovementSpec, announce: Announce = 'outbox'): Promise<{ applied: boolean; level?: StockLevel }> {
    let levelDecides = spec.notBefore !== undefined;
    for (;;) {
      if (!levelDecides) {
        const recorded = await this.store.getMovement(tenantId, spec.locationId, spec.movementId);
        if (recorded) {
          if (recorded.quantity !== spec.quantity || recorded.sku !== spec.sku) {
            throw new DomainError('conflict', `Reference ${spec.reference} was already used for different stock movements`, { reason: 'reference-reused' });
          }
          // A redelivery: the delivery that applied it may have failed to announce it.
          if (announce === 'redelivery') await this.reannounce(tenantId, spec.locationId, spec.sku);
          return { applied: false };
        }
      }
      let undecided = false;
      const now = this.clock.now();
      const { level, written } = await this.changeLevel(
        tenantId,
        spec.locationId,
        spec.sku,
        (current) => {
          undecided = false;
          if (current.recentMovements.includes(spec.movementId)) return undefined;
          if (levelDecides && !remembersSince(current, spec.notBefore!)) {
            undecided = true;
            return undefined;
          }
          const holds = { ...current.holds };
          if (spec.releaseHold) delete holds[spec.releaseHold];
          // Read per attempt: a retried write is stamped when it is made.
          return this.nextLevel(current, { onHand: current.onHand + spec.quantity, holds }, this.clock.now(), spec.movementId);
        },
        announce,
      );
      if (undecided) {
        levelDecides = false;
        continue;
      }
      await this.saveMovementOf(tenantId, spec, now);
      // Listed already: a redelivery, whose first delivery may have failed to announce the change.
      if (!written && announce === 'redelivery') await this.announceOrThrow(level);
      return { applied: written, level };
    }
  }

  private async saveMovementOf(tenantId: string, spec: MovementSpec, now: Date): Promise<void> {
    await this.store.saveMovement({
      kind: 'movement',
      movementId: spec.movementId,
      tenantId,
      locationId: spec.locationId,
      sku: spec.sku,
      type: spec.type,
      quantity: spec.quantity,
      at: spec.at,
      reference: spec.reference,
      recordedAt: now.toISOString(),
    });
  }

  /** Receipts, adjustments and transfers from the API, once per reference. */
  async recordMovements(principal: Principal, input: MovementInput): Promise<MovementsRecorded> {
    const { tenantId } = principal;
    const legs = movementLegs(input);
    // A transfer changes both ends at once, so a key limited to some locations must hold both: a
    // store's key cannot put stock into another store, which would show it as available at once.
    if (input.type === 'transfer') {
      assertMayActFor(principal, input.fromLocationId);
      assertMayActFor(principal, input.toLocationId);
    } else {
      assertMayActFor(principal, input.locationId);
    }
    for (const leg of new Set(legs.map((l) => l.locationId))) {
      await this.requireStockLocation(
        tenantId,
        leg,
        input.type === 'transfer' ? (leg === input.fromLocationId ? 'fromLocationId' : 'toLocationId') : 'locationId',
      );
    }
    const identified = legs.map((leg) => ({ ...leg, movementId: deterministicId('mv', tenantId, input.type, input.reference, leg.locationId, leg.sku) }));
    // A repeat of a recorded reference is not checked again: its stock has long moved on.
    const fresh = [];
    for (const leg of identified) if (!(await this.store.getMovement(tenantId, leg.locationId, leg.movementId))) fresh.push(leg);
    await this.assertEnoughOnHand(
      tenantId,
      fresh.filter((l) => l.quantity < 0),
    );
    const at = this.clock.now().toISOString();
    const movements = [];
    for (const leg of identified) {
      const { applied } = await this.applyMovement(tenantId, { ...leg, at, reference: input.reference });
      const level = (await this.store.getLevel(tenantId, leg.locationId, leg.sku))!;
      movements.push({ ...levelView(level, this.clock.now()), movementType: leg.type, quantity: leg.quantity, applied });
    }
    return { reference: input.reference, movements };
  }

  /**
   * Outgoing movements are checked against on hand before anything is written, so a mistyped
   * transfer is refused whole. Movements record what physically happened, so they are not
   * refused half-way: a race with a sale can leave on hand negative, shown as nothing available.
   */
  private async assertEnoughOnHand(tenantId: string, outgoing: Array<{ locationId: string; sku: string; quantity: number }>): Promise<void> {
    for (const leg of outgoing) {
      const onHand = (await this.store.getLevel(tenantId, leg.locationId, leg.sku))?.onHand ?? 0;
      if (onHand + leg.quantity < 0) {
        throw unprocessable('insufficient-stock', `SKU ${leg.sku} at ${leg.locationId}: ${-leg.quantity} out but only ${onHand} on hand`);
      }
    }
  }

  private async requireStockLocation(tenantId: string, locationId: string, field: string): Promise<void> {
    const location = await this.tenancy.getLocation(tenantId, locationId);
    if (!location) throw invalid([{ field, message: `location ${locationId} does not exist` }]);
    if (location.type === 'online') throw invalid([{ field, message: `${locationId} is an online shop; stock is held in stores and warehouses` }]);
  }

  // ---- availability ----

  async availability(principal: Principal, sku: string, locationIds?: string[]): Promise<Availability> {
    const now = this.clock.now();
    const settings = await this.settings(principal.tenantId);
    // Named locations are point reads (what a store finder or a product page asks); the whole
    // tenant is one query over the tenant's partitions.
    const levels = locationIds
      ? (await Promise.all(locationIds.map((locationId) => this.store.getLevel(principal.tenantId, locationId, sku)))).filter((l): l is StockLevel => !!l)
      : await this.store.levelsForSku(principal.tenantId, sku);
    const locations = levels
      .sort((a, b) => a.locationId.localeCompare(b.locationId))
      .map((level) => {
        const { shipsOnline, safetyStock, promise } = onlineShipping(settings, level.locationId);
        const view = levelView(level, now);
        return { ...view, shipsOnline, safetyStock, online: promise(view.available) };
      });
    const total = (key: 'onHand' | 'reserved' | 'available' | 'online') => locations.reduce((sum, l) => sum + l[key], 0);
    return {
      sku,
      locations: locations.map(({ online: _online, ...l }) => l),
      total: { onHand: total('onHand'), reserved: total('reserved'), available: total('available') },
      online: { available: total('online') },
    };
  }

  /** What a location can sell of every SKU it holds, page by page (a few queries, not a read per SKU): for feeds. */
  async *availableAt(tenantId: string, locationId: string): AsyncIterable<Array<{ sku: string; available: number }>> {
    const now = this.clock.now();
    for await (const page of this.store.levelsAt(tenantId, locationId)) yield page.map((level) => ({ sku: level.sku, available: available(level, now) }));
  }

  // ---- settings ----

  async settings(tenantId: string): Promise<StockSettings> {
    return (await this.store.getSettings(tenantId)) ?? { kind: 'settings', tenantId, ...DEFAULT_STOCK_SETTINGS, updatedAt: null };
  }

  async saveSettings(principal: Principal, input: StockSettingsInput): Promise<StockSettings> {
    const { tenantId } = principal;
    const named = [
      ...(input.onlineLocationIds ?? []).map((id, i) => ({ id, field: `onlineLocationIds.${i}` })),
      ...Object.keys(input.safetyStock).map((id) => ({ id, field: `safetyStock.${id}` })),
    ];
    const issues = [];
    for (const { id, field } of named) if (!(await this.tenancy.getLocation(tenantId, id))) issues.push({ field, message: `location ${id} does not exist` });
    if (issues.length > 0) throw invalid(issues);
    const settings: StockSettings = { kind: 'settings', tenantId, ...input, updatedAt: this.clock.now().toISOString() };
    await this.store.saveSettings(settings);
    return settings;
  }

  // ---- reservations ----

  /**
   * Holds every line or none. Lines are summed per SKU and taken in SKU order; each hold is one
   * etag-checked write that refuses to go beyond what is available. On a refusal the holds taken
   * are released; a crash half-way leaves the reservation pending, and the sweeper releases it.
   */
  async reserve(principal: Principal, input: ReservationInput): Promise<{ created: boolean; reservation: ReservationView }> {
    const { tenantId } = principal;
    assertMayReserveAt(principal, input.locationId);
    await this.requireStockLocation(tenantId, input.locationId, 'locationId');
    const now = this.clock.now();
    const lines = Object.entries(quantitiesBySku(input.lines))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([sku, quantity]) => ({ sku, quantity }));
    const draft: Reservation = {
      kind: 'reservation',
      reservationId: deterministicId('res', tenantId, input.locationId, input.orderRef),
      tenantId,
      locationId: input.locationId,
      orderRef: input.orderRef,
      lines,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + input.expiresInMinutes * 60_000).toISOString(),
      updatedAt: now.toISOString(),
      transactionId: null,
      reason: null,
    };
    let reservation = draft;
    if ((await this.store.createReservation(draft)) === 'exists') {
      const existing = await this.store.getReservation(tenantId, draft.reservationId);
      if (!existing) throw new DomainError('conflict', 'The reservation is being created; retry shortly');
      if (JSON.stringify(existing.lines) !== JSON.stringify(lines)) {
        throw new DomainError('conflict', `Order ${input.orderRef} already has a different reservation at ${input.locationId}`, { reason: 'order-ref-reused' });
      }
      if (existing.status !== 'pending' && existing.status !== 'rejected') return { created: false, reservation: reservationView(existing, now) };
      // A refused reservation holds nothing: a retry tries again, with a fresh expiry.
      reservation =
        (await this.store.updateReservation(existing, (c) =>
          c.status === 'rejected'
            ? { ...c, status: 'pending', reason: null, createdAt: draft.createdAt, expiresAt: draft.expiresAt, updatedAt: draft.updatedAt }
            : undefined,
        )) ?? existing;
      if (reservation.status !== 'pending') return { created: false, reservation: reservationView(reservation, now) };
    }

    try {
      for (const line of lines) await this.hold(reservation, line, now);
    } catch (error) {
      const reason = error instanceof DomainError ? (error.details.reason ?? error.code) : 'failed';
      const settled = await this.settle(reservation, (c) =>
        c.status === 'pending' ? { ...c, status: 'rejected', reason, updatedAt: now.toISOString() } : undefined,
      );
      // A concurrent repeat of the same order got every line first: its holds are the reservation's.
      if (settled?.status === 'active') return { created: false, reservation: reservationView(settled, now) };
      throw error;
    }
    let activatedHere = false;
    const activated = await this.store.updateReservation(reservation, (c) => {
      activatedHere = c.status === 'pending';
      return activatedHere ? { ...c, status: 'active', updatedAt: now.toISOString() } : undefined;
    });
    if (activated?.status !== 'active') {
      // Cancelled, or given up by the sweeper, while this call was taking holds: give them back.
      await this.releaseHolds(reservation);
      throw new DomainError('conflict', `The reservation was ${activated?.status ?? 'released'} while it was being made`, { reason: 'reservation-released' });
    }
    // A concurrent repeat of the same request may have activated it first: it answers as a replay.
    return { created: activatedHere, reservation: reservationView(activated, now) };
  }

  private async hold(reservation: Reservation, line: { sku: string; quantity: number }, now: Date): Promise<void> {
    await this.changeLevel(reservation.tenantId, reservation.locationId, line.sku, (current) => {
      if (reservation.reservationId in current.holds) return undefined;
      const free = available(current, now);
      if (free < line.quantity) {
        throw unprocessable('insufficient-stock', `SKU ${line.sku} at ${reservation.locationId}: ${line.quantity} asked, ${free} available`);
      }
      const holds = { ...liveHolds(current.holds, now), [reservation.reservationId]: { quantity: line.quantity, expiresAt: reservation.expiresAt } };
      return this.nextLevel(current, { holds }, now);
    });
  }

  /**
   * Gives a reservation its final status, then its holds back: status first, so nothing taken
   * after the release can outlive it unnoticed (a late taker sees the status and gives back too).
   */
  private async settle(reservation: Reservation, to: (current: Reservation) => Reservation | undefined): Promise<Reservation | undefined> {
    const updated = await this.store.updateReservation(reservation, (c) => {
      const next = to(c);
      return next && { ...next, releasePending: true };
    });
    if (updated?.releasePending) await this.release(updated);
    return updated;
  }

  private async release(reservation: Reservation): Promise<void> {
    await this.releaseHolds(reservation);
    await this.store.updateReservation(reservation, (c) => (c.releasePending ? { ...c, releasePending: false } : undefined));
  }

  /** Releases every hold of a reservation; idempotent, so callers may repeat it after any failure. */
  private async releaseHolds(reservation: Reservation): Promise<void> {
    const now = this.clock.now();
    for (const line of reservation.lines) {
      await this.changeLevel(reservation.tenantId, reservation.locationId, line.sku, (current) => {
        if (!(reservation.reservationId in current.holds)) return undefined;
        const holds = { ...current.holds };
        delete holds[reservation.reservationId];
        return this.nextLevel(current, { holds }, now);
      });
    }
  }

  async getReservation(principal: Principal, reservationId: string): Promise<ReservationView> {
    const reservation = await this.findReservation(principal, reservationId);
    return reservationView(reservation, this.clock.now());
  }

  /** Cancels and releases; a repeat answers the same, a confirmed reservation cannot be cancelled. */
  async cancel(principal: Principal, reservationId: string): Promise<ReservationView> {
    const reservation = await this.findReservation(principal, reservationId);
    const now = this.clock.now();
    const updated = (await this.settle(reservation, (c) =>
      c.status === 'active' || c.status === 'pending' ? { ...c, status: 'cancelled', updatedAt: now.toISOString() } : undefined,
    ))!;
    if (updated.status === 'confirmed') throw new DomainError('conflict', 'The reservation was picked up and sold', { reason: 'reservation-confirmed' });
    return reservationView(updated, now);
  }

  private async findReservation(principal: Principal, reservationId: string): Promise<Reservation> {
    const reservation = await this.store.getReservation(principal.tenantId, reservationId);
    if (!reservation) throw notFound(`Reservation ${reservationId}`);
    assertMayReserveAt(principal, reservation.locationId);
    return reservation;
  }

  /**
   * The timer's round: releases expired reservations and those left half-applied (expired ones
   * already stopped counting), and resends `stock.changed` still pending after `graceMs`.
   */
  async sweep(graceMs: number, limit = 200): Promise<{ released: number; republished: number }> {
    const now = this.clock.now();
    const due = await this.store.listDueReservations(now.toISOString(), new Date(now.getTime() - PENDING_GRACE_MS).toISOString(), limit);
    let released = 0;
    for (const reservation of due) {
      const updated = await this.settle(reservation, (c) => {
        if (c.status === 'active' && new Date(c.expiresAt) <= now) return { ...c, status: 'expired', updatedAt: now.toISOString() };
        if (c.status === 'pending') return { ...c, status: 'rejected', reason: 'abandoned', updatedAt: now.toISOString() };
        return undefined;
      });
      if (updated && updated.status !== 'active' && updated.status !== 'pending') released += 1;
    }
    const { published } = await this.republishPending(graceMs, limit);
    return { released, republished: published };
  }

  // ---- sales and returns ----

  /**
   * `transaction.recorded`: each line moves stock once (the movement id is the transaction line).
   * A store sale takes stock where it was sold, a return adds it where it was returned; a pickup
   * sale takes it from its reservation's location and confirms the reservation. Online orders
   * without a reservation move no stock here: it moves through the reservation that fulfils them.
   */
  async handleTransaction(event: EventOf<typeof TransactionRecorded>, log: Logger): Promise<{ movements: number }> {
    const tx = event.data;
    const reservation = tx.reservationId ? await this.store.getReservation(event.tenantid, tx.reservationId) : undefined;
    if (tx.reservationId && !reservation) log.log('warn', 'sale names a reservation that does not exist', { reservationId: tx.reservationId });
    const locationId = reservation?.locationId ?? (tx.channel === 'store' ? tx.locationId : undefined);
    if (!locationId) return { movements: 0 };
    const releaseHold = tx.type === 'sale' ? reservation?.reservationId : undefined;
    let movements = 0;
    for (const line of tx.lines) {
      const { applied } = await this.applyMovement(
        event.tenantid,
        {
          movementId: deterministicId('mv', event.tenantid, 'tx', tx.transactionId, String(line.lineNumber)),
          locationId,
          sku: line.sku,
          type: tx.type,
          quantity: tx.type === 'sale' ? -line.quantity : line.quantity,
          at: tx.occurredAt,
          reference: tx.transactionId,
          releaseHold,
          // Its movements are applied by this consumer, after the transaction was recorded.
          notBefore: tx.recordedAt,
        },
        'redelivery',
      );
      if (applied) movements += 1;
    }
    if (reservation && releaseHold) await this.confirm(reservation, tx.transactionId, log);
    return { movements };
  }

  /** The pickup's sale completes the reservation; holds on SKUs not sold are released. */
  private async confirm(reservation: Reservation, transactionId: string, log: Logger): Promise<void> {
    const now = this.clock.now();
    const updated = await this.settle(reservation, (c) =>
      c.status === 'confirmed' || c.status === 'cancelled' ? undefined : { ...c, status: 'confirmed', transactionId, updatedAt: now.toISOString() },
    );
    if (updated?.status === 'cancelled')
      log.log('warn', 'a cancelled reservation was sold at pickup', { reservationId: reservation.reservationId, transactionId });
  }

  // ---- shared ----

  /**
   * One etag-checked write to a level; when what is available changes, `stock.changed` goes out
   * after it. With the outbox the write itself marks the level `eventPending` and the mark is
   * cleared after the publish, so a failed publish is resent by the sweeper, never lost; a consumer
   * relies on its redelivery instead (see `Announce`).
   */
  private async changeLevel(
    tenantId: string,
    locationId: string,
    sku: string,
    mutate: (current: StockLevel) => StockLevel | undefined,
    how: Announce = 'outbox',
  ): Promise<{ level: StockLevel; written: boolean }> {
    const now = this.clock.now();
    let written = false;
    let announce = false;
    const level = await this.store.updateLevel(tenantId, locationId, sku, (current) => {
      const next = mutate(current);
      written = next !== undefined;
      announce = written && available(next!, now) !== available(current, now);
      return announce && how === 'outbox' ? { ...next!, eventPending: true } : next;
    });
    if (announce) await (how === 'outbox' ? this.announce(level) : this.announceOrThrow(level));
    return { level, written };
  }

  /** Resends `stock.changed` for levels whose publish failed or was never confirmed (their current state). */
  private async republishPending(olderThanMs: number, limit: number): Promise<{ found: number; published: number }> {
    const cutoff = new Date(this.clock.now().getTime() - olderThanMs).toISOString();
    const pending = await this.store.listUnannounced(cutoff, limit);
    let published = 0;
    for (const level of pending) if (await this.announce(level)) published += 1;
    return { found: pending.length, published };
  }

  private nextLevel(current: StockLevel, change: Partial<Pick<StockLevel, 'onHand' | 'holds'>>, now: Date, movementId?: string): StockLevel {
    const holds = change.holds ?? current.holds;
    return {
      ...current,
      ...change,
      holds,
      reserved: heldQuantity(holds, now),
      ...(movementId ? remember(current, movementId, now) : {}),
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
  }

  /**
   * The consumer's announcement: publish, or throw so that Service Bus redelivers (the redelivery
   * finds the movement applied and republishes the level's current state; the event id derives from
   * the level version, so what was sent already is dropped as a duplicate). Before throwing it also
   * marks the level for the sweeper, in case every redelivery fails too. A mark an earlier writer
   * left (its publish failed) is cleared once this newer state is out, as the sweeper would.
   */
  private async announceOrThrow(level: StockLevel): Promise<void> {
    try {
      await this.publisher.publish([stockChangedEvent(level, this.clock.now())]);
    } catch (error) {
      await this.store
        .updateLevel(level.tenantId, level.locationId, level.sku, (current) => (current.eventPending ? undefined : { ...current, eventPending: true }))
        .catch((markError: Error) =>
          this.log.log('warn', 'stock.changed neither published nor marked; the redelivery will publish it', { error: markError.message }),
        );
      throw error;
    }
    if (level.eventPending) await this.store.markAnnounced(level);
  }

  /** A redelivery of a movement the ledger knows: the level's current state goes out again. */
  private async reannounce(tenantId: string, locationId: string, sku: string): Promise<void> {
    const level = await this.store.getLevel(tenantId, locationId, sku);
    if (level) await this.announceOrThrow(level);
  }

  private async announce(level: StockLevel): Promise<boolean> {
    try {
      await this.publisher.publish([stockChangedEvent(level, this.clock.now())]);
      await this.store.markAnnounced(level);
      return true;
    } catch (error) {
      this.log.log('warn', 'stock.changed not published yet; the sweeper will resend it', {
        tenantId: level.tenantId,
        locationId: level.locationId,
        sku: level.sku,
        error: (error as Error).message,
      });
      return false;
    }
  }
}

/** The online shop reserves in any store or warehouse (click & collect, ship from store); a till only in its own. */
function assertMayReserveAt(principal: Principal, locationId: string): void {
  if (principal.role === 'pos') assertMayActFor(principal, locationId);
}

/** A request's movements as signed legs per location and SKU (same SKU lines summed). */
function movementLegs(input: MovementInput): Array<{ locationId: string; sku: string; type: MovementType; quantity: number }> {
  const summed = Object.entries(quantitiesBySku(input.lines));
  if (input.type === 'transfer') {
    return [
      ...summed.map(([sku, q]) => ({ locationId: input.fromLocationId, sku, type: 'transfer-out' as const, quantity: -q })),
      ...summed.map(([sku, q]) => ({ locationId: input.toLocationId, sku, type: 'transfer-in' as const, quantity: q })),
    ];
  }
  return summed.filter(([, q]) => q !== 0).map(([sku, q]) => ({ locationId: input.locationId, sku, type: input.type, quantity: q }));
}
