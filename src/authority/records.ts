// Row shapes and their API JSON. Drivers differ (int8 as string or number, timestamptz as Date);
// every read goes through these mappers so both engines answer byte for byte alike.

export interface AgentRow {
  id: string;
  developer_id: string;
  did: string;
  name: string;
  description: string;
  scopes: string;
  status: string;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface BundleRow {
  id: string;
  developer_id: string;
  agent_id: string;
  agent_did: string;
  user_id: string;
  scopes: string;
  device_id: string | null;
  device_platform: string | null;
  status: string;
  revoked_at: Date | string | null;
  grant_revoked: boolean;
  grant_id: string;
  jti: string;
  offline_ttl_ms: number | string;
  offline_expires_at: Date | string;
  checkpoint_at: number | string;
  audit_public_key: string;
  audit_key_version: number;
  head_seq: number | string;
  head_hash: string;
  last_synced_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
  enrolled: boolean;
  enrollment_id: string | null;
  lifetime_ends_at: Date | string | null;
  suspended_at: Date | string | null;
  reported_head_seq: number | string | null;
  reported_head_hash: string | null;
  revoked_head_seq: number | string | null;
  /** JSON array of bundle flags (`TRAIL_TRUNCATED`). */
  flags: string;
  /** JSON array of the grant's limits, or null for none. */
  limits: string | null;
}

export interface EntryRow {
  id: string;
  seq: number | string;
  timestamp: string;
  action: string;
  agent_did: string;
  grant_id: string;
  scopes: string;
  result: string;
  metadata: string | null;
  prev_hash: string;
  hash: string;
  signature: string;
  synced_at: Date | string;
  /** JSON array of the flags the entry was stored with (PROTOCOL.md §5). */
  flags: string;
}

/** Columns of a bundle row plus its agent's DID, for `SELECT … FROM bundles b JOIN agents a`. */
export const BUNDLE_COLUMNS = 'b.*, a.did AS agent_did';

export const iso = (value: Date | string): string => new Date(value).toISOString();
/** ISO text of a nullable database time. */
export const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

/** `active`, `revoked`, `suspended` (a forked refresh, until an operator acts), or `expired` once the offline deadline has passed. */
export function bundleStatus(row: BundleRow, now: number): 'active' | 'revoked' | 'suspended' | 'expired' {
  if (row.status === 'revoked') return 'revoked';
  if (row.status === 'suspended') return 'suspended';
  return new Date(row.offline_expires_at).getTime() <= now ? 'expired' : 'active';
}

export function agentJson(row: AgentRow) {
  return {
    agentId: row.id,
    did: row.did,
    developerId: row.developer_id,
    name: row.name,
    description: row.description,
    scopes: JSON.parse(row.scopes) as string[],
    status: row.status,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** A bundle's record: what it grants and where its audit chain stands. No token, no private key. */
export function bundleJson(row: BundleRow, now: number) {
  return {
    bundleId: row.id,
    agentId: row.agent_id,
    agentDID: row.agent_did,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    deviceId: row.device_id,
    devicePlatform: row.device_platform,
    status: bundleStatus(row, now),
    grantId: row.grant_id,
    revokedAt: isoOrNull(row.revoked_at),
    grantRevoked: row.grant_revoked,
    offlineExpiresAt: iso(row.offline_expires_at),
    checkpointAt: Number(row.checkpoint_at),
    auditPublicKey: row.audit_public_key,
    syncedSeq: Number(row.head_seq),
    syncedHash: row.head_hash,
    lastSyncedAt: isoOrNull(row.last_synced_at),
    enrolled: row.enrolled,
    enrollmentId: row.enrollment_id,
    lifetimeEndsAt: isoOrNull(row.lifetime_ends_at),
    suspendedAt: isoOrNull(row.suspended_at),
    /** `TRAIL_TRUNCATED` once a device's later trail did not contain a head it reported. */
    flags: JSON.parse(row.flags) as string[],
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** A stored entry with the PROTOCOL.md §3 fields (metadata parsed from its exact text), `id` and `syncedAt`. */
export function entryJson(row: EntryRow) {
  return {
    id: row.id,
    seq: Number(row.seq),
    timestamp: row.timestamp,
    action: row.action,
    agentDID: row.agent_did,
    grantId: row.grant_id,
    scopes: JSON.parse(row.scopes) as string[],
    result: row.result,
    ...(row.metadata === null ? {} : { metadata: JSON.parse(row.metadata) as Record<string, unknown> }),
    prevHash: row.prev_hash,
    hash: row.hash,
    signature: row.signature,
    syncedAt: iso(row.synced_at),
    flags: JSON.parse(row.flags) as string[],
  };
}

export function revocationJson(row: BundleRow, now: number) {
  return {
    bundleId: row.id,
    status: bundleStatus(row, now),
    revokedAt: isoOrNull(row.revoked_at),
    grantRevoked: row.grant_revoked,
    checkpointAt: Number(row.checkpoint_at),
  };
}
