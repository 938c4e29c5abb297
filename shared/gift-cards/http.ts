import { z } from 'zod';
import {
  GiftCardLookupInput,
  GiftCardOperationInput,
  GiftCardOperationResultSchema,
  GiftCardViewSchema,
  GiftCardWithHistorySchema,
  IssueGiftCardInput,
  IssuedGiftCardSchema,
  operationResultView,
} from './gift-cards';
import { GiftCardSettingsInput, GiftCardSettingsSchema } from './settings';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import type { GiftCardService } from './gift-cards';
import { ProblemSchema, id } from '../edge/schemas';

const problems = {
  400: { description: 'Invalid input; `errors` lists each field', schema: ProblemSchema },
  401: { description: 'Missing or wrong API key', schema: ProblemSchema },
  404: { description: 'Not found (or another tenant’s)', schema: ProblemSchema },
};
const GiftCardParams = z.object({ giftCardId: id });

/** Codes and PINs travel only in request bodies: URLs end up in logs. */
export function giftCardRoutes(edge: EdgeKit, giftCards: GiftCardService): HttpFunction[] {
  const operation = (name: string, path: string, summary: string, run: typeof giftCards.redeem, refusals: string, adminOnly = false) =>
    endpoint(edge, {
      name,
      method: 'POST',
      route: `v1/gift-cards/{giftCardId}/${path}`,
      summary,
      tags: ['Gift cards'],
      auth: 'tenant',
      ...(adminOnly ? { roles: ['admin' as const] } : {}),
      params: GiftCardParams,
      body: GiftCardOperationInput,
      responses: {
        201: { description: 'Applied', schema: GiftCardOperationResultSchema },
        200: { description: 'Already applied with this reference: the first result', schema: GiftCardOperationResultSchema },
        ...problems,
        403: { description: 'The key may not act for `locationId` (`location-not-allowed`)', schema: ProblemSchema },
        409: { description: 'The reference was used for a different operation', schema: ProblemSchema },
        422: { description: refusals, schema: ProblemSchema },
      },
      handle: async ({ principal, params, body }) => {
        const { replayed, operation: op, card } = await run.call(giftCards, principal, params.giftCardId, body);
        return { status: replayed ? 200 : 201, body: operationResultView(op, card) };
      },
    });
  return [
    endpoint(edge, {
      name: 'issueGiftCard',
      method: 'POST',
      route: 'v1/gift-cards',
      summary: 'Issues a gift card; the code and PIN are returned this once (a repeat of the reference returns the card without them)',
      tags: ['Gift cards'],
      auth: 'tenant',
      body: IssueGiftCardInput,
      responses: {
        201: { description: 'Issued, with `code` and `pin`', schema: IssuedGiftCardSchema },
        200: { description: 'Already issued with this reference (without `code` and `pin`)', schema: GiftCardViewSchema },
        ...problems,
        403: { description: 'A pos or ecommerce key issues cards with `activateOnSale` only (`gift-card-issue-requires-admin`)', schema: ProblemSchema },
        422: { description: 'Above the balance cap of the gift card settings (`gift-card-balance-cap`)', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => {
        const { created, card, code, pin } = await giftCards.issue(principal, body);
        return { status: created ? 201 : 200, body: { ...card, ...(created ? { code, pin } : {}) } };
      },
    }),
    endpoint(edge, {
      name: 'lookupGiftCard',
      method: 'POST',
      route: 'v1/gift-cards/lookup',
      summary:
        'Code and PIN to gift card id and balance; at most 5 wrong PINs per API key and per card in 15 minutes; 10 wrong PINs in a row lock the card until an admin unlocks it',
      tags: ['Gift cards'],
      auth: 'tenant',
      roles: ['pos', 'ecommerce', 'admin', 'store', 'support'],
      body: GiftCardLookupInput,
      responses: {
        200: { description: 'The card', schema: GiftCardViewSchema },
        ...problems,
        422: { description: 'The card is locked after repeated wrong PINs (`gift-card-locked`)', schema: ProblemSchema },
        429: {
          description: 'Too many failed lookups with this key (`lookup-throttled`) or wrong PINs for this card (`card-lookup-throttled`); see Retry-After',
          schema: ProblemSchema,
        },
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await giftCards.lookup(principal, body) }),
    }),
    endpoint(edge, {
      name: 'unlockGiftCard',
      method: 'POST',
      route: 'v1/gift-cards/{giftCardId}/unlock',
      summary: 'Unlock a card locked after repeated wrong PINs (its wrong PINs are forgotten)',
      tags: ['Gift cards'],
      auth: 'tenant',
      roles: ['admin', 'support'],
      params: GiftCardParams,
      responses: {
        200: { description: 'The card, unlocked', schema: GiftCardViewSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
      },
      handle: async ({ principal, params }) => ({ status: 200, body: await giftCards.unlock(principal.tenantId, params.giftCardId) }),
    }),
    endpoint(edge, {
      name: 'getGiftCard',
      method: 'GET',
      route: 'v1/gift-cards/{giftCardId}',
      summary: 'Balance, status and history',
      tags: ['Gift cards'],
      auth: 'tenant',
      params: GiftCardParams,
      responses: { 200: { description: 'The card', schema: GiftCardWithHistorySchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await giftCards.get(principal.tenantId, params.giftCardId) }),
    }),
    operation(
      'redeemGiftCard',
      'redemptions',
      'Pays with the card; the `operationId` is the reference of the sale’s giftCard tender',
      giftCards.redeem,
      'insufficient-balance, gift-card-expired, gift-card-not-active',
    ),
    operation(
      'refundGiftCard',
      'refunds',
      'Gives back to the card (a return), never more than was redeemed',
      giftCards.refund,
      'refund-exceeds-redeemed, gift-card-balance-cap, gift-card-expired, gift-card-not-active',
    ),
    operation(
      'reloadGiftCard',
      'reloads',
      'Adds value to the card (admin keys; a till or web shop reloads a card by selling it on a sale line that names it)',
      giftCards.reload,
      'gift-card-balance-cap, gift-card-expired, gift-card-not-active',
      true,
    ),
    endpoint(edge, {
      name: 'getGiftCardSettings',
      method: 'GET',
      route: 'v1/settings/gift-cards',
      summary: 'The balance cap of every gift card',
      tags: ['Gift cards'],
      auth: 'tenant',
      roles: ['admin'],
      responses: {
        200: { description: 'The settings (defaults until set)', schema: GiftCardSettingsSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
      },
      handle: async ({ principal }) => ({ status: 200, body: await giftCards.settings(principal.tenantId, true) }),
    }),
    endpoint(edge, {
      name: 'putGiftCardSettings',
      method: 'PUT',
      route: 'v1/settings/gift-cards',
      summary: 'Set the balance cap of every gift card (applies to issues, loads, reloads and refunds from then on)',
      tags: ['Gift cards'],
      auth: 'tenant',
      roles: ['admin'],
      body: GiftCardSettingsInput,
      responses: {
        200: { description: 'Saved', schema: GiftCardSettingsSchema },
        ...problems,
        403: { description: 'Admin keys only', schema: ProblemSchema },
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await giftCards.saveSettings(principal.tenantId, body) }),
    }),
  ];
}
