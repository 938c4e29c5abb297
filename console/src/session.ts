import { signal } from '@preact/signals';
import type { Locale } from './i18n';

/** Who is signed in: with a key (kept for this tab only) or with Microsoft (MSAL keeps the tokens, for this tab too), and what `GET /api/v1/me` says. */
export interface Session {
  via: 'key' | 'microsoft';
  key?: string;
  keyId: string;
  role: 'admin' | 'pos' | 'ecommerce' | 'marketing' | 'store' | 'support';
  locationIds: string[] | null;
  tenant: Locale & { tenantId: string; name: string };
}

const STORED = 'unifica.console.session';

function restore(): Session | null {
  try {
    return JSON.parse(sessionStorage.getItem(STORED) ?? 'null') as Session | null;
  } catch {
    return null;
  }
}

/** Kept in session storage: it survives a reload of the tab and is gone when the tab closes. Never in a URL or local storage. */
export const session = signal<Session | null>(restore());

export function signIn(value: Session): void {
  sessionStorage.setItem(STORED, JSON.stringify(value));
  session.value = value;
}

export function signOut(): void {
  sessionStorage.removeItem(STORED);
  session.value = null;
}
