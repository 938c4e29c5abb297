import { session, signOut } from './session';

/** An RFC 9457 problem the API answered, with the fields it names. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: Array<{ field: string; message: string }> = [],
  ) {
    super(message);
  }
}

/**
 * Where the API is: the same origin locally; in Azure the Static Web App's config.json names the
 * Function App (written at deployment, see the README), which allows this origin by CORS.
 */
const base: Promise<string> = fetch('config.json')
  .then((r): Promise<{ apiBaseUrl?: string }> => (r.ok ? r.json() : Promise.resolve({})))
  .then((c) => c.apiBaseUrl?.replace(/\/$/, '') ?? '/api')
  .catch(() => '/api');

/** Calls the platform's API with the signed-in key, exactly as any other client would: the console has no other door. */
export async function api<T>(method: string, path: string, body?: unknown, key = session.value?.key): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${await base}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && session.value) signOut();
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const p = (payload ?? {}) as { code?: string; detail?: string; title?: string; errors?: Array<{ field: string; message: string }> };
    throw new ApiProblem(response.status, p.code ?? 'error', p.detail ?? p.title ?? response.statusText, p.errors);
  }
  return payload as T;
}

/** Saves what a route answers as a file (CSV, a data export): fetched with the key in a header, never a link carrying it. */
export async function download(path: string, filename: string): Promise<void> {
  const response = await fetch(`${await base}/${path}`, { headers: { 'x-api-key': session.value?.key ?? '' } });
  if (!response.ok) throw new ApiProblem(response.status, 'error', response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
