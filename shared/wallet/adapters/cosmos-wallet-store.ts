import type { CreateOutcome } from '../../kernel/ports';
import type { Documents } from '../../kernel/adapters/documents';
import type { StoredToken, TokenStore } from '../tokens';
import type { DataRequest, WalletStore } from '../wallet';
import type { WalletSettings } from '../settings';

const SETTINGS_ID = 'settings';
/** Expired tokens stay readable this long after expiry (then Cosmos DB's TTL removes them); reads check `expiresAt` regardless. */
const TOKEN_TTL_GRACE_SECONDS = 86_400;

interface Holder {
  id: string;
  tenantId: string;
  kind: 'holder';
  customerId: string;
  generation: number;
  revokedAt: string;
}

/**
 * `wallet` ([tenantId, id]): `token:<sha256 of the secret>` (never the token), `holder:<customerId>`
 * (the customer's link generation), `request:<requestId>` (data requests), the tenant's `settings`.
 */
export class CosmosWalletStore implements TokenStore, WalletStore {
  constructor(private readonly docs: Documents) {}

  private pk = (tenantId: string, id: string) => [tenantId, id];

  createToken(token: StoredToken): Promise<CreateOutcome> {
    const ttl = Math.max(1, Math.ceil((Date.parse(token.expiresAt) - Date.parse(token.createdAt)) / 1000)) + TOKEN_TTL_GRACE_SECONDS;
    return this.docs.create({ ...token, id: `token:${token.tokenHash}`, kind: 'token', ttl });
  }

  async getToken(tenantId: string, tokenHash: string): Promise<StoredToken | undefined> {
    const id = `token:${tokenHash}`;
    const doc = await this.docs.read<StoredToken>(id, this.pk(tenantId, id));
    if (doc?.tenantId !== tenantId) return undefined;
    const { tokenHash: hash, customerId, purpose, generation, createdAt, expiresAt, createdBy } = doc;
    return { tokenHash: hash, tenantId, customerId, purpose, generation, createdAt, expiresAt, createdBy };
  }

  async generation(tenantId: string, customerId: string): Promise<number> {
    const id = `holder:${customerId}`;
    const doc = await this.docs.read<Holder>(id, this.pk(tenantId, id));
    return doc?.tenantId === tenantId ? doc.generation : 0;
  }

  /** One conditional increment (or the first create): concurrent revocations each move it on. */
  async revokeAll(tenantId: string, customerId: string, at: string): Promise<number> {
    const id = `holder:${customerId}`;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const result = await this.docs.patchIf<Holder>(id, this.pk(tenantId, id), undefined, [
        { op: 'incr', path: '/generation', value: 1 },
        { op: 'set', path: '/revokedAt', value: at },
      ]);
      if (result.outcome === 'applied') return result.doc.generation;
      if ((await this.docs.create<Holder>({ id, tenantId, kind: 'holder', customerId, generation: 1, revokedAt: at })) === 'created') return 1;
    }
    throw new Error('Could not revoke the wallet links');
  }

  async getSettings(tenantId: string): Promise<WalletSettings | undefined> {
    const doc = await this.docs.read<WalletSettings & { tenantId: string }>(SETTINGS_ID, this.pk(tenantId, SETTINGS_ID));
    if (doc?.tenantId !== tenantId) return undefined;
    const { displayName, language, colours, logoUrl, privacyPolicy, pageUrl = null, linkDays, signInMinutes, updatedAt } = doc;
    return { displayName, language, colours, logoUrl, privacyPolicy, pageUrl, linkDays, signInMinutes, updatedAt };
  }

  async saveSettings(tenantId: string, settings: WalletSettings): Promise<void> {
    await this.docs.upsert({ ...settings, id: SETTINGS_ID, tenantId, kind: 'settings' });
  }

  createRequest(tenantId: string, request: DataRequest): Promise<CreateOutcome> {
    return this.docs.create({ ...request, id: `request:${request.requestId}`, tenantId, kind: 'request' });
  }

  async getRequest(tenantId: string, requestId: string): Promise<DataRequest | undefined> {
    const id = `request:${requestId}`;
    const doc = await this.docs.read<DataRequest & { tenantId: string }>(id, this.pk(tenantId, id));
    return doc?.tenantId === tenantId ? request(doc) : undefined;
  }

  async listRequests(tenantId: string, customerId?: string): Promise<DataRequest[]> {
    const docs = await this.docs.queryAll<DataRequest>(
      `SELECT * FROM c WHERE c.tenantId = @t AND c.kind = 'request'${customerId ? ' AND c.customerId = @c' : ''} ORDER BY c.requestedAt DESC`,
      [{ name: '@t', value: tenantId }, ...(customerId ? [{ name: '@c', value: customerId }] : [])],
    );
    return docs.map(request);
  }

  async completeRequests(tenantId: string, customerId: string, at: string): Promise<void> {
    for (const open of (await this.listRequests(tenantId, customerId)).filter((r) => r.completedAt === null)) {
      const id = `request:${open.requestId}`;
      await this.docs.patchAll(id, this.pk(tenantId, id), { '/completedAt': at });
    }
  }
}

function request(doc: DataRequest): DataRequest {
  const { requestId, customerId, type, requestedAt, channel, completedAt } = doc;
  return { requestId, customerId, type, requestedAt, channel, completedAt };
}
