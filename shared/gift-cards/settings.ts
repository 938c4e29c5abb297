import { z } from 'zod';

/** The default cap on any card's balance: 1,000.00 in minor units of the card's currency. */
export const DEFAULT_MAX_BALANCE = 100_000;

export const GiftCardSettingsInput = z
  .object({
    maxBalance: z
      .number()
      .int('must be a whole number of minor units (cents)')
      .positive()
      .max(100_000_000_00)
      .describe("No card's balance may exceed this (minor units of the card's currency); issues, loads, reloads and refunds beyond it are refused"),
  })
  .strict();
export type GiftCardSettingsInput = z.infer<typeof GiftCardSettingsInput>;

export const GiftCardSettingsSchema = GiftCardSettingsInput.extend({
  updatedAt: z.string().nullable().describe('Null while the defaults apply'),
}).meta({ id: 'GiftCardSettings' });
export type GiftCardSettings = z.output<typeof GiftCardSettingsSchema>;

export const DEFAULT_GIFT_CARD_SETTINGS: GiftCardSettings = { maxBalance: DEFAULT_MAX_BALANCE, updatedAt: null };
