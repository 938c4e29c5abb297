import type { CatalogueRelations } from './ports';

/** What the bridge needs of the catalogue: a SKU's product, a product's typed relations, a product's variants. */
export interface CatalogueReader {
  productBySku(tenantId: string, sku: string): Promise<{ product: { productId: string } } | undefined>;
  relationsOf(tenantId: string, productId: string): Promise<Array<{ type: string; related: string[] }>>;
  product(tenantId: string, productId: string): Promise<{ status: string; variants: Array<{ sku: string; status: string }> }>;
}

/**
 * The catalogue's relations in SKUs, for the "related to a product" list: relations link products
 * (styles), lists offer SKUs, so each related product stands as its first active variant (the
 * availability check that follows may still drop it). Relation types keep the catalogue's order.
 */
export class CatalogueRelatedSkus implements CatalogueRelations {
  constructor(private readonly catalogue: CatalogueReader) {}

  async relatedSkus(tenantId: string, sku: string): Promise<Array<{ sku: string; relation: string }>> {
    const found = await this.catalogue.productBySku(tenantId, sku);
    if (!found) return [];
    const relations = await this.catalogue.relationsOf(tenantId, found.product.productId);
    const related = relations.flatMap(({ type, related }) => related.map((productId) => ({ productId, relation: type })));
    const skus = await Promise.all(
      related.map(async ({ productId, relation }) => {
        const product = await this.catalogue.product(tenantId, productId).catch(() => undefined);
        const variant = product?.status === 'active' ? product.variants.find((v) => v.status === 'active') : undefined;
        return variant ? [{ sku: variant.sku, relation }] : [];
      }),
    );
    return skus.flat();
  }
}
