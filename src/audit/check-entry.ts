import { InvalidAuditEntryError } from '../errors.js';
import { jsonProblem } from './json-value.js';
import type { AuditEntry } from './types.js';

const STRING_FIELDS = ['action', 'agentDID', 'grantId', 'result'] as const;

/**
 * Checks what the caller appends and returns a private copy, so nothing the caller does
 * afterwards can change the entry between its hash and its write. Throws
 * `InvalidAuditEntryError` (a `TypeError`) before anything is written.
 */
export function checkAuditEntry(entry: unknown): AuditEntry {
  if (entry === null || typeof entry !== 'object') throw new InvalidAuditEntryError('Audit entry must be an object');
  const e = entry as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (typeof e[field] !== 'string') throw new InvalidAuditEntryError(`Audit entry ${field} must be a string, got ${describe(e[field])}`);
  }
  const scopes = e.scopes;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
    throw new InvalidAuditEntryError(`Audit entry scopes must be an array of strings, got ${describe(scopes)}`);
  }
  const copy: AuditEntry = {
    action: e.action as string,
    agentDID: e.agentDID as string,
    grantId: e.grantId as string,
    scopes: [...(scopes as string[])],
    result: e.result as string,
  };
  if (e.metadata !== undefined) copy.metadata = checkMetadata(e.metadata);
  return copy;
}

function checkMetadata(metadata: unknown): Record<string, unknown> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new InvalidAuditEntryError(`Audit entry metadata must be a plain object, got ${describe(metadata)}`);
  }
  const problem = jsonProblem(metadata, 'metadata');
  if (problem) throw new InvalidAuditEntryError(`Audit entry ${problem}`);
  // The JSON round trip is exactly what the store will hold and what the hash covers.
  return JSON.parse(JSON.stringify(metadata)) as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
