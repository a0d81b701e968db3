// Test-only token factory: signs grant tokens with the vector issuer key through jose.
import { SignJWT, importJWK, type JWK, type JWTPayload } from 'jose';
import vectors from '../vectors/interop-vectors.json';
import type { JWKSSnapshot } from '../../src/index.js';

export const ISSUER_KID = vectors.jwt.publicJwk.kid;
/** A fixed instant between the vector token's iat and exp (Unix ms). */
export const NOW = 1_795_100_000_000;
export const NOW_S = NOW / 1000;

export function snapshot(overrides: Partial<JWKSSnapshot> = {}): JWKSSnapshot {
  return {
    keys: [vectors.jwt.publicJwk as JWK],
    fetchedAt: '2026-11-18T11:06:40.000Z',
    validUntil: '2026-11-21T11:06:40.000Z',
    ...overrides,
  };
}

export function grantClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: 'https://authority.example',
    sub: 'user_alice',
    agt: 'did:key:z6MkAgent',
    scp: ['sensor:read', 'thermostat:write'],
    jti: 'tok_test',
    grnt: 'grnt_test',
    iat: NOW_S - 60,
    exp: NOW_S + 3600,
    ...overrides,
  };
}

let issuerKey: CryptoKey | undefined;
export async function issuerPrivateKey(): Promise<CryptoKey> {
  issuerKey ??= (await importJWK(vectors.jwt.privateJwk as JWK, 'RS256')) as CryptoKey;
  return issuerKey;
}

/** Signs claims as RS256 with the vector key (header overridable). */
export async function signToken(claims: JWTPayload = grantClaims(), header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: ISSUER_KID, typ: 'JWT', ...header })
    .sign(await issuerPrivateKey());
}

/** Encodes a token with arbitrary header/payload and signature parts, unsigned. */
export function rawToken(header: unknown, payload: unknown, signature = ''): string {
  const enc = (v: unknown) =>
    btoa(JSON.stringify(v)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${enc(header)}.${enc(payload)}.${signature}`;
}
