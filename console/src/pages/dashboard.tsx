import { useState } from 'preact/hooks';
import type { CouponReport, CustomerReport, SalesReport, TopReport } from '../../../shared/analytics';
import { api, download } from '../api';
import { BarChart } from '../chart';
import { day, money, number, percent, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Problem, Section, Table, useLoad } from '../ui';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Every figure here comes from the analytics routes (daily rollups); the charts and their tables show the API's numbers as they are. */
export function Dashboard() {
  const locale = session.value!.tenant;
  const [range, setRange] = useState({ from: isoDay(new Date(Date.now() - 29 * 86_400_000)), to: isoDay(new Date(Date.now() + 86_400_000)) });
  const query = `from=${range.from}&to=${range.to}`;
  const data = useLoad(async () => {
    const [sales, customers, top, coupons] = await Promise.all([
      api<SalesReport>('GET', `v1/analytics/sales?${query}`),
      api<CustomerReport>('GET', `v1/analytics/customers?${query}`),
      api<TopReport>('GET', `v1/analytics/top?${query}&limit=8`),
      api<CouponReport>('GET', `v1/analytics/coupons?${query}`),
    ]);
    return { sales, customers, top, coupons };
  }, [query]);
  const fmt = (n: number) => money(n, locale);
  const csv = (report: string) => void download(`v1/analytics/csv?report=${report}&${query}`, `${report}-${range.from}-${range.to}.csv`);
  const d = data.value;
  const days = d ? [...new Set(d.sales.days.map((r) => r.day))] : [];
  const perDay = (channel: 'store' | 'online') => days.map((x) => d!.sales.days.find((r) => r.day === x && r.channel === channel)?.net ?? 0);

  return (
    <>
      <h1>{t('analytics')}</h1>
      <Form
        label={t('apply')}
        submit={t('apply')}
        class="form inline"
        onSubmit={async (form) => setRange({ from: String(form.get('from')), to: String(form.get('to')) })}
      >
        <Field label={t('from')} name="from" type="date" required value={range.from} />
        <Field label={t('to')} name="to" type="date" required value={range.to} />
      </Form>
      <Problem error={data.error} />
      {!d && !data.error && <p role="status">{t('loading')}</p>}
      {d && (
        <>
          <div class="kpis" id="kpis">
            {d.sales.totals.map((row) => (
              <div class="kpi" key={row.channel} data-channel={row.channel}>
                <span class="kpi-label">
                  {t('net')} · {t(row.channel)}
                </span>
                <strong class="kpi-value">{fmt(row.net)}</strong>
                <span class="muted">
                  {number(row.sales, locale)} {t('sales').toLowerCase()} · {number(row.returns, locale)} {t('returns').toLowerCase()}
                </span>
              </div>
            ))}
            <div class="kpi" id="kpi-identified">
              <span class="kpi-label">{t('identifiedShare')}</span>
              <strong class="kpi-value">{percent(d.customers.identifiedShare, locale)}</strong>
            </div>
            <div class="kpi" id="kpi-repeat">
              <span class="kpi-label">{t('repeatRate')}</span>
              <strong class="kpi-value">{percent(d.customers.repeatRate, locale)}</strong>
            </div>
          </div>
          <Section title={t('salesPerDay')}>
            <BarChart
              id="chart-sales"
              title={t('salesPerDay')}
              labels={days.map((x) => day(x, locale))}
              series={[
                { name: t('store'), tone: 'store', values: perDay('store') },
                { name: t('online'), tone: 'online', values: perDay('online') },
              ]}
              format={fmt}
            />
            <button type="button" class="secondary" onClick={() => csv('sales')}>
              {t('downloadCsv')}
            </button>
          </Section>
          <div class="grid">
            <Section title={t('omnichannel')}>
              <BarChart
                id="chart-omnichannel"
                title={`${t('averageSpend')} · ${t('customersCount')}`}
                labels={[t('omnichannel'), t('storeOnly'), t('onlineOnly')]}
                series={[
                  {
                    name: t('averageSpend'),
                    tone: 'store',
                    values: [d.customers.omnichannel.averageSpend, d.customers.storeOnly.averageSpend, d.customers.onlineOnly.averageSpend],
                  },
                ]}
                format={fmt}
              />
              <Table
                caption={t('omnichannel')}
                captionHidden
                head={['', t('customersCount'), t('spend'), t('averageSpend')]}
                numeric={[1, 2, 3]}
                rows={(['omnichannel', 'storeOnly', 'onlineOnly'] as const).map((g) => [
                  t(g),
                  number(d.customers[g].customers, locale),
                  fmt(d.customers[g].spend),
                  fmt(d.customers[g].averageSpend),
                ])}
              />
              <button type="button" class="secondary" onClick={() => csv('customers')}>
                {t('downloadCsv')}
              </button>
            </Section>
            <Section title={t('couponsByChannel')}>
              <BarChart
                id="chart-coupons"
                title={t('couponsByChannel')}
                labels={d.coupons.byChannel.map((c) => t(c.channel))}
                series={[{ name: t('redemptions'), tone: 'online', values: d.coupons.byChannel.map((c) => c.couponSales) }]}
                format={(n) => number(n, locale)}
              />
              <Table
                caption={t('couponsByChannel')}
                captionHidden
                head={[t('channel'), t('redemptions'), t('discountGiven')]}
                numeric={[1, 2]}
                rows={d.coupons.byChannel.map((c) => [t(c.channel), number(c.couponSales, locale), fmt(c.discount)])}
              />
              <button type="button" class="secondary" onClick={() => csv('coupons')}>
                {t('downloadCsv')}
              </button>
            </Section>
          </div>
          <div class="grid">
            <Section title={t('topFamilies')}>
              <BarChart
                id="chart-families"
                title={t('topFamilies')}
                labels={d.top.families.map((f) => f.key)}
                series={[{ name: t('net'), tone: 'store', values: d.top.families.map((f) => f.net) }]}
                format={fmt}
              />
              <button type="button" class="secondary" onClick={() => csv('families')}>
                {t('downloadCsv')}
              </button>
            </Section>
            <Section title={t('topProducts')}>
              <Table
                caption={t('topProducts')}
                captionHidden
                head={[t('sku'), t('units'), t('net')]}
                numeric={[1, 2]}
                rows={d.top.products.map((p) => [p.key, number(p.units, locale), fmt(p.net)])}
              />
              <button type="button" class="secondary" onClick={() => csv('products')}>
                {t('downloadCsv')}
              </button>
            </Section>
          </div>
        </>
      )}
    </>
  );
}
