import { session, signOut } from './session';
import { microsoftToken, type StaffSignInConfig } from './staff-sign-in';

/** An RFC 9457 problem the API answered, with the fields it names. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: Array<{ field: string; message: string }> = [],
    /** The problem's stable `reason`, when it gives one (e.g. `no-role`). */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/**
 * Where the API is and how staff sign in: locally the same origin and a key; in Azure the Static Web
 * App's config.json (written at deployment, see the README) names the Function App, which allows this
 * origin by CORS, and the Microsoft Entra ID sign-in, when the platform has one.
 */
export const consoleConfig: Promise<{ apiBaseUrl?: string; staffSignIn?: StaffSignInConfig }> = fetch('config.json')
  .then((r) => (r.ok ? r.json() : {}))
  .catch(() => ({}));
const base: Promise<string> = consoleConfig.then((c) => c.apiBaseUrl?.replace(/\/$/, '') ?? '/api');

/** A key, or an access token from Microsoft Entra ID: what the API authenticates, the same for every client. */
export type Credential = { key: string } | { token: string };

async function credentialHeaders(
  credential: Credential | undefined = session.value?.key ? { key: session.value.key } : undefined,
): Promise<Record<string, string>> {
  if (credential && 'key' in credential) return { 'x-api-key': credential.key };
  if (credential) return { authorization: `Bearer ${credential.token}` };
  const signIn = session.value?.via === 'microsoft' && (await consoleConfig).staffSignIn;
  return signIn ? { authorization: `Bearer ${await microsoftToken(signIn)}` } : {};
}

/** Calls the platform's API as the signed-in person, exactly as any other client would: the console has no other door. */
export async function api<T>(method: string, path: string, body?: unknown, credential?: Credential): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...(await credentialHeaders(credential)) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${await base}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && session.value) signOut();
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const p = (payload ?? {}) as { code?: string; detail?: string; title?: string; reason?: string; errors?: Array<{ field: string; message: string }> };
    throw new ApiProblem(response.status, p.code ?? 'error', p.detail ?? p.title ?? response.statusText, p.errors, p.reason);
  }
  return payload as T;
}

/** Saves what a route answers as a file (CSV, a data export): fetched with the credential in a header, never a link carrying it. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(`${await base}/${path}`, { headers: await credentialHeaders() });
  if (!response.ok) throw new ApiProblem(response.status, 'error', response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
