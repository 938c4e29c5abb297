import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from '../ports';

/**
 * Secrets the platform must use again (webhook signing secrets, a shop's app secret) are stored
 * encrypted (AES-256-GCM), so a read of the database (a backup, an export, a support query) never
 * yields one; each purpose has its own key. The key is derived from the operator's secret,
 * PLATFORM_ADMIN_KEY, which in Azure is a Key Vault reference; a deployment that wants the key
 * apart from it would wrap a data key with a Key Vault key instead, behind this same port.
 */
export class AesSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(operatorSecret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', operatorSecret, 'unifica', `${purpose} v1`, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
