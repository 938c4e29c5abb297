import { useState } from 'preact/hooks';
import type { TransactionPage } from '../../../shared/transactions';
import type { WalletItem } from '../../../shared/coupons';
import type { RecommendationList } from '../../../shared/recommendations';
import { api, download } from '../api';
import { dateTime, money, number, t, type Locale } from '../i18n';
import { navigate } from '../router';
import { session } from '../session';
import { Confirm, Field, Form, Problem, Section, Table, useLoad } from '../ui';

/** The 360 view's fields the page reads; every capability adds its section to the same response. */
interface CustomerView {
  customerId: string;
  mergedFrom?: string;
  createdAt: string;
  profile: Record<string, string | undefined>;
  consents: Record<string, { granted: boolean; at: string }>;
  channels: Array<'store' | 'online'>;
  lastSeenAt: string | null;
  identifiers: Array<{ type: string; value: string; linkedAt: string }>;
  loyalty?: { spendable: number; pending: number; spendableValue: number; currency: string; tier: { name: string } | null } | null;
  coupons?: WalletItem[];
  /** The segments capability's section: null before her first identified sale. */
  traits?: Record<string, unknown> | null;
  segments?: Array<{ segmentId: string; name: string; since: string }>;
}
interface Ledger {
  items: Array<{ key: string; type: string; points: number; at: string; transactionId: string | null }>;
}
interface Receipts {
  items: Array<{ transactionId: string; invoiceNumber: string }>;
}

/** A receipt's signed link is asked for when wanted: it opens without a key until it expires. */
function ReceiptLink({ transactionId, invoiceNumber }: { transactionId: string; invoiceNumber: string }) {
  const [href, setHref] = useState<string>();
  const [failed, setFailed] = useState(false);
  if (href)
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {invoiceNumber} ↗
      </a>
    );
  return (
    <button
      type="button"
      class="link"
      onClick={() =>
        void api<{ links: { html: string } }>('GET', `v1/transactions/${encodeURIComponent(transactionId)}/receipt`).then(
          (r) => setHref(r.links.html),
          () => setFailed(true),
        )
      }
    >
      {invoiceNumber}
      {failed && ` (${t('error')})`}
    </button>
  );
}

/** Traits in minor units of the tenant's currency (the fields document says so in each description). */
const MONEY_TRAIT = /^(totalSpend|spend\d+d|averageTicket\w*|refunded|spendBy\w+)$/;

function traitValue(name: string, value: unknown, locale: Locale): string {
  if (value === null || value === undefined) return '—';
  const one = (v: unknown) => (typeof v === 'number' ? (MONEY_TRAIT.test(name) ? money(v, locale) : number(v, locale)) : String(v));
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(one).join(', ');
  if (typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k}: ${one(v)}`).join(', ');
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return dateTime(value, locale);
  return one(value);
}

export function Customer360({ params }: { params: Record<string, string> }) {
  const id = params.id!;
  const me = session.value!;
  const locale = me.tenant;
  // What the role may do here, as the API's routes grant it: the page only hides what would be refused.
  const isAdmin = me.role === 'admin';
  const seesInFull = isAdmin || me.role === 'support';
  const buildsAudiences = isAdmin || me.role === 'marketing';
  const path = `v1/customers/${encodeURIComponent(id)}`;
  const view = useLoad(() => api<CustomerView>('GET', path), [id]);
  const history = useLoad(() => api<TransactionPage>('GET', `${path}/transactions?limit=50`), [id]);
  const ledger = useLoad(() => api<Ledger>('GET', `${path}/loyalty/ledger?limit=20`).catch(() => ({ items: [] })), [id]);
  const receipts = useLoad(() => api<Receipts>('GET', `${path}/receipts?limit=50`).catch(() => ({ items: [] })), [id]);
  const recommended = useLoad(() => api<RecommendationList>('GET', `${path}/recommendations?channel=online&limit=6`), [id]);
  const [confirm, setConfirm] = useState<null | { kind: 'merge'; other: string; reason: string } | { kind: 'erase' }>(null);
  const [outcome, setOutcome] = useState<{ ok?: string; error?: unknown }>({});

  if (view.error) return <Problem error={view.error} />;
  const c = view.value;
  if (!c) return <p role="status">{t('loading')}</p>;
  const receiptOf = new Map((receipts.value?.items ?? []).map((r) => [r.transactionId, r]));

  const act = async () => {
    const pending = confirm;
    setConfirm(null);
    try {
      if (pending?.kind === 'merge') await api('POST', `${path}/merge`, { customerId: pending.other, reason: pending.reason });
      if (pending?.kind === 'erase') await api('DELETE', path);
      setOutcome({ ok: t('done') });
      if (pending?.kind === 'erase') navigate('/customers');
      else view.reload();
    } catch (error) {
      setOutcome({ error });
    }
  };

  return (
    <>
      <h1>
        {c.profile.name ?? c.customerId} {c.profile.name && <span class="muted small">{c.customerId}</span>}
      </h1>
      {!seesInFull && <p class="note">{t('masked')}</p>}
      <div class="grid">
        <Section title={t('profile')}>
          <dl class="pairs">
            {Object.entries(c.profile).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
            <div>
              <dt>{t('channels')}</dt>
              <dd id="customer-channels">{c.channels.map((ch) => t(ch)).join(' + ') || '—'}</dd>
            </div>
            <div>
              <dt>{t('lastSeen')}</dt>
              <dd>{dateTime(c.lastSeenAt, locale)}</dd>
            </div>
          </dl>
        </Section>
        <Section title={t('identifiers')}>
          <ul class="plain">
            {c.identifiers.map((i) => (
              <li key={i.type + i.value}>
                <span class="muted">{i.type}</span> <span class="identifier">{i.value}</span>
              </li>
            ))}
          </ul>
        </Section>
        <Section title={t('consents')}>
          <ul class="plain">
            {Object.entries(c.consents).map(([purpose, s]) => (
              <li key={purpose}>
                {purpose}: <strong>{s.granted ? t('granted') : t('withdrawn')}</strong> <span class="muted">{dateTime(s.at, locale)}</span>
              </li>
            ))}
            {Object.keys(c.consents).length === 0 && <li class="muted">{t('none')}</li>}
          </ul>
        </Section>
        <Section title={t('loyalty')}>
          {c.loyalty ? (
            <dl class="pairs">
              <div>
                <dt>{t('spendable')}</dt>
                <dd>
                  {number(c.loyalty.spendable, locale)} ({money(c.loyalty.spendableValue, locale, c.loyalty.currency)})
                </dd>
              </div>
              <div>
                <dt>{t('pending')}</dt>
                <dd>{number(c.loyalty.pending, locale)}</dd>
              </div>
              <div>
                <dt>{t('tier')}</dt>
                <dd>{c.loyalty.tier?.name ?? '—'}</dd>
              </div>
            </dl>
          ) : (
            <p class="muted">{t('none')}</p>
          )}
        </Section>
      </div>
      <Section title={t('history')} id="history">
        <Problem error={history.error} />
        <Table
          caption={t('history')}
          captionHidden
          head={[t('date'), t('type'), t('channel'), t('location'), t('amount'), t('receipt')]}
          numeric={[4]}
          rows={(history.value?.items ?? []).map((tx) => {
            const receipt = receiptOf.get(tx.transactionId);
            return [
              dateTime(tx.occurredAt, locale),
              t(tx.type),
              <span key="ch" class={`badge ${tx.channel}`} data-channel={tx.channel}>
                {t(tx.channel)}
              </span>,
              tx.locationId,
              money(tx.type === 'return' ? -tx.totals.net : tx.totals.net, locale, tx.currency),
              receipt ? <ReceiptLink key="r" transactionId={tx.transactionId} invoiceNumber={receipt.invoiceNumber} /> : '—',
            ];
          })}
        />
      </Section>
      <div class="grid">
        <Section title={t('ledger')}>
          <Table
            caption={t('ledger')}
            captionHidden
            head={[t('date'), t('type'), t('points')]}
            numeric={[2]}
            rows={(ledger.value?.items ?? []).map((e) => [dateTime(e.at, locale), e.type, number(e.points, locale)])}
          />
        </Section>
        <Section title={t('wallet')}>
          <Table
            caption={t('wallet')}
            captionHidden
            head={[t('code'), t('name'), t('validTo'), t('usesLeft')]}
            numeric={[3]}
            rows={(c.coupons ?? []).map((w) => [<code key="c">{w.code}</code>, w.name, dateTime(w.validTo, locale), w.usesLeft])}
          />
        </Section>
      </div>
      <div class="grid">
        <Section title={t('segments')} id="customer-segments">
          <ul class="plain">
            {(c.segments ?? []).map((m) => (
              <li key={m.segmentId} data-segment={m.segmentId}>
                {buildsAudiences ? <a href={`#/segments/${encodeURIComponent(m.segmentId)}`}>{m.name}</a> : m.name}{' '}
                <span class="muted">
                  {t('memberSince').toLowerCase()} {dateTime(m.since, locale)}
                </span>
              </li>
            ))}
            {(c.segments ?? []).length === 0 && <li class="muted">{t('none')}</li>}
          </ul>
        </Section>
        <Section title={t('recommendations')} id="customer-recommendations">
          <Problem error={recommended.error} />
          <Table
            caption={t('recommendations')}
            captionHidden
            head={[t('sku'), t('why')]}
            rows={(recommended.value?.items ?? []).map((r) => [
              <span key="s" data-sku={r.sku}>
                {r.description ?? r.sku}
              </span>,
              r.explanation.text,
            ])}
          />
        </Section>
      </div>
      <Section title={t('traits')} id="customer-traits">
        {c.traits ? (
          <dl class="pairs columns">
            {Object.entries(c.traits).map(([name, value]) => (
              <div key={name} data-trait={name}>
                <dt>{name}</dt>
                <dd>{traitValue(name, value, locale)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p class="muted">{t('none')}</p>
        )}
      </Section>
      {seesInFull && (
        <Section title={t('actions')}>
          <div class="row">
            <button
              type="button"
              class="secondary"
              onClick={() => void download(`${path}/export`, `customer-${id}.json`).catch((error: unknown) => setOutcome({ error }))}
            >
              {t('export')}
            </button>
            {isAdmin && (
              <button type="button" class="danger" onClick={() => setConfirm({ kind: 'erase' })}>
                {t('erase')}
              </button>
            )}
          </div>
          <Form
            label={t('merge')}
            submit={t('merge')}
            onSubmit={async (data) => setConfirm({ kind: 'merge', other: String(data.get('other') ?? ''), reason: String(data.get('reason') ?? '') })}
          >
            <Field label={t('mergeId')} name="other" required autocomplete="off" />
            <Field label={t('reason')} name="reason" required />
          </Form>
          {outcome.ok && <p role="status">{outcome.ok}</p>}
          <Problem error={outcome.error} />
        </Section>
      )}
      <Confirm
        open={confirm !== null}
        message={confirm?.kind === 'merge' ? t('confirmMerge', { other: confirm.other, id }) : t('confirmErase', { id })}
        typeToConfirm={confirm?.kind === 'erase' ? id : undefined}
        onConfirm={() => void act()}
        onCancel={() => setConfirm(null)}
      />
    </>
  );
}
