/** Outcome recorded for an action; the upstream values plus any string the caller needs. */
export type AuditResult = 'success' | 'auth_failure' | 'scope_violation' | 'execution_error' | (string & {});

/** What the caller appends: the action and who did it under which grant. */
export interface AuditEntry {
  /** What was done, e.g. `sensor.read` or `tool:read_sensor`. */
  action: string;
  /** The agent's DID (the grant token's `agt`). */
  agentDID: string;
  /** The grant the action ran under. */
  grantId: string;
  /** The scopes the action needed (the guard records only those the grant holds). */
  scopes: string[];
  /** How it ended. */
  result: AuditResult;
  /** Extra JSON detail; hashed and signed with the rest. */
  metadata?: Record<string, unknown>;
}

/** An entry as stored and synced (PROTOCOL.md §3); field names match the upstream JSONL. */
export interface SignedAuditEntry extends AuditEntry {
  /** Position in the chain, from 1, rising by one. */
  seq: number;
  /** When it was appended (RFC 3339 UTC); never earlier than the entry before. */
  timestamp: string;
  /** The previous entry's `hash` (the genesis hash for seq 1). */
  prevHash: string;
  /** Lowercase hex SHA-256 of the entry's hash input ({@link entryHashInput}). */
  hash: string;
  /** Ed25519 signature of `hash` by the audit key, 128 hex characters. */
  signature: string;
}

/** The fields that go into an entry's hash. */
export type HashableEntry = Omit<SignedAuditEntry, 'hash' | 'signature'>;
