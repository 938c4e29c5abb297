import { signal } from '@preact/signals';

/** The route is the part after `#`: ids of customers or campaigns may be in it, keys never are. */
export const route = signal(location.hash.slice(1) || '/');
addEventListener('hashchange', () => (route.value = location.hash.slice(1) || '/'));

export function navigate(path: string): void {
  location.hash = path;
}

/** `/customers/:id` against `/customers/c_1` gives `{ id: 'c_1' }`; undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const a = pattern.split('/');
  const b = path.split('?')[0]!.split('/');
  if (a.length !== b.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i += 1) {
    if (a[i]!.startsWith(':')) params[a[i]!.slice(1)] = decodeURIComponent(b[i]!);
    else if (a[i] !== b[i]) return undefined;
  }
  return params;
}
