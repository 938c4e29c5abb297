/**
 * The wallet page: plain TypeScript on the DOM, no framework, so the whole page is a few kilobytes
 * and the card shows as soon as one API call answers. The link's token arrives in the fragment
 * (`#t=...`, never sent to a server), is kept in this browser's storage for the installed app, and
 * goes to the API in the Authorization header only. The last wallet seen is kept for offline use.
 */

type Lang = 'es' | 'en';
type Discount = { type: 'percentage'; percent: number } | { type: 'fixedAmount'; amount: number } | { type: 'fixedPrice'; price: number };

interface WalletView {
  brand: { name: string; language: Lang; colours: { brand: string; background: string }; logoUrl: string | null; privacyPolicy: string | null };
  customer: { firstName: string | null };
  card: { number: string; qrSvg: string };
  loyalty: {
    spendable: number;
    pending: number;
    spendableValue: number;
    currency: string;
    tier: { name: string } | null;
    nextTier: { name: string; threshold: number; qualifying: number; remaining: number; basis: 'spend' | 'points' } | null;
    expiringSoon: { points: number; first: string | null };
  } | null;
  benefits: Array<{
    code: string;
    title: string;
    discount: Discount | null;
    validTo: string | null;
    channels: string[];
    usesLeft: number | null;
    qrSvg: string;
  }>;
  giftCards: Array<{ giftCardId: string; relation: 'bought' | 'used'; balance: number; currency: string }>;
  receipts: Array<{
    transactionId: string;
    invoiceNumber: string;
    type: 'sale' | 'return';
    channel: 'store' | 'online';
    issuedAt: string;
    locationName: string;
    total: number;
    currency: string;
    url: string;
  }>;
  consents: Array<{ purpose: string; granted: boolean; at: string | null }>;
  requests: Array<{ type: 'export' | 'erasure'; requestedAt: string; completedAt: string | null }>;
}

const TEXT = {
  es: {
    hello: (name: string | null) => (name ? `Hola, ${name}` : 'Tu monedero'),
    card: 'Tarjeta de cliente',
    cardQr: (n: string) => `Código QR de la tarjeta ${n}`,
    points: 'puntos',
    worth: (v: string) => `Valen ${v}`,
    pending: (n: number) => `${n} puntos pendientes`,
    tier: (t: string) => `Nivel ${t}`,
    progress: (t: string, r: string) => `Te faltan ${r} para ${t}`,
    expiring: (n: number, d: string) => `${n} puntos caducan el ${d}`,
    noLoyalty: 'Sin programa de puntos',
    benefits: 'Tus cupones',
    noBenefits: 'No tienes cupones ahora mismo.',
    validTo: (d: string) => `Válido hasta el ${d}`,
    everywhere: 'En tienda y online',
    storeOnly: 'Solo en tienda',
    onlineOnly: 'Solo online',
    usesLeft: (n: number) => (n === 1 ? 'Un uso' : `${n} usos`),
    couponQr: (c: string) => `Código QR del cupón ${c}`,
    off: (d: Discount, money: (n: number) => string) =>
      d.type === 'percentage' ? `${d.percent} % de descuento` : d.type === 'fixedAmount' ? `${money(d.amount)} de descuento` : `A ${money(d.price)}`,
    giftCards: 'Tarjetas regalo',
    noGiftCards: 'No hay tarjetas regalo.',
    giftCard: (r: 'bought' | 'used', id: string) => `${r === 'bought' ? 'Comprada' : 'Usada'} · …${id.slice(-6).toUpperCase()}`,
    balance: (v: string) => `Saldo ${v}`,
    receipts: 'Tus tickets',
    noReceipts: 'Aún no hay tickets.',
    receipt: (kind: string, where: string, date: string) => `${kind} · ${where} · ${date}`,
    sale: 'Compra',
    return: 'Devolución',
    store: 'Tienda',
    online: 'Online',
    consents: 'Tus permisos',
    consentsLegend: 'Nos permites:',
    purposes: {
      marketingEmail: 'Enviarte ofertas por e-mail',
      marketingSms: 'Enviarte ofertas por SMS',
      marketingPush: 'Enviarte notificaciones',
      paperlessReceipts: 'Tickets sin papel',
    } as Record<string, string>,
    saved: 'Guardado.',
    failed: 'No se ha podido guardar. Inténtalo de nuevo.',
    privacy: 'Tus datos',
    exportData: 'Pedir una copia de mis datos',
    eraseData: 'Pedir que borren mis datos',
    requested: (kind: string, d: string) => `${kind}: solicitado el ${d}.`,
    copy: 'Copia de tus datos',
    erasure: 'Borrado',
    offline: (d: string) => `Sin conexión. Datos del ${d}.`,
    invalidTitle: 'Este enlace ya no es válido',
    invalidText: 'Puede haber caducado o haberse anulado. Pide un enlace nuevo en la tienda o en la web.',
    unreachableTitle: 'Sin conexión',
    unreachableText: 'Abre este enlace de nuevo cuando tengas conexión.',
  },
  en: {
    hello: (name: string | null) => (name ? `Hello, ${name}` : 'Your wallet'),
    card: 'Loyalty card',
    cardQr: (n: string) => `QR code of card ${n}`,
    points: 'points',
    worth: (v: string) => `Worth ${v}`,
    pending: (n: number) => `${n} points pending`,
    tier: (t: string) => `${t} tier`,
    progress: (t: string, r: string) => `${r} to go for ${t}`,
    expiring: (n: number, d: string) => `${n} points expire on ${d}`,
    noLoyalty: 'No points programme',
    benefits: 'Your coupons',
    noBenefits: 'No coupons right now.',
    validTo: (d: string) => `Valid until ${d}`,
    everywhere: 'In store and online',
    storeOnly: 'In store only',
    onlineOnly: 'Online only',
    usesLeft: (n: number) => (n === 1 ? 'One use' : `${n} uses`),
    couponQr: (c: string) => `QR code of coupon ${c}`,
    off: (d: Discount, money: (n: number) => string) =>
      d.type === 'percentage' ? `${d.percent}% off` : d.type === 'fixedAmount' ? `${money(d.amount)} off` : `For ${money(d.price)}`,
    giftCards: 'Gift cards',
    noGiftCards: 'No gift cards.',
    giftCard: (r: 'bought' | 'used', id: string) => `${r === 'bought' ? 'Bought' : 'Used'} · …${id.slice(-6).toUpperCase()}`,
    balance: (v: string) => `Balance ${v}`,
    receipts: 'Your receipts',
    noReceipts: 'No receipts yet.',
    receipt: (kind: string, where: string, date: string) => `${kind} · ${where} · ${date}`,
    sale: 'Purchase',
    return: 'Return',
    store: 'Store',
    online: 'Online',
    consents: 'Your permissions',
    consentsLegend: 'You allow us to:',
    purposes: {
      marketingEmail: 'Send you offers by e-mail',
      marketingSms: 'Send you offers by SMS',
      marketingPush: 'Send you notifications',
      paperlessReceipts: 'Paperless receipts',
    } as Record<string, string>,
    saved: 'Saved.',
    failed: 'Could not save. Please try again.',
    privacy: 'Your data',
    exportData: 'Ask for a copy of my data',
    eraseData: 'Ask to erase my data',
    requested: (kind: string, d: string) => `${kind}: asked on ${d}.`,
    copy: 'Copy of your data',
    erasure: 'Erasure',
    offline: (d: string) => `Offline. Data from ${d}.`,
    invalidTitle: 'This link is no longer valid',
    invalidText: 'It may have expired or been revoked. Ask for a new link in store or on the website.',
    unreachableTitle: 'Offline',
    unreachableText: 'Open this link again once you are online.',
  },
};
type Text = (typeof TEXT)[Lang];

const TOKEN_KEY = 'unifica-wallet-token';
const SNAPSHOT_KEY = 'unifica-wallet-snapshot';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function svgSource(svg: string): string {
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The token from the link's fragment (then removed from the address bar), or the one kept from before. */
function takeToken(): string | null {
  const fromLink = new URLSearchParams(location.hash.slice(1)).get('t');
  if (fromLink) {
    if (fromLink !== localStorage.getItem(TOKEN_KEY)) localStorage.removeItem(SNAPSHOT_KEY);
    localStorage.setItem(TOKEN_KEY, fromLink);
    history.replaceState(null, '', location.pathname);
  }
  return localStorage.getItem(TOKEN_KEY);
}

/** Where the API answers: this origin's /api locally; the Function App's, written into the page when it is built for the static host. */
const API_BASE = document.querySelector('meta[name="unifica-api"]')?.getAttribute('content') || '/api';

async function api(token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${API_BASE}/v1/wallet${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    cache: 'no-store',
  });
}

function render(view: WalletView, token: string | null, savedAt: string | null): void {
  const lang = view.brand.language;
  const t = TEXT[lang];
  const locale = lang === 'es' ? 'es-ES' : 'en-GB';
  const money = (minor: number, currency: string) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
  const date = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
  const root = document.documentElement;
  root.lang = lang;
  root.style.setProperty('--brand', view.brand.colours.brand);
  root.style.setProperty('--background', view.brand.colours.background);
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', view.brand.colours.brand);
  document.title = `${view.brand.name} · ${t.card}`;
  $('brand-name').textContent = view.brand.name;
  const logo = $<HTMLImageElement>('logo');
  if (view.brand.logoUrl) {
    logo.src = view.brand.logoUrl;
    logo.alt = view.brand.name;
    logo.hidden = false;
  }

  $('greeting').textContent = t.hello(view.customer.firstName);
  $('card-title').textContent = t.card;
  const qr = $<HTMLImageElement>('card-qr');
  qr.src = svgSource(view.card.qrSvg);
  qr.alt = t.cardQr(view.card.number);
  $('card-number').textContent = view.card.number.replace(/(\d{4})(?=\d)/g, '$1 ');
  renderLoyalty(view, t, money, date);

  $('benefits-title').textContent = t.benefits;
  $('benefits').replaceChildren(
    ...(view.benefits.length === 0
      ? [el('li', t.noBenefits, 'note')]
      : view.benefits.map((b) => {
          const item = el('li');
          item.dataset.code = b.code;
          item.append(el('strong', b.title));
          const currency = view.loyalty?.currency ?? 'EUR';
          if (b.discount)
            item.append(
              el(
                'p',
                t.off(b.discount, (n) => money(n, currency)),
              ),
            );
          const channels = b.channels.length > 1 ? t.everywhere : b.channels[0] === 'store' ? t.storeOnly : t.onlineOnly;
          const meta = [channels, b.validTo ? t.validTo(date(b.validTo)) : null, b.usesLeft !== null ? t.usesLeft(b.usesLeft) : null]
            .filter(Boolean)
            .join(' · ');
          item.append(el('p', meta, 'meta'));
          const image = el('img', undefined, 'qr');
          image.src = svgSource(b.qrSvg);
          image.alt = t.couponQr(b.code);
          image.width = 140;
          image.height = 140;
          item.append(image, el('p', b.code, 'code'));
          return item;
        })),
  );

  $('gift-title').textContent = t.giftCards;
  $('gift-cards').replaceChildren(
    ...(view.giftCards.length === 0
      ? [el('li', t.noGiftCards, 'note')]
      : view.giftCards.map((g) => {
          const item = el('li');
          item.append(el('strong', t.balance(money(g.balance, g.currency))), el('p', t.giftCard(g.relation, g.giftCardId), 'meta'));
          return item;
        })),
  );

  $('receipts-title').textContent = t.receipts;
  $('receipts').replaceChildren(
    ...(view.receipts.length === 0
      ? [el('li', t.noReceipts, 'note')]
      : view.receipts.map((r) => {
          const item = el('li');
          item.dataset.channel = r.channel;
          const link = el('a', `${r.invoiceNumber} · ${money(r.total, r.currency)}`);
          link.href = r.url;
          link.rel = 'noreferrer';
          item.append(
            link,
            el(
              'p',
              t.receipt(r.type === 'sale' ? t.sale : t.return, `${r.channel === 'store' ? t.store : t.online} ${r.locationName}`, date(r.issuedAt)),
              'meta',
            ),
          );
          return item;
        })),
  );

  $('consents-title').textContent = t.consents;
  $('consents-legend').textContent = t.consentsLegend;
  const fieldset = $('consents');
  fieldset.querySelectorAll('label').forEach((l) => l.remove());
  for (const consent of view.consents) {
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.name = consent.purpose;
    box.checked = consent.granted;
    box.disabled = !token || savedAt !== null;
    box.addEventListener('change', () => void changeConsent(token!, consent.purpose, box, t));
    label.append(box, el('span', t.purposes[consent.purpose] ?? consent.purpose));
    fieldset.append(label);
  }

  $('privacy-title').textContent = t.privacy;
  $('privacy-policy').textContent = view.brand.privacyPolicy ?? '';
  const kinds = { export: t.copy, erasure: t.erasure };
  const showRequests = (requests: WalletView['requests']) =>
    ($('requests-status').textContent = requests.map((r) => t.requested(kinds[r.type], date(r.requestedAt))).join(' '));
  showRequests(view.requests);
  for (const [id, type, label] of [
    ['request-export', 'export', t.exportData],
    ['request-erasure', 'erasure', t.eraseData],
  ] as const) {
    const button = $<HTMLButtonElement>(id);
    button.textContent = label;
    button.disabled = !token || savedAt !== null;
    button.onclick = async () => {
      button.disabled = true;
      const response = await api(token!, 'POST', '/data-requests', { type }).catch(() => undefined);
      if (response?.ok) {
        const recorded = (await response.json()) as WalletView['requests'][number];
        view.requests = [recorded, ...view.requests.filter((r) => r.type !== type)];
        showRequests(view.requests);
      } else {
        $('requests-status').textContent = t.failed;
        button.disabled = false;
      }
    };
  }

  const offline = $('offline');
  offline.hidden = savedAt === null;
  if (savedAt) offline.textContent = t.offline(new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(savedAt)));
  $('loading').hidden = true;
  $('wallet').hidden = false;
  $('main').setAttribute('aria-busy', 'false');
  // When the card showed, counted from the navigation (read by the browser test and any RUM tool).
  performance.mark('wallet-card-visible');
}

function renderLoyalty(view: WalletView, t: Text, money: (minor: number, currency: string) => string, date: (iso: string) => string): void {
  const loyalty = view.loyalty;
  const set = (id: string, text: string) => ($(id).textContent = text);
  if (!loyalty) {
    set('points-label', t.noLoyalty);
    return;
  }
  set('points-spendable', String(loyalty.spendable));
  set('points-label', t.points);
  set('points-value', t.worth(money(loyalty.spendableValue, loyalty.currency)));
  set('points-pending', loyalty.pending > 0 ? t.pending(loyalty.pending) : '');
  set('tier', loyalty.tier ? t.tier(loyalty.tier.name) : '');
  const next = loyalty.nextTier;
  $('tier-progress-wrap').hidden = !next;
  if (next) {
    const progress = $<HTMLProgressElement>('tier-progress');
    progress.max = next.threshold;
    progress.value = Math.min(next.qualifying, next.threshold);
    set('tier-progress-label', t.progress(next.name, next.basis === 'spend' ? money(next.remaining, loyalty.currency) : `${next.remaining} ${t.points}`));
  }
  set(
    'expiring',
    loyalty.expiringSoon.points > 0 && loyalty.expiringSoon.first ? t.expiring(loyalty.expiringSoon.points, date(loyalty.expiringSoon.first)) : '',
  );
}

async function changeConsent(token: string, purpose: string, box: HTMLInputElement, t: Text): Promise<void> {
  const status = $('consents-status');
  box.disabled = true;
  const response = await api(token, 'PUT', '/consents', { consents: [{ purpose, granted: box.checked }] }).catch(() => undefined);
  box.disabled = false;
  if (response?.ok) {
    status.textContent = t.saved;
  } else {
    box.checked = !box.checked;
    status.textContent = t.failed;
  }
}

/** Nothing to show: the link is not valid (forgotten here too), or there is no network and nothing kept yet. */
function showInvalid(reason: 'invalid' | 'unreachable' = 'invalid'): void {
  if (reason === 'invalid') {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(SNAPSHOT_KEY);
  }
  const lang: Lang = navigator.language.startsWith('es') ? 'es' : 'en';
  const t = TEXT[lang];
  document.documentElement.lang = lang;
  $('invalid-title').textContent = reason === 'invalid' ? t.invalidTitle : t.unreachableTitle;
  $('invalid-text').textContent = reason === 'invalid' ? t.invalidText : t.unreachableText;
  $('invalid').hidden = false;
  $('loading').hidden = true;
  $('main').setAttribute('aria-busy', 'false');
}

async function start(): Promise<void> {
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/wallet/sw.js', { scope: '/wallet/' }).catch(() => undefined);
  const token = takeToken();
  if (!token) return showInvalid();
  let response: Response | undefined;
  try {
    response = await api(token, 'GET', '');
  } catch {
    response = undefined;
  }
  if (response?.ok) {
    const view = (await response.json()) as WalletView;
    localStorage.setItem(SNAPSHOT_KEY, JSON.stringify({ view, savedAt: new Date().toISOString() }));
    return render(view, token, null);
  }
  if (response && (response.status === 401 || response.status === 410)) return showInvalid();
  // No network (or the platform is unreachable): the last wallet seen, marked as such.
  const kept = localStorage.getItem(SNAPSHOT_KEY);
  if (!kept) return showInvalid('unreachable');
  const snapshot = JSON.parse(kept) as { view: WalletView; savedAt: string };
  render(snapshot.view, token, snapshot.savedAt);
}

document.addEventListener('DOMContentLoaded', () => void start());
