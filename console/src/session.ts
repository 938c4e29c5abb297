import { signal } from '@preact/signals';
import type { Locale } from './i18n';

/** Who is signed in: the key (this tab only) and what `GET /api/v1/me` says about it. */
export interface Session {
  key: string;
  keyId: string;
  role: 'admin' | 'pos' | 'ecommerce';
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
