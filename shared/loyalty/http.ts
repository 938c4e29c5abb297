import { z } from 'zod';
import { LoyaltyProgramInput, LoyaltyProgramSchema } from './program';
import {
  CancelledPointsRedemptionSchema,
  LoyaltyAccountSummarySchema,
  LoyaltyLedgerPageSchema,
  PointsRedemptionSchema,
  RedemptionInput,
  type LoyaltyService,
} from './service';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { PageQuery, ProblemSchema, commonProblems as problems, erasedCustomer, id } from '../edge/schemas';

const CustomerParams = z.object({ customerId: id });
const unprocessable = { 422: { description: 'A business rule refused it; `reason` says which', schema: ProblemSchema } };

export function loyaltyRoutes(edge: EdgeKit, loyalty: LoyaltyService): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'putLoyaltyProgram',
      method: 'PUT',
      route: 'v1/loyalty/program',
      summary: "Set the tenant's loyalty program (a new version; points already earned keep theirs)",
      tags: ['Loyalty'],
      auth: 'tenant',
      roles: ['admin'],
      body: LoyaltyProgramInput,
      responses: {
        200: { description: 'The program, with its new version', schema: LoyaltyProgramSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
        409: { description: 'Changed at the same moment by another request; retry', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await loyalty.putProgram(principal.tenantId, body) }),
    }),
    endpoint(edge, {
      name: 'getLoyaltyProgram',
      method: 'GET',
      route: 'v1/loyalty/program',
      summary: "The tenant's loyalty program",
      tags: ['Loyalty'],
      auth: 'tenant',
      responses: { 200: { description: 'The program', schema: LoyaltyProgramSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: await loyalty.getProgram(principal.tenantId) }),
    }),
    endpoint(edge, {
      name: 'getLoyaltyAccount',
      method: 'GET',
      route: 'v1/customers/{customerId}/loyalty',
      summary: 'Spendable and pending points, tier and progress to the next, points expiring in the next 30 days',
      tags: ['Loyalty', 'Customers'],
      auth: 'tenant',
      params: CustomerParams,
      responses: {
        200: { description: 'The account (a merged id answers with its survivor)', schema: LoyaltyAccountSummarySchema },
        ...problems,
        410: { description: 'Erased', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await loyalty.summary(principal, params.customerId) }),
    }),
    endpoint(edge, {
      name: 'getLoyaltyLedger',
      method: 'GET',
      route: 'v1/customers/{customerId}/loyalty/ledger',
      summary: 'Every points movement, newest first, with the transaction behind it',
      tags: ['Loyalty', 'Customers'],
      auth: 'tenant',
      params: CustomerParams,
      query: PageQuery,
      responses: { 200: { description: 'A page of ledger entries', schema: LoyaltyLedgerPageSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await loyalty.ledger(principal, params.customerId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      name: 'redeemPoints',
      method: 'POST',
      route: 'v1/customers/{customerId}/loyalty/redemptions',
      summary: 'Debit points at checkout, never below the spendable balance; idempotent on `reference`',
      tags: ['Loyalty', 'Checkout'],
      auth: 'tenant',
      params: CustomerParams,
      body: RedemptionInput,
      responses: {
        201: { description: 'Debited', schema: PointsRedemptionSchema },
        200: { description: 'Already debited with this reference', schema: PointsRedemptionSchema },
        ...problems,
        409: { description: 'The reference was used for another amount', schema: ProblemSchema },
        ...erasedCustomer,
        ...unprocessable,
      },
      handle: async ({ principal, params, body }) => {
        const result = await loyalty.redeem(principal, params.customerId, body);
        return { status: result.created ? 201 : 200, body: result.body };
      },
    }),
    endpoint(edge, {
      name: 'cancelPointsRedemption',
      method: 'POST',
      route: 'v1/customers/{customerId}/loyalty/redemptions/{reference}/cancel',
      summary: 'Give back the points of a redemption no sale used (an abandoned checkout); idempotent',
      tags: ['Loyalty', 'Checkout'],
      auth: 'tenant',
      params: CustomerParams.extend({ reference: id }),
      responses: {
        200: { description: 'Cancelled (or already cancelled)', schema: CancelledPointsRedemptionSchema },
        ...problems,
        ...erasedCustomer,
        ...unprocessable,
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await loyalty.cancelRedemption(principal, params.customerId, params.reference) }),
    }),
  ];
}
