// The status filter of bundle lists, shared by `GET /v1/consent-bundles` and the console.

/** Statuses a bundle list can be filtered by (`bundleStatus` of records.ts). */
export const BUNDLE_STATUSES = ['active', 'revoked', 'suspended', 'expired'] as const;

/**
 * SQL condition on `bundles b`: true when the text parameter `status` is null or names the
 * status `bundleStatus` gives the row at the timestamptz parameter `now` (e.g. `'$4'`, `'$5'`).
 */
export function statusCondition(status: string, now: string): string {
  return `(${status}::text IS NULL
           OR (${status} = 'revoked' AND b.status = 'revoked')
           OR (${status} = 'suspended' AND b.status = 'suspended')
           OR (${status} = 'active' AND b.status = 'active' AND b.offline_expires_at > ${now}::timestamptz)
           OR (${status} = 'expired' AND b.status = 'active' AND b.offline_expires_at <= ${now}::timestamptz))`;
}
