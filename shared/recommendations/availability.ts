import type { StockService } from '../stock';
import type { Principal } from '../tenancy';
import type { Channel } from './co-purchase';
import type { Availability } from './ports';

/**
 * What can be sold where she is buying, from the stock capability: a store's available units (a
 * till, click & collect) or, online, what the web shop may promise. Asked per candidate, all at once.
 */
export class StockAvailability implements Availability {
  constructor(private readonly stock: Pick<StockService, 'availability'>) {}

  async sellable(principal: Principal, channel: Channel, locationId: string | undefined, skus: string[]): Promise<Set<string>> {
    const inStore = channel === 'store' && locationId !== undefined;
    const answers = await Promise.all(
      skus.map(async (sku) => {
        const availability = await this.stock.availability(principal, sku, inStore ? [locationId] : undefined);
        const units = inStore ? (availability.locations[0]?.available ?? 0) : availability.online.available;
        return units > 0 ? sku : undefined;
      }),
    );
    return new Set(answers.filter((sku): sku is string => sku !== undefined));
  }
}
