import { z } from 'zod';

const code = z.string().trim().min(1).max(64);
const multiplier = z.number().min(0).max(100);

export const TierLevelInput = z
  .object({
    code,
    name: z.string().trim().min(1).max(100),
    threshold: z.number().int().min(0).describe('Qualifying value (minor units of spend, or points) over the window to reach this tier'),
    multiplier: multiplier.default(1).describe('Applied to every point earned while in this tier'),
  })
  .strict();

export const LoyaltyProgramInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .describe('Sales in other currencies earn nothing'),
    earn: z
      .object({
        pointsPerUnit: z.number().positive().max(10_000).describe('Points per whole currency unit spent (per 100 minor units)'),
        rounding: z.enum(['down', 'nearest', 'up']).default('down').describe('Applied to each line'),
        categoryMultipliers: z.record(code, multiplier).default({}),
        skuMultipliers: z.record(code, multiplier).default({}).describe('Wins over the category multiplier'),
        excludedSkus: z.array(code).max(1000).default([]).describe('Lines that earn nothing (gift cards, for one)'),
        excludedCategories: z.array(code).max(200).default([]),
        earnOnPointsPaid: z.boolean().default(false).describe('Whether the part of a sale paid with points earns points'),
      })
      .strict(),
    pendingDays: z.number().int().min(0).max(365).default(0).describe('Earned points are spendable after this many days (the return window)'),
    expiryMonths: z.number().int().min(1).max(120).nullable().default(null).describe('Points expire this many months after they were earned; null: never'),
    redemption: z
      .object({
        pointValue: z.number().positive().max(100_000).describe('Money value of one point, in minor units'),
        minimumPoints: z.number().int().min(0).default(0).describe('Smallest redemption'),
      })
      .strict(),
    tiers: z
      .object({
        basis: z.enum(['spend', 'points']).describe('Qualifying spend (minor units) or points earned'),
        windowMonths: z.number().int().min(1).max(36).default(12).describe('Rolling window the qualifying value is summed over'),
        graceMonths: z.number().int().min(0).max(24).default(0).describe('A tier is kept this long after its threshold is no longer met'),
        levels: z.array(TierLevelInput).min(1).max(10).describe('Ascending thresholds; the first is the entry tier (threshold 0)'),
      })
      .strict()
      .superRefine((tiers, ctx) => {
        if (tiers.levels[0]?.threshold !== 0) ctx.addIssue({ code: 'custom', path: ['levels', 0, 'threshold'], message: 'must be 0: the entry tier' });
        tiers.levels.forEach((level, i) => {
          const previous = tiers.levels[i - 1];
          if (previous && level.threshold <= previous.threshold) {
            ctx.addIssue({ code: 'custom', path: ['levels', i, 'threshold'], message: 'must be higher than the previous tier’s' });
          }
          if (tiers.levels.findIndex((l) => l.code === level.code) !== i) ctx.addIssue({ code: 'custom', path: ['levels', i, 'code'], message: 'is repeated' });
        });
      })
      .optional(),
  })
  .strict();
export type LoyaltyProgramInput = z.infer<typeof LoyaltyProgramInput>;
export type TierLevel = z.infer<typeof TierLevelInput>;

export const LoyaltyProgramSchema = LoyaltyProgramInput.extend({
  tenantId: z.string(),
  version: z.number().int().describe('Grows with every change; each ledger entry records the version it was computed with'),
  updatedAt: z.string(),
}).meta({ id: 'LoyaltyProgram' });
export type LoyaltyProgram = z.output<typeof LoyaltyProgramSchema>;

/** A sale line as accrual sees it. */
export interface EarningLine {
  lineNumber: number;
  sku: string;
  category?: string;
  quantity: number;
  /** Line amount after its discount, in minor units. */
  total: number;
}

export const LinePointsSchema = z.object({ lineNumber: z.number().int(), sku: z.string(), quantity: z.number().int(), points: z.number().int() });
export type LinePoints = z.output<typeof LinePointsSchema>;

function round(value: number, mode: LoyaltyProgram['earn']['rounding']): number {
  // Amounts like 19.99 * 3 land a hair off the whole number in binary: settle that first.
  const settled = Math.round(value * 1e6) / 1e6;
  if (mode === 'up') return Math.ceil(settled);
  if (mode === 'nearest') return Math.round(settled);
  return Math.floor(settled);
}

export function lineMultiplier(earn: LoyaltyProgram['earn'], line: Pick<EarningLine, 'sku' | 'category'>): number {
  if (earn.excludedSkus.includes(line.sku)) return 0;
  if (line.category && earn.excludedCategories.includes(line.category)) return 0;
  return earn.skuMultipliers[line.sku] ?? (line.category ? earn.categoryMultipliers[line.category] : undefined) ?? 1;
}

/**
 * The points each line of a sale earns: its amount (less the share paid with points, unless the
 * program earns on it) times the rate, the line's multiplier and the tier's, rounded per line.
 * Both channels go through this one function, so the same basket earns the same points.
 */
export function pointsForLines(
  program: Pick<LoyaltyProgram, 'earn'>,
  lines: EarningLine[],
  options: { tierMultiplier: number; pointsPaid: number },
): LinePoints[] {
  const total = lines.reduce((sum, l) => sum + l.total, 0);
  const earningShare = program.earn.earnOnPointsPaid || total === 0 ? 1 : Math.max(0, total - options.pointsPaid) / total;
  return lines.map((line) => {
    const units = (line.total * earningShare) / 100;
    const points = round(units * program.earn.pointsPerUnit * lineMultiplier(program.earn, line) * options.tierMultiplier, program.earn.rounding);
    return { lineNumber: line.lineNumber, sku: line.sku, quantity: line.quantity, points: Math.max(0, points) };
  });
}

/**
 * How many of a line's points go back when `returning` more units come back after `alreadyReturned`:
 * the difference of two proportional shares, so a line returned unit by unit gives back exactly
 * what it earned, never a point more or less.
 */
export function pointsToReverse(line: LinePoints, alreadyReturned: number, returning: number): number {
  const share = (units: number) => Math.round((line.points * Math.min(units, line.quantity)) / line.quantity);
  return share(alreadyReturned + returning) - share(alreadyReturned);
}
