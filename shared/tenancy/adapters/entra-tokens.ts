import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { DomainError } from '../../kernel/errors';
import type { Clock } from '../../kernel/ports';
import type { StaffClaims, StaffTokenVerifier } from '../tenancy';

const INVALID_TOKEN = [
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

export interface EntraSettings {
  /** The API's application id URI or client id: the `aud` its access tokens carry. */
  audience: string;
  /** https://login.microsoftonline.com in Azure's public cloud; another host serves the same paths (a sovereign cloud, a test issuer). */
  authorityHost: string;
}

/**
 * Microsoft Entra ID v2.0 access tokens for the platform's API, from any organisation's directory
 * (the app is multi-tenant; which directories may sign in to which tenant is the tenancy's
 * business). Signature from the published signing keys (fetched once, then again only for an
 * unknown key id), RS256 only, the issuer of the token's own directory, the audience, the lifetime
 * with a minute's leeway for clock skew.
 */
export class EntraTokens implements StaffTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly settings: EntraSettings,
    private readonly clock: Clock,
  ) {
    this.keys = createRemoteJWKSet(new URL(`${settings.authorityHost}/common/discovery/v2.0/keys`), { timeoutDuration: 5000 });
  }

  async verify(token: string): Promise<StaffClaims | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        audience: this.settings.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
        currentDate: this.clock.now(),
        requiredClaims: ['iss', 'exp', 'tid', 'oid'],
      }));
    } catch (error) {
      // A token that is not valid is the caller's problem (401); signing keys that cannot be fetched are ours (503).
      if (INVALID_TOKEN.some((kind) => error instanceof kind)) return undefined;
      throw new DomainError('dependency-unavailable', `The sign-in service's signing keys could not be fetched (${(error as Error).message})`, {
        retryAfterSeconds: 5,
      });
    }
    const { tid, oid, roles } = payload as JWTPayload & { tid: unknown; oid: unknown; roles?: unknown };
    if (typeof tid !== 'string' || typeof oid !== 'string') return undefined;
    if (payload.iss !== `${this.settings.authorityHost}/${tid}/v2.0`) return undefined;
    return { directoryId: tid, objectId: oid, roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [] };
  }
}
