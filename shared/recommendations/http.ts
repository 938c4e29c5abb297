import { z } from 'zod';
import { assertMayActFor, type Principal } from '../tenancy';
import {
  ConversionReportSchema,
  RecommendationListSchema,
  RecommendationSettingsInput,
  RecommendationSettingsSchema,
  type RecommendationService,
} from './recommendations';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, commonProblems as problems, erasedCustomer, id } from '../edge/schemas';

const forbidden = { 403: { description: 'The key may not act for this location (`location-not-allowed`)', schema: ProblemSchema } };
const Where = z.object({
  channel: z
    .enum(['store', 'online'])
    .describe('store: a till or click & collect at `locationId` (its available stock); online: the web shop (what it may promise)'),
  locationId: id.optional().describe('The store (required for channel=store) or the web shop'),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
const storeNeedsLocation = (q: { channel: string; locationId?: string }, ctx: z.RefinementCtx) => {
  if (q.channel === 'store' && !q.locationId) ctx.addIssue({ code: 'custom', path: ['locationId'], message: 'is required for channel=store' });
};
const WhereQuery = Where.strict().superRefine(storeNeedsLocation);
const BasketInput = Where.extend({ skus: z.array(id).min(1).max(200).describe('The SKUs in the basket or cart') })
  .strict()
  .superRefine(storeNeedsLocation);

function mayActFor(principal: Principal, where: { channel: string; locationId?: string }): void {
  if (where.channel === 'store' && where.locationId) assertMayActFor(principal, where.locationId);
}

export function recommendationRoutes(edge: EdgeKit, recommendations: RecommendationService): HttpFunction[] {
  const list = {
    description: 'The list, each item explained; `recommendationId` goes back on the sale lines bought from it',
    schema: RecommendationListSchema,
  };
  return [
    endpoint(edge, {
      name: 'recommendForCustomer',
      method: 'GET',
      route: 'v1/customers/{customerId}/recommendations',
      summary: 'For one customer from what she bought in both channels, not already bought, only what can be sold where she is buying',
      tags: ['Recommendations'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      query: WhereQuery,
      responses: { 200: list, ...problems, ...forbidden, ...erasedCustomer },
      handle: async ({ principal, params, query }) => {
        mayActFor(principal, query);
        return { status: 200, body: await recommendations.forCustomer(principal.tenantId, params.customerId, query, query.limit) };
      },
    }),
    endpoint(edge, {
      name: 'recommendForBasket',
      method: 'POST',
      route: 'v1/recommendations/basket',
      summary: 'Frequently bought together with the lines of a basket or cart (till or web shop)',
      tags: ['Recommendations'],
      auth: 'tenant',
      body: BasketInput,
      responses: { 200: list, ...problems, ...forbidden },
      handle: async ({ principal, body }) => {
        mayActFor(principal, body);
        return { status: 200, body: await recommendations.forBasket(principal.tenantId, body, body.limit) };
      },
    }),
    endpoint(edge, {
      name: 'recommendRelated',
      method: 'GET',
      route: 'v1/recommendations/related/{sku}',
      summary: "Related to a product: the catalogue's relations when there is a catalogue, then what is bought with it",
      tags: ['Recommendations'],
      auth: 'tenant',
      params: z.object({ sku: id }),
      query: WhereQuery,
      responses: { 200: list, ...problems, ...forbidden },
      handle: async ({ principal, params, query }) => {
        mayActFor(principal, query);
        return { status: 200, body: await recommendations.related(principal.tenantId, params.sku, query, query.limit) };
      },
    }),
    ...(
      [
        ['bestSellers', 'best-sellers', 'Best sellers of the location, then of the channel, then overall (decayed over months)'],
        ['trending', 'trending', 'What sells most over the last days (half-life 7 days) at the location, then the channel, then overall'],
      ] as const
    ).map(([name, path, summary]) =>
      endpoint(edge, {
        name,
        method: 'GET',
        route: `v1/recommendations/${path}`,
        summary,
        tags: ['Recommendations'],
        auth: 'tenant',
        query: WhereQuery,
        responses: { 200: list, ...problems, ...forbidden },
        handle: async ({ principal, query }) => {
          mayActFor(principal, query);
          return { status: 200, body: await recommendations[name](principal.tenantId, query, query.limit) };
        },
      }),
    ),
    endpoint(edge, {
      name: 'recommendationConversion',
      method: 'GET',
      route: 'v1/recommendations/conversion',
      summary: 'Lists served and sale lines bought from them, by kind of list',
      tags: ['Recommendations'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      query: z
        .object({
          from: z.iso.datetime({ offset: true }).describe('From this instant (sales occurredAt)'),
          to: z.iso.datetime({ offset: true }).describe('Up to this instant, excluded'),
        })
        .strict(),
      responses: {
        200: { description: 'The report', schema: ConversionReportSchema },
        ...problems,
        403: { description: 'Not an admin key', schema: ProblemSchema },
      },
      handle: async ({ principal, query }) => ({
        status: 200,
        body: await recommendations.conversion(principal.tenantId, new Date(query.from).toISOString(), new Date(query.to).toISOString()),
      }),
    }),
    endpoint(edge, {
      name: 'getRecommendationSettings',
      method: 'GET',
      route: 'v1/settings/recommendations',
      summary: 'Repeat-purchase categories (what may be recommended again)',
      tags: ['Recommendations'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      responses: {
        200: { description: 'The settings (defaults until set)', schema: RecommendationSettingsSchema },
        ...problems,
        403: { description: 'Not an admin key', schema: ProblemSchema },
      },
      handle: async ({ principal }) => ({ status: 200, body: await recommendations.settings(principal.tenantId) }),
    }),
    endpoint(edge, {
      name: 'putRecommendationSettings',
      method: 'PUT',
      route: 'v1/settings/recommendations',
      summary: 'Set the repeat-purchase categories',
      tags: ['Recommendations'],
      auth: 'tenant',
      roles: ['admin'],
      body: RecommendationSettingsInput,
      responses: {
        200: { description: 'Saved', schema: RecommendationSettingsSchema },
        ...problems,
        403: { description: 'Not an admin key', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await recommendations.saveSettings(principal.tenantId, body) }),
    }),
  ];
}
