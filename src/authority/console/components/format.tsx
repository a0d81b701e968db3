/** @jsxImportSource hono/jsx */
// Small pieces every page uses: times, badges, the CSRF field, scrolling table boxes, pagers.
import type { Child, PropsWithChildren } from 'hono/jsx';
import { CSRF_FIELD } from '../csrf.js';
import type { ConsoleSession } from '../env.js';
import { withQuery } from '../paths.js';

/** A time in UTC, machine-readable in `datetime`; `empty` when there is none. */
export function Time({ value, empty = '—' }: { value: Date | string | number | null; empty?: string }) {
  if (value === null) return <span class="muted">{empty}</span>;
  const iso = new Date(value).toISOString();
  return <time datetime={iso}>{`${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`}</time>;
}

/** A bundle's or an agent's status as a coloured badge (the word itself carries the meaning). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge ${status}`}>{status}</span>;
}

/** Flag names as badges, or `none` when there are none. */
export function FlagBadges({ flags, none = 'none' }: { flags: readonly string[]; none?: string }) {
  if (flags.length === 0) return <span class="muted">{none}</span>;
  return (
    <span class="flags">
      {flags.map((f) => (
        <span class="badge flag">⚑ {f}</span>
      ))}
    </span>
  );
}

/** The hidden field that carries the session's CSRF token in a state-changing form. */
export function CsrfField({ session }: { session: ConsoleSession }) {
  return <input type="hidden" name={CSRF_FIELD} value={session.csrfToken} />;
}

/** A labelled box a wide table scrolls inside (focusable, so the keyboard can scroll it too). */
export function TableBox({ label, children }: PropsWithChildren<{ label: string }>) {
  return (
    <div class="table-wrap" role="region" aria-label={label} tabindex={0}>
      {children}
    </div>
  );
}

/** Previous / next links of a keyset-paged list; a missing side is plain text, not a dead link. */
export function Pager({ label, prev, next, prevText, nextText, extra }: { label: string; prev: string | null; next: string | null; prevText: string; nextText: string; extra?: Child }) {
  return (
    <nav class="pager" aria-label={label}>
      {prev ? <a href={prev} rel="prev">← {prevText}</a> : <span class="muted">← {prevText}</span>}
      {next ? <a href={next} rel="next">{nextText} →</a> : <span class="muted">{nextText} →</span>}
      {extra}
    </nav>
  );
}

/** Newer / older links of a list paged by row number; nothing when it fits on one page. */
export function RowPager({ label, path, query = {}, page }: { label: string; path: string; query?: Record<string, string | null | undefined>; page: { newer: string | null; older: string | null } }) {
  if (!page.newer && !page.older) return null;
  return (
    <Pager
      label={label}
      prev={page.newer ? withQuery(path, { ...query, after: page.newer }) : null}
      next={page.older ? withQuery(path, { ...query, before: page.older }) : null}
      prevText="Newer"
      nextText="Older"
    />
  );
}
