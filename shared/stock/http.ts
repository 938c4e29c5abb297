import { z } from 'zod';
import {
  AvailabilitySchema,
  MovementInput,
  MovementsRecordedSchema,
  ReservationInput,
  ReservationViewSchema,
  StockSettingsInput,
  StockSettingsViewSchema,
  settingsView,
  type StockService,
} from './stock';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, id } from '../edge/schemas';
import { ReconciliationListSchema, type StockReconciliation } from './stock-reconciliation';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  403: { description: 'The key may not act for this location', schema: ProblemSchema },
};
const ReservationParams = z.object({ reservationId: id });
const locationList = z
  .string()
  .regex(/^ *[A-Za-z0-9._~-]{1,64}( *, *[A-Za-z0-9._~-]{1,64}){0,49} *$/, 'must be up to 50 location ids separated by commas')
  .transform((s) => s.split(',').map((l) => l.trim()))
  .optional();

export function stockRoutes(edge: EdgeKit, stock: StockService, reconciliation: StockReconciliation): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'listStockReconciliations',
      method: 'GET',
      route: 'v1/stock-reconciliations',
      summary: 'What the ERP reconciliation did with each snapshot, newest first: rows, matches, differences, corrections and the report files',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin', 'store'],
      responses: { 200: { description: 'The reconciled snapshots', schema: ReconciliationListSchema }, 401: problems[401] },
      handle: async ({ principal }) => ({ status: 200, body: { items: await reconciliation.reports(principal.tenantId) } }),
    }),
    endpoint(edge, {
      name: 'recordStockMovements',
      method: 'POST',
      route: 'v1/stock/movements',
      summary: 'Record goods received, an adjustment or a transfer between locations; once per reference',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin', 'pos', 'store'],
      body: MovementInput,
      responses: {
        201: { description: 'Recorded; each movement with the level it left', schema: MovementsRecordedSchema },
        200: { description: 'Already recorded with this reference: nothing moved again', schema: MovementsRecordedSchema },
        ...problems,
        409: { description: 'The reference was used for other movements', schema: ProblemSchema },
        422: { description: 'More out than on hand (`insufficient-stock`); nothing was written', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => {
        const result = await stock.recordMovements(principal, body);
        return { status: result.movements.some((m) => m.applied) ? 201 : 200, body: result };
      },
    }),
    endpoint(edge, {
      name: 'getStockAvailability',
      method: 'GET',
      route: 'v1/stock/{sku}',
      summary: 'On hand, reserved and available per location, and what the online shop may promise',
      tags: ['Stock'],
      auth: 'tenant',
      params: z.object({ sku: id }),
      query: z.object({ locationIds: locationList.describe('Only these locations (comma-separated)') }).strict(),
      responses: { 200: { description: 'Availability', schema: AvailabilitySchema }, ...problems },
      handle: async ({ principal, params, query }) => ({ status: 200, body: await stock.availability(principal, params.sku, query.locationIds) }),
    }),
    endpoint(edge, {
      name: 'reserveStock',
      method: 'POST',
      route: 'v1/stock/reservations',
      summary: 'Hold stock for click & collect or ship-from-store: every line or none, never beyond what is available',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin', 'ecommerce', 'pos'],
      body: ReservationInput,
      responses: {
        201: { description: 'Reserved', schema: ReservationViewSchema },
        200: { description: 'This order already has this reservation at this location: as it stands', schema: ReservationViewSchema },
        ...problems,
        409: { description: 'The order already has a different reservation here', schema: ProblemSchema },
        422: { description: 'Not enough available (`insufficient-stock`); nothing is held', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => {
        const { created, reservation } = await stock.reserve(principal, body);
        return { status: created ? 201 : 200, body: reservation, headers: { location: `/api/v1/stock/reservations/${reservation.reservationId}` } };
      },
    }),
    endpoint(edge, {
      name: 'getStockReservation',
      method: 'GET',
      route: 'v1/stock/reservations/{reservationId}',
      summary: 'A reservation; an active one past its expiry reads as expired',
      tags: ['Stock'],
      auth: 'tenant',
      params: ReservationParams,
      responses: {
        200: { description: 'The reservation', schema: ReservationViewSchema },
        ...problems,
        404: { description: 'Not found', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await stock.getReservation(principal, params.reservationId) }),
    }),
    endpoint(edge, {
      name: 'cancelStockReservation',
      method: 'POST',
      route: 'v1/stock/reservations/{reservationId}/cancel',
      summary: 'Cancel and release the stock; a repeat answers the same',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin', 'ecommerce', 'pos'],
      params: ReservationParams,
      responses: {
        200: { description: 'Cancelled (or already cancelled, expired or refused)', schema: ReservationViewSchema },
        ...problems,
        404: { description: 'Not found', schema: ProblemSchema },
        409: { description: 'Already picked up and sold (`reservation-confirmed`)', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await stock.cancel(principal, params.reservationId) }),
    }),
    endpoint(edge, {
      name: 'getStockSettings',
      method: 'GET',
      route: 'v1/settings/stock',
      summary: 'Which locations ship online and the safety stock kept back from the web',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin'],
      responses: { 200: { description: 'The settings (defaults until set)', schema: StockSettingsViewSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: settingsView(await stock.settings(principal.tenantId)) }),
    }),
    endpoint(edge, {
      name: 'putStockSettings',
      method: 'PUT',
      route: 'v1/settings/stock',
      summary: 'Set which locations ship online and the safety stock per location',
      tags: ['Stock'],
      auth: 'tenant',
      roles: ['admin'],
      body: StockSettingsInput,
      responses: { 200: { description: 'Saved', schema: StockSettingsViewSchema }, ...problems },
      handle: async ({ principal, body }) => ({ status: 200, body: settingsView(await stock.saveSettings(principal, body)) }),
    }),
  ];
}
