import { LoyaltyProgramInput, pointsForLines, pointsToReverse, type EarningLine, type LoyaltyProgram } from './program';

function program(earn: Record<string, unknown> = {}): LoyaltyProgram {
  const input = LoyaltyProgramInput.parse({ name: 'Club', currency: 'EUR', earn: { pointsPerUnit: 1, ...earn }, redemption: { pointValue: 1 } });
  return { ...input, tenantId: 't', version: 1, updatedAt: '2026-01-01T00:00:00.000Z' };
}

const line = (lineNumber: number, total: number, extra: Partial<EarningLine> = {}): EarningLine => ({
  lineNumber,
  sku: `SKU-${lineNumber}`,
  quantity: 1,
  total,
  ...extra,
});
const points = (p: LoyaltyProgram, lines: EarningLine[], tierMultiplier = 1, pointsPaid = 0) =>
  pointsForLines(p, lines, { tierMultiplier, pointsPaid }).map((l) => l.points);

describe('accrual arithmetic', () => {
  it.each([
    // rate, rounding, line total (cents), expected points
    [1, 'down', 1999, 19],
    [1, 'nearest', 1999, 20],
    [1, 'up', 1901, 20],
    [1, 'down', 5997, 59],
    [2.5, 'down', 1000, 25],
    [0.1, 'down', 999, 0],
    [0.1, 'nearest', 1500, 2],
    [3, 'down', 5997, 179],
    [10, 'down', 1, 0],
    [10, 'up', 1, 1],
  ] as const)('rate %p rounded %p: %p cents earn %p', (pointsPerUnit, rounding, total, expected) => {
    expect(points(program({ pointsPerUnit, rounding }), [line(1, total)])).toEqual([expected]);
  });

  it('rounds each line, not the basket', () => {
    // 3 x 1.99 rounded down per line is 3 points; the basket (5.97) would give 5.
    expect(points(program(), [line(1, 199), line(2, 199), line(3, 199)])).toEqual([1, 1, 1]);
  });

  it.each([
    ['category multiplier', { categoryMultipliers: { shoes: 2 } }, { category: 'shoes' }, 40],
    ['SKU multiplier wins over category', { categoryMultipliers: { shoes: 2 }, skuMultipliers: { 'SKU-1': 3 } }, { category: 'shoes' }, 60],
    ['excluded SKU (a gift card)', { excludedSkus: ['SKU-1'] }, {}, 0],
    ['excluded category', { excludedCategories: ['gift-cards'] }, { category: 'gift-cards' }, 0],
    ['other categories unaffected', { categoryMultipliers: { shoes: 2 } }, { category: 'coats' }, 20],
  ])('%s', (_name, earn, extra, expected) => {
    expect(points(program(earn), [line(1, 2000, extra)])).toEqual([expected]);
  });

  it.each([
    [1, 20],
    [1.5, 30],
    [2, 40],
  ])('tier multiplier %p', (tierMultiplier, expected) => {
    expect(points(program(), [line(1, 2000)], tierMultiplier)).toEqual([expected]);
  });

  it('multiplies category, tier and rate together, then rounds', () => {
    expect(points(program({ pointsPerUnit: 1.5, categoryMultipliers: { shoes: 2 } }), [line(1, 3333, { category: 'shoes' })], 1.25)).toEqual([124]);
  });

  it('does not earn on the part paid with points, unless the program says so', () => {
    const lines = [line(1, 3000), line(2, 1000)];
    expect(points(program(), lines, 1, 2000)).toEqual([15, 5]);
    expect(points(program({ earnOnPointsPaid: true }), lines, 1, 2000)).toEqual([30, 10]);
  });
});

describe('reversal of a line', () => {
  it('gives back exactly what the line earned, however it comes back', () => {
    const earned = { lineNumber: 1, sku: 'A', quantity: 3, points: 10 };
    const oneByOne = [pointsToReverse(earned, 0, 1), pointsToReverse(earned, 1, 1), pointsToReverse(earned, 2, 1)];
    expect(oneByOne.reduce((a, b) => a + b, 0)).toBe(10);
    expect(pointsToReverse(earned, 0, 3)).toBe(10);
    expect(pointsToReverse(earned, 1, 2) + pointsToReverse(earned, 0, 1)).toBe(10);
  });
});

describe('the program schema', () => {
  it('requires ascending tier thresholds starting at 0', () => {
    const result = LoyaltyProgramInput.safeParse({
      name: 'Club',
      currency: 'EUR',
      earn: { pointsPerUnit: 1 },
      redemption: { pointValue: 1 },
      tiers: {
        basis: 'spend',
        levels: [
          { code: 'silver', name: 'Silver', threshold: 100 },
          { code: 'gold', name: 'Gold', threshold: 50 },
        ],
      },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['tiers.levels.0.threshold', 'tiers.levels.1.threshold']);
  });
});
