import type { LineEnricher, LineReference } from '../transactions';
import type { CatalogueService } from './catalogue';

/** How long a SKU's reference is reused, and how many are kept per process. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 20_000;

/**
 * Gives sale lines the product, families and brand of their SKU. Per sale: the tenant's settings
 * from a 30 s cache (a tenant without a catalogue costs nothing more), then per distinct SKU not
 * cached: two point reads (variant, product). References are cached for a minute, so a SKU that
 * sells often costs nothing; a catalogue change reaches sale lines within that minute.
 */
export class CatalogueLineEnricher implements LineEnricher {
  readonly name = 'catalogue';
  private readonly cache = new Map<string, { reference: LineReference; until: number }>();

  constructor(private readonly catalogue: CatalogueService) {}

  async references(tenantId: string, skus: string[]): Promise<Map<string, LineReference> | undefined> {
    if (!(await this.catalogue.cachedSettings(tenantId))) return undefined;
    const now = Date.now();
    const entries = await Promise.all(
      skus.map(async (sku): Promise<[string, LineReference]> => {
        const key = `${tenantId}|${sku}`;
        const hit = this.cache.get(key);
        if (hit && hit.until > now) return [sku, hit.reference];
        const found = await this.catalogue.productBySku(tenantId, sku);
        const reference: LineReference = found
          ? {
              productId: found.product.productId,
              families: found.product.familyPath,
              ...(found.product.brand ? { brand: found.product.brand } : {}),
              catalogue: 'matched',
            }
          : { catalogue: 'unknown' };
        // Oldest first out: a Map keeps insertion order.
        if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(key, { reference, until: now + TTL_MS });
        return [sku, reference];
      }),
    );
    return new Map(entries);
  }
}
