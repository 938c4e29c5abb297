import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/**
 * A Microsoft Entra ID stand-in for tests: publishes its signing keys where Entra does
 * (`/common/discovery/v2.0/keys`) over real HTTP, and signs v2.0 access tokens as Entra would
 * (`iss` https://<host>/<tid>/v2.0, `aud`, `tid`, `oid`, `roles`). The platform verifies them with
 * the code it runs in Azure, pointed here by ENTRA_AUTHORITY_HOST.
 */
export interface EntraIssuer {
  url: string;
  audience: string;
  token(claims: { tid: string; oid?: string; roles?: string[] }, options?: TokenOptions): Promise<string>;
  /** Stops answering key requests with 200 (as if the keys endpoint were down). */
  failKeys(down: boolean): void;
  stop(): Promise<void>;
}

interface TokenOptions {
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  /** Sign with a key the endpoint does not publish. */
  unpublishedKey?: boolean;
}

export async function startEntraIssuer(audience = 'api://unifica-test'): Promise<EntraIssuer> {
  const published = await generateKeyPair('RS256');
  const unpublished = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(published.publicKey)), kid: 'published-1', use: 'sig', alg: 'RS256' };
  let down = false;
  const server: Server = createServer((request, response) => {
    if (down || request.url !== '/common/discovery/v2.0/keys') {
      response.writeHead(down ? 503 : 404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (key: KeyLike, kid: string) => (jwt: SignJWT) => jwt.setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
  return {
    url,
    audience,
    token: async ({ tid, oid = randomUUID(), roles }, options = {}) => {
      const jwt = new SignJWT({ tid, oid, ...(roles ? { roles } : {}), ver: '2.0' })
        .setIssuer(options.issuer ?? `${url}/${tid}/v2.0`)
        .setAudience(options.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600));
      return options.unpublishedKey ? sign(unpublished.privateKey, 'published-1')(jwt) : sign(published.privateKey, 'published-1')(jwt);
    },
    failKeys: (value) => void (down = value),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
