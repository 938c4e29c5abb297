import { createHash } from 'node:crypto';
import { z } from 'zod';
import QRCode from 'qrcode';
import { extensionPoint } from '../kernel/extensions';
import { DomainError } from '../kernel/errors';
import type { Clock, CreateOutcome } from '../kernel/ports';
import { applyConsent, ConsentPurpose, normalizeIdentifier, requireCurrentCustomer, type CustomerStore } from '../customers';
import { Discount } from '../coupons';
import { LoyaltySummarySchema, type LoyaltySummary } from '../loyalty';
import type { TransactionPage } from '../transactions';
import type { Receipt, ReceiptPage, ReceiptWithLinks } from '../receipts';
import type { Tenant } from '../tenancy';
import { DEFAULT_WALLET_SETTINGS, settingsFrom, type WalletSettings, type WalletSettingsInput } from './settings';
import type { WalletSession } from './tokens';

/** Where the consent changes made in the wallet are recorded as coming from (the statement's `source`). */
export const WALLET_CONSENT_SOURCE = 'wallet';

/**
 * Something the customer can use at a till or on the web shop, with a code to scan: the coupons
 * module's personal codes today; other capabilities (offers) contribute theirs to `walletBenefits`.
 */
export const WalletBenefitSchema = z.object({
  source: z.string().describe('The capability it comes from, e.g. `coupons`'),
  code: z.string().describe('What the till scans or the customer types'),
  title: z.string(),
  discount: Discount.nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  channels: z.array(z.enum(['store', 'online'])),
  usesLeft: z.number().int().nullable().describe('Null: no limit'),
});
export type WalletBenefit = z.output<typeof WalletBenefitSchema>;

export interface WalletBenefitProvider {
  name: string;
  /** Her benefits usable now (not expired, uses left), in any order. */
  list(tenantId: string, customerId: string): Promise<WalletBenefit[]>;
}

/** Where a capability adds what it gives the customer to her wallet (coupons, offers' benefits, ...). */
export const walletBenefits = extensionPoint<WalletBenefitProvider>('wallet.benefits');

export const DataRequestType = z.enum(['export', 'erasure']);
export type DataRequestType = z.output<typeof DataRequestType>;

export const DataRequestSchema = z
  .object({
    requestId: z.string(),
    customerId: z.string(),
    type: DataRequestType,
    requestedAt: z.string(),
    channel: z.literal('wallet'),
    completedAt: z.string().nullable().describe('Set once the customer is erased (which settles both kinds)'),
  })
  .meta({ id: 'WalletDataRequest' });
export type DataRequest = z.output<typeof DataRequestSchema>;

export const DataRequestListSchema = z.object({ items: z.array(DataRequestSchema) }).meta({ id: 'WalletDataRequestList' });

const card = z.object({
  number: z.string().describe('Her loyalty card: tills accept it as the `loyaltyCard` identifier'),
  qrSvg: z.string().describe('The number as a QR code (SVG)'),
});

const consentPurposes = ConsentPurpose.options;

export const WalletViewSchema = z
  .object({
    brand: z.object({
      name: z.string(),
      language: z.enum(['es', 'en']),
      colours: z.object({ brand: z.string(), background: z.string() }),
      logoUrl: z.string().nullable(),
      privacyPolicy: z.string().nullable(),
    }),
    customer: z.object({ firstName: z.string().nullable() }),
    card,
    loyalty: LoyaltySummarySchema.nullable().describe('Null when the retailer runs no loyalty program'),
    benefits: z.array(WalletBenefitSchema.extend({ qrSvg: z.string() })),
    giftCards: z.array(
      z.object({
        giftCardId: z.string(),
        relation: z.enum(['bought', 'used']).describe('Bought on one of her sales, or used to pay one'),
        balance: z.number().int(),
        currency: z.string(),
      }),
    ),
    receipts: z.array(
      z.object({
        transactionId: z.string(),
        invoiceNumber: z.string(),
        type: z.enum(['sale', 'return']),
        channel: z.enum(['store', 'online']),
        issuedAt: z.string(),
        locationName: z.string(),
        total: z.number().int(),
        currency: z.string(),
        url: z.string().describe('The receipt page (a signed link)'),
      }),
    ),
    consents: z.array(z.object({ purpose: ConsentPurpose, granted: z.boolean(), at: z.string().nullable() })),
    requests: z.array(DataRequestSchema),
    session: z.object({ expiresAt: z.string() }),
  })
  .meta({ id: 'Wallet' });
export type WalletView = z.output<typeof WalletViewSchema>;

export const ConsentChangeInput = z
  .object({
    consents: z
      .array(z.object({ purpose: ConsentPurpose, granted: z.boolean() }).strict())
      .min(1)
      .max(consentPurposes.length),
  })
  .strict();
export type ConsentChangeInput = z.output<typeof ConsentChangeInput>;

export const ConsentListSchema = z.object({ consents: WalletViewSchema.shape.consents }).meta({ id: 'WalletConsents' });

export const DataRequestInput = z.object({ type: DataRequestType }).strict();

export interface WalletStore {
  getSettings(tenantId: string): Promise<WalletSettings | undefined>;
  saveSettings(tenantId: string, settings: WalletSettings): Promise<void>;
  createRequest(tenantId: string, request: DataRequest): Promise<CreateOutcome>;
  getRequest(tenantId: string, requestId: string): Promise<DataRequest | undefined>;
  listRequests(tenantId: string, customerId?: string): Promise<DataRequest[]>;
  completeRequests(tenantId: string, customerId: string, at: string): Promise<void>;
}

/** What the wallet reads from the other capabilities: their apis, never HTTP to itself. */
export interface WalletSources {
  customers: CustomerStore;
  tenant(tenantId: string): Promise<Tenant | undefined>;
  loyalty(tenantId: string, customerId: string): Promise<{ loyalty: LoyaltySummary | null }>;
  benefits: readonly WalletBenefitProvider[];
  transactions(tenantId: string, customerId: string, limit: number): Promise<TransactionPage>;
  giftCardBalance(tenantId: string, giftCardId: string): Promise<{ balance: number; currency: string } | undefined>;
  giftCardOfRedemption(reference: string): string | undefined;
  receipts(tenantId: string, customerId: string, limit: number): Promise<ReceiptPage>;
  receiptLinks(receipt: Receipt): Promise<ReceiptWithLinks['links']>;
}

const RECEIPTS_SHOWN = 10;
const TRANSACTIONS_SCANNED = 50;
const SETTINGS_CACHE_MS = 30_000;

/** The customer's own wallet: what a link's session may see and change, for her alone. */
export class WalletService {
  private readonly settingsCache = new Map<string, { settings: WalletSettings; until: number }>();

  constructor(
    private readonly store: WalletStore,
    private readonly sources: WalletSources,
    private readonly clock: Clock,
    /** The platform's wallet page (WALLET_PAGE_URL), when it is not on the API's origin. */
    private readonly defaultPageUrl?: string,
  ) {}

  async settings(tenantId: string, fresh = true): Promise<WalletSettings> {
    const cached = this.settingsCache.get(tenantId);
    const now = Date.now();
    if (!fresh && cached && cached.until > now) return cached.settings;
    const settings = (await this.store.getSettings(tenantId)) ?? DEFAULT_WALLET_SETTINGS;
    this.settingsCache.set(tenantId, { settings, until: now + SETTINGS_CACHE_MS });
    return settings;
  }

  async saveSettings(tenantId: string, input: WalletSettingsInput): Promise<WalletSettings> {
    const settings = settingsFrom(input, this.clock.now().toISOString());
    await this.store.saveSettings(tenantId, settings);
    this.settingsCache.set(tenantId, { settings, until: Date.now() + SETTINGS_CACHE_MS });
    return settings;
  }

  /** How long a link of this purpose lives, and the page it opens, by the tenant's settings. */
  async linkRules(tenantId: string, purpose: 'link' | 'signIn', apiOrigin: string): Promise<{ ttlMs: number; pageUrl: string }> {
    const settings = await this.settings(tenantId, false);
    return {
      ttlMs: purpose === 'link' ? settings.linkDays * 86_400_000 : settings.signInMinutes * 60_000,
      pageUrl: settings.pageUrl ?? this.defaultPageUrl ?? `${apiOrigin}/wallet/`,
    };
  }

  async view(session: WalletSession): Promise<WalletView> {
    const { tenantId, customerId } = session;
    const customer = await requireCurrentCustomer(this.sources.customers, tenantId, customerId);
    const [tenant, settings, cardNumber, loyalty, benefits, giftCards, receipts, requests] = await Promise.all([
      this.sources.tenant(tenantId),
      this.settings(tenantId, false),
      this.loyaltyCard(tenantId, customerId),
      this.sources.loyalty(tenantId, customerId),
      this.benefits(tenantId, customerId),
      this.giftCards(tenantId, customerId),
      this.receipts(tenantId, customerId),
      this.store.listRequests(tenantId, customerId),
    ]);
    return {
      brand: {
        name: settings.displayName ?? tenant?.name ?? tenantId,
        language: settings.language ?? (tenant?.country === 'ES' ? 'es' : 'en'),
        colours: settings.colours,
        logoUrl: settings.logoUrl,
        privacyPolicy: settings.privacyPolicy,
      },
      customer: { firstName: customer.profile.name?.split(' ')[0] ?? null },
      card: { number: cardNumber, qrSvg: await qrSvg(cardNumber) },
      loyalty: loyalty.loyalty,
      benefits: await Promise.all(benefits.map(async (b) => ({ ...b, qrSvg: await qrSvg(b.code) }))),
      giftCards,
      receipts,
      consents: consentsOf(customer.consents),
      requests,
      session: { expiresAt: session.expiresAt },
    };
  }

  /**
   * Her loyalty card number; one is made and linked through the customers module when she has
   * none, so tills identify her by it like any `loyaltyCard`. The number is derived from her id,
   * so two first visits at once link the same card.
   */
  async loyaltyCard(tenantId: string, customerId: string): Promise<string> {
    const cards = (await this.sources.customers.listIdentifiers(tenantId, customerId)).filter((i) => i.type === 'loyaltyCard');
    const existing = cards.sort((a, b) => a.linkedAt.localeCompare(b.linkedAt))[0];
    if (existing) return existing.value;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const identifier = normalizeIdentifier(tenantId, { type: 'loyaltyCard', value: cardNumberFor(tenantId, customerId, attempt) }, 'ES');
      if ('error' in identifier) throw new Error(identifier.error);
      const linkedAt = this.clock.now().toISOString();
      if ((await this.sources.customers.claimIdentifier({ ...identifier, tenantId, customerId, linkedAt })) === 'created') return identifier.value;
      // Taken: by her (a concurrent first visit) it is hers; by someone else, the next number.
      const holder = await this.sources.customers.findIdentifier(tenantId, identifier.key);
      if (holder?.customerId === customerId) return identifier.value;
    }
    throw new DomainError('conflict', 'Could not allocate a loyalty card number; retry');
  }

  private async benefits(tenantId: string, customerId: string): Promise<WalletBenefit[]> {
    const lists = await Promise.all(this.sources.benefits.map((p) => p.list(tenantId, customerId)));
    return lists.flat().sort((a, b) => (a.validTo ?? '9999').localeCompare(b.validTo ?? '9999'));
  }

  /** Cards sold on her sales and cards that paid for them, from her newest transactions, with their balance now. */
  private async giftCards(tenantId: string, customerId: string): Promise<WalletView['giftCards']> {
    const page = await this.sources.transactions(tenantId, customerId, TRANSACTIONS_SCANNED);
    const found = new Map<string, 'bought' | 'used'>();
    for (const tx of page.items) {
      if (tx.type !== 'sale') continue;
      for (const line of tx.lines) if (line.giftCardId) found.set(line.giftCardId, 'bought');
      for (const tender of tx.tenders) {
        const id = tender.type === 'giftCard' && tender.reference ? this.sources.giftCardOfRedemption(tender.reference) : undefined;
        if (id && !found.has(id)) found.set(id, 'used');
      }
    }
    const cards = await Promise.all(
      [...found].map(async ([giftCardId, relation]) => {
        const balance = await this.sources.giftCardBalance(tenantId, giftCardId);
        return balance && { giftCardId, relation, ...balance };
      }),
    );
    return cards.filter((c) => c !== undefined);
  }

  private async receipts(tenantId: string, customerId: string): Promise<WalletView['receipts']> {
    const page = await this.sources.receipts(tenantId, customerId, RECEIPTS_SHOWN);
    return Promise.all(
      page.items.map(async (r: Receipt) => ({
        transactionId: r.transactionId,
        invoiceNumber: r.invoiceNumber,
        type: r.type,
        channel: r.channel,
        issuedAt: r.issuedAt,
        locationName: r.issuer.locationName,
        total: r.totals.total,
        currency: r.currency,
        url: (await this.sources.receiptLinks(r)).html,
      })),
    );
  }

  /** Recorded like any consent statement, with `wallet` as its source; the newest statement wins. */
  async changeConsents(session: WalletSession, input: ConsentChangeInput): Promise<WalletView['consents']> {
    const { tenantId, customerId } = session;
    await requireCurrentCustomer(this.sources.customers, tenantId, customerId);
    const at = this.clock.now().toISOString();
    const updated = await this.sources.customers.updateCustomer(tenantId, customerId, (current) => ({
      ...current,
      consents: input.consents.reduce(
        (consents, c) => ({ ...consents, [c.purpose]: applyConsent(consents[c.purpose], { granted: c.granted, at }, WALLET_CONSENT_SOURCE) }),
        current.consents,
      ),
    }));
    return consentsOf(updated?.consents ?? {});
  }

  /** One open request of each kind per customer: asking again answers the first one. */
  async requestData(session: WalletSession, type: DataRequestType): Promise<{ created: boolean; request: DataRequest }> {
    const { tenantId, customerId } = session;
    await requireCurrentCustomer(this.sources.customers, tenantId, customerId);
    const request: DataRequest = {
      requestId: `dr_${type}_${customerId}`,
      customerId,
      type,
      requestedAt: this.clock.now().toISOString(),
      channel: 'wallet',
      completedAt: null,
    };
    if ((await this.store.createRequest(tenantId, request)) === 'created') return { created: true, request };
    return { created: false, request: (await this.store.getRequest(tenantId, request.requestId)) ?? request };
  }

  listRequests(tenantId: string, customerId?: string): Promise<DataRequest[]> {
    return this.store.listRequests(tenantId, customerId);
  }

  completeRequests(tenantId: string, customerId: string): Promise<void> {
    return this.store.completeRequests(tenantId, customerId, this.clock.now().toISOString());
  }
}

function consentsOf(consents: Partial<Record<ConsentPurpose, { granted: boolean; at: string }>>): WalletView['consents'] {
  return consentPurposes.map((purpose) => ({ purpose, granted: consents[purpose]?.granted ?? false, at: consents[purpose]?.at ?? null }));
}

const QR_CACHE_SIZE = 5_000;
const qrCache = new Map<string, Promise<string>>();

/** A code's QR as SVG; cards and coupon codes do not change, so each is drawn once per instance (the oldest forgotten first). */
function qrSvg(value: string): Promise<string> {
  let svg = qrCache.get(value);
  if (!svg) {
    if (qrCache.size >= QR_CACHE_SIZE) qrCache.delete(qrCache.keys().next().value!);
    svg = QRCode.toString(value, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    svg.catch(() => qrCache.delete(value));
    qrCache.set(value, svg);
  }
  return svg;
}

/**
 * A 16-digit card number: 15 digits from a hash of tenant and customer (and the attempt, should
 * one be taken) and a Luhn check digit, so a mistyped number is caught at the till.
 */
export function cardNumberFor(tenantId: string, customerId: string, attempt = 0): string {
  const digest = createHash('sha256').update(`${tenantId}\u001f${customerId}\u001f${attempt}`).digest();
  const body = `9${(digest.readBigUInt64BE(0) % 10n ** 14n).toString().padStart(14, '0')}`;
  return body + luhnDigit(body);
}

export function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}
