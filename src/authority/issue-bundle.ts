import { SignJWT, type JWK } from 'jose';
import { generateEd25519KeyPair } from '../crypto/ed25519.js';
import { LIMITS_CLAIM, type GrantLimit } from '../verifier/limits.js';
import type { AuthorityContext } from './context.js';
import type { Queryable } from './db/types.js';
import { newId } from './ids.js';
import { activeSigningKey, noteTokenExpiry, publishedKeys } from './signing-keys.js';

/** A consent bundle as PROTOCOL.md §1 defines it; `privateKey` is sent once and never stored. */
export interface IssuedBundle {
  /** The new bundle's id. */
  bundleId: string;
  /** The signed RS256 grant token. */
  grantToken: string;
  /** The keys that verify it; valid until the token expires. */
  jwksSnapshot: { keys: JWK[]; fetchedAt: string; validUntil: string };
  /** `privateKey` only for a legacy bundle, whose pair the authority made; an enrolled device made its own. */
  offlineAuditKey: { publicKey: string; privateKey?: string; algorithm: 'Ed25519' };
  /** Unix ms of this issue. */
  checkpointAt: number;
  /** Full URL of the authority's offline-sync endpoint. */
  syncEndpoint: string;
  /** The hard offline deadline (ISO 8601): the token's `exp`. */
  offlineExpiresAt: string;
}

/** Whose grant a token carries. */
export interface GrantSubject {
  bundleId: string;
  developerId: string;
  agentDID: string;
  userId: string;
  scopes: string[];
  grantId: string;
  deviceId: string | null;
  ttlMs: number;
  /** The device's own audit public key (enrolled bundles); without it a pair is made here. */
  auditPublicKey?: string;
  /** No offline deadline past this (an enrollment's `maxLifetime`), Unix ms. */
  notAfterMs?: number | null;
  /** The grant's limits, signed under `LIMITS_CLAIM`; none (or []) leaves the token as it was without them. */
  limits?: readonly GrantLimit[];
}

/**
 * Signs a fresh grant token and makes a fresh audit key pair for a bundle. The token's `exp`
 * is the offline deadline, and the snapshot stays valid exactly as long.
 */
export async function issueBundle(
  ctx: AuthorityContext,
  db: Queryable,
  subject: GrantSubject,
  baseUrl: string,
): Promise<{ bundle: IssuedBundle; jti: string }> {
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  const exp = Math.floor(Math.min(now + subject.ttlMs, subject.notAfterMs ?? Infinity) / 1000);
  const expiresAt = new Date(exp * 1000);
  const jti = newId('tok');
  const signer = await activeSigningKey(db, ctx.signingKeys);
  await noteTokenExpiry(db, signer.kid, expiresAt); // Before signing: the key must stay published for this token.
  const [grantToken, auditKey, keys] = await Promise.all([
    new SignJWT({
      agt: subject.agentDID,
      dev: subject.developerId,
      scp: subject.scopes,
      grnt: subject.grantId,
      ...(subject.deviceId === null ? {} : { dvc: subject.deviceId }),
      ...(subject.limits && subject.limits.length > 0 ? { [LIMITS_CLAIM]: subject.limits } : {}),
    })
      .setProtectedHeader({ alg: 'RS256', kid: signer.kid, typ: 'JWT' })
      .setIssuer(ctx.issuer ?? baseUrl)
      .setSubject(subject.userId)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(signer.privateKey),
    subject.auditPublicKey === undefined ? generateEd25519KeyPair() : { publicKey: subject.auditPublicKey, algorithm: 'Ed25519' as const },
    publishedKeys(db, now),
  ]);
  if (!keys.some((k) => k.kid === signer.kid)) keys.unshift(signer.publicJwk);
  return {
    jti,
    bundle: {
      bundleId: subject.bundleId,
      grantToken,
      jwksSnapshot: { keys, fetchedAt: new Date(now).toISOString(), validUntil: expiresAt.toISOString() },
      offlineAuditKey: auditKey,
      checkpointAt: now,
      syncEndpoint: `${baseUrl}/v1/audit/offline-sync`,
      offlineExpiresAt: expiresAt.toISOString(),
    },
  };
}
