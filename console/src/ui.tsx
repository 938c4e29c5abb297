import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem } from './api';
import { t } from './i18n';

/** A labelled input: every control has a visible label tied to it. */
export function Field(props: { label: string; name: string } & JSX.InputHTMLAttributes<HTMLInputElement>) {
  const { label, name, ...input } = props;
  return (
    <label class="field">
      <span>{label}</span>
      <input name={name} {...input} />
    </label>
  );
}

export function Select(props: { label: string; name: string; value: string; options: Array<[string, string]>; onChange: (value: string) => void }) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select name={props.name} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What went wrong, said once to screen readers; the fields a 400 names are listed. */
export function Problem({ error }: { error: unknown }) {
  if (!error) return null;
  const p = error instanceof ApiProblem ? error : undefined;
  const text =
    p?.status === 404
      ? t('notFound')
      : p?.reason === 'no-role'
        ? t('noRole')
        : p?.reason === 'directory-not-connected'
          ? t('directoryNotConnected')
          : p?.status === 403
            ? t('forbidden')
            : `${t('error')}: ${(error as Error).message}`;
  return (
    <div class="problem" role="alert">
      <p>{text}</p>
      {p && p.errors.length > 0 && (
        <ul>
          {p.errors.map((e) => (
            <li key={e.field}>
              <code>{e.field}</code> {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Runs `load` when `deps` change; the page shows loading, the error or the value. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { value?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => void (live = false);
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

/** A form whose submit runs `action` once at a time and shows its error. */
export function Form(props: { label: string; onSubmit: (data: FormData) => Promise<void>; children: ComponentChildren; submit: string; class?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <form
      class={props.class ?? 'form'}
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        props
          .onSubmit(new FormData(e.currentTarget))
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      {props.children}
      <button type="submit" disabled={busy}>
        {props.submit}
      </button>
      <Problem error={error} />
    </form>
  );
}

export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={props.id} aria-labelledby={`${props.id ?? slug(props.title)}-title`}>
      <h2 id={`${props.id ?? slug(props.title)}-title`}>{props.title}</h2>
      {props.children}
    </section>
  );
}

const slug = (s: string) => `h-${s.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/** A table with a caption (read by screen readers), header cells and rows. */
export function Table(props: { caption: string; head: string[]; rows: ComponentChildren[][]; numeric?: number[]; captionHidden?: boolean }) {
  if (props.rows.length === 0) return <p class="muted">{t('none')}</p>;
  return (
    // A wide table scrolls sideways on a narrow screen: a labelled, focusable region, so the keyboard can scroll it too.
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.caption}>
      <table>
        <caption class={props.captionHidden ? 'visually-hidden' : undefined}>{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h, i) => (
              <th key={h} scope="col" class={props.numeric?.includes(i) ? 'num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, r) => (
            <tr key={r}>
              {row.map((cell, i) => (
                <td key={i} class={props.numeric?.includes(i) ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** First and next page of a list the API pages with a continuation token; `token` is the page shown (null: the first). */
export function Pager(props: { token: string | null; next: string | null | undefined; onPage: (token: string | null) => void }) {
  return (
    <div class="row">
      {props.token && (
        <button type="button" class="secondary" onClick={() => props.onPage(null)}>
          {t('firstPage')}
        </button>
      )}
      {props.next && (
        <button type="button" class="secondary" onClick={() => props.onPage(props.next!)}>
          {t('nextPage')}
        </button>
      )}
    </div>
  );
}

/**
 * Asks before an action that cannot be undone, in a modal dialog (focus moves into it, Escape
 * cancels). With `typeToConfirm`, the confirm button waits for that text.
 */
export function Confirm(props: { open: boolean; message: string; typeToConfirm?: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
    setTyped('');
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-message" onCancel={props.onCancel}>
      <p id="confirm-message">{props.message}</p>
      {props.typeToConfirm && <Field label={t('confirm')} name="typed" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />}
      <div class="row">
        <button type="button" class="danger" disabled={props.typeToConfirm !== undefined && typed !== props.typeToConfirm} onClick={props.onConfirm}>
          {t('confirm')}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          {t('cancel')}
        </button>
      </div>
    </dialog>
  );
}
