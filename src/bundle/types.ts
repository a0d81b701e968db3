import type { AuditKeySpan } from '../audit/key-spans.js';
import type { JWKSSnapshot } from '../verifier/snapshot.js';

/** A consent bundle as the authority issues it (PROTOCOL.md §1, camelCase JSON). */
export interface ConsentBundle {
  /** The authority's id for this bundle. */
  bundleId: string;
  /** RS256 grant token (compact JWS). */
  grantToken: string;
  /** The issuer's public keys, to verify `grantToken` offline. */
  jwksSnapshot: JWKSSnapshot;
  /** Ed25519 audit key pair: SPKI / PKCS#8 PEM. In a browser store the private half may be a non-extractable `CryptoKey`. */
  offlineAuditKey: { publicKey: string; privateKey: string | CryptoKey; algorithm: string };
  /** Unix milliseconds of issue / last refresh. */
  checkpointAt: number;
  /** Full URL of the authority's `/v1/audit/offline-sync`. */
  syncEndpoint: string;
  /** ISO-8601 hard deadline for offline use. */
  offlineExpiresAt: string;
  /** This project only: which audit key signs which `seq` range (PROTOCOL.md §9). */
  auditKeySpans?: AuditKeySpan[];
  /** This project only: the bundle came from an enrollment and refreshes only with device proofs. */
  enrolled?: boolean;
  /** This project only: the enrollment the bundle was redeemed from. */
  enrollmentId?: string;
  /**
   * This project only: the audit log of this bundle must have a sealed high-water mark
   * (pass it as `createOfflineAuditLog({ requireMark: bundle.hwmRequired })`, or give `bundle`).
   * Set on bundles created, redeemed or sealed by this version; absent on older and
   * `@grantex/gemma` bundles, whose logs adopt a mark on first open.
   */
  hwmRequired?: boolean;
}
