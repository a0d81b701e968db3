/** Meta name under which a log keeps the authority's revocation answer. */
export const REVOCATION_META = 'revocation';

/** What a sync records when the authority says the grant is revoked; guards read it. */
export interface RevocationRecord {
  /** The bundle the answer was about. */
  bundleId: string;
  /** When the grant was revoked, if the authority said. */
  revokedAt: string | null;
  /** When this device learned of it. */
  reportedAt: string;
}
