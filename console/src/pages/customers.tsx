import { useState } from 'preact/hooks';
import type { CustomerSearchResult } from '../../../shared/customers';
import { api } from '../api';
import { dateTime, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Section, Table } from '../ui';

/** Search by email, phone, loyalty card or id (a POST: what is typed never lands in a URL). */
export function CustomerSearch() {
  const locale = session.value!.tenant;
  const [result, setResult] = useState<CustomerSearchResult>();
  return (
    <>
      <h1>{t('customers')}</h1>
      <Section title={t('search')}>
        <Form
          label={t('search')}
          submit={t('search')}
          class="form inline"
          onSubmit={async (data) => setResult(await api<CustomerSearchResult>('POST', 'v1/customers/search', { query: String(data.get('query') ?? '') }))}
        >
          <Field label={t('searchCustomer')} name="query" type="search" required autocomplete="off" />
        </Form>
        {result && result.items.length === 0 && (
          <p role="status" class="muted">
            {t('noResults')}
          </p>
        )}
        {result && result.items.length > 0 && (
          <Table
            caption={t('customers')}
            captionHidden
            head={[t('name'), t('identifiers'), t('channels'), t('lastSeen'), '']}
            rows={result.items.map((c) => [
              c.name ?? '—',
              <ul class="plain" key="ids">
                {c.identifiers.map((i) => (
                  <li key={i.type + i.value}>
                    <span class="muted">{i.type}</span> <span class="identifier">{i.value}</span>
                  </li>
                ))}
              </ul>,
              c.channels.map((ch) => t(ch)).join(' + ') || '—',
              dateTime(c.lastSeenAt, locale),
              <a key="open" href={`#/customers/${encodeURIComponent(c.customerId)}`} class="button-link">
                {t('open')} <span class="visually-hidden">{c.name ?? c.customerId}</span>
              </a>,
            ])}
          />
        )}
      </Section>
    </>
  );
}
