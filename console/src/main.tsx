import { render } from 'preact';
import { useState } from 'preact/hooks';
import { api } from './api';
import { lang, t, type Lang } from './i18n';
import { PAGES } from './pages';
import { match, navigate, route } from './router';
import { session, signIn, signOut, type Session } from './session';
import { Field, Form, Select } from './ui';

function SignIn() {
  const [signedOut] = useState(() => sessionStorage.getItem('unifica.console.signedOut') === '1');
  return (
    <main id="main" class="sign-in">
      <h1>{t('signInTitle')}</h1>
      {signedOut && <p role="status">{t('signedOut')}</p>}
      <p>{t('signInHelp')}</p>
      <Form
        label={t('signIn')}
        submit={t('signIn')}
        onSubmit={async (data) => {
          const key = String(data.get('apiKey') ?? '').trim();
          const me = await api<Omit<Session, 'key'>>('GET', 'v1/me', undefined, key);
          sessionStorage.removeItem('unifica.console.signedOut');
          signIn({ ...me, key });
          navigate('/customers');
        }}
      >
        <Field label={t('apiKey')} name="apiKey" type="password" required autocomplete="off" spellcheck={false} />
      </Form>
    </main>
  );
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
        <button
          type="button"
          class="secondary"
          onClick={() => {
            sessionStorage.setItem('unifica.console.signedOut', '1');
            signOut();
            navigate('/');
          }}
        >
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
