import { useState } from 'preact/hooks';
import type { CampaignPage, CampaignView, IssuedCodes } from '../../../shared/coupons';
import { api } from '../api';
import { dateTime, money, number, t, toMinor, zonedInput, zonedToIso, type Locale } from '../i18n';
import { session } from '../session';
import { Field, Form, Pager, Problem, Section, Select, Table, useLoad } from '../ui';

/** A campaign's discount as a shopper reads it. */
export function discountText(discount: CampaignView['discount'], locale: Locale): string {
  if (discount.type === 'percentage') return `${discount.percent} %`;
  return money(discount.type === 'fixedAmount' ? discount.amount : discount.price, locale);
}

/** Campaigns and codes: the list (newest first), create one, open one to see what it has given, issue unique codes. */
export function Campaigns() {
  const locale = session.value!.tenant;
  const [campaign, setCampaign] = useState<CampaignView>();
  const [codes, setCodes] = useState<IssuedCodes>();
  const [discountType, setDiscountType] = useState('percentage');
  const [token, setToken] = useState<string | null>(null);
  const list = useLoad(() => api<CampaignPage>('GET', `v1/campaigns?limit=25${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`), [token]);
  const [opening, setOpening] = useState<unknown>();
  const open = async (id: string) => {
    setCodes(undefined);
    setCampaign(await api<CampaignView>('GET', `v1/campaigns/${encodeURIComponent(id)}`));
    // The campaign's figures come into view, for a list longer than the screen.
    requestAnimationFrame(() => document.getElementById('campaign')?.scrollIntoView({ block: 'start' }));
  };
  // Dates are typed as the tenant's clock shows them, whatever the browser's time zone.
  const local = (value: FormDataEntryValue | null) => zonedToIso(String(value), locale);
  return (
    <>
      <h1>{t('campaigns')}</h1>
      <Section title={t('campaignList')} id="campaign-list">
        <Problem error={list.error ?? opening} />
        {list.loading && !list.value && <p role="status">{t('loading')}</p>}
        {list.value && (
          <Table
            caption={t('campaignList')}
            captionHidden
            head={[t('name'), t('discountType'), t('validFrom'), t('validTo'), t('publicCode'), t('codesIssued')]}
            numeric={[5]}
            rows={list.value.items.map((c) => [
              <button
                key="open"
                type="button"
                class="link"
                data-campaign={c.campaignId}
                onClick={() => {
                  setOpening(undefined);
                  open(c.campaignId).catch(setOpening);
                }}
              >
                {c.name}
              </button>,
              discountText(c.discount, locale),
              dateTime(c.validFrom, locale),
              dateTime(c.validTo, locale),
              c.publicCode ?? '—',
              number(c.codesIssued, locale),
            ])}
          />
        )}
        <Pager token={token} next={list.value?.continuationToken} onPage={setToken} />
      </Section>
      <div class="grid">
        <Section title={t('newCampaign')}>
          <Form
            label={t('newCampaign')}
            submit={t('create')}
            onSubmit={async (data) => {
              const value = Number(data.get('value'));
              const body = {
                name: String(data.get('name')),
                discount:
                  discountType === 'percentage'
                    ? { type: 'percentage', percent: value }
                    : { type: 'fixedAmount', amount: toMinor(String(data.get('value')), locale) },
                validFrom: local(data.get('validFrom')),
                validTo: local(data.get('validTo')),
                ...(data.get('publicCode') ? { publicCode: String(data.get('publicCode')) } : {}),
              };
              setCodes(undefined);
              setCampaign(await api<CampaignView>('POST', 'v1/campaigns', body));
              setToken(null);
              list.reload();
            }}
          >
            <Field label={t('name')} name="name" required maxLength={200} />
            <Select
              label={t('discountType')}
              name="discountType"
              value={discountType}
              onChange={setDiscountType}
              options={[
                ['percentage', t('percentage')],
                ['fixedAmount', t('fixedAmount')],
              ]}
            />
            <Field
              label={`${t('value')} (${discountType === 'percentage' ? '%' : locale.currency})`}
              name="value"
              type="number"
              min="0.01"
              step="0.01"
              required
            />
            <Field label={t('validFrom')} name="validFrom" type="datetime-local" required value={zonedInput(0, locale)} />
            <Field label={t('validTo')} name="validTo" type="datetime-local" required value={zonedInput(30, locale)} />
            <Field label={t('publicCode')} name="publicCode" pattern="[A-Za-z0-9-]{4,32}" />
          </Form>
        </Section>
        <Section title={t('openCampaign')}>
          <Form label={t('openCampaign')} submit={t('open')} class="form inline" onSubmit={async (data) => open(String(data.get('campaignId')))}>
            <Field label={t('campaignId')} name="campaignId" required autocomplete="off" />
          </Form>
        </Section>
      </div>
      {campaign && (
        <Section title={campaign.name} id="campaign">
          <dl class="pairs" id="campaign-figures">
            <div>
              <dt>{t('campaignId')}</dt>
              <dd>
                <code>{campaign.campaignId}</code>
              </dd>
            </div>
            <div>
              <dt>{t('discountType')}</dt>
              <dd>{discountText(campaign.discount, locale)}</dd>
            </div>
            <div>
              <dt>{t('validTo')}</dt>
              <dd>{dateTime(campaign.validTo, locale)}</dd>
            </div>
            <div>
              <dt>{t('publicCode')}</dt>
              <dd>{campaign.publicCode ?? '—'}</dd>
            </div>
            <div>
              <dt>{t('redemptions')}</dt>
              <dd>{number(campaign.redemptions, locale)}</dd>
            </div>
            <div>
              <dt>{t('discountGiven')}</dt>
              <dd>{money(campaign.discountGiven, locale)}</dd>
            </div>
            <div>
              <dt>{t('codesIssued')}</dt>
              <dd>{number(campaign.codesIssued, locale)}</dd>
            </div>
          </dl>
          <Form
            label={t('issueCodes')}
            submit={t('issue')}
            class="form inline"
            onSubmit={async (data) => {
              setCodes(await api<IssuedCodes>('POST', `v1/campaigns/${encodeURIComponent(campaign.campaignId)}/codes`, { count: Number(data.get('count')) }));
              await open(campaign.campaignId);
            }}
          >
            <Field label={t('count')} name="count" type="number" min="1" max="1000" required value="10" />
          </Form>
          {codes && <Table caption={t('code')} captionHidden head={[t('code')]} rows={codes.codes.slice(0, 100).map((c) => [<code key={c}>{c}</code>])} />}
        </Section>
      )}
    </>
  );
}
