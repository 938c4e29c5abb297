import { useState } from 'preact/hooks';
import type { CampaignPage } from '../../../shared/coupons';
import type { Action, Conditions, RuleReport, RuleView, Simulation, Trigger, TriggerType } from '../../../shared/offers';
import type { SegmentView } from '../../../shared/segments';
import { api } from '../api';
import { dateTime, minorDigits, money, number, t, toMinor, zonedToIso, type Key, type Locale } from '../i18n';
import { navigate } from '../router';
import { session } from '../session';
import { Field, Form, Problem, Section, Select, Table, useLoad } from '../ui';

/** Every trigger the API accepts, in the order the select offers them, with its name in words. */
const TRIGGERS: Record<TriggerType, Key> = {
  sale: 'triggerSale',
  'first-purchase': 'triggerFirstPurchase',
  return: 'triggerReturn',
  'segment-entered': 'triggerSegmentEntered',
  'segment-left': 'triggerSegmentLeft',
  'tier-changed': 'triggerTierChanged',
  'points-threshold': 'triggerPointsThreshold',
  birthday: 'triggerBirthday',
  lapsed: 'triggerLapsed',
  'api-event': 'triggerApiEvent',
};
/** Triggers a sale or a return raises: the only ones the basket, channel and family conditions apply to. */
const SALE_TRIGGERS: TriggerType[] = ['sale', 'first-purchase', 'return'];
const ACTIONS: Record<Action['type'], Key> = { 'issue-coupon': 'actionCoupon', 'award-points': 'actionPoints', notify: 'actionNotify' };
const PURPOSES = { marketingEmail: 'Email', marketingSms: 'SMS', marketingPush: 'Push' } as const;
type Purpose = keyof typeof PURPOSES;

type Names = Record<string, string>;

/** A campaign or segment by its name when the console knows it, by its id otherwise. */
const nameOf = (names: Names, id: string) => names[id] ?? id;

function triggerText(trigger: Trigger, segments: Names): string {
  switch (trigger.type) {
    case 'segment-entered':
    case 'segment-left':
      return `${t(TRIGGERS[trigger.type])}: ${nameOf(segments, trigger.segmentId)}`;
    case 'tier-changed':
      return trigger.toTier ? t('intoTier', { tier: trigger.toTier }) : t(TRIGGERS[trigger.type]);
    case 'points-threshold':
      return t('reachesPoints', { points: trigger.threshold });
    case 'birthday':
      return t('daysBeforeBirthday', { days: trigger.daysBefore });
    case 'lapsed':
      return t('daysWithoutPurchase', { days: trigger.days });
    case 'api-event':
      return `${t(TRIGGERS[trigger.type])}: ${trigger.name}`;
    default:
      return t(TRIGGERS[trigger.type]);
  }
}

/** A simulation's condition names, in the console's words. */
const CONDITIONS: Record<string, Key> = {
  minimumBasket: 'minimumBasket',
  channels: 'channel',
  families: 'families',
  categories: 'categories',
  brands: 'brands',
  skus: 'sku',
  locationIds: 'location',
  segmentIds: 'segment',
};

function conditionsText(c: Conditions, locale: Locale, segments: Names): string {
  const parts: string[] = [];
  if (c.minimumBasket !== undefined) parts.push(t('atLeast', { amount: money(c.minimumBasket, locale) }));
  if (c.channels) parts.push(c.channels.map((ch) => t(ch)).join(' / '));
  if (c.families) parts.push(`${t('families')}: ${c.families.join(', ')}`);
  if (c.categories) parts.push(`${t('categories')}: ${c.categories.join(', ')}`);
  if (c.brands) parts.push(`${t('brands')}: ${c.brands.join(', ')}`);
  if (c.skus) parts.push(`${t('sku')}: ${c.skus.join(', ')}`);
  if (c.locationIds) parts.push(`${t('location')}: ${c.locationIds.join(', ')}`);
  if (c.segmentIds) parts.push(`${t('segment')}: ${c.segmentIds.map((s) => nameOf(segments, s)).join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : t('noConditions');
}

function actionText(a: Action, locale: Locale, campaigns: Names): string {
  if (a.type === 'issue-coupon') return t('couponOf', { campaign: nameOf(campaigns, a.campaignId) });
  if (a.type === 'award-points') return t('bonusPoints', { points: number(a.points, locale) }) + (a.reverseOnReturn ? ` ${t('reversible')}` : '');
  return t('notifyBy', { purposes: a.purposes.map((p) => PURPOSES[p]).join(', ') });
}

function windowText(rule: RuleView, locale: Locale): string {
  return `${dateTime(rule.validFrom, locale)} → ${rule.validTo ? dateTime(rule.validTo, locale) : t('noEnd')}`;
}

function capText(rule: RuleView): string {
  if (!rule.cap) return t('capNone');
  return rule.cap.type === 'once' ? t('capOnce') : t('capEvery', { days: rule.cap.days });
}

/** Paused, or active: in force now, or outside its validity (not started yet, or ended). */
function State({ rule }: { rule: RuleView }) {
  const now = Date.now();
  const state: Key = !rule.active
    ? 'paused'
    : now < Date.parse(rule.validFrom)
      ? 'scheduled'
      : rule.validTo && now >= Date.parse(rule.validTo)
        ? 'ended'
        : 'ruleActive';
  return <span class={`badge ${state === 'ruleActive' ? 'active' : 'paused'}`}>{t(state)}</span>;
}

/** The campaigns and segments by name, for the words of a rule and the form's selects. */
function useNames() {
  const campaigns = useLoad(() => api<CampaignPage>('GET', 'v1/campaigns?limit=100'), []);
  // A platform without segments still offers rules: the segment selects then have nothing to pick.
  const segments = useLoad(() => api<{ items: SegmentView[] }>('GET', 'v1/segments').catch(() => ({ items: [] })), []);
  return {
    campaigns: campaigns.value?.items ?? [],
    segments: segments.value?.items ?? [],
    campaignNames: Object.fromEntries((campaigns.value?.items ?? []).map((c) => [c.campaignId, c.name])) as Names,
    segmentNames: Object.fromEntries((segments.value?.items ?? []).map((s) => [s.segmentId, s.name])) as Names,
  };
}

/** A rule's budget as used so far: only the report knows, so it is asked for the rules that have one. */
function BudgetUsed({ rule, locale }: { rule: RuleView; locale: Locale }) {
  const report = useLoad(
    () => (rule.budget ? api<RuleReport>('GET', `v1/offers/rules/${encodeURIComponent(rule.ruleId)}/report`) : Promise.resolve(undefined)),
    [rule.ruleId],
  );
  if (!rule.budget) return <>—</>;
  const b = report.value?.budget;
  return <>{b ? t('usedOf', { used: number(b.used, locale), total: number(b.activations, locale) }) : '…'}</>;
}

/** The tenant's rules, each as its newest version, and the form that creates one. */
export function Rules() {
  const locale = session.value!.tenant;
  const list = useLoad(() => api<{ items: RuleView[] }>('GET', 'v1/offers/rules'), []);
  const names = useNames();
  const items = [...(list.value?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <>
      <h1>{t('rules')}</h1>
      <Problem error={list.error} />
      <Section title={t('offerRuleList')} id="rule-list">
        {list.loading && !list.value && <p role="status">{t('loading')}</p>}
        {list.value && (
          <Table
            caption={t('offerRuleList')}
            captionHidden
            head={[t('name'), t('trigger'), t('conditions'), t('ruleActions'), t('window'), t('status'), t('budgetUsed')]}
            rows={items.map((r) => [
              <a key="name" href={`#/rules/${encodeURIComponent(r.ruleId)}`} data-rule={r.ruleId}>
                {r.name}
              </a>,
              triggerText(r.trigger, names.segmentNames),
              conditionsText(r.conditions, locale, names.segmentNames),
              <ul key="actions" class="plain">
                {r.actions.map((a, i) => (
                  <li key={i}>{actionText(a, locale, names.campaignNames)}</li>
                ))}
              </ul>,
              windowText(r, locale),
              <State key="state" rule={r} />,
              <BudgetUsed key="budget" rule={r} locale={locale} />,
            ])}
          />
        )}
      </Section>
      <RuleForm names={names} onSaved={(r) => navigate(`/rules/${encodeURIComponent(r.ruleId)}`)} />
    </>
  );
}

/** One action of the form, as typed. */
interface ActionDraft {
  type: Action['type'];
  campaignId: string;
  points: string;
  reverseOnReturn: boolean;
  purposes: Purpose[];
  message: string;
}

const freshAction = (campaignId = ''): ActionDraft => ({
  type: 'issue-coupon',
  campaignId,
  points: '100',
  reverseOnReturn: false,
  purposes: ['marketingEmail'],
  message: '',
});

function actionDraft(a: Action): ActionDraft {
  if (a.type === 'issue-coupon') return { ...freshAction(a.campaignId) };
  if (a.type === 'award-points') return { ...freshAction(), type: a.type, points: String(a.points), reverseOnReturn: a.reverseOnReturn };
  return { ...freshAction(), type: a.type, purposes: a.purposes, message: a.message ?? '' };
}

/** The action as the API takes it: the numbers as typed, so a wrong one comes back named. */
function actionOf(d: ActionDraft): Record<string, unknown> {
  if (d.type === 'issue-coupon') return { type: d.type, campaignId: d.campaignId };
  if (d.type === 'award-points') return { type: d.type, points: Number(d.points), reverseOnReturn: d.reverseOnReturn };
  return { type: d.type, purposes: d.purposes, ...(d.message.trim() ? { message: d.message.trim() } : {}) };
}

function Check(props: { label: string; name: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} checked={props.checked} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span>{props.label}</span>
    </label>
  );
}

function ActionRow(props: {
  draft: ActionDraft;
  index: number;
  names: ReturnType<typeof useNames>;
  onChange: (d: ActionDraft) => void;
  onRemove?: () => void;
}) {
  const { draft, index, names } = props;
  const n = index + 1;
  const set = (patch: Partial<ActionDraft>) => props.onChange({ ...draft, ...patch });
  return (
    <fieldset class="condition" data-action={index}>
      <legend>{t('actionN', { n })}</legend>
      <Select
        label={t('actionType')}
        name={`action-${n}`}
        value={draft.type}
        options={(Object.keys(ACTIONS) as Array<Action['type']>).map((type) => [type, t(ACTIONS[type])])}
        onChange={(type) => set({ type: type as Action['type'] })}
      />
      {draft.type === 'issue-coupon' &&
        (names.campaigns.length > 0 ? (
          <Select
            label={t('campaign')}
            name={`campaign-${n}`}
            value={draft.campaignId}
            options={[
              ...names.campaigns.map((c): [string, string] => [c.campaignId, c.name]),
              ...(draft.campaignId && !names.campaigns.some((c) => c.campaignId === draft.campaignId)
                ? [[draft.campaignId, draft.campaignId] as [string, string]]
                : []),
            ]}
            onChange={(campaignId) => set({ campaignId })}
          />
        ) : (
          <Field label={t('campaignId')} name={`campaign-${n}`} value={draft.campaignId} onInput={(e) => set({ campaignId: e.currentTarget.value })} />
        ))}
      {draft.type === 'award-points' && (
        <>
          <Field
            label={t('points')}
            name={`points-${n}`}
            type="number"
            min="1"
            step="1"
            value={draft.points}
            onInput={(e) => set({ points: e.currentTarget.value })}
          />
          <Check label={t('reverseOnReturn')} name={`reverse-${n}`} checked={draft.reverseOnReturn} onChange={(reverseOnReturn) => set({ reverseOnReturn })} />
        </>
      )}
      {draft.type === 'notify' && (
        <>
          <fieldset class="checks">
            <legend>{t('purposes')}</legend>
            {(Object.keys(PURPOSES) as Purpose[]).map((p) => (
              <Check
                key={p}
                label={PURPOSES[p]}
                name={`${p}-${n}`}
                checked={draft.purposes.includes(p)}
                onChange={(on) => set({ purposes: on ? [...draft.purposes, p] : draft.purposes.filter((x) => x !== p) })}
              />
            ))}
          </fieldset>
          <Field label={t('message')} name={`message-${n}`} maxLength={500} value={draft.message} onInput={(e) => set({ message: e.currentTarget.value })} />
        </>
      )}
      {props.onRemove && (
        <button type="button" class="secondary" onClick={props.onRemove}>
          {t('removeAction', { n })}
        </button>
      )}
    </fieldset>
  );
}

/** An instant as the tenant's wall clock shows it, for a datetime-local field. */
function zonedLocal(iso: string, locale: Locale): string {
  const f = new Intl.DateTimeFormat('sv-SE', {
    timeZone: locale.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return f.format(new Date(iso)).replace(' ', 'T');
}

/**
 * Trigger -> conditions -> actions, with the window, the cap and the budget. Creates a rule, or with
 * `rule` saves a new version of it. The common conditions have controls; others a rule already has
 * (SKUs, brands, locations) are kept as they are.
 */
function RuleForm(props: { rule?: RuleView; names: ReturnType<typeof useNames>; onSaved: (rule: RuleView) => void }) {
  const locale = session.value!.tenant;
  const { rule, names } = props;
  const [trigger, setTrigger] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(rule?.trigger ?? { type: 'sale' }).map(([k, v]) => [k, String(v)])),
  );
  const [minimum, setMinimum] = useState(
    rule?.conditions.minimumBasket !== undefined ? String(rule.conditions.minimumBasket / 10 ** minorDigits(locale.currency)) : '',
  );
  const [channel, setChannel] = useState(rule?.conditions.channels?.length === 1 ? rule.conditions.channels[0]! : '');
  const [segment, setSegment] = useState(rule?.conditions.segmentIds?.[0] ?? '');
  const [families, setFamilies] = useState(rule?.conditions.families?.join(', ') ?? '');
  const [actions, setActions] = useState<ActionDraft[]>(() => rule?.actions.map(actionDraft) ?? [freshAction()]);
  const [cap, setCap] = useState(rule?.cap?.type ?? '');
  const [active, setActive] = useState(rule?.active ?? true);
  const type = trigger.type as TriggerType;
  const forSale = SALE_TRIGGERS.includes(type);
  // The first campaign is the likely one: chosen for a new coupon action until another is picked.
  const firstCampaign = names.campaigns[0]?.campaignId ?? '';
  const drafts = actions.map((a) => (a.type === 'issue-coupon' && !a.campaignId && !rule ? { ...a, campaignId: firstCampaign } : a));

  const triggerBody = (): Record<string, unknown> => {
    const numeric = ['threshold', 'daysBefore', 'days'];
    const body: Record<string, unknown> = { type };
    const params: Partial<Record<TriggerType, string[]>> = {
      'segment-entered': ['segmentId'],
      'segment-left': ['segmentId'],
      'tier-changed': ['toTier'],
      'points-threshold': ['threshold'],
      birthday: ['daysBefore'],
      lapsed: ['days'],
      'api-event': ['name'],
    };
    for (const p of params[type] ?? []) {
      const v = (trigger[p] ?? '').trim();
      if (p === 'toTier' && v === '') continue;
      body[p] = numeric.includes(p) ? (v === '' ? undefined : Number(v)) : v;
    }
    return body;
  };

  const conditionsBody = (): Conditions => {
    // Conditions the form has no control for stay as the rule has them.
    const { minimumBasket: _m, channels: _c, segmentIds, families: _f, ...kept } = rule?.conditions ?? {};
    const c: Record<string, unknown> = forSale ? { ...kept } : {};
    if (forSale && minimum.trim() !== '') c.minimumBasket = toMinor(minimum, locale);
    if (forSale && channel) c.channels = [channel];
    if (forSale && families.trim()) c.families = families.split(',').map((f) => f.trim());
    if (segment) c.segmentIds = [segment, ...(segmentIds ?? []).filter((s) => s !== segment)];
    return c as Conditions;
  };

  const paramField = (param: string, label: string, numeric = false) => (
    <Field
      label={label}
      name={`trigger-${param}`}
      type={numeric ? 'number' : 'text'}
      min={numeric ? '0' : undefined}
      step={numeric ? '1' : undefined}
      value={trigger[param] ?? ''}
      onInput={(e) => setTrigger({ ...trigger, [param]: e.currentTarget.value })}
    />
  );
  // A segment the rule names that the list does not have (deleted since) stays selectable by its id.
  const segmentOptions = (empty: string, chosen = ''): Array<[string, string]> => [
    ['', empty],
    ...names.segments.map((s): [string, string] => [s.segmentId, s.name]),
    ...(chosen && !names.segments.some((s) => s.segmentId === chosen) ? [[chosen, chosen] as [string, string]] : []),
  ];

  return (
    <Section title={rule ? t('editRule') : t('newRule')} id="rule-form">
      <Form
        label={rule ? t('editRule') : t('newRule')}
        submit={rule ? t('saveVersion') : t('createRule')}
        onSubmit={async (data) => {
          const validTo = String(data.get('validTo') ?? '');
          const budget = String(data.get('budget') ?? '').trim();
          const body = {
            name: String(data.get('name') ?? ''),
            trigger: triggerBody(),
            conditions: conditionsBody(),
            actions: drafts.map(actionOf),
            validFrom: zonedToIso(String(data.get('validFrom')), locale),
            ...(validTo ? { validTo: zonedToIso(validTo, locale) } : {}),
            active,
            ...(budget ? { budget: { activations: Number(budget) } } : {}),
            ...(cap === 'once' ? { cap: { type: 'once' } } : cap === 'every' ? { cap: { type: 'every', days: Number(data.get('capDays')) } } : {}),
          };
          const path = rule ? `v1/offers/rules/${encodeURIComponent(rule.ruleId)}` : 'v1/offers/rules';
          props.onSaved(await api<RuleView>(rule ? 'PUT' : 'POST', path, body));
        }}
      >
        <Field label={t('name')} name="name" required maxLength={200} defaultValue={rule?.name} />
        <fieldset class="condition">
          <legend>{t('trigger')}</legend>
          <Select
            label={t('type')}
            name="trigger"
            value={type}
            options={(Object.keys(TRIGGERS) as TriggerType[]).map((tt) => [tt, t(TRIGGERS[tt])])}
            onChange={(next) => setTrigger({ type: next })}
          />
          {(type === 'segment-entered' || type === 'segment-left') && (
            <Select
              label={t('segment')}
              name="trigger-segmentId"
              value={trigger.segmentId ?? ''}
              options={segmentOptions('—', trigger.segmentId)}
              onChange={(segmentId) => setTrigger({ ...trigger, segmentId })}
            />
          )}
          {type === 'tier-changed' && paramField('toTier', t('toTier'))}
          {type === 'points-threshold' && paramField('threshold', t('points'), true)}
          {type === 'birthday' && paramField('daysBefore', t('daysBefore'), true)}
          {type === 'lapsed' && paramField('days', t('days'), true)}
          {type === 'api-event' && paramField('name', t('eventName'))}
        </fieldset>
        <fieldset class="condition">
          <legend>{t('conditions')}</legend>
          {forSale && (
            <>
              <Field
                label={t('minimumSale', { currency: locale.currency })}
                name="minimumBasket"
                type="number"
                min="0"
                step="0.01"
                value={minimum}
                onInput={(e) => setMinimum(e.currentTarget.value)}
              />
              <Select
                label={t('channel')}
                name="channel"
                value={channel}
                options={[
                  ['', t('anyChannel')],
                  ['store', t('store')],
                  ['online', t('online')],
                ]}
                onChange={setChannel}
              />
              <Field label={t('familiesCommas')} name="families" value={families} onInput={(e) => setFamilies(e.currentTarget.value)} />
            </>
          )}
          <Select label={t('segment')} name="segment" value={segment} options={segmentOptions(t('anyCustomer'), segment)} onChange={setSegment} />
        </fieldset>
        {drafts.map((d, i) => (
          <ActionRow
            key={i}
            draft={d}
            index={i}
            names={names}
            onChange={(next) => setActions(drafts.map((x, j) => (j === i ? next : x)))}
            onRemove={drafts.length > 1 ? () => setActions(drafts.filter((_, j) => j !== i)) : undefined}
          />
        ))}
        {drafts.length < 5 && (
          <button type="button" class="secondary" onClick={() => setActions([...drafts, freshAction(firstCampaign)])}>
            {t('addAction')}
          </button>
        )}
        <fieldset class="condition">
          <legend>{t('limits')}</legend>
          <Field
            label={t('validFrom')}
            name="validFrom"
            type="datetime-local"
            required
            defaultValue={zonedLocal(rule?.validFrom ?? new Date().toISOString(), locale)}
          />
          <Field label={t('validToOptional')} name="validTo" type="datetime-local" defaultValue={rule?.validTo ? zonedLocal(rule.validTo, locale) : ''} />
          <Select
            label={t('capLabel')}
            name="cap"
            value={cap}
            options={[
              ['', t('capNone')],
              ['once', t('capOnce')],
              ['every', t('capEveryOption')],
            ]}
            onChange={setCap}
          />
          {cap === 'every' && (
            <Field
              label={t('capDays')}
              name="capDays"
              type="number"
              min="1"
              step="1"
              required
              defaultValue={rule?.cap?.type === 'every' ? String(rule.cap.days) : '30'}
            />
          )}
          <Field
            label={t('budgetActivations')}
            name="budget"
            type="number"
            min="1"
            step="1"
            defaultValue={rule?.budget ? String(rule.budget.activations) : ''}
          />
          <Check label={t('ruleActive')} name="active" checked={active} onChange={setActive} />
        </fieldset>
      </Form>
    </Section>
  );
}

const REASONS: Record<NonNullable<Simulation['inactiveReason']>, Key> = {
  'no-version': 'reasonNoVersion',
  paused: 'paused',
  'not-yet-valid': 'reasonNotYetValid',
  expired: 'reasonExpired',
};

/** The event the rule's trigger waits for, as the simulation takes it: the answer is then about the customer's conditions, cap and budget. */
function triggeringEvent(trigger: Trigger): Record<string, unknown> {
  const type = trigger.type;
  switch (trigger.type) {
    case 'segment-entered':
    case 'segment-left':
      return { type, segmentId: trigger.segmentId };
    case 'tier-changed':
      return { type, tier: trigger.toTier ?? 'simulation', previousTier: null };
    case 'points-threshold':
      return { type, previousBalance: trigger.threshold - 1, balance: trigger.threshold };
    case 'birthday':
      return { type, days: trigger.daysBefore };
    case 'lapsed':
      return { type, days: trigger.days };
    case 'api-event':
      return { type, name: trigger.name };
    default:
      return { type };
  }
}

/** Asks what the rule would do for a customer now; for sale triggers, with a basket of the amount typed. Nothing is written. */
function Simulate({ rule }: { rule: RuleView }) {
  const locale = session.value!.tenant;
  const [result, setResult] = useState<Simulation & { basket?: number }>();
  const [channel, setChannel] = useState('store');
  const forSale = SALE_TRIGGERS.includes(rule.trigger.type);
  const yesNo = (b: boolean) => (b ? t('yes') : t('no'));
  return (
    <Section title={t('simulate')} id="rule-simulate">
      <Form
        label={t('simulate')}
        submit={t('simulateButton')}
        class="form inline"
        onSubmit={async (data) => {
          const basket = forSale ? toMinor(String(data.get('amount')), locale) : undefined;
          const event = forSale
            ? { ...triggeringEvent(rule.trigger), channel, lines: [{ sku: 'SIMULATION', quantity: 1, unitPrice: basket }] }
            : triggeringEvent(rule.trigger);
          const simulation = await api<Simulation>('POST', `v1/offers/rules/${encodeURIComponent(rule.ruleId)}/simulate`, {
            customerId: String(data.get('customerId')).trim(),
            event,
          });
          setResult({ ...simulation, basket });
        }}
      >
        <Field label={t('customerId')} name="customerId" required autocomplete="off" />
        {forSale && (
          <>
            <Select
              label={t('channel')}
              name="channel"
              value={channel}
              options={[
                ['store', t('store')],
                ['online', t('online')],
              ]}
              onChange={setChannel}
            />
            <Field label={t('basketAmount', { currency: locale.currency })} name="amount" type="number" min="0" step="0.01" required defaultValue="50" />
          </>
        )}
      </Form>
      {result && (
        <div id="simulation" role="status">
          <p>
            <strong>{result.wouldAct ? t('wouldAct') : t('wouldNotAct')}</strong>
            {result.inactiveReason && ` · ${t(REASONS[result.inactiveReason])}`}
            {result.stoppedBy && ` · ${result.stoppedBy === 'frequency-cap' ? t('stoppedByCap') : t('stoppedByBudget')}`}
          </p>
          <Table
            caption={t('conditions')}
            head={[t('checked'), t('held'), t('detail')]}
            rows={[
              [t('trigger'), yesNo(result.triggerFires), triggerText(rule.trigger, {})],
              ...result.conditions.map((c) =>
                // The basket against the minimum in money; other conditions as the API explains them.
                c.condition === 'minimumBasket' && result.basket !== undefined && rule.conditions.minimumBasket !== undefined
                  ? [
                      t('minimumBasket'),
                      yesNo(c.held),
                      `${money(result.basket, locale)} · ${t('atLeast', { amount: money(rule.conditions.minimumBasket, locale) })}`,
                    ]
                  : [CONDITIONS[c.condition] ? t(CONDITIONS[c.condition]!) : c.condition, yesNo(c.held), c.detail],
              ),
              ...result.actions.map((a) => [t(ACTIONS[a.type as Action['type']] ?? 'actionType'), yesNo(a.wouldRun), a.detail]),
            ]}
          />
        </div>
      )}
    </Section>
  );
}

/** One rule: its results (the report route's figures, as given), what it does, pause or resume, a simulation, an edit. */
export function RuleDetail({ params }: { params: Record<string, string> }) {
  const locale = session.value!.tenant;
  const path = `v1/offers/rules/${encodeURIComponent(params.id!)}`;
  const [changed, setChanged] = useState<RuleView>();
  const loaded = useLoad(() => api<RuleView>('GET', path), [path]);
  const report = useLoad(() => api<RuleReport>('GET', `${path}/report`), [path]);
  const names = useNames();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<unknown>();
  const [editing, setEditing] = useState(false);
  if (loaded.error) return <Problem error={loaded.error} />;
  const rule = changed ?? loaded.value;
  if (!rule) return <p role="status">{t('loading')}</p>;
  const r = report.value;
  const kpi = (id: string, label: string, value: string, detail?: string) => (
    <div class="kpi" id={`report-${id}`}>
      <span class="kpi-label">{label}</span>
      <strong class="kpi-value">{value}</strong>
      {detail && <span class="muted">{detail}</span>}
    </div>
  );
  const n = (x: number) => number(x, locale);
  return (
    <>
      <h1>{rule.name}</h1>
      <p>
        <State rule={rule} /> <span class="muted">{t('versionSince', { n: rule.version, since: dateTime(rule.since, locale) })}</span>
      </p>
      <div class="row">
        <button
          type="button"
          class={rule.active ? 'secondary' : undefined}
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setFailed(undefined);
            api<RuleView>('POST', `${path}/${rule.active ? 'pause' : 'resume'}`)
              .then(setChanged, setFailed)
              .finally(() => setBusy(false));
          }}
        >
          {rule.active ? t('pause') : t('resume')}
        </button>
        <button type="button" class="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>
          {t('editRule')}
        </button>
      </div>
      <Problem error={failed} />
      <Section title={t('results')} id="rule-results">
        <Problem error={report.error} />
        {!r && !report.error && <p role="status">{t('loading')}</p>}
        {r && (
          <div class="kpis">
            {kpi('triggered', t('activations'), n(r.triggered))}
            {kpi('acted', t('acted'), n(r.acted))}
            {kpi('capped', t('capped'), n(r.capped), t('cappedBy', { cap: n(r.cappedBy.frequencyCap), budget: n(r.cappedBy.budget) }))}
            {kpi('coupons-issued', t('couponsIssued'), n(r.couponsIssued))}
            {kpi('redeemed-store', t('redeemedStore'), n(r.couponsRedeemed.store))}
            {kpi('redeemed-online', t('redeemedOnline'), n(r.couponsRedeemed.online))}
            {kpi('points', t('pointsAwarded'), n(r.pointsAwarded))}
            {r.budget && kpi('budget', t('budgetUsed'), t('usedOf', { used: n(r.budget.used), total: n(r.budget.activations) }))}
          </div>
        )}
      </Section>
      <Section title={t('ruleDefinition')} id="rule-definition">
        <dl class="pairs">
          <div>
            <dt>{t('trigger')}</dt>
            <dd>{triggerText(rule.trigger, names.segmentNames)}</dd>
          </div>
          <div>
            <dt>{t('conditions')}</dt>
            <dd>{conditionsText(rule.conditions, locale, names.segmentNames)}</dd>
          </div>
          <div>
            <dt>{t('ruleActions')}</dt>
            <dd>{rule.actions.map((a) => actionText(a, locale, names.campaignNames)).join(' · ')}</dd>
          </div>
          <div>
            <dt>{t('window')}</dt>
            <dd>{windowText(rule, locale)}</dd>
          </div>
          <div>
            <dt>{t('capLabel')}</dt>
            <dd>{capText(rule)}</dd>
          </div>
          <div>
            <dt>{t('ruleBudget')}</dt>
            <dd>{rule.budget ? n(rule.budget.activations) : '—'}</dd>
          </div>
        </dl>
        {/* An event is judged by the version in force at its time: when each began tells which one that was. */}
        <Table
          caption={t('versions')}
          head={[t('version'), t('since'), t('status')]}
          numeric={[0]}
          rows={[...rule.versions].reverse().map((v) => [n(v.version), dateTime(v.since, locale), v.active ? t('ruleActive') : t('paused')])}
        />
      </Section>
      <Simulate rule={rule} />
      {editing && (
        <RuleForm
          key={rule.version}
          rule={rule}
          names={names}
          onSaved={(saved) => {
            setChanged(saved);
            setEditing(false);
            report.reload();
          }}
        />
      )}
    </>
  );
}
