import { z } from 'zod';
import { idField } from '../kernel/id-rules';
import type { FieldIssue } from '../kernel/errors';

/** Ids the ERP gives (products, SKUs, families, price lists) name documents and URLs: the id rule. */
const id = idField(64);
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as ES');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const minorUnits = z.number().int('must be a whole number of minor units (cents)').nonnegative().max(100_000_000_00);
const version = z
  .number()
  .int('must be a whole number')
  .nonnegative()
  .max(Number.MAX_SAFE_INTEGER)
  .describe("The item's version in the ERP (a change counter or the change's epoch milliseconds): an older version never overwrites a newer one");
const url = z.url({ protocol: /^https?$/ }).max(2000);
const instant = z.iso.datetime({ offset: true });

export const RELATION_TYPES = ['cross-sell', 'up-sell', 'accessory', 'substitute'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];
export const CHANNELS = ['store', 'online'] as const;
export type Channel = (typeof CHANNELS)[number];

// ---- the tenant's catalogue settings: families, attributes, price lists, parity, publishing ----

export const FamilyInput = z
  .object({ familyId: id, name: z.string().trim().min(1).max(100), parentId: id.nullable().default(null).describe('null: a root (e.g. Women)') })
  .strict();
export const AttributeDefinition = z
  .object({
    code: z
      .string()
      .regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'must start with a lower-case letter and hold only letters, digits and _')
      .describe('e.g. material'),
    name: z.string().trim().min(1).max(100).optional(),
    type: z.enum(['text', 'number', 'enum', 'boolean']),
    values: z.array(z.string().trim().min(1).max(100)).min(1).max(200).optional().describe('enum: the values allowed'),
    required: z.boolean().default(false),
  })
  .strict()
  .refine((a) => (a.type === 'enum') === (a.values !== undefined), { path: ['values'], message: 'is required for an enum attribute and only allowed there' });
export const PriceListInput = z
  .object({
    priceListId: id,
    name: z.string().trim().min(1).max(100),
    channel: z.enum(CHANNELS),
    country,
    currency,
  })
  .strict();

export const CatalogueSettingsInput = z
  .object({
    families: z.array(FamilyInput).max(5_000).describe('The family trees; a family keeps its parent once created (families are added, never moved)'),
    attributes: z.array(AttributeDefinition).max(200).default([]),
    priceLists: z.array(PriceListInput).max(100).default([]).describe('At most one per channel and country'),
    parity: z
      .object({
        priceTolerancePercent: z.number().min(0).max(100).default(0).describe('Store and online prices may differ by this share of the online price'),
        priceToleranceMinor: minorUnits.default(0).describe('... or by this many minor units, whichever is larger'),
        availabilityToleranceUnits: z
          .number()
          .int()
          .min(0)
          .max(1_000_000)
          .default(0)
          .describe('A SKU sellable in one channel only is reported when it has more units than this'),
      })
      .strict()
      .default({ priceTolerancePercent: 0, priceToleranceMinor: 0, availabilityToleranceUnits: 0 }),
    publishing: z
      .object({
        productUrlTemplate: z
          .string()
          .max(500)
          .regex(/^https:\/\/[^\s]*\{productId\}[^\s]*$/, 'must be an https URL containing {productId} (and optionally {sku})')
          .describe('The product page, e.g. https://shop.example/p/{productId}?sku={sku}'),
        pickupMethod: z.enum(['buy', 'reserve', 'ship to store', 'not supported']).default('buy').describe('Click & collect as Merchant Center names it'),
        pickupSla: z.enum(['same day', 'next day', '2-day', '3-day', '4-day', '5-day', '6-day', '7-day', 'multi-week']).default('same day'),
      })
      .strict()
      .optional()
      .describe('Needed for the Merchant Center feeds'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.families.forEach((f, i) => {
      if (seen.has(f.familyId)) ctx.addIssue({ code: 'custom', path: ['families', i, 'familyId'], message: `${f.familyId} is listed twice` });
      seen.add(f.familyId);
    });
    s.families.forEach((f, i) => {
      if (f.parentId !== null && !seen.has(f.parentId))
        ctx.addIssue({ code: 'custom', path: ['families', i, 'parentId'], message: `family ${f.parentId} is not listed` });
    });
    const parents = new Map(s.families.map((f) => [f.familyId, f.parentId]));
    s.families.forEach((f, i) => {
      let at: string | null = f.parentId;
      for (let steps = 0; at !== null && steps <= parents.size; steps += 1) {
        if (at === f.familyId) {
          ctx.addIssue({ code: 'custom', path: ['families', i, 'parentId'], message: 'makes a cycle' });
          return;
        }
        at = parents.get(at) ?? null;
      }
    });
    const codes = new Set<string>();
    s.attributes.forEach((a, i) => {
      if (codes.has(a.code)) ctx.addIssue({ code: 'custom', path: ['attributes', i, 'code'], message: `${a.code} is listed twice` });
      codes.add(a.code);
    });
    const lists = new Set<string>();
    const channels = new Set<string>();
    s.priceLists.forEach((l, i) => {
      if (lists.has(l.priceListId)) ctx.addIssue({ code: 'custom', path: ['priceLists', i, 'priceListId'], message: `${l.priceListId} is listed twice` });
      if (channels.has(`${l.channel}|${l.country}`))
        ctx.addIssue({ code: 'custom', path: ['priceLists', i], message: `a ${l.channel} list for ${l.country} is already listed` });
      lists.add(l.priceListId);
      channels.add(`${l.channel}|${l.country}`);
    });
  });
export type CatalogueSettingsInput = z.infer<typeof CatalogueSettingsInput>;
export type AttributeDefinition = z.output<typeof AttributeDefinition>;
export type PriceList = z.output<typeof PriceListInput>;

export interface CatalogueSettings extends CatalogueSettingsInput {
  kind: 'settings';
  tenantId: string;
  updatedAt: string;
}

/** A change of settings that would strand what is stored: families are added and renamed, never moved or removed. */
export function settingsChangeIssues(current: CatalogueSettings | undefined, next: CatalogueSettingsInput): FieldIssue[] {
  if (!current) return [];
  const nextParents = new Map(next.families.map((f) => [f.familyId, f.parentId]));
  return current.families.flatMap((f) => {
    if (!nextParents.has(f.familyId)) return [{ field: 'families', message: `family ${f.familyId} exists and cannot be removed` }];
    if (nextParents.get(f.familyId) !== f.parentId) return [{ field: 'families', message: `family ${f.familyId} cannot move to another parent` }];
    return [];
  });
}

/** Every family from a root to `familyId`, root first. */
export function pathOf(settings: Pick<CatalogueSettingsInput, 'families'>, familyId: string): string[] {
  const parents = new Map(settings.families.map((f) => [f.familyId, f.parentId]));
  const path: string[] = [];
  for (let at: string | null | undefined = familyId; at && !path.includes(at); at = parents.get(at)) path.unshift(at);
  return path;
}

/** The families of every path a product is placed in, root to leaf, each once. */
export function familyClosure(settings: Pick<CatalogueSettingsInput, 'families'>, familyIds: string[]): string[] {
  return [...new Set(familyIds.flatMap((f) => pathOf(settings, f)))];
}

// ---- items the ERP sends (API batches and snapshot rows) ----

const attributeValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const ProductItem = z
  .object({
    type: z.literal('product'),
    productId: id,
    version,
    name: z.string().trim().min(1).max(200),
    brand: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(5000).optional(),
    families: z.array(id).min(1).max(10).describe('Leaf families the product is placed in, one per hierarchy'),
    attributes: z.record(z.string(), attributeValue).default({}),
    images: z.array(url).max(20).default([]),
    status: z.enum(['active', 'discontinued']).default('active'),
  })
  .strict();

const gtin = z
  .string()
  .regex(/^(\d{8}|\d{12,14})$/, 'must be a GTIN of 8, 12, 13 or 14 digits')
  .refine(validGtin, 'has a wrong check digit');

export const VariantItem = z
  .object({
    type: z.literal('variant'),
    productId: id,
    sku: id,
    version,
    gtin: gtin.optional(),
    options: z
      .record(z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/), z.string().trim().min(1).max(100))
      .default({})
      .describe('e.g. { size: "40", colour: "black" }'),
    images: z.array(url).max(20).default([]),
    status: z.enum(['active', 'discontinued']).default('active'),
  })
  .strict();

export const PriceItem = z
  .object({
    type: z.literal('price'),
    priceListId: id,
    sku: id,
    locationId: id.optional().describe('A location override; absent: the list price'),
    currency,
    amount: minorUnits.describe('The regular price in minor units, VAT included'),
    sale: z
      .object({ amount: minorUnits, from: instant, to: instant })
      .strict()
      .refine((s) => Date.parse(s.from) < Date.parse(s.to), { path: ['to'], message: 'must be after from' })
      .optional()
      .describe('A sale price, from (included) to (excluded)'),
    version,
  })
  .strict()
  .refine((p) => !p.sale || p.sale.amount <= p.amount, { path: ['sale', 'amount'], message: 'is above the regular price' });

export const RelationsItem = z
  .object({
    type: z.literal('relations'),
    productId: id,
    relation: z.enum(RELATION_TYPES),
    related: z.array(id).max(100).describe('In order of preference; replaces the list of this type'),
    version,
  })
  .strict()
  .superRefine((r, ctx) => {
    r.related.forEach((p, i) => {
      if (p === r.productId) ctx.addIssue({ code: 'custom', path: ['related', i], message: 'is the product itself' });
      if (r.related.indexOf(p) !== i) ctx.addIssue({ code: 'custom', path: ['related', i], message: `${p} is listed twice` });
    });
  });

export const CatalogueItem = z.discriminatedUnion('type', [ProductItem, VariantItem, PriceItem, RelationsItem]);
export type CatalogueItem = z.output<typeof CatalogueItem>;
export type ProductItem = z.output<typeof ProductItem>;
export type VariantItem = z.output<typeof VariantItem>;
export type PriceItem = z.output<typeof PriceItem>;
export type RelationsItem = z.output<typeof RelationsItem>;
export type ItemType = CatalogueItem['type'];

/** The batch as a whole: only its shape; each item is checked on its own (a bad one does not stop the rest). */
export const UpsertBatchInput = z
  .object({
    items: z
      .array(z.looseObject({ type: z.string().describe('product, variant, price or relations') }))
      .min(1)
      .max(1_000)
      .describe('Each a product, variant, price or relations item; each is checked on its own and reported in `results`'),
  })
  .strict();

export function validGtin(value: string): boolean {
  const digits = value.split('').map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === check;
}

/** Attribute values against the tenant's definitions: the type of each, enums among their values, required ones present. */
export function attributeIssues(definitions: readonly AttributeDefinition[], values: Record<string, string | number | boolean>): FieldIssue[] {
  const byCode = new Map(definitions.map((d) => [d.code, d]));
  const issues: FieldIssue[] = [];
  for (const [code, value] of Object.entries(values)) {
    const field = `attributes.${code}`;
    const definition = byCode.get(code);
    if (!definition) issues.push({ field, message: 'is not an attribute this catalogue defines' });
    else if (definition.type === 'number' && (typeof value !== 'number' || !Number.isFinite(value))) issues.push({ field, message: 'must be a number' });
    else if (definition.type === 'boolean' && typeof value !== 'boolean') issues.push({ field, message: 'must be true or false' });
    else if (definition.type === 'text' && typeof value !== 'string') issues.push({ field, message: 'must be text' });
    else if (definition.type === 'enum' && (typeof value !== 'string' || !definition.values!.includes(value))) {
      issues.push({ field, message: `must be one of ${definition.values!.join(', ')}` });
    }
  }
  for (const d of definitions) if (d.required && !(d.code in values)) issues.push({ field: `attributes.${d.code}`, message: 'is required' });
  return issues;
}

/** Words a search matches: lower-case, accents off, and each word's prefixes from 2 letters (so "boo" finds "boots"). */
export function searchTokens(...texts: Array<string | undefined>): string[] {
  const tokens = new Set<string>();
  for (const word of words(texts.filter(Boolean).join(' '))) {
    for (let n = Math.min(2, word.length); n <= Math.min(word.length, 20); n += 1) tokens.add(word.slice(0, n));
    tokens.add(word);
  }
  return [...tokens];
}

export function words(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

// ---- what is stored ----

interface Versioned {
  tenantId: string;
  version: number;
  updatedAt: string;
}

export interface Product extends Versioned {
  kind: 'product';
  productId: string;
  name: string;
  brand: string | null;
  description: string | null;
  families: string[];
  /** Every family on the product's paths, root to leaf (families never move, so this stays true). */
  familyPath: string[];
  attributes: Record<string, string | number | boolean>;
  images: string[];
  status: 'active' | 'discontinued';
  tokens: string[];
}

export interface Variant extends Versioned {
  kind: 'variant';
  productId: string;
  sku: string;
  gtin: string | null;
  options: Record<string, string>;
  images: string[];
  status: 'active' | 'discontinued';
  tokens: string[];
}

export interface PriceEntry extends Versioned {
  kind: 'price';
  priceListId: string;
  sku: string;
  /** null: the list's price; a location id: that location's override. */
  locationId: string | null;
  currency: string;
  amount: number;
  sale: { amount: number; from: string; to: string } | null;
}

export interface Relations {
  kind: 'relations';
  tenantId: string;
  productId: string;
  /** Per type, the related products in order, with the version that set them. */
  byType: Partial<Record<RelationType, { related: string[]; version: number; updatedAt: string }>>;
}

export type CatalogueDocument = Product | Variant | PriceEntry;
