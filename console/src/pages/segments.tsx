import { useEffect, useState } from 'preact/hooks';
import type { Preview, Rule, SegmentView } from '../../../shared/segments';
import { api } from '../api';
import { BarChart } from '../chart';
import { dateTime, day, number, operatorText, t } from '../i18n';
import { session } from '../session';
import {
  append,
  complete,
  DAYS,
  type DraftCondition,
  type DraftGroup,
  type DraftNode,
  type Fields,
  freshCondition,
  freshGroup,
  fromRule,
  LISTS,
  type Path,
  takesValue,
  toRule,
  traitOf,
  update,
} from '../segment-tree';
import { Field, Form, Pager, Problem, Section, Select, Table, useLoad } from '../ui';

const BACKFILL = { pending: 'backfillPending', running: 'backfillRunning', done: 'backfillDone' } as const;

/** Waits until `value` has stopped changing for `ms`: the live count asks once the typing pauses. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [JSON.stringify(value)]);
  return settled;
}

/** What a node of the tree may ask of the builder: replace or remove itself, add a child to a group. */
interface Edit {
  change: (path: Path, node: DraftNode) => void;
  remove: (path: Path) => void;
  add: (path: Path, node: DraftNode) => void;
}

/** A node's name as people read it: the root group is 1, its second child 1.2, that one's first child 1.2.1. */
const placeOf = (path: Path) => [1, ...path.map((i) => i + 1)].join('.');

function ConditionRow(props: { fields: Fields; draft: DraftCondition; path: Path; edit: Edit; removable: boolean }) {
  const { fields, draft, path } = props;
  const field = traitOf(fields, draft.trait);
  const n = placeOf(path);
  const set = (next: Partial<DraftCondition>) => props.edit.change(path, { ...draft, ...next });
  const valueLabel = DAYS.has(draft.operator) ? t('days') : LISTS.has(draft.operator) ? t('valuesCommas') : t('value');
  return (
    <fieldset class="condition" data-condition={path.join('.')}>
      <legend>{t('conditionN', { n })}</legend>
      <Select
        label={t('trait')}
        name={`trait-${n}`}
        value={draft.trait}
        options={fields.traits.map((f) => [f.name, f.name])}
        onChange={(trait) => set({ trait, operator: traitOf(fields, trait).operators[0]!, key: '', value: '', upTo: '' })}
      />
      <Select
        label={t('operator')}
        name={`operator-${n}`}
        value={draft.operator}
        options={field.operators.map((o) => [o, operatorText(o)])}
        onChange={(operator) => set({ operator })}
      />
      {field.type === 'map' && <Field label={field.key ?? t('key')} name={`key-${n}`} value={draft.key} onInput={(e) => set({ key: e.currentTarget.value })} />}
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
            onChange={(value) => set({ value })}
          />
        ) : (
          <Field
            label={valueLabel}
            name={`value-${n}`}
            type={field.type === 'date' && !DAYS.has(draft.operator) ? 'date' : 'text'}
            inputMode={field.type === 'number' || field.type === 'map' || DAYS.has(draft.operator) ? 'decimal' : undefined}
            value={draft.value}
            onInput={(e) => set({ value: e.currentTarget.value })}
          />
        ))}
      {draft.operator === 'between' && (
        <Field
          label={t('upTo')}
          name={`upto-${n}`}
          type={field.type === 'date' ? 'date' : 'text'}
          value={draft.upTo}
          onInput={(e) => set({ upTo: e.currentTarget.value })}
        />
      )}
      <p class="muted small">{field.description}</p>
      {props.removable && (
        <button type="button" class="secondary" onClick={() => props.edit.remove(path)}>
          {t('removeCondition', { n })}
        </button>
      )}
    </fieldset>
  );
}

/** A group of the tree: all of / any of its children, possibly negated; its children are conditions and groups. */
function GroupBox(props: { fields: Fields; group: DraftGroup; path: Path; edit: Edit; removable: boolean }) {
  const { fields, group, path, edit } = props;
  const n = placeOf(path);
  const only = group.children.length === 1;
  return (
    <fieldset class={`group${group.negated ? ' negated' : ''}`} data-group={n}>
      <legend>{t('groupN', { n })}</legend>
      <div class="row">
        <Select
          label={t('match')}
          name={`match-${n}`}
          value={group.match}
          options={[
            ['all', t('matchAll')],
            ['any', t('matchAny')],
          ]}
          onChange={(match) => edit.change(path, { ...group, match: match as 'all' | 'any' })}
        />
        <label class="check">
          <input
            type="checkbox"
            name={`not-${n}`}
            checked={group.negated}
            onChange={(e) => edit.change(path, { ...group, negated: e.currentTarget.checked })}
          />
          <span>{t('negateGroup')}</span>
        </label>
      </div>
      {group.children.map((child, i) =>
        child.kind === 'group' ? (
          <GroupBox key={i} fields={fields} group={child} path={[...path, i]} edit={edit} removable />
        ) : (
          <ConditionRow key={i} fields={fields} draft={child} path={[...path, i]} edit={edit} removable={!only} />
        ),
      )}
      <div class="row">
        <button type="button" class="secondary" data-add={n} onClick={() => edit.add(path, freshCondition(fields))}>
          {t('addCondition', { group: n })}
        </button>
        <button type="button" class="secondary" onClick={() => edit.add(path, freshGroup(fields, group.match === 'all' ? 'any' : 'all'))}>
          {t('addGroup', { group: n })}
        </button>
        {props.removable && (
          <button type="button" class="secondary" onClick={() => edit.remove(path)}>
            {t('removeGroup', { n })}
          </button>
        )}
      </div>
    </fieldset>
  );
}

/**
 * A definition built as a tree of groups and conditions, with the number of customers it matches
 * now, asked as it changes. Given a segment, it edits that one (its tree loaded into the builder).
 */
function Builder(props: { fields: Fields; segment?: SegmentView; onSaved: (s: SegmentView) => void }) {
  const { fields, segment } = props;
  const locale = session.value!.tenant;
  const [root, setRoot] = useState<DraftGroup>(() => (segment ? fromRule(segment.definition as Rule) : freshGroup(fields)));
  // Where focus goes once the tree has changed: into a node just added, or to its group's add button after a removal.
  const [focus, setFocus] = useState<string>();
  useEffect(() => {
    if (focus) document.querySelector<HTMLElement>(focus)?.focus();
    setFocus(undefined);
  }, [focus]);
  const edit: Edit = {
    change: (path, node) => setRoot(update(root, path, () => node)),
    remove: (path) => {
      setRoot(update(root, path, () => undefined));
      setFocus(`[data-add="${placeOf(path.slice(0, -1))}"]`);
    },
    add: (path, node) => {
      const group = path.reduce<DraftNode>((n, i) => (n as DraftGroup).children[i]!, root) as DraftGroup;
      setRoot(append(root, path, node));
      setFocus(`[name="${node.kind === 'group' ? 'match' : 'trait'}-${placeOf([...path, group.children.length])}"]`);
    },
  };
  const definition = toRule(fields, root);
  const settled = useDebounced(definition, 400);
  // A tree still waiting for a value is not asked about: the count would only be an error.
  const ready = complete(fields, root);
  const preview = useLoad(
    () => (ready ? api<Preview>('POST', 'v1/segments/preview', { definition: settled }) : Promise.resolve(undefined)),
    [JSON.stringify(settled), ready],
  );
  const current = JSON.stringify(settled) === JSON.stringify(definition) && !preview.loading;

  return (
    <Section title={segment ? t('editSegment') : t('newSegment')} id="segment-builder">
      <GroupBox fields={fields} group={root} path={[]} edit={edit} removable={false} />
      <p class="live-count" role="status" aria-live="polite" aria-busy={!current}>
        {t('matchingNow')}: <strong id="segment-count">{preview.value && !preview.error && ready ? number(preview.value.count, locale) : '—'}</strong>
      </p>
      <Problem error={preview.error} />
      <Form
        label={t('saveSegment')}
        submit={t('saveSegment')}
        onSubmit={async (data) => {
          const description = String(data.get('description') ?? '').trim();
          const body = { name: String(data.get('name') ?? ''), ...(description ? { description } : {}), definition };
          props.onSaved(
            await (segment
              ? api<SegmentView>('PUT', `v1/segments/${encodeURIComponent(segment.segmentId)}`, body)
              : api<SegmentView>('POST', 'v1/segments', body)),
          );
        }}
      >
        <Field label={t('name')} name="name" required maxLength={100} defaultValue={segment?.name} />
        <Field label={t('description')} name="description" maxLength={500} defaultValue={segment?.description ?? undefined} />
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
  const fields = useLoad(() => api<Fields>('GET', 'v1/segments/fields'), []);
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
      <Problem error={fields.error} />
      {/* Keyed by version: once saved, the builder starts again from the tree as stored. */}
      {fields.value && <Builder key={s.version} fields={fields.value} segment={s} onSaved={() => segment.reload()} />}
    </>
  );
}
