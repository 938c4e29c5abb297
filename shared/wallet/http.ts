import { z } from 'zod';
import type { HttpRequest } from '@azure/functions';
import type { HttpFunction } from '../edge/definition';
import { clientOf, endpoint, type EdgeKit } from '../edge/endpoint';
import { ProblemSchema, commonProblems as problems, erasedCustomer, id } from '../edge/schemas';
import { DomainError } from '../kernel/errors';
import { LinkPurpose, type WalletSession, type WalletTokens } from './tokens';
import {
  ConsentChangeInput,
  ConsentListSchema,
  DataRequestInput,
  DataRequestListSchema,
  DataRequestSchema,
  WalletViewSchema,
  type WalletService,
} from './wallet';
import { WalletSettingsInput, WalletSettingsSchema } from './settings';

const CustomerParams = z.object({ customerId: id });

const MintInput = z.object({ purpose: LinkPurpose.default('link') }).strict();

export const WalletLinkSchema = z
  .object({
    customerId: z.string().describe('The customer the link opens (the survivor, for a merged id)'),
    purpose: LinkPurpose,
    url: z.string().describe('The wallet page with the token in its fragment (`#t=`), which browsers never send to a server'),
    expiresAt: z.string(),
  })
  .meta({ id: 'WalletLink' });

/** What the token routes answer besides their own: the token itself and its throttle. */
const tokenProblems = {
  401: { description: 'Missing, malformed, unknown, expired or revoked wallet token (all alike)', schema: ProblemSchema },
  429: { description: 'Too many wrong wallet tokens from this client (`wallet-token-throttled`); see Retry-After', schema: ProblemSchema },
  503: { description: 'The data store is unavailable or did not answer in time; retry after Retry-After', schema: ProblemSchema },
};
/** Her data: never stored by a browser's HTTP cache or a proxy (the page keeps its own offline copy). */
const noStore = { 'cache-control': 'no-store' };

export interface WalletUseCases {
  tokens: WalletTokens;
  wallet: WalletService;
  /** The customer an id stands for now (404 when none, 410 once erased). */
  currentCustomerId(tenantId: string, customerId: string): Promise<string>;
}

export function walletRoutes(edge: EdgeKit, { tokens, wallet, currentCustomerId }: WalletUseCases): HttpFunction[] {
  const session = (request: HttpRequest): Promise<WalletSession> => tokens.open(request.headers.get('authorization'), clientOf(request));
  return [
    endpoint(edge, {
      name: 'mintWalletLink',
      method: 'POST',
      route: 'v1/customers/{customerId}/wallet-links',
      summary: 'A link to the customer’s wallet: `link` (default, admin keys; lives `linkDays`) or `signIn` (lives `signInMinutes`)',
      tags: ['Wallet'],
      auth: 'tenant',
      roles: ['admin', 'ecommerce', 'support'],
      params: CustomerParams,
      body: MintInput,
      responses: {
        201: { description: 'Minted; the link is shown this once (only its hash is kept)', schema: WalletLinkSchema },
        ...problems,
        403: {
          description: 'Not an admin or ecommerce key, or an ecommerce key asking for a long-lived `link` (`wallet-link-purpose-not-allowed`)',
          schema: ProblemSchema,
        },
        ...erasedCustomer,
      },
      handle: async ({ principal, params, body, request }) => {
        if (principal.role === 'ecommerce' && body.purpose !== 'signIn') {
          throw new DomainError('forbidden', 'Web shop keys mint sign-in links only', { reason: 'wallet-link-purpose-not-allowed' });
        }
        const customerId = await currentCustomerId(principal.tenantId, params.customerId);
        const { ttlMs, pageUrl } = await wallet.linkRules(principal.tenantId, body.purpose, new URL(request.url).origin);
        const minted = await tokens.mint(principal.tenantId, customerId, body.purpose, ttlMs, principal.keyId);
        const url = `${pageUrl}#t=${minted.token}`;
        return { status: 201, body: { customerId, purpose: body.purpose, url, expiresAt: minted.expiresAt }, headers: noStore };
      },
    }),
    endpoint(edge, {
      name: 'revokeWalletLinks',
      method: 'DELETE',
      route: 'v1/customers/{customerId}/wallet-links',
      summary: 'Revoke every wallet link of the customer, at once',
      tags: ['Wallet'],
      auth: 'tenant',
      roles: ['admin', 'ecommerce', 'support'],
      params: CustomerParams,
      responses: {
        204: { description: 'Revoked' },
        ...problems,
        403: { description: 'Admin or ecommerce keys only', schema: ProblemSchema },
        ...erasedCustomer,
      },
      handle: async ({ principal, params }) => {
        await tokens.revoke(principal.tenantId, await currentCustomerId(principal.tenantId, params.customerId));
        return { status: 204 };
      },
    }),
    endpoint(edge, {
      name: 'getWallet',
      method: 'GET',
      route: 'v1/wallet',
      summary: 'Her wallet, for the wallet page: `Authorization: Bearer <wallet token>`, never an API key',
      tags: ['Wallet'],
      auth: 'none',
      responses: {
        200: { description: 'Her card, points, benefits, gift cards, receipts, consents', schema: WalletViewSchema },
        ...tokenProblems,
        ...erasedCustomer,
      },
      handle: async ({ request }) => ({ status: 200, body: await wallet.view(await session(request)), headers: noStore }),
    }),
    endpoint(edge, {
      name: 'changeWalletConsents',
      method: 'PUT',
      route: 'v1/wallet/consents',
      summary: 'She gives or withdraws consents; recorded like any consent statement, with source `wallet`',
      tags: ['Wallet'],
      auth: 'none',
      body: ConsentChangeInput,
      responses: { 200: { description: 'Her consents now', schema: ConsentListSchema }, ...tokenProblems, ...erasedCustomer },
      handle: async ({ request, body }) => ({ status: 200, body: { consents: await wallet.changeConsents(await session(request), body) }, headers: noStore }),
    }),
    endpoint(edge, {
      name: 'requestWalletData',
      method: 'POST',
      route: 'v1/wallet/data-requests',
      summary: 'She asks for a copy of her data or for erasure; recorded for the retailer to act on (one open request of each kind)',
      tags: ['Wallet', 'Data protection'],
      auth: 'none',
      body: DataRequestInput,
      responses: {
        201: { description: 'Recorded', schema: DataRequestSchema },
        200: { description: 'Already asked: the first request', schema: DataRequestSchema },
        ...tokenProblems,
        ...erasedCustomer,
      },
      handle: async ({ request, body }) => {
        const { created, request: recorded } = await wallet.requestData(await session(request), body.type);
        return { status: created ? 201 : 200, body: recorded, headers: noStore };
      },
    }),
    endpoint(edge, {
      name: 'listWalletDataRequests',
      method: 'GET',
      route: 'v1/wallet/data-requests',
      summary: 'Requests for a copy of their data or for erasure that customers made in their wallets, newest first',
      tags: ['Wallet', 'Data protection'],
      auth: 'tenant',
      roles: ['admin', 'support'],
      responses: { 200: { description: 'The requests', schema: DataRequestListSchema }, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal }) => ({ status: 200, body: { items: await wallet.listRequests(principal.tenantId) } }),
    }),
    endpoint(edge, {
      name: 'getWalletSettings',
      method: 'GET',
      route: 'v1/settings/wallet',
      summary: 'The wallet’s name, language, colours, logo, data policy and link lifetimes',
      tags: ['Wallet', 'Settings'],
      auth: 'tenant',
      roles: ['admin'],
      responses: { 200: { description: 'The settings', schema: WalletSettingsSchema }, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal }) => ({ status: 200, body: await wallet.settings(principal.tenantId) }),
    }),
    endpoint(edge, {
      name: 'putWalletSettings',
      method: 'PUT',
      route: 'v1/settings/wallet',
      summary: 'Set the wallet’s settings (the whole document; omitted fields take their defaults)',
      tags: ['Wallet', 'Settings'],
      auth: 'tenant',
      roles: ['admin'],
      body: WalletSettingsInput,
      responses: { 200: { description: 'Saved', schema: WalletSettingsSchema }, 403: { description: 'Admin keys only', schema: ProblemSchema } },
      handle: async ({ principal, body }) => ({ status: 200, body: await wallet.saveSettings(principal.tenantId, body) }),
    }),
  ];
}
