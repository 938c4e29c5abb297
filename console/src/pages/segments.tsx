import { useEffect, useState } from 'preact/hooks';
import type { Preview, SegmentView } from '../../../shared/segments';
import { api } from '../api';
import { BarChart } from '../chart';
import { dateTime, day, number, operatorText, t } from '../i18n';
import { session } from '../session';
import { Field, Form, Pager, Problem, Section, Select, Table, useLoad } from '../ui';

/** What `GET /v1/segments/fields` serves: the builder is drawn from it, so a trait the API adds appears here without a release. */
interface Fields {
  traits: Array<{ name: string; type: string; description: string; values?: string[]; key?: string; operators: string[] }>;
  operators: Record<string, Array<{ operator: string; value: string }>>;
}

/** One row of the builder, as typed: turned into a condition of the rule tree by `condition()`. */
interface Draft {
  trait: string;
  operator: string;
  key: string;
  value: string;
  /** The second bound of `between`. */
  upTo: string;
}

const BACKFILL = { pending: 'backfillPending', running: 'backfillRunning', done: 'backfillDone' } as const;

/** Operators whose value is a list, typed comma-separated. */
const LISTS = new Set(['in', 'notIn', 'containsAny', 'containsAll']);
/** Operators that count days back from today: a number, whatever the trait's type. */
const DAYS = new Set(['withinLastDays', 'notWithinLastDays']);

function takesValue(fields: Fields, type: string, operator: string): boolean {
  return fields.operators[type]?.find((o) => o.operator === operator)?.value !== 'none';
}

/** The typed text as the trait's type has it: the API checks it and names the field if it is wrong. */
function parse(type: string, operator: string, text: string): unknown {
  const one = (s: string): unknown => {
    const v = s.trim();
    if (type === 'boolean') return v === 'true';
    if (type === 'number' || type === 'map' || DAYS.has(operator)) return v === '' ? v : Number(v);
    return v;
  };
  return LISTS.has(operator) ? text.split(',').map(one) : one(text);
}

function condition(fields: Fields, d: Draft): Record<string, unknown> {
  const field = fields.traits.find((f) => f.name === d.trait)!;
  const c: Record<string, unknown> = { trait: d.trait, operator: d.operator };
  if (field.type === 'map') c.key = d.key.trim();
  if (takesValue(fields, field.type, d.operator))
    c.value =
      d.operator === 'between' ? [parse(field.type, d.operator, d.value), parse(field.type, d.operator, d.upTo)] : parse(field.type, d.operator, d.value);
  return c;
}

/** Waits until `value` has stopped changing for `ms`: the live count asks once the typing pauses. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value)]);
  return settled;
}

function ConditionRow(props: { fields: Fields; draft: Draft; index: number; onChange: (d: Draft) => void; onRemove?: () => void }) {
  const { fields, draft, index } = props;
  const field = fields.traits.find((f) => f.name === draft.trait)!;
  const n = index + 1;
  const valueLabel = DAYS.has(draft.operator) ? t('days') : LISTS.has(draft.operator) ? t('valuesCommas') : t('value');
  return (
    <fieldset class="condition" data-condition={index}>
      <legend>{t('conditionN', { n })}</legend>
      <Select
        label={t('trait')}
        name={`trait-${n}`}
        value={draft.trait}
        options={fields.traits.map((f) => [f.name, f.name])}
        onChange={(trait) => props.onChange({ trait, operator: fields.traits.find((f) => f.name === trait)!.operators[0]!, key: '', value: '', upTo: '' })}
      />
      <Select
        label={t('operator')}
        name={`operator-${n}`}
        value={draft.operator}
        options={field.operators.map((o) => [o, operatorText(o)])}
        onChange={(operator) => props.onChange({ ...draft, operator })}
      />
      {field.type === 'map' && (
        <Field label={field.key ?? t('key')} name={`key-${n}`} value={draft.key} onInput={(e) => props.onChange({ ...draft, key: e.currentTarget.value })} />
      )}
      {takesValue(fields, field.type, draft.operator) &&
        (field.type === 'boolean' ? (
          <Select
            label={valueLabel}
            name={`value-${n}`}
            value={draft.value || 'true'}
            options={[
              ['true', t('yes')],
              ['false', t('no')],
            ]}
            onChange={(value) => props.onChange({ ...draft, value })}
          />
        ) : (
          <Field
            label={valueLabel}
            name={`value-${n}`}
            type={field.type === 'date' && !DAYS.has(draft.operator) ? 'date' : 'text'}
            inputMode={field.type === 'number' || field.type === 'map' || DAYS.has(draft.operator) ? 'decimal' : undefined}
            value={draft.value}
            onInput={(e) => props.onChange({ ...draft, value: e.currentTarget.value })}
          />
        ))}
      {draft.operator === 'between' && (
        <Field
          label={t('upTo')}
          name={`upto-${n}`}
          type={field.type === 'date' ? 'date' : 'text'}
          value={draft.upTo}
          onInput={(e) => props.onChange({ ...draft, upTo: e.currentTarget.value })}
        />
      )}
      <p class="muted small">{field.description}</p>
      {props.onRemove && (
        <button type="button" class="secondary" onClick={props.onRemove}>
          {t('removeCondition', { n })}
        </button>
      )}
    </fieldset>
  );
}

/** A definition built condition by condition, with the number of customers it matches now, asked as it changes. */
function Builder(props: { fields: Fields; onSaved: (s: SegmentView) => void }) {
  const { fields } = props;
  const locale = session.value!.tenant;
  const fresh = (): Draft => {
    const orders = fields.traits.find((f) => f.name === 'orders');
    if (orders) return { trait: 'orders', operator: 'greaterThanOrEqual', key: '', value: '1', upTo: '' };
    return { trait: fields.traits[0]!.name, operator: fields.traits[0]!.operators[0]!, key: '', value: '', upTo: '' };
  };
  const [group, setGroup] = useState<'all' | 'any'>('all');
  const [drafts, setDrafts] = useState<Draft[]>([fresh()]);
  const definition = { [group]: drafts.map((d) => condition(fields, d)) };
  const settled = useDebounced(definition, 400);
  // A condition still waiting for its value is not asked about: the count would only be an error.
  const complete = drafts.every((d) => {
    const type = fields.traits.find((f) => f.name === d.trait)!.type;
    return !takesValue(fields, type, d.operator) || (d.value.trim() !== '' && (d.operator !== 'between' || d.upTo.trim() !== ''));
  });
  const preview = useLoad(
    () => (complete ? api<Preview>('POST', 'v1/segments/preview', { definition: settled }) : Promise.resolve(undefined)),
    [JSON.stringify(settled), complete],
  );
  const current = JSON.stringify(settled) === JSON.stringify(definition) && !preview.loading;

  return (
    <Section title={t('newSegment')} id="segment-builder">
      <Select
        label={t('match')}
        name="group"
        value={group}
        options={[
          ['all', t('matchAll')],
          ['any', t('matchAny')],
        ]}
        onChange={(g) => setGroup(g as 'all' | 'any')}
      />
      {drafts.map((d, i) => (
        <ConditionRow
          key={i}
          fields={fields}
          draft={d}
          index={i}
          onChange={(next) => setDrafts(drafts.map((x, j) => (j === i ? next : x)))}
          onRemove={drafts.length > 1 ? () => setDrafts(drafts.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <button type="button" class="secondary" onClick={() => setDrafts([...drafts, fresh()])}>
        {t('addCondition')}
      </button>
      <p class="live-count" role="status" aria-live="polite" aria-busy={!current}>
        {t('matchingNow')}: <strong id="segment-count">{preview.value && !preview.error && complete ? number(preview.value.count, locale) : '—'}</strong>
      </p>
      <Problem error={preview.error} />
      <Form
        label={t('saveSegment')}
        submit={t('saveSegment')}
        onSubmit={async (data) => {
          const description = String(data.get('description') ?? '').trim();
          props.onSaved(
            await api<SegmentView>('POST', 'v1/segments', { name: String(data.get('name') ?? ''), ...(description ? { description } : {}), definition }),
          );
        }}
      >
        <Field label={t('name')} name="name" required maxLength={100} />
        <Field label={t('description')} name="description" maxLength={500} />
      </Form>
    </Section>
  );
}

/** The tenant's segments with their sizes, and the builder. */
export function Segments() {
  const locale = session.value!.tenant;
  const list = useLoad(() => api<{ items: SegmentView[] }>('GET', 'v1/segments'), []);
  const fields = useLoad(() => api<Fields>('GET', 'v1/segments/fields'), []);
  const [saved, setSaved] = useState<SegmentView>();
  const items = list.value?.items ?? [];
  return (
    <>
      <h1>{t('segments')}</h1>
      <Problem error={list.error} />
      <Section title={t('segmentList')} id="segment-list">
        {list.loading && !list.value && <p role="status">{t('loading')}</p>}
        {saved && (
          <p role="status">
            {t('segmentSaved')}: <a href={`#/segments/${encodeURIComponent(saved.segmentId)}`}>{saved.name}</a>
          </p>
        )}
        <Table
          caption={t('segmentList')}
          captionHidden
          head={[t('name'), t('size'), t('backfill'), t('updated')]}
          numeric={[1]}
          rows={items.map((s) => [
            <a key="n" href={`#/segments/${encodeURIComponent(s.segmentId)}`} data-segment={s.segmentId}>
              {s.name}
            </a>,
            number(s.size, locale),
            `${t(BACKFILL[s.backfill.status])} · ${t('backfillProgress', { processed: number(s.backfill.processed, locale), matched: number(s.backfill.matched, locale) })}`,
            dateTime(s.updatedAt, locale),
          ])}
        />
        {items.length > 0 && (
          <BarChart
            id="chart-segment-sizes"
            title={t('segmentSizes')}
            labels={items.map((s) => s.name)}
            series={[{ name: t('size'), tone: 'store', values: items.map((s) => s.size) }]}
            format={(n) => number(n, locale)}
          />
        )}
      </Section>
      <Problem error={fields.error} />
      {fields.value && (
        <Builder
          fields={fields.value}
          onSaved={(s) => {
            setSaved(s);
            list.reload();
          }}
        />
      )}
    </>
  );
}

/** One segment: its size per day (as the daily review records it) and its members, a page at a time. */
export function SegmentDetail({ params }: { params: Record<string, string> }) {
  const locale = session.value!.tenant;
  const path = `v1/segments/${encodeURIComponent(params.id!)}`;
  const segment = useLoad(() => api<SegmentView>('GET', path), [path]);
  const sizes = useLoad(() => api<{ items: Array<{ day: string; size: number }> }>('GET', `${path}/sizes`), [path]);
  const [token, setToken] = useState<string | null>(null);
  const members = useLoad(
    () =>
      api<{ items: Array<{ customerId: string; since: string | null }>; continuationToken: string | null }>(
        'GET',
        `${path}/members?limit=50${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      ),
    [path, token],
  );
  if (segment.error) return <Problem error={segment.error} />;
  const s = segment.value;
  if (!s) return <p role="status">{t('loading')}</p>;
  return (
    <>
      <h1>{s.name}</h1>
      {s.description && <p>{s.description}</p>}
      <div class="kpis">
        <div class="kpi" id="segment-size">
          <span class="kpi-label">{t('size')}</span>
          <strong class="kpi-value">{number(s.size, locale)}</strong>
        </div>
        <div class="kpi">
          <span class="kpi-label">{t('backfill')}</span>
          <strong class="kpi-value">{t(BACKFILL[s.backfill.status])}</strong>
          <span class="muted">{t('backfillProgress', { processed: number(s.backfill.processed, locale), matched: number(s.backfill.matched, locale) })}</span>
        </div>
      </div>
      <Section title={t('sizePerDay')}>
        <Problem error={sizes.error} />
        {(sizes.value?.items.length ?? 0) === 0 ? (
          <p class="muted">{t('noSizesYet')}</p>
        ) : (
          <BarChart
            id="chart-segment-days"
            title={t('sizePerDay')}
            labels={sizes.value!.items.map((x) => day(x.day, locale))}
            series={[{ name: t('size'), tone: 'online', values: sizes.value!.items.map((x) => x.size) }]}
            format={(n) => number(n, locale)}
          />
        )}
      </Section>
      <Section title={t('members')} id="segment-members">
        <Problem error={members.error} />
        <Table
          caption={t('members')}
          captionHidden
          head={[t('customer'), t('memberSince')]}
          rows={(members.value?.items ?? []).map((m) => [
            <a key="c" href={`#/customers/${encodeURIComponent(m.customerId)}`}>
              {m.customerId}
            </a>,
            dateTime(m.since, locale),
          ])}
        />
        <Pager token={token} next={members.value?.continuationToken} onPage={setToken} />
      </Section>
    </>
  );
}
