import { useState } from 'preact/hooks';
import type { SeriesVerification } from '../../../shared/receipts';
import type { ChainVerification } from '../../../shared/receipts/chain';
import { api } from '../api';
import { number, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Section, Table } from '../ui';

/** The fiscal audit: walk an installation's chain, or a series, and say whether it holds. */
export function Receipts() {
  const locale = session.value!.tenant;
  const [result, setResult] = useState<ChainVerification | SeriesVerification>();
  return (
    <>
      <h1>{t('receipts')}</h1>
      <div class="grid">
        <Section title={t('installation')}>
          <Form
            label={t('installation')}
            submit={t('verify')}
            class="form inline"
            onSubmit={async (data) =>
              setResult(await api<ChainVerification>('GET', `v1/receipts/installations/${encodeURIComponent(String(data.get('installation')))}/verify`))
            }
          >
            <Field label={t('installation')} name="installation" required autocomplete="off" placeholder="madrid-centro.till-1" />
          </Form>
        </Section>
        <Section title={t('series')}>
          <Form
            label={t('series')}
            submit={t('verify')}
            class="form inline"
            onSubmit={async (data) =>
              setResult(await api<SeriesVerification>('GET', `v1/receipts/series/${encodeURIComponent(String(data.get('series')))}/verify`))
            }
          >
            <Field label={t('series')} name="series" required autocomplete="off" />
          </Form>
        </Section>
      </div>
      {result && (
        <Section title={'installationId' in result ? result.installationId : result.seriesId} id="verification">
          <p role="status" class={result.verified ? 'ok' : 'problem'} id="verification-result">
            {result.verified ? `✓ ${t('verified')}` : `✗ ${t('broken')}: ${result.firstBreak?.reason ?? ''} ${result.firstBreak?.detail ?? ''}`}
          </p>
          <p>
            {t('records')}: {number(result.records, locale)}
          </p>
          {'series' in result && (
            <Table
              caption={t('series')}
              captionHidden
              head={[t('series'), t('lastNumber'), t('verified')]}
              numeric={[1, 2]}
              rows={Object.entries(result.series).map(([id, s]) => [id, number(s.lastNumber, locale), number(s.verified, locale)])}
            />
          )}
        </Section>
      )}
    </>
  );
}
