/** The demo retailer `npm start` creates: a chain with two stores, a warehouse and an online shop. */
export const DEMO_TENANT = {
  tenant: {
    tenantId: 'demo-retail',
    name: 'Demo Retail S.L.',
    country: 'ES',
    currency: 'EUR',
    timeZone: 'Europe/Madrid',
    taxId: 'B00000034',
    returnPolicy: 'Devoluciones en 30 días con este ticket · Returns within 30 days with this receipt.',
  },
  locations: [
    { locationId: 'madrid-centro', name: 'Madrid Centro', type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
    { locationId: 'barcelona-diagonal', name: 'Barcelona Diagonal', type: 'store', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
    { locationId: 'almacen-getafe', name: 'Almacén Getafe', type: 'warehouse', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
    { locationId: 'web-es', name: 'Tienda online', type: 'online', country: 'ES', currency: 'EUR', timeZone: 'Europe/Madrid' },
  ],
  keys: [
    { label: 'admin', body: { role: 'admin', name: 'Head office' } },
    { label: 'pos-madrid', body: { role: 'pos', locationIds: ['madrid-centro'], name: 'Madrid tills' } },
    { label: 'pos-barcelona', body: { role: 'pos', locationIds: ['barcelona-diagonal'], name: 'Barcelona tills' } },
    { label: 'ecommerce', body: { role: 'ecommerce', locationIds: ['web-es'], name: 'Web shop' } },
    { label: 'marketing', body: { role: 'marketing', name: 'Marketing team' } },
    { label: 'store', body: { role: 'store', name: 'Store operations' } },
    { label: 'support', body: { role: 'support', name: 'Customer service' } },
  ],
  loyaltyProgram: {
    name: 'Club Demo',
    currency: 'EUR',
    earn: { pointsPerUnit: 1, rounding: 'down', categoryMultipliers: { coats: 2 }, excludedCategories: ['gift-cards'] },
    pendingDays: 2,
    expiryMonths: 24,
    redemption: { pointValue: 5, minimumPoints: 50 },
    tiers: {
      basis: 'spend',
      windowMonths: 12,
      graceMonths: 3,
      levels: [
        { code: 'member', name: 'Member', threshold: 0, multiplier: 1 },
        { code: 'gold', name: 'Gold', threshold: 30000, multiplier: 1.5 },
      ],
    },
  },
  /** Goods received before opening, so the stock steps of the demo have something to reserve. */
  stockReceipts: [
    {
      type: 'receipt',
      reference: 'GR-OPENING-MAD',
      locationId: 'madrid-centro',
      lines: [
        { sku: 'BOOTS-CHELSEA-40', quantity: 12 },
        { sku: 'COAT-WOOL-M', quantity: 4 },
      ],
    },
    { type: 'receipt', reference: 'GR-OPENING-BCN', locationId: 'barcelona-diagonal', lines: [{ sku: 'BOOTS-CHELSEA-40', quantity: 2 }] },
    {
      type: 'receipt',
      reference: 'GR-OPENING-GET',
      locationId: 'almacen-getafe',
      lines: [
        { sku: 'BOOTS-CHELSEA-40', quantity: 40 },
        { sku: 'COAT-WOOL-M', quantity: 25 },
      ],
    },
  ],
} as const;

/** Creates the demo tenant through the public API, as an operator would. */
export async function seedDemoTenant(url: string, adminKey: string): Promise<Record<string, string>> {
  const call = async (path: string, body: unknown, key = adminKey, method = 'POST') => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { tenantId } = DEMO_TENANT.tenant;
  await call('/api/v1/tenants', DEMO_TENANT.tenant);
  for (const location of DEMO_TENANT.locations) await call(`/api/v1/tenants/${tenantId}/locations`, location);
  const keys: Record<string, string> = {};
  for (const key of DEMO_TENANT.keys) keys[key.label] = String((await call(`/api/v1/tenants/${tenantId}/api-keys`, key.body)).apiKey);
  // The retailer's own admin key sets its loyalty program, as head office would.
  await call('/api/v1/loyalty/program', DEMO_TENANT.loyaltyProgram, keys.admin, 'PUT');
  for (const receipt of DEMO_TENANT.stockReceipts) await call('/api/v1/stock/movements', receipt, keys.admin);
  return keys;
}
