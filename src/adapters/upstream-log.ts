import type { AuditEntry, SignedAuditEntry } from '../audit/types.js';
import type { GuardAuditLog } from '../guard/types.js';

/** The audit log `@grantex/gemma`'s adapters take: `append` (and `entries`) is all they need. */
export interface UpstreamAuditLog {
  /** Appends one entry. */
  append(entry: AuditEntry): Promise<SignedAuditEntry>;
  /** All entries; the last one's timestamp floors the guard's clock when there is no `head`. */
  entries?(): Promise<SignedAuditEntry[]>;
  /** The last entry, read instead of `entries()` when present. */
  head?: GuardAuditLog['head'];
  /** Where a sync's revocation record is read; without it no revocation is checked. */
  getMeta?: GuardAuditLog['getMeta'];
}

const views = new WeakMap<UpstreamAuditLog, GuardAuditLog>();

/**
 * The guard's view of a log that may lack `head()` and `getMeta()` (upstream's has neither).
 * The head is read once from `entries()` and then follows the appends made through this view
 * (one view per log, shared by every tool wrapped over it), so the clock floor still holds. A
 * log without `getMeta` cannot hold a sync's revocation record, so there is none to check.
 * The library's own logs pass through unchanged.
 */
export function guardLogFor(log: UpstreamAuditLog): GuardAuditLog {
  if (!log || typeof log.append !== 'function') throw new TypeError('auditLog must have an append() method');
  if (typeof log.head === 'function' && typeof log.getMeta === 'function') return log as GuardAuditLog;
  const known = views.get(log);
  if (known) return known;
  let head: Promise<SignedAuditEntry | null> | undefined;
  const readHead = async () => (typeof log.entries === 'function' ? ((await log.entries()).at(-1) ?? null) : null);
  const view: GuardAuditLog = {
    async append(entry) {
      const signed = await log.append(entry);
      head = Promise.resolve(signed);
      return signed;
    },
    head:
      typeof log.head === 'function'
        ? () => log.head!()
        : () =>
            (head ??= readHead().catch((error: unknown) => {
              head = undefined; // a failed read is retried on the next call, not remembered
              throw error;
            })),
    getMeta: async <T>(name: string) => (typeof log.getMeta === 'function' ? log.getMeta<T>(name) : undefined),
  };
  views.set(log, view);
  return view;
}
