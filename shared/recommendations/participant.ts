import { z } from 'zod';
import type { CustomerParticipant } from '../customers';
import type { RecommendationService } from './recommendations';

const PurchasedItemSchema = z.object({
  sku: z.string(),
  quantity: z.number().int(),
  lastAt: z.string(),
  channel: z.enum(['store', 'online']),
  locationId: z.string(),
});
const RecommendationsExport = z.object({
  recommendationHistory: z.array(PurchasedItemSchema).describe('The items the recommender learnt from her purchases (both channels), returns taken off'),
});

/** Merges combine her histories, erasure removes her history and her baskets from the model. */
export class RecommendationParticipant implements CustomerParticipant {
  readonly name = 'recommendations';
  readonly viewSchema = z.object({});
  readonly exportSchema = RecommendationsExport;
  constructor(private readonly recommendations: RecommendationService) {}

  move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    return this.recommendations.move(tenantId, fromId, intoId);
  }

  async view(): Promise<Record<string, never>> {
    return {};
  }

  async export(tenantId: string, customerId: string): Promise<z.output<typeof RecommendationsExport>> {
    const history = await this.recommendations.history(tenantId, customerId);
    return {
      recommendationHistory: Object.entries(history?.items ?? {}).map(([sku, item]) => ({
        sku,
        quantity: item.quantity,
        lastAt: item.lastAt,
        channel: item.channel,
        locationId: item.locationId,
      })),
    };
  }

  erase(tenantId: string, customerId: string): Promise<void> {
    return this.recommendations.erase(tenantId, customerId);
  }
}
