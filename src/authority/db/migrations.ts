import type { Db } from './types.js';

// Serialises migrations across processes that start at once against one database.
const MIGRATION_LOCK = '7308183241120501';

interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * The schema, one append-only list; each step runs once, in order, in one transaction.
 * JSON (scopes, JWKs, metadata) is kept as text so both drivers return it byte for byte.
 */
const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    statements: [
      `CREATE TABLE developers (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      )`,
      // Only the SHA-256 of a key is stored; keys are 32 random bytes, so no salt or KDF is needed.
      `CREATE TABLE api_keys (
        key_hash text PRIMARY KEY,
        developer_id text NOT NULL REFERENCES developers(id),
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`,
      `CREATE TABLE agents (
        id text PRIMARY KEY,
        row_no bigserial NOT NULL UNIQUE,
        developer_id text NOT NULL REFERENCES developers(id),
        did text NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL,
        scopes text NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX agents_by_developer ON agents (developer_id, row_no)`,
      `CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        private_jwk text NOT NULL,
        public_jwk text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz,
        last_token_exp timestamptz
      )`,
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL`,
      `CREATE TABLE bundles (
        id text PRIMARY KEY,
        row_no bigserial NOT NULL UNIQUE,
        developer_id text NOT NULL REFERENCES developers(id),
        agent_id text NOT NULL REFERENCES agents(id),
        user_id text NOT NULL,
        scopes text NOT NULL,
        device_id text,
        device_platform text,
        status text NOT NULL,
        revoked_at timestamptz,
        grant_revoked boolean NOT NULL DEFAULT false,
        grant_id text NOT NULL UNIQUE,
        jti text NOT NULL,
        offline_ttl_ms bigint NOT NULL,
        offline_expires_at timestamptz NOT NULL,
        checkpoint_at bigint NOT NULL,
        audit_public_key text NOT NULL,
        audit_key_version integer NOT NULL,
        head_seq bigint NOT NULL DEFAULT 0,
        head_hash text NOT NULL,
        last_synced_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`,
      `CREATE INDEX bundles_by_developer ON bundles (developer_id, row_no)`,
      // Every audit public key a bundle was ever given: entries signed before a refresh still verify.
      `CREATE TABLE bundle_audit_keys (
        bundle_id text NOT NULL REFERENCES bundles(id),
        version integer NOT NULL,
        public_key text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (bundle_id, version)
      )`,
      `CREATE TABLE audit_entries (
        bundle_id text NOT NULL REFERENCES bundles(id),
        seq bigint NOT NULL,
        id text NOT NULL,
        timestamp text NOT NULL,
        action text NOT NULL,
        agent_did text NOT NULL,
        grant_id text NOT NULL,
        scopes text NOT NULL,
        result text NOT NULL,
        metadata text,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        signature text NOT NULL,
        audit_key_version integer NOT NULL,
        device_id text,
        synced_at timestamptz NOT NULL,
        PRIMARY KEY (bundle_id, seq)
      )`,
    ],
  },
  {
    version: 2,
    name: 'rate limit windows shared by every authority process',
    statements: [
      `CREATE TABLE rate_limit_windows (
        key_hash text NOT NULL,
        rule text NOT NULL,
        window_start bigint NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (key_hash, rule, window_start)
      )`,
    ],
  },
  {
    version: 3,
    name: 'device credentials: enrollment codes, device proof jtis, audit key spans',
    statements: [
      // Only the SHA-256 of a code is stored: codes are 192 random bits, single use, short-lived.
      `CREATE TABLE enrollments (
        id text PRIMARY KEY,
        row_no bigserial NOT NULL UNIQUE,
        developer_id text NOT NULL REFERENCES developers(id),
        agent_id text NOT NULL REFERENCES agents(id),
        user_id text NOT NULL,
        scopes text NOT NULL,
        offline_ttl_ms bigint NOT NULL,
        max_lifetime_ms bigint NOT NULL,
        device_id text,
        device_platform text,
        code_hash text NOT NULL UNIQUE,
        status text NOT NULL,
        expires_at timestamptz NOT NULL,
        bundle_id text REFERENCES bundles(id),
        created_at timestamptz NOT NULL,
        redeemed_at timestamptz,
        cancelled_at timestamptz
      )`,
      `CREATE INDEX enrollments_by_developer ON enrollments (developer_id, row_no)`,
      `ALTER TABLE bundles ADD COLUMN enrolled boolean NOT NULL DEFAULT false`,
      `ALTER TABLE bundles ADD COLUMN enrollment_id text`,
      `ALTER TABLE bundles ADD COLUMN lifetime_ends_at timestamptz`,
      `ALTER TABLE bundles ADD COLUMN suspended_at timestamptz`,
      // from_seq: the first seq the key signs (null: issued by an API-key refresh, not used yet).
      // issued: the answer of the device refresh that made the key, repeated to a retry.
      `ALTER TABLE bundle_audit_keys ADD COLUMN from_seq bigint`,
      `ALTER TABLE bundle_audit_keys ADD COLUMN issued text`,
      `UPDATE bundle_audit_keys SET from_seq = 1 WHERE version = 1`,
      `UPDATE bundle_audit_keys k SET from_seq = s.first_seq
         FROM (SELECT bundle_id, audit_key_version, min(seq) AS first_seq FROM audit_entries GROUP BY bundle_id, audit_key_version) s
         WHERE k.bundle_id = s.bundle_id AND k.version = s.audit_key_version AND k.version > 1`,
      // Seen proof ids, kept just past the proof's acceptance window; shared by every process.
      `CREATE TABLE device_proof_jtis (
        bundle_id text NOT NULL,
        jti text NOT NULL,
        expires_at bigint NOT NULL,
        PRIMARY KEY (bundle_id, jti)
      )`,
    ],
  },
  {
    version: 4,
    name: 'entry flags, reported device heads, trail truncation',
    statements: [
      // What a stored entry was flagged with at sync (a JSON array of flag names; PROTOCOL.md §5).
      `ALTER TABLE audit_entries ADD COLUMN flags text NOT NULL DEFAULT '[]'`,
      // The highest log head a device proof reported, and the one reported before the first revocation.
      `ALTER TABLE bundles ADD COLUMN reported_head_seq bigint`,
      `ALTER TABLE bundles ADD COLUMN reported_head_hash text`,
      `ALTER TABLE bundles ADD COLUMN revoked_head_seq bigint`,
      // Flags of the bundle as a whole (a JSON array, e.g. ["TRAIL_TRUNCATED"]).
      `ALTER TABLE bundles ADD COLUMN flags text NOT NULL DEFAULT '[]'`,
    ],
  },
  {
    version: 5,
    name: 'flagged entries index',
    statements: [
      // `GET …/audit?flagged=true` pages through a trail's flagged entries without reading the rest.
      `CREATE INDEX audit_entries_flagged ON audit_entries (bundle_id, seq) WHERE flags <> '[]'`,
    ],
  },
  {
    version: 6,
    name: 'operator console sessions',
    statements: [
      // Only the SHA-256 of the random session token is stored (the cookie holds the token). A
      // session stands only while the API key it was opened with is not revoked (checked on every
      // request by a join), so revoking a key ends its sessions on every instance at once.
      `CREATE TABLE console_sessions (
        token_hash text PRIMARY KEY,
        developer_id text NOT NULL REFERENCES developers(id),
        api_key_hash text NOT NULL REFERENCES api_keys(key_hash),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX console_sessions_expiry ON console_sessions (expires_at)`,
    ],
  },
  {
    version: 7,
    name: 'grant limits',
    statements: [
      // The limits signed into the grant (JSON text, as the claim holds them); null: none. Part of
      // the consent, so a refresh signs the same ones again; the sync replays the trail against them.
      `ALTER TABLE bundles ADD COLUMN limits text`,
      `ALTER TABLE enrollments ADD COLUMN limits text`,
    ],
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the schema up to date. Idempotent, and safe when several processes start at once:
 * the first takes a transaction-scoped advisory lock, the others wait and then find nothing to do.
 * Refuses a database migrated by a newer release rather than run against an unknown schema.
 */
export async function migrate(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new Error(`Database schema version ${newest} is newer than this authority (${SCHEMA_VERSION}); upgrade offline-consent`);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
  });
}
