import { BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { BlobReceiptFiles } from './receipt-files';

const identity: TokenCredential = { getToken: async (): Promise<AccessToken> => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3600_000 }) };

describe('receipt links in Azure (managed identity, no account keys)', () => {
  it('are user-delegation SAS URLs, read-only, HTTPS-only, expiring, signed with one cached delegation key', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const client = new BlobServiceClient('https://unificast.blob.core.windows.net', identity);
    const key: UserDelegationKey = {
      signedObjectId: '11111111-1111-1111-1111-111111111111',
      signedTenantId: '22222222-2222-2222-2222-222222222222',
      signedStartsOn: now,
      signedExpiresOn: new Date(now.getTime() + 7 * 86_400_000),
      signedService: 'b',
      signedVersion: '2025-01-05',
      value: Buffer.from('a delegation key of thirty-two bytes').toString('base64'),
    };
    const getKey = jest.spyOn(client, 'getUserDelegationKey').mockResolvedValue(key as never);
    const files = new BlobReceiptFiles(client, 'receipts', { now: () => now });

    const expiresAt = new Date(now.getTime() + 86_400_000);
    const html = new URL(await files.link('t1', 'tx_1', 'html', expiresAt));
    const json = new URL(await files.link('t1', 'tx_1', 'json', expiresAt));

    expect(html.origin + html.pathname).toBe('https://unificast.blob.core.windows.net/receipts/t1/tx_1.html');
    expect(json.pathname).toBe('/receipts/t1/tx_1.json');
    expect(Object.fromEntries(html.searchParams)).toMatchObject({
      sp: 'r',
      spr: 'https',
      sr: 'b',
      se: '2026-11-23T10:00:00Z',
      skoid: key.signedObjectId,
      sktid: key.signedTenantId,
      sig: expect.any(String),
    });
    expect(getKey).toHaveBeenCalledTimes(1);
  });
});
