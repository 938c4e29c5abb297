import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, consoleConfig, type Credential } from './api';
import { lang, t, type Lang } from './i18n';
import { PAGES } from './pages';
import { match, navigate, route } from './router';
import { session, signIn, signOut, type Session } from './session';
import { completeMicrosoftSignIn, forgetMicrosoftSignIn, returningFromMicrosoft, startMicrosoftSignIn, type StaffSignInConfig } from './staff-sign-in';
import { Field, Form, Problem, Select } from './ui';

/** Asks the API who the credential is (role, tenant, locale), then opens the console as that person. */
async function enter(credential: Credential): Promise<void> {
  const me = await api<Omit<Session, 'via' | 'key'>>('GET', 'v1/me', undefined, credential);
  sessionStorage.removeItem('unifica.console.signedOut');
  signIn({ ...me, ...('key' in credential ? { via: 'key', key: credential.key } : { via: 'microsoft' }) });
  navigate('/customers');
}

/** Staff of a retailer whose directory is connected sign in with Microsoft, when the deployment offers it. */
function MicrosoftSignIn() {
  const [config, setConfig] = useState<StaffSignInConfig | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    void consoleConfig.then(async ({ staffSignIn }) => {
      setConfig(staffSignIn);
      if (!staffSignIn || !returningFromMicrosoft()) return;
      try {
        const token = await completeMicrosoftSignIn(staffSignIn);
        history.replaceState(null, '', location.pathname);
        if (token) await enter({ token });
      } catch (e) {
        setError(e);
      }
    });
  }, []);
  if (!config) return null;
  return (
    <section aria-labelledby="microsoft-sign-in">
      <h2 id="microsoft-sign-in">{t('microsoftSignInTitle')}</h2>
      <Problem error={error} />
      <button type="button" onClick={() => void startMicrosoftSignIn(config).catch(setError)}>
        {t('microsoftSignIn')}
      </button>
    </section>
  );
}

function SignIn() {
  const [signedOut] = useState(() => sessionStorage.getItem('unifica.console.signedOut') === '1');
  return (
    <main id="main" class="sign-in">
      <h1>{t('signInTitle')}</h1>
      {signedOut && <p role="status">{t('signedOut')}</p>}
      <MicrosoftSignIn />
      <p>{t('signInHelp')}</p>
      <Form label={t('signIn')} submit={t('signIn')} onSubmit={async (data) => enter({ key: String(data.get('apiKey') ?? '').trim() })}>
        <Field label={t('apiKey')} name="apiKey" type="password" required autocomplete="off" spellcheck={false} />
      </Form>
    </main>
  );
}

/** Signs out: this tab forgets the key, or MSAL's tokens for a Microsoft sign-in, then shows the sign-in page. */
async function leave(me: Session): Promise<void> {
  sessionStorage.setItem('unifica.console.signedOut', '1');
  const { staffSignIn } = await consoleConfig;
  if (me.via === 'microsoft' && staffSignIn) await forgetMicrosoftSignIn(staffSignIn);
  signOut();
  navigate('/');
}

function LanguagePicker() {
  return (
    <Select
      label={t('language')}
      name="language"
      value={lang.value}
      onChange={(value) => (lang.value = value as Lang)}
      options={[
        ['es', 'Español'],
        ['en', 'English'],
      ]}
    />
  );
}

function Shell({ me }: { me: Session }) {
  const path = route.value === '/' ? '/customers' : route.value;
  const visible = PAGES.filter((p) => p.nav && (!p.roles || p.roles.includes(me.role)));
  const found = PAGES.map((page) => ({ page, params: match(page.path, path) })).find((m) => m.params);
  const View = found?.page.view;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('skip')}
      </a>
      <header class="top">
        <strong class="brand">{t('appName')}</strong>
        <span class="tenant">
          {me.tenant.name} · {t('signedInAs', { role: me.role })}
        </span>
        <LanguagePicker />
        <button type="button" class="secondary" onClick={() => void leave(me)}>
          {t('signOut')}
        </button>
      </header>
      <nav aria-label="unifica">
        <ul>
          {visible.map((p) => (
            <li key={p.path}>
              <a href={`#${p.path}`} aria-current={path === p.path || path.startsWith(`${p.path}/`) ? 'page' : undefined}>
                {t(p.nav!)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {View ? <View key={path} params={found.params!} /> : <p>{t('notFound')}</p>}
      </main>
    </>
  );
}

function App() {
  const me = session.value;
  void lang.value; // re-render on a language change
  return me ? <Shell me={me} /> : <SignIn />;
}

render(<App />, document.getElementById('app')!);
