import { useState } from 'preact/hooks';
import type { Availability, ReservationView } from '../../../shared/stock';
import { api } from '../api';
import { dateTime, number, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Section, Table, useLoad } from '../ui';

interface Reconciled {
  items: Array<{ file: string; status: string; startedAt: string; summary: { rows: number; matched: number; differences: number; corrected: number } | null }>;
}

/** A SKU across every location, a reservation, and what the ERP reconciliation found. */
export function Stock() {
  const me = session.value!;
  const locale = me.tenant;
  const seesReconciliations = me.role === 'admin' || me.role === 'store';
  const [availability, setAvailability] = useState<Availability>();
  const [reservation, setReservation] = useState<ReservationView>();
  const reports = useLoad(() => (seesReconciliations ? api<Reconciled>('GET', 'v1/stock-reconciliations') : Promise.resolve({ items: [] })), []);
  return (
    <>
      <h1>{t('stock')}</h1>
      <div class="grid">
        <Section title={t('sku')}>
          <Form
            label={t('sku')}
            submit={t('find')}
            class="form inline"
            onSubmit={async (data) => setAvailability(await api<Availability>('GET', `v1/stock/${encodeURIComponent(String(data.get('sku')))}`))}
          >
            <Field label={t('sku')} name="sku" required autocomplete="off" />
          </Form>
        </Section>
        <Section title={t('reservation')}>
          <Form
            label={t('reservation')}
            submit={t('find')}
            class="form inline"
            onSubmit={async (data) => setReservation(await api<ReservationView>('GET', `v1/stock/reservations/${encodeURIComponent(String(data.get('id')))}`))}
          >
            <Field label={t('reservationId')} name="id" required autocomplete="off" />
          </Form>
        </Section>
      </div>
      {availability && (
        <Section title={`${t('sku')} ${availability.sku}`} id="availability">
          <Table
            caption={availability.sku}
            captionHidden
            head={[t('location'), t('onHand'), t('reserved'), t('available')]}
            numeric={[1, 2, 3]}
            rows={[
              ...availability.locations.map((l) => [l.locationId, number(l.onHand, locale), number(l.reserved, locale), number(l.available, locale)]),
              [
                <strong key="t">{t('total')}</strong>,
                number(availability.total.onHand, locale),
                number(availability.total.reserved, locale),
                number(availability.total.available, locale),
              ],
            ]}
          />
          <p>
            {t('onlinePromise')}: <strong>{number(availability.online.available, locale)}</strong>
          </p>
        </Section>
      )}
      {reservation && (
        <Section title={`${t('reservation')} ${reservation.reservationId}`} id="reservation">
          <p>
            {reservation.locationId} · {reservation.status} · {t('expires')} {dateTime(reservation.expiresAt, locale)}
          </p>
          <Table
            caption={t('reservation')}
            captionHidden
            head={[t('sku'), t('units')]}
            numeric={[1]}
            rows={reservation.lines.map((l) => [l.sku, number(l.quantity, locale)])}
          />
        </Section>
      )}
      {seesReconciliations && (
        <Section title={t('reconciliation')}>
          <Table
            caption={t('reconciliation')}
            captionHidden
            head={[t('file'), t('date'), t('status'), t('rows'), t('differences'), t('corrected')]}
            numeric={[3, 4, 5]}
            rows={(reports.value?.items ?? []).map((r) => [
              r.file,
              dateTime(r.startedAt, locale),
              r.status,
              r.summary?.rows ?? '—',
              r.summary?.differences ?? '—',
              r.summary?.corrected ?? '—',
            ])}
          />
        </Section>
      )}
    </>
  );
}
