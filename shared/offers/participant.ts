import type { Audience, CustomerParticipant } from '../customers';
import { OffersSection, type OfferService } from './offers';

/** Offers' part of the 360 view and the export: the benefits issued to the customer and why. */
export class OffersParticipant implements CustomerParticipant {
  readonly name = 'offers';
  readonly viewSchema = OffersSection;
  readonly exportSchema = OffersSection;
  constructor(private readonly offers: OfferService) {}

  move(tenantId: string, fromId: string, intoId: string): Promise<number> {
    return this.offers.moveBenefits(tenantId, fromId, intoId);
  }

  view(tenantId: string, customerId: string, _audience: Audience): Promise<OffersSection> {
    return this.offers.benefitsOf(tenantId, customerId);
  }

  export(tenantId: string, customerId: string): Promise<OffersSection> {
    return this.offers.benefitsOf(tenantId, customerId);
  }

  /** Activations carry only ids (customer, rule, transaction), which name nobody once the rest is erased. */
  async erase(): Promise<void> {}
}
