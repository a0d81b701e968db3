/** Outcome recorded for an action; the upstream values plus any string the caller needs. */
export type AuditResult = 'success' | 'auth_failure' | 'scope_violation' | 'execution_error' | (string & {});

/** What the caller appends: the action and who did it under which grant. */
export interface AuditEntry {
  action: string;
  agentDID: string;
  grantId: string;
  scopes: string[];
  result: AuditResult;
  metadata?: Record<string, unknown>;
}

/** An entry as stored and synced (PROTOCOL.md §3); field names match the upstream JSONL. */
export interface SignedAuditEntry extends AuditEntry {
  seq: number;
  timestamp: string;
  prevHash: string;
  hash: string;
  signature: string;
}

/** The fields that go into an entry's hash. */
export type HashableEntry = Omit<SignedAuditEntry, 'hash' | 'signature'>;
