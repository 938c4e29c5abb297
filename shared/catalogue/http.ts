import { z } from 'zod';
import {
  CatalogueSettingsViewSchema,
  FamilyTreeSchema,
  ProductPageSchema,
  ProductViewSchema,
  SearchResultSchema,
  SkuViewSchema,
  settingsView,
  UpsertResultSchema,
  type CatalogueService,
} from './catalogue';
import type { CatalogueImport } from './catalogue-import';
import { CatalogueSettingsInput, CHANNELS, UpsertBatchInput } from './model';
import { ResolvedPriceSchema } from './pricing';
import { ParityReportSchema, PublicationSchema, type CataloguePublishing } from './publishing';
import type { HttpFunction } from '../edge/definition';
import { endpoint, type EdgeKit } from '../edge/endpoint';
import { PageQuery, commonProblems as problems, id } from '../edge/schemas';

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as ES');
const tags = ['Catalogue'];

const ImportRunSchema = z
  .object({
    files: z.array(
      z.object({
        file: z.string(),
        summary: z.object({
          kind: z.enum(['product', 'variant', 'price', 'relations']).nullable(),
          rows: z.number().int(),
          created: z.number().int(),
          updated: z.number().int(),
          unchanged: z.number().int(),
          stale: z.number().int(),
          badRows: z.number().int(),
          report: z.object({ json: z.string(), csv: z.string() }).nullable(),
        }),
      }),
    ),
  })
  .meta({ id: 'CatalogueImportRun' });

export function catalogueRoutes(
  edge: EdgeKit,
  { catalogue, imports, publishing }: { catalogue: CatalogueService; imports: CatalogueImport; publishing: CataloguePublishing },
): HttpFunction[] {
  return [
    endpoint(edge, {
      name: 'putCatalogueSettings',
      method: 'PUT',
      route: 'v1/catalogue/settings',
      summary: 'Set the family trees, typed attributes, price lists, parity tolerance and publishing of the catalogue',
      tags,
      auth: 'tenant',
      roles: ['admin'],
      body: CatalogueSettingsInput,
      responses: { 200: { description: 'Saved', schema: CatalogueSettingsViewSchema }, ...problems },
      handle: async ({ principal, body }) => ({ status: 200, body: settingsView(await catalogue.saveSettings(principal.tenantId, body)) }),
    }),
    endpoint(edge, {
      name: 'getCatalogueSettings',
      method: 'GET',
      route: 'v1/catalogue/settings',
      summary: 'The catalogue settings (404 while the tenant has no catalogue)',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      responses: { 200: { description: 'The settings', schema: CatalogueSettingsViewSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: settingsView(await catalogue.settings(principal.tenantId)) }),
    }),
    endpoint(edge, {
      name: 'upsertCatalogueItems',
      method: 'POST',
      route: 'v1/catalogue/items',
      summary: 'Products, variants, prices and relations from the ERP, up to 1,000 at a time; each applied unless older than what is stored',
      tags,
      auth: 'tenant',
      roles: ['admin'],
      body: UpsertBatchInput,
      maxBodyBytes: 4 * 1024 * 1024,
      responses: {
        200: {
          description: 'One result per item, in order: a rejected item lists its fields and changed nothing; the others applied',
          schema: UpsertResultSchema,
        },
        ...problems,
      },
      handle: async ({ principal, body }) => ({ status: 200, body: await catalogue.upsert(principal.tenantId, body.items) }),
    }),
    endpoint(edge, {
      name: 'getProduct',
      method: 'GET',
      route: 'v1/catalogue/products/{productId}',
      summary: 'A product with its variants and relations',
      tags,
      auth: 'tenant',
      params: z.object({ productId: id }),
      responses: { 200: { description: 'The product', schema: ProductViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await catalogue.product(principal.tenantId, params.productId) }),
    }),
    endpoint(edge, {
      name: 'getProductBySku',
      method: 'GET',
      route: 'v1/catalogue/skus/{sku}',
      summary: 'The product a SKU belongs to, with that variant and the relations',
      tags,
      auth: 'tenant',
      params: z.object({ sku: id }),
      responses: { 200: { description: 'The product and the variant', schema: SkuViewSchema }, ...problems },
      handle: async ({ principal, params }) => ({ status: 200, body: await catalogue.productBySkuView(principal.tenantId, params.sku) }),
    }),
    endpoint(edge, {
      name: 'getFamilyTree',
      method: 'GET',
      route: 'v1/catalogue/families',
      summary: 'The family trees (e.g. Women > Footwear > Boots)',
      tags,
      auth: 'tenant',
      responses: { 200: { description: 'The roots and their children', schema: FamilyTreeSchema }, ...problems },
      handle: async ({ principal }) => ({ status: 200, body: await catalogue.familyTree(principal.tenantId) }),
    }),
    endpoint(edge, {
      name: 'listFamilyProducts',
      method: 'GET',
      route: 'v1/catalogue/families/{familyId}/products',
      summary: 'Products placed in a family or any family below it, a page at a time',
      tags,
      auth: 'tenant',
      params: z.object({ familyId: id }),
      query: PageQuery,
      responses: { 200: { description: 'A page of products', schema: ProductPageSchema }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await catalogue.inFamily(principal.tenantId, params.familyId, query.limit, query.continuationToken),
      }),
    }),
    endpoint(edge, {
      name: 'searchProducts',
      method: 'GET',
      route: 'v1/catalogue/search',
      summary: 'Products whose name, brand, id or SKU hold every word (words may be cut short)',
      tags,
      auth: 'tenant',
      query: z.object({ q: z.string().trim().min(1).max(200), limit: z.coerce.number().int().min(1).max(50).default(20) }).strict(),
      responses: { 200: { description: 'The products found, with the SKUs that matched', schema: SearchResultSchema }, ...problems },
      handle: async ({ principal, query }) => ({ status: 200, body: await catalogue.search(principal.tenantId, query.q, query.limit) }),
    }),
    endpoint(edge, {
      name: 'resolvePrice',
      method: 'GET',
      route: 'v1/catalogue/prices/{sku}',
      summary: "A SKU's price for a channel at a location and moment: location override, else list price; the sale price while its window is open",
      tags,
      auth: 'tenant',
      params: z.object({ sku: id }),
      query: z
        .object({
          locationId: id.describe('The store or online shop: its country and currency choose the list'),
          channel: z.enum(CHANNELS).optional().describe("Default: the location's (online for an online shop, store otherwise)"),
          at: z.iso.datetime({ offset: true }).optional().describe('Default: now'),
        })
        .strict(),
      responses: { 200: { description: 'The price', schema: ResolvedPriceSchema }, ...problems },
      handle: async ({ principal, params, query }) => ({
        status: 200,
        body: await catalogue.price(principal, params.sku, {
          locationId: query.locationId,
          channel: query.channel,
          at: query.at ? new Date(query.at) : undefined,
        }),
      }),
    }),
    endpoint(edge, {
      name: 'getCatalogueParity',
      method: 'GET',
      route: 'v1/catalogue/parity',
      summary: 'Price and availability differences between the store and online channels of a country, and products in one channel only',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing', 'store'],
      query: z.object({ country }).strict(),
      responses: { 200: { description: 'The report, as of now', schema: ParityReportSchema }, ...problems },
      handle: async ({ principal, query }) => ({ status: 200, body: await publishing.parity(principal.tenantId, query.country) }),
    }),
    endpoint(edge, {
      name: 'publishCatalogue',
      method: 'POST',
      route: 'v1/catalogue/publications',
      summary: 'Write the Merchant Center product feed, the local inventory feed and the parity report of each country now; signed links',
      tags,
      auth: 'tenant',
      roles: ['admin', 'marketing'],
      body: z
        .object({ country: country.optional().describe('Only this country') })
        .strict()
        .default({}),
      responses: { 201: { description: 'Written', schema: PublicationSchema }, ...problems },
      handle: async ({ principal, body }) => ({ status: 201, body: await publishing.publish(principal.tenantId, body.country) }),
    }),
    endpoint(edge, {
      name: 'runCatalogueImport',
      method: 'POST',
      route: 'v1/catalogue/imports/run',
      summary: "Import the tenant's new ERP snapshot files now (the timer does it every 5 minutes); each file once",
      tags,
      auth: 'tenant',
      roles: ['admin'],
      responses: {
        200: { description: 'The files imported by this run (none when every file was already imported)', schema: ImportRunSchema },
        ...problems,
      },
      handle: async ({ principal, log }) => ({ status: 200, body: { files: await imports.run(log, principal.tenantId) } }),
    }),
  ];
}
