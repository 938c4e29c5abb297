import { z } from 'zod';
import { CampaignInput, CouponRequest } from './coupon-rules';
import { CampaignViewSchema, CodesInput, CouponValidationSchema, HoldListSchema, HoldViewSchema, IssuedCodesSchema, WalletSchema, holdView } from './coupons';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import type { CouponService } from './coupons';
import { ProblemSchema, erasedCustomer, id } from '../edge/schemas';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  404: { description: 'Not found (or another tenant’s)', schema: ProblemSchema },
};
const refused = { 422: { description: 'A code cannot be used; `reason` says why (unknown, expired, budget-exhausted, ...)', schema: ProblemSchema } };

export function couponRoutes(edge: EdgeKit, coupons: CouponService): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'createCampaign',
      method: 'POST',
      route: 'v1/campaigns',
      summary: 'A coupon campaign: discount, validity, channels and locations, basket rules, budget, per-customer limit, stacking, optional public code',
      tags: ['Coupons'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      body: CampaignInput,
      idempotent: true,
      responses: {
        201: { description: 'Created', schema: CampaignViewSchema },
        ...problems,
        422: { description: 'Segments named while the platform has none (`segments-unavailable`)', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => {
        const campaign = await coupons.createCampaign(principal, body);
        return { status: 201, body: campaign, headers: { location: `/api/v1/campaigns/${campaign.campaignId}` } };
      },
    }),
    endpoint(edge, {
      name: 'getCampaign',
      method: 'GET',
      route: 'v1/campaigns/{campaignId}',
      summary: 'A campaign with its redemptions and discount given so far',
      tags: ['Coupons'],
      auth: 'tenant',
      roles: ['admin', 'marketing', 'store', 'support'],
      params: z.object({ campaignId: id }),
      responses: { 200: { description: 'The campaign', schema: CampaignViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await coupons.getCampaign(principal.tenantId, params.campaignId) }),
    }),
    endpoint(edge, {
      name: 'issueCouponCodes',
      method: 'POST',
      route: 'v1/campaigns/{campaignId}/codes',
      summary: 'Unique codes in bulk (`count`, up to 100,000), or one personal code for a customer (`customerId`)',
      tags: ['Coupons'],
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      params: z.object({ campaignId: id }),
      body: CodesInput,
      idempotent: true,
      responses: {
        201: { description: 'The codes: Crockford base32, 16 characters in groups of 4', schema: IssuedCodesSchema },
        ...problems,
        410: { description: 'The customer of a personal code was erased', schema: ProblemSchema },
        422: { description: 'The campaign has no codes left (`code-space-exhausted`), or Idempotency-Key reused with another request', schema: ProblemSchema },
      },
      handle: async ({ principal, params, body }) => ({ status: 201, body: await coupons.issueCodes(principal, params.campaignId, body) }),
    }),
    endpoint(edge, {
      name: 'validateCoupons',
      method: 'POST',
      route: 'v1/coupons/validate',
      summary: 'For each code: valid or not with a reason code, and the discount per basket line. Nothing is consumed',
      tags: ['Coupons'],
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin', 'store', 'support'],
      body: CouponRequest,
      responses: {
        200: { description: 'One result per distinct code', schema: CouponValidationSchema },
        ...problems,
        403: { description: 'Location not allowed for this key', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await coupons.validate(principal, body) }),
    }),
    endpoint(edge, {
      name: 'holdCoupons',
      method: 'POST',
      route: 'v1/coupons/holds',
      summary: 'Reserves the codes for 10 minutes (all or none); the sale carrying `couponHoldId` confirms the hold',
      tags: ['Coupons'],
      auth: 'tenant',
      body: CouponRequest,
      idempotent: true,
      responses: {
        201: { description: 'Held', schema: HoldViewSchema },
        ...problems,
        403: { description: 'Location not allowed for this key (`location-not-allowed`)', schema: ProblemSchema },
        ...refused,
      },
      handle: async ({ principal, body }) => {
        const hold = await coupons.hold(principal, body);
        return { status: 201, body: holdView(hold), headers: { location: `/api/v1/coupons/holds/${hold.holdId}` } };
      },
    }),
    endpoint(edge, {
      name: 'getCouponHold',
      method: 'GET',
      route: 'v1/coupons/holds/{holdId}',
      summary: 'A hold; one past its expiry reads as released',
      tags: ['Coupons'],
      auth: 'tenant',
      params: z.object({ holdId: id }),
      responses: { 200: { description: 'The hold', schema: HoldViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: holdView(await coupons.getHold(principal.tenantId, params.holdId)) }),
    }),
    endpoint(edge, {
      name: 'releaseCouponHold',
      method: 'DELETE',
      route: 'v1/coupons/holds/{holdId}',
      summary: 'Gives the held uses back (abandoned checkout)',
      tags: ['Coupons'],
      auth: 'tenant',
      params: z.object({ holdId: id }),
      responses: {
        200: { description: 'Released', schema: HoldViewSchema },
        ...problems,
        422: { description: 'Already confirmed or released', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: holdView(await coupons.release(principal.tenantId, params.holdId)) }),
    }),
    endpoint(edge, {
      name: 'transactionCoupons',
      method: 'GET',
      route: 'v1/transactions/{transactionId}/coupons',
      summary: 'The coupons a transaction redeemed, or why they could not be (offline sales)',
      tags: ['Coupons'],
      auth: 'tenant',
      params: z.object({ transactionId: id }),
      responses: { 200: { description: 'The holds of the transaction', schema: HoldListSchema }, ...problems },
      handle: async ({ principal, params }) => ({
        status: 200,
        body: { items: (await coupons.forTransaction(principal.tenantId, params.transactionId)).map(holdView) },
      }),
    }),
    endpoint(edge, {
      name: 'customerCoupons',
      method: 'GET',
      route: 'v1/customers/{customerId}/coupons',
      summary: 'The customer’s wallet: personal coupons and the uses left on each',
      tags: ['Coupons', 'Customers'],
      auth: 'tenant',
      params: z.object({ customerId: id }),
      responses: { 200: { description: 'The wallet', schema: WalletSchema }, ...problems, ...erasedCustomer },
      handle: async ({ principal, params }) => ({ status: 200, body: await coupons.walletOf(principal.tenantId, params.customerId) }),
    }),
  ];
}
