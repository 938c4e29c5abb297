import { itemOfCsv, kindOf } from './catalogue-import';
import { attributeIssues, CatalogueSettingsInput, familyClosure, searchTokens, settingsChangeIssues, validGtin, type CatalogueSettings } from './model';

const families = [
  { familyId: 'women', name: 'Women', parentId: null },
  { familyId: 'footwear', name: 'Footwear', parentId: 'women' },
  { familyId: 'boots', name: 'Boots', parentId: 'footwear' },
  { familyId: 'edit', name: 'Winter edit', parentId: null },
];

describe('catalogue settings', () => {
  it('refuses unknown parents, cycles, repeated ids and two lists for one channel and country', () => {
    const result = CatalogueSettingsInput.safeParse({
      families: [
        { familyId: 'a', name: 'A', parentId: 'b' },
        { familyId: 'b', name: 'B', parentId: 'a' },
        { familyId: 'c', name: 'C', parentId: 'nowhere' },
        { familyId: 'c', name: 'C again' },
      ],
      attributes: [{ code: 'size', type: 'enum' }],
      priceLists: [
        { priceListId: 'x', name: 'X', channel: 'store', country: 'ES', currency: 'EUR' },
        { priceListId: 'y', name: 'Y', channel: 'store', country: 'ES', currency: 'EUR' },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'families.0.parentId: makes a cycle',
        'families.2.parentId: family nowhere is not listed',
        'families.3.familyId: c is listed twice',
        'attributes.0.values: is required for an enum attribute and only allowed there',
        'priceLists.1: a store list for ES is already listed',
      ]),
    );
  });

  it('lets families be added and renamed, never moved or removed', () => {
    const current = { families } as CatalogueSettings;
    const renamed = families.map((f) => (f.familyId === 'boots' ? { ...f, name: 'Ankle boots' } : f));
    expect(settingsChangeIssues(current, { families: [...renamed, { familyId: 'new', name: 'New', parentId: 'women' }] } as never)).toEqual([]);
    expect(settingsChangeIssues(current, { families: families.slice(0, 3) } as never)).toEqual([
      { field: 'families', message: 'family edit exists and cannot be removed' },
    ]);
    const moved = families.map((f) => (f.familyId === 'boots' ? { ...f, parentId: 'edit' } : f));
    expect(settingsChangeIssues(current, { families: moved } as never)).toEqual([{ field: 'families', message: 'family boots cannot move to another parent' }]);
  });

  it("gives a product's families root to leaf, for every hierarchy it is in, each once", () => {
    expect(familyClosure({ families }, ['boots', 'edit', 'footwear'])).toEqual(['women', 'footwear', 'boots', 'edit']);
  });
});

describe('items', () => {
  it('checks attribute values against their definitions', () => {
    const definitions = [
      { code: 'material', type: 'enum' as const, values: ['leather', 'wool'], required: true },
      { code: 'heelCm', type: 'number' as const, required: false },
      { code: 'waterproof', type: 'boolean' as const, required: false },
      { code: 'care', type: 'text' as const, required: false },
    ];
    expect(attributeIssues(definitions, { material: 'wool', heelCm: 3.5, waterproof: true, care: 'Dry clean' })).toEqual([]);
    expect(attributeIssues(definitions, { heelCm: '3', waterproof: 'yes', care: 1, colour: 'red' })).toEqual([
      { field: 'attributes.heelCm', message: 'must be a number' },
      { field: 'attributes.waterproof', message: 'must be true or false' },
      { field: 'attributes.care', message: 'must be text' },
      { field: 'attributes.colour', message: 'is not an attribute this catalogue defines' },
      { field: 'attributes.material', message: 'is required' },
    ]);
    expect(attributeIssues(definitions, { material: 'plastic' })).toEqual([{ field: 'attributes.material', message: 'must be one of leather, wool' }]);
  });

  it('checks GTIN check digits', () => {
    expect(['8412345678905', '4006381333931', '96385074', '012345678905'].map(validGtin)).toEqual([true, true, true, true]);
    expect(['8412345678906', '4006381333932'].map(validGtin)).toEqual([false, false]);
  });

  it('indexes words and their prefixes, without case or accents', () => {
    const tokens = searchTokens('Botín Chelsea', 'BOOT-CH-38');
    expect(tokens).toEqual(expect.arrayContaining(['bo', 'bot', 'botin', 'ch', 'chel', 'chelsea', 'boot', '38']));
    expect(tokens).not.toContain('b');
  });
});

describe('snapshot rows', () => {
  it('tells the kind of a file by its name', () => {
    expect(['t/products-2026.csv', 't/Variants.jsonl', 't/prices_es.csv', 't/relations.csv', 't/stock.csv'].map(kindOf)).toEqual([
      'product',
      'variant',
      'price',
      'relations',
      undefined,
    ]);
  });

  it('reads CSV cells as the item the API takes', () => {
    const settings = {
      attributes: [
        { code: 'heelCm', type: 'number' },
        { code: 'waterproof', type: 'boolean' },
      ],
    } as CatalogueSettings;
    expect(
      itemOfCsv(
        'product',
        { productId: 'P', version: '3', name: 'Boot', families: 'boots|edit', images: '', 'attr.heelCm': '4', 'attr.waterproof': 'TRUE' },
        settings,
      ),
    ).toEqual({ type: 'product', productId: 'P', version: 3, name: 'Boot', families: ['boots', 'edit'], attributes: { heelCm: 4, waterproof: true } });
    expect(itemOfCsv('variant', { productId: 'P', sku: 'P-40', version: '1', size: '40', color: 'black', 'option.width': 'wide' }, settings)).toEqual({
      type: 'variant',
      productId: 'P',
      sku: 'P-40',
      version: 1,
      options: { size: '40', colour: 'black', width: 'wide' },
    });
    expect(
      itemOfCsv(
        'price',
        {
          priceListId: 'L',
          sku: 'S',
          locationId: '',
          currency: '',
          amount: '12.5',
          saleAmount: '900',
          saleFrom: '2026-12-01T00:00:00Z',
          saleTo: '',
          version: '1',
        },
        settings,
      ),
    ).toEqual({ type: 'price', priceListId: 'L', sku: 'S', amount: 12.5, sale: { amount: 900, from: '2026-12-01T00:00:00Z' }, version: 1 });
    expect(itemOfCsv('relations', { productId: 'P', relation: 'cross-sell', related: 'A | B', version: '2' }, settings)).toEqual({
      type: 'relations',
      productId: 'P',
      relation: 'cross-sell',
      related: ['A', 'B'],
      version: 2,
    });
  });
});
