import { useState } from 'preact/hooks';
import type { GiftCardView, GiftCardWithHistory } from '../../../shared/gift-cards';
import { api } from '../api';
import { dateTime, money, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Section, Table } from '../ui';

/** Gift card lookup: by code and PIN (as a till does, with its limits) or, for admins, by id with its history. */
export function GiftCards() {
  const locale = session.value!.tenant;
  const [card, setCard] = useState<GiftCardView | GiftCardWithHistory>();
  return (
    <>
      <h1>{t('giftCards')}</h1>
      <div class="grid">
        <Section title={t('giftCardLookup')}>
          <Form
            label={t('giftCardLookup')}
            submit={t('find')}
            onSubmit={async (data) =>
              setCard(await api<GiftCardView>('POST', 'v1/gift-cards/lookup', { code: String(data.get('code')), pin: String(data.get('pin')) }))
            }
          >
            <Field label={t('giftCardCode')} name="code" required autocomplete="off" />
            <Field label={t('pin')} name="pin" type="password" required autocomplete="off" inputMode="numeric" />
          </Form>
        </Section>
        <Section title={t('giftCardId')}>
          <Form
            label={t('giftCardId')}
            submit={t('open')}
            class="form inline"
            onSubmit={async (data) => setCard(await api<GiftCardWithHistory>('GET', `v1/gift-cards/${encodeURIComponent(String(data.get('id')))}`))}
          >
            <Field label={t('giftCardId')} name="id" required autocomplete="off" />
          </Form>
        </Section>
      </div>
      {card && (
        <Section title={card.giftCardId} id="gift-card">
          <dl class="pairs">
            <div>
              <dt>{t('balance')}</dt>
              <dd id="gift-card-balance">{money(card.balance, locale, card.currency)}</dd>
            </div>
            <div>
              <dt>{t('status')}</dt>
              <dd>
                {card.status}
                {card.locked ? ` · ${t('locked')}` : ''}
              </dd>
            </div>
            <div>
              <dt>{t('expires')}</dt>
              <dd>{dateTime(card.expiresAt, locale)}</dd>
            </div>
          </dl>
          {'history' in card && (
            <Table
              caption={t('history')}
              head={[t('date'), t('type'), t('channel'), t('location'), t('amount')]}
              numeric={[4]}
              rows={card.history.map((op) => [dateTime(op.at, locale), op.type, op.channel, op.locationId ?? '—', money(op.amount, locale, card.currency)])}
            />
          )}
        </Section>
      )}
    </>
  );
}
