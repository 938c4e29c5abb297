import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures: HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the
 * endpoint's secret (the base64 bytes after `whsec_`), sent as `v1,<base64>`; several signatures
 * (one per active secret, during a rotation) are separated by spaces.
 */
export const SECRET_PREFIX = 'whsec_';

/** 32 random bytes: the specification asks for 24 to 64. */
export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function sign(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-signature` header: one signature per secret still valid. */
export function signatureHeader(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => sign(secret, messageId, timestampSeconds, body)).join(' ');
}

/** Whether one of the header's `v1` signatures is the secret's (what a receiver checks, with a timestamp tolerance). */
export function hasValidSignature(secret: string, header: string, messageId: string, timestampSeconds: number, body: string): boolean {
  const expected = Buffer.from(sign(secret, messageId, timestampSeconds, body));
  return header
    .split(' ')
    .map((candidate) => Buffer.from(candidate))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}
