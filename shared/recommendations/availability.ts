import { LRUCache } from 'lru-cache';
import type { StockService } from '../stock';
import type { Principal } from '../tenancy';
import type { Channel } from './co-purchase';
import type { Availability } from './ports';

/** How long an answer is reused; a `stock.changed` for the SKU forgets it at once in the process that receives it. */
const ANSWER_TTL_MS = 10_000;

/**
 * What can be sold where she is buying, from the stock capability: a store's available units (a
 * till, click & collect) or, online, what the web shop may promise. Answers are cached for a few
 * seconds per tenant, place and SKU (a list asks for a dozen SKUs, most of them asked by every list).
 */
export class StockAvailability implements Availability {
  /** By tenant and SKU, then by place (a location id, or 'online'). */
  private readonly answers = new LRUCache<string, Map<string, Promise<boolean>>>({ max: 100_000, ttl: ANSWER_TTL_MS });
  private readonly onlineLocations = new LRUCache<string, Promise<string[] | undefined>>({ max: 1_000, ttl: 30_000 });

  constructor(private readonly stock: Pick<StockService, 'availability' | 'settings'>) {}

  async sellable(tenantId: string, channel: Channel, locationId: string | undefined, skus: string[]): Promise<Set<string>> {
    const place = channel === 'store' && locationId !== undefined ? locationId : 'online';
    const answers = await Promise.all(skus.map(async (sku) => ((await this.answer(tenantId, place, sku)) ? sku : undefined)));
    return new Set(answers.filter((sku): sku is string => sku !== undefined));
  }

  /** Stock of this SKU changed: the next list asks again. */
  forget(tenantId: string, sku: string): void {
    this.answers.delete(`${tenantId}/${sku}`);
  }

  private answer(tenantId: string, place: string, sku: string): Promise<boolean> {
    const key = `${tenantId}/${sku}`;
    let places = this.answers.get(key);
    if (!places) this.answers.set(key, (places = new Map()));
    let answer = places.get(place);
    if (!answer) {
      answer = this.ask(tenantId, place, sku);
      places.set(place, answer);
      answer.catch(() => places.delete(place));
    }
    return answer;
  }

  private async ask(tenantId: string, place: string, sku: string): Promise<boolean> {
    // The stock capability reads availability for a principal; only its tenant matters to a read.
    const principal: Principal = { tenantId, keyId: 'recommendations', role: 'admin', locationIds: null };
    if (place !== 'online') return ((await this.stock.availability(principal, sku, [place])).locations[0]?.available ?? 0) > 0;
    // Named shipping locations are point reads; "every location" is a query over the tenant's stock of the SKU.
    const shipping = await this.shippingLocations(tenantId);
    return (await this.stock.availability(principal, sku, shipping)).online.available > 0;
  }

  private shippingLocations(tenantId: string): Promise<string[] | undefined> {
    let locations = this.onlineLocations.get(tenantId);
    if (!locations) {
      locations = this.stock.settings(tenantId).then((s) => s.onlineLocationIds ?? undefined);
      this.onlineLocations.set(tenantId, locations);
      locations.catch(() => this.onlineLocations.delete(tenantId));
    }
    return locations;
  }
}
