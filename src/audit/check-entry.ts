import { InvalidAuditEntryError } from '../errors.js';
import { copyMetadata, entryViolations, type EntryRuleViolation } from './entry-rules.js';
import type { AuditEntry } from './types.js';

/** The error for the first broken rule, naming its field and rule. */
export function ruleError(violation: EntryRuleViolation, more = 0): InvalidAuditEntryError {
  const others = more > 0 ? `; ${more} more rule${more === 1 ? '' : 's'} broken` : '';
  return new InvalidAuditEntryError(`${violation.message} (field ${violation.field}, rule ${violation.rule}${others})`);
}

/**
 * A plain-JSON copy of metadata, reading every property (and `toJSON`) exactly once, as
 * `JSON.stringify` would (see `copyMetadata`): a getter cannot show one value to a check and
 * another to the write. Throws `InvalidAuditEntryError` for what JSON would drop or change.
 */
export function snapshotMetadata(metadata: unknown): Record<string, unknown> {
  const result = copyMetadata(metadata);
  if ('violation' in result) throw ruleError(result.violation);
  return result.copy;
}

/** Throws the first broken rule of the (already copied) entry, if any. */
export function assertEntryRules(entry: AuditEntry): void {
  const violations = entryViolations(entry);
  if (violations.length > 0) throw ruleError(violations[0]!, violations.length - 1);
}

/**
 * Checks what the caller appends against the entry rules (`entry-rules.ts`) and returns a
 * private copy, each field read once, so nothing the caller does afterwards (or a getter)
 * can change the entry between its check, its hash and its write. Throws
 * `InvalidAuditEntryError` (a `TypeError`, naming the field and the rule) before anything is written.
 */
export function checkAuditEntry(entry: unknown): AuditEntry {
  if (entry === null || typeof entry !== 'object') throw new InvalidAuditEntryError('Audit entry must be an object');
  const e = entry as Record<string, unknown>;
  const scopes = e.scopes;
  const copy = {
    action: e.action,
    agentDID: e.agentDID,
    grantId: e.grantId,
    scopes: Array.isArray(scopes) ? [...(scopes as unknown[])] : scopes,
    result: e.result,
  } as AuditEntry;
  const metadata = e.metadata;
  if (metadata !== undefined) copy.metadata = snapshotMetadata(metadata);
  assertEntryRules(copy);
  return copy;
}
