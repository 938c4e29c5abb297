import { effect, signal } from '@preact/signals';

/** The console speaks Spanish and English; dates and money follow the tenant's country, currency and time zone. */
export type Lang = 'es' | 'en';

const en = {
  appName: 'unifica back office',
  skip: 'Skip to content',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signInTitle: 'Sign in to the back office',
  signInHelp: 'Type a tenant API key. It is kept in this tab only (session storage), never in an address.',
  apiKey: 'API key',
  signedInAs: 'key role: {role}',
  language: 'Language',
  customers: 'Customers',
  campaigns: 'Campaigns',
  giftCards: 'Gift cards',
  stock: 'Stock',
  receipts: 'Receipts',
  analytics: 'Analytics',
  search: 'Search',
  searchCustomer: 'Email, phone, loyalty card or customer id',
  noResults: 'Nobody found.',
  name: 'Name',
  identifiers: 'Identifiers',
  channels: 'Channels',
  lastSeen: 'Last seen',
  open: 'Open',
  store: 'Store',
  online: 'Online',
  profile: 'Profile',
  consents: 'Consents',
  granted: 'granted',
  withdrawn: 'withdrawn',
  history: 'History, both channels',
  date: 'Date',
  type: 'Type',
  channel: 'Channel',
  location: 'Location',
  amount: 'Amount',
  sale: 'Sale',
  return: 'Return',
  receipt: 'Receipt',
  loyalty: 'Loyalty',
  spendable: 'Spendable points',
  pending: 'Pending points',
  tier: 'Tier',
  ledger: 'Ledger',
  points: 'Points',
  wallet: 'Wallet coupons',
  code: 'Code',
  validTo: 'Valid until',
  usesLeft: 'Uses left',
  actions: 'Actions (admin)',
  export: 'Export data',
  merge: 'Merge another customer into this one',
  mergeId: 'Customer id to merge',
  reason: 'Reason',
  erase: 'Erase personal data',
  confirm: 'Confirm',
  cancel: 'Cancel',
  confirmMerge: 'Merge {other} into {id}? This cannot be undone.',
  confirmErase: 'Erase the personal data of {id}? Invoices stay, naming nobody. Type the customer id to confirm.',
  done: 'Done.',
  none: 'None',
  masked: 'Personal data is masked for this key.',
  newCampaign: 'New campaign',
  discountType: 'Discount',
  percentage: 'Percentage',
  fixedAmount: 'Fixed amount',
  value: 'Value',
  validFrom: 'Valid from',
  publicCode: 'Public code (optional)',
  create: 'Create',
  openCampaign: 'Open a campaign by id',
  campaignId: 'Campaign id',
  redemptions: 'Redemptions',
  discountGiven: 'Discount given',
  codesIssued: 'Codes issued',
  issueCodes: 'Issue unique codes',
  count: 'How many',
  issue: 'Issue',
  giftCardLookup: 'Look a gift card up',
  giftCardCode: 'Card code',
  pin: 'PIN',
  giftCardId: 'Gift card id',
  balance: 'Balance',
  status: 'Status',
  expires: 'Expires',
  locked: 'Locked',
  sku: 'SKU',
  onHand: 'On hand',
  reserved: 'Reserved',
  available: 'Available',
  total: 'Total',
  onlinePromise: 'The web shop may promise',
  reservation: 'Reservation',
  reservationId: 'Reservation id',
  find: 'Find',
  reconciliation: 'ERP reconciliation reports',
  file: 'File',
  rows: 'Rows',
  differences: 'Differences',
  corrected: 'Corrected',
  installation: 'Installation (location.terminal)',
  series: 'Series',
  verify: 'Verify',
  verified: 'Chain verified: no gap, nothing altered.',
  broken: 'Verification failed',
  records: 'Records',
  lastNumber: 'Last number',
  from: 'From',
  to: 'To',
  apply: 'Apply',
  salesPerDay: 'Net sales per day and channel',
  sales: 'Sales',
  returns: 'Returns',
  net: 'Net',
  identifiedShare: 'Identified sales',
  omnichannel: 'Omnichannel customers',
  storeOnly: 'Store only',
  onlineOnly: 'Online only',
  spend: 'Spend',
  averageSpend: 'Average spend',
  repeatRate: 'Repeat rate',
  topFamilies: 'Top families',
  topProducts: 'Top products',
  couponsByChannel: 'Coupon redemptions by channel',
  downloadCsv: 'Download CSV',
  loading: 'Loading…',
  notFound: 'Not found.',
  forbidden: 'This key may not do that.',
  error: 'Something went wrong',
  units: 'Units',
  customersCount: 'Customers',
  chartTable: 'Figures of the chart',
  signedOut: 'You have signed out.',
} as const;
export type Key = keyof typeof en;

const es: Record<Key, string> = {
  appName: 'unifica backoffice',
  skip: 'Saltar al contenido',
  signIn: 'Entrar',
  signOut: 'Salir',
  signInTitle: 'Entrar en el backoffice',
  signInHelp: 'Escribe una clave de API del tenant. Se guarda solo en esta pestaña (session storage), nunca en una dirección.',
  apiKey: 'Clave de API',
  signedInAs: 'rol de la clave: {role}',
  language: 'Idioma',
  customers: 'Clientes',
  campaigns: 'Campañas',
  giftCards: 'Tarjetas regalo',
  stock: 'Stock',
  receipts: 'Tickets',
  analytics: 'Analítica',
  search: 'Buscar',
  searchCustomer: 'Email, teléfono, tarjeta de fidelización o id de cliente',
  noResults: 'No se ha encontrado a nadie.',
  name: 'Nombre',
  identifiers: 'Identificadores',
  channels: 'Canales',
  lastSeen: 'Última visita',
  open: 'Abrir',
  store: 'Tienda',
  online: 'Online',
  profile: 'Perfil',
  consents: 'Consentimientos',
  granted: 'concedido',
  withdrawn: 'retirado',
  history: 'Historial, ambos canales',
  date: 'Fecha',
  type: 'Tipo',
  channel: 'Canal',
  location: 'Ubicación',
  amount: 'Importe',
  sale: 'Venta',
  return: 'Devolución',
  receipt: 'Ticket',
  loyalty: 'Fidelización',
  spendable: 'Puntos disponibles',
  pending: 'Puntos pendientes',
  tier: 'Nivel',
  ledger: 'Movimientos',
  points: 'Puntos',
  wallet: 'Cupones del monedero',
  code: 'Código',
  validTo: 'Válido hasta',
  usesLeft: 'Usos restantes',
  actions: 'Acciones (admin)',
  export: 'Exportar datos',
  merge: 'Fusionar otro cliente en este',
  mergeId: 'Id del cliente a fusionar',
  reason: 'Motivo',
  erase: 'Borrar datos personales',
  confirm: 'Confirmar',
  cancel: 'Cancelar',
  confirmMerge: '¿Fusionar {other} en {id}? No se puede deshacer.',
  confirmErase: '¿Borrar los datos personales de {id}? Las facturas se conservan, sin nombre. Escribe el id del cliente para confirmar.',
  done: 'Hecho.',
  none: 'Ninguno',
  masked: 'Los datos personales están enmascarados para esta clave.',
  newCampaign: 'Nueva campaña',
  discountType: 'Descuento',
  percentage: 'Porcentaje',
  fixedAmount: 'Importe fijo',
  value: 'Valor',
  validFrom: 'Válida desde',
  publicCode: 'Código público (opcional)',
  create: 'Crear',
  openCampaign: 'Abrir una campaña por id',
  campaignId: 'Id de campaña',
  redemptions: 'Canjes',
  discountGiven: 'Descuento dado',
  codesIssued: 'Códigos emitidos',
  issueCodes: 'Emitir códigos únicos',
  count: 'Cuántos',
  issue: 'Emitir',
  giftCardLookup: 'Consultar una tarjeta regalo',
  giftCardCode: 'Código de la tarjeta',
  pin: 'PIN',
  giftCardId: 'Id de tarjeta regalo',
  balance: 'Saldo',
  status: 'Estado',
  expires: 'Caduca',
  locked: 'Bloqueada',
  sku: 'SKU',
  onHand: 'En mano',
  reserved: 'Reservado',
  available: 'Disponible',
  total: 'Total',
  onlinePromise: 'La web puede prometer',
  reservation: 'Reserva',
  reservationId: 'Id de reserva',
  find: 'Buscar',
  reconciliation: 'Informes de conciliación con el ERP',
  file: 'Fichero',
  rows: 'Filas',
  differences: 'Diferencias',
  corrected: 'Corregidas',
  installation: 'Instalación (ubicación.terminal)',
  series: 'Serie',
  verify: 'Verificar',
  verified: 'Cadena verificada: sin huecos, nada alterado.',
  broken: 'La verificación ha fallado',
  records: 'Registros',
  lastNumber: 'Último número',
  from: 'Desde',
  to: 'Hasta',
  apply: 'Aplicar',
  salesPerDay: 'Ventas netas por día y canal',
  sales: 'Ventas',
  returns: 'Devoluciones',
  net: 'Neto',
  identifiedShare: 'Ventas identificadas',
  omnichannel: 'Clientes omnicanal',
  storeOnly: 'Solo tienda',
  onlineOnly: 'Solo online',
  spend: 'Gasto',
  averageSpend: 'Gasto medio',
  repeatRate: 'Tasa de repetición',
  topFamilies: 'Familias más vendidas',
  topProducts: 'Productos más vendidos',
  couponsByChannel: 'Canjes de cupones por canal',
  downloadCsv: 'Descargar CSV',
  loading: 'Cargando…',
  notFound: 'No encontrado.',
  forbidden: 'Esta clave no puede hacer eso.',
  error: 'Algo ha fallado',
  units: 'Unidades',
  customersCount: 'Clientes',
  chartTable: 'Cifras del gráfico',
  signedOut: 'Has salido.',
};

const DICTIONARIES: Record<Lang, Record<Key, string>> = { en, es };
const STORED = 'unifica.console.lang';

export const lang = signal<Lang>((sessionStorage.getItem(STORED) as Lang | null) ?? (navigator.language.startsWith('es') ? 'es' : 'en'));
effect(() => {
  sessionStorage.setItem(STORED, lang.value);
  document.documentElement.lang = lang.value;
});

/** A text in the current language, with `{name}` placeholders filled. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  return DICTIONARIES[lang.value][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** How the tenant formats: its country with the console's language, its currency and time zone. */
export interface Locale {
  country: string;
  currency: string;
  timeZone: string;
}

const tag = (locale: Locale) => `${lang.value}-${locale.country}`;

export function money(minor: number, locale: Locale, currency = locale.currency): string {
  const format = new Intl.NumberFormat(tag(locale), { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

export function dateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(tag(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone: locale.timeZone }).format(new Date(iso));
}

export function day(isoDay: string, locale: Locale): string {
  return new Intl.DateTimeFormat(tag(locale), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${isoDay}T00:00:00Z`));
}

export function percent(ratio: number, locale: Locale): string {
  return new Intl.NumberFormat(tag(locale), { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

export function number(n: number, locale: Locale): string {
  return new Intl.NumberFormat(tag(locale)).format(n);
}

/** The offset of `timeZone` from UTC at an instant, in minutes (Europe/Madrid in summer: 120). */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  })
    .formatToParts(new Date(instant))
    .reduce<Record<string, number>>((all, p) => (p.type === 'literal' ? all : { ...all, [p.type]: Number(p.value) }), {});
  return (Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!) - Math.floor(instant / 60_000) * 60_000) / 60_000;
}

/** A wall-clock time typed in a form (`YYYY-MM-DDTHH:mm`) read in the tenant's time zone, as an ISO instant. */
export function zonedToIso(local: string, locale: Locale): string {
  const asUtc = Date.parse(`${local}:00Z`);
  const first = asUtc - offsetMinutes(asUtc, locale.timeZone) * 60_000;
  // Once more, in case the guess crossed a daylight-saving change.
  return new Date(asUtc - offsetMinutes(first, locale.timeZone) * 60_000).toISOString();
}

/** Now plus `days`, as the tenant's wall clock shows it, for a datetime-local field. */
export function zonedInput(days: number, locale: Locale): string {
  const instant = Date.now() + days * 86_400_000;
  return new Date(instant + offsetMinutes(instant, locale.timeZone) * 60_000).toISOString().slice(0, 16);
}
