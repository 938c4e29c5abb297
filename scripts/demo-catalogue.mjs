// The demo retailer's catalogue as its ERP would send it: fashion families, typed attributes, two
// price lists (stores and web, Spain), products with variants, prices and relations.
const img = (name) => `https://images.demo-retail.example/${name}.jpg`;

export const catalogueSettings = {
  families: [
    { familyId: 'women', name: 'Mujer', parentId: null },
    { familyId: 'women-footwear', name: 'Calzado', parentId: 'women' },
    { familyId: 'women-boots', name: 'Botas', parentId: 'women-footwear' },
    { familyId: 'women-sneakers', name: 'Zapatillas', parentId: 'women-footwear' },
    { familyId: 'women-outerwear', name: 'Abrigos y chaquetas', parentId: 'women' },
    { familyId: 'women-coats', name: 'Abrigos', parentId: 'women-outerwear' },
    { familyId: 'men', name: 'Hombre', parentId: null },
    { familyId: 'men-knitwear', name: 'Punto', parentId: 'men' },
    { familyId: 'accessories', name: 'Accesorios', parentId: null },
    { familyId: 'accessories-scarves', name: 'Bufandas', parentId: 'accessories' },
    { familyId: 'accessories-bags', name: 'Bolsos', parentId: 'accessories' },
    { familyId: 'winter-edit', name: 'Selección de invierno', parentId: null },
  ],
  attributes: [
    { code: 'material', name: 'Material', type: 'enum', values: ['leather', 'suede', 'wool', 'cashmere', 'cotton', 'canvas'], required: true },
    { code: 'waterproof', name: 'Impermeable', type: 'boolean' },
    { code: 'heelCm', name: 'Tacón (cm)', type: 'number' },
    { code: 'care', name: 'Cuidados', type: 'text' },
  ],
  priceLists: [
    { priceListId: 'es-tiendas', name: 'Tiendas España', channel: 'store', country: 'ES', currency: 'EUR' },
    { priceListId: 'es-online', name: 'Tienda online España', channel: 'online', country: 'ES', currency: 'EUR' },
  ],
  parity: { priceTolerancePercent: 3, priceToleranceMinor: 100, availabilityToleranceUnits: 0 },
  publishing: { productUrlTemplate: 'https://www.demo-retail.example/p/{productId}?talla={sku}', pickupMethod: 'buy', pickupSla: 'same day' },
};

const product = (productId, name, families, attributes, extra = {}) => ({
  type: 'product',
  productId,
  version: 1,
  name,
  brand: 'Demo Atelier',
  families,
  attributes,
  images: [img(productId.toLowerCase())],
  ...extra,
});
const variants = (productId, skuPrefix, sizes, colour, gtins = []) =>
  sizes.map((size, i) => ({
    type: 'variant',
    productId,
    sku: `${skuPrefix}-${size}`,
    version: 1,
    options: { size, colour },
    ...(gtins[i] ? { gtin: gtins[i] } : {}),
  }));
const prices = (priceListId, skus, amount, extra = {}) =>
  skus.map((sku) => ({ type: 'price', priceListId, sku, currency: 'EUR', amount, version: 1, ...extra }));

const boots = variants('BOOTS-CHELSEA', 'BOOTS-CHELSEA', ['38', '39', '40', '41'], 'black', [
  '8400000000017',
  '8400000000024',
  '8400000000031',
  '8400000000048',
]);
const coats = variants('COAT-WOOL', 'COAT-WOOL', ['S', 'M', 'L'], 'camel');
const sneakers = variants('SNEAKER-CANVAS', 'SNEAKER-CANVAS', ['37', '38', '39'], 'white');
const jumpers = variants('JUMPER-MERINO', 'JUMPER-MERINO', ['M', 'L', 'XL'], 'navy');
const skus = (list) => list.map((v) => v.sku);
const saleStart = new Date(Date.now() - 86_400_000).toISOString();
const saleEnd = new Date(Date.now() + 6 * 86_400_000).toISOString();

export const catalogueItems = [
  product(
    'BOOTS-CHELSEA',
    'Botín Chelsea de piel',
    ['women-boots', 'winter-edit'],
    { material: 'leather', waterproof: false, heelCm: 3 },
    { description: 'Botín Chelsea de piel con elásticos laterales y suela de goma.' },
  ),
  product('COAT-WOOL', 'Abrigo de lana', ['women-coats', 'winter-edit'], { material: 'wool', care: 'Limpieza en seco' }),
  product('SNEAKER-CANVAS', 'Zapatilla de lona', ['women-sneakers'], { material: 'canvas' }),
  product('JUMPER-MERINO', 'Jersey de merino', ['men-knitwear', 'winter-edit'], { material: 'wool' }),
  product('SCARF-CASHMERE', 'Bufanda de cachemira', ['accessories-scarves', 'winter-edit'], { material: 'cashmere' }),
  product('BAG-TOTE', 'Bolso tote de piel', ['accessories-bags'], { material: 'leather' }),
  ...boots,
  ...coats,
  ...sneakers,
  ...jumpers,
  { type: 'variant', productId: 'SCARF-CASHMERE', sku: 'SCARF-CASHMERE-U', version: 1, options: { size: 'U', colour: 'grey' } },
  { type: 'variant', productId: 'BAG-TOTE', sku: 'BAG-TOTE-U', version: 1, options: { size: 'U', colour: 'tan' } },
  // The same price in both channels, except where the ERP says otherwise.
  ...prices('es-tiendas', skus(boots), 11995),
  ...prices('es-online', skus(boots), 11995),
  ...prices('es-tiendas', skus(coats), 18995),
  ...prices('es-online', skus(coats), 17995),
  ...prices('es-tiendas', skus(sneakers), 5995),
  ...prices('es-online', skus(sneakers), 5995, { sale: { amount: 4795, from: saleStart, to: saleEnd } }),
  ...prices('es-tiendas', skus(jumpers), 6995),
  ...prices('es-online', skus(jumpers), 6995),
  ...prices('es-tiendas', ['SCARF-CASHMERE-U'], 8995),
  ...prices('es-online', ['SCARF-CASHMERE-U'], 8995),
  { type: 'price', priceListId: 'es-tiendas', sku: 'SCARF-CASHMERE-U', locationId: 'barcelona-diagonal', currency: 'EUR', amount: 9495, version: 1 },
  // Sold in the stores only (so far).
  ...prices('es-tiendas', ['BAG-TOTE-U'], 14995),
  { type: 'relations', productId: 'BOOTS-CHELSEA', relation: 'cross-sell', related: ['SCARF-CASHMERE', 'BAG-TOTE'], version: 1 },
  { type: 'relations', productId: 'BOOTS-CHELSEA', relation: 'substitute', related: ['SNEAKER-CANVAS'], version: 1 },
  { type: 'relations', productId: 'COAT-WOOL', relation: 'accessory', related: ['SCARF-CASHMERE'], version: 1 },
];
