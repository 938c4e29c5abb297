import { z } from 'zod';

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour as #RRGGBB');

/** The tenant's wallet: how it looks and speaks, how long links live, the retailer's data policy. */
export const WalletSettingsInput = z
  .object({
    displayName: z.string().trim().min(1).max(60).optional().describe("The name the wallet shows; the tenant's name when absent"),
    language: z.enum(['es', 'en']).optional().describe("The wallet's language; Spanish for a tenant in Spain, English otherwise, when absent"),
    colours: z
      .object({
        brand: colour.describe('Card and buttons; must read against white text'),
        background: colour.describe('Page background; must read against dark text'),
      })
      .strict()
      .optional(),
    logoUrl: z
      .url({ protocol: /^https$/ })
      .max(500)
      .optional()
      .describe('An https image shown on the card'),
    privacyPolicy: z.string().trim().min(1).max(2000).optional().describe('Shown beside the requests for a copy of her data and for erasure'),
    pageUrl: z
      .url({ protocol: /^https$/ })
      .max(300)
      .regex(/\/wallet\/$/, 'must end in /wallet/')
      .optional()
      .describe("Where links open the wallet (e.g. the retailer's own domain on the static host); this API's origin + /wallet/ when absent"),
    linkDays: z.number().int().min(1).max(365).default(30).describe('How long a link sent to the customer lives'),
    signInMinutes: z.number().int().min(1).max(60).default(15).describe('How long a link minted by the web shop for a signed-in customer lives'),
  })
  .strict();
export type WalletSettingsInput = z.output<typeof WalletSettingsInput>;

export const WalletSettingsSchema = z
  .object({
    displayName: z.string().nullable(),
    language: z.enum(['es', 'en']).nullable(),
    colours: z.object({ brand: z.string(), background: z.string() }),
    logoUrl: z.string().nullable(),
    privacyPolicy: z.string().nullable(),
    pageUrl: z.string().nullable(),
    linkDays: z.number().int(),
    signInMinutes: z.number().int(),
    updatedAt: z.string().nullable().describe('Null while the defaults apply'),
  })
  .meta({ id: 'WalletSettings' });
export type WalletSettings = z.output<typeof WalletSettingsSchema>;

/** Colours that pass WCAG AA with the page's white and dark text. */
export const DEFAULT_WALLET_SETTINGS: WalletSettings = {
  displayName: null,
  language: null,
  colours: { brand: '#1f4e79', background: '#f5f5f2' },
  logoUrl: null,
  privacyPolicy: null,
  pageUrl: null,
  linkDays: 30,
  signInMinutes: 15,
  updatedAt: null,
};

export function settingsFrom(input: WalletSettingsInput, now: string): WalletSettings {
  return {
    displayName: input.displayName ?? null,
    language: input.language ?? null,
    colours: input.colours ?? DEFAULT_WALLET_SETTINGS.colours,
    logoUrl: input.logoUrl ?? null,
    privacyPolicy: input.privacyPolicy ?? null,
    pageUrl: input.pageUrl ?? null,
    linkDays: input.linkDays,
    signInMinutes: input.signInMinutes,
    updatedAt: now,
  };
}
