import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent. In Azure (`azure`) only HTTPS to public unicast addresses: no
 * private, loopback, link-local (169.254.169.254, the instance metadata service), unique-local,
 * carrier-grade NAT or reserved ranges, nor Azure's platform address 168.63.129.16; a hostname is
 * resolved and every address it has must pass. Locally (`local`) loopback is allowed too, over
 * plain HTTP, so a developer's receiver on 127.0.0.1 works.
 */
export type TargetMode = 'azure' | 'local';

/** Resolves a hostname to every address it has (A and AAAA). */
export type Resolve = (hostname: string) => Promise<string[]>;

/** Azure's virtual public IP for DNS, DHCP and the instance health: reachable from every VM, never a customer's. */
const PLATFORM_ADDRESSES = new Set(['168.63.129.16']);

/** Why the address may not be a webhook target, or undefined when it may. */
export function addressRefusal(address: string, mode: TargetMode): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address);
  if (PLATFORM_ADDRESSES.has(parsed.toString())) return `${address} is a cloud metadata address`;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && mode === 'local') return undefined;
  if (range === 'linkLocal') return `${address} is a link-local address (where cloud metadata services answer)`;
  return `${address} is a ${range} address, not a public one`;
}

/** The URL, or why it may not be a webhook endpoint (without looking the host up). */
export function parseTarget(raw: string, mode: TargetMode): { url: URL } | { refusal: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refusal: 'is not a valid URL' };
  }
  if (url.username || url.password) return { refusal: 'may not carry credentials' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { refusal: 'must use https' };
  const host = hostOf(url);
  if (url.protocol === 'http:' && !(mode === 'local' && isLoopbackName(host))) {
    return { refusal: mode === 'local' ? 'must use https (plain http only to a loopback address)' : 'must use https' };
  }
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(host, mode);
    if (refusal) return { refusal };
  }
  return { url };
}

/** Registration and delivery: the URL's syntax, then every address its host resolves to. */
export async function targetRefusal(raw: string, mode: TargetMode, resolve: Resolve): Promise<string | undefined> {
  const parsed = parseTarget(raw, mode);
  if ('refusal' in parsed) return parsed.refusal;
  const host = hostOf(parsed.url);
  if (ipaddr.isValid(host)) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `host ${host} does not resolve`;
  }
  if (addresses.length === 0) return `host ${host} does not resolve`;
  for (const address of addresses) {
    const refusal = addressRefusal(address, mode);
    if (refusal) return `host ${host} resolves to ${refusal.replace(/^\S+ is /, 'a forbidden address: ')}`;
  }
  return undefined;
}

/** The hostname without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

function isLoopbackName(host: string): boolean {
  if (host === 'localhost') return true;
  return ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback';
}
