import type { GrantLimit } from '../../verifier/limits.js';

/** A grant's limits as a row stores them: JSON text, or null for none (so a bundle without limits pays nothing). */
export function limitsText(limits: readonly GrantLimit[] | undefined): string | null {
  return limits && limits.length > 0 ? JSON.stringify(limits) : null;
}

/** The limits a row stored ([] for none); they were checked when the grant was issued. */
export function storedLimits(text: string | null | undefined): readonly GrantLimit[] {
  return text ? (JSON.parse(text) as GrantLimit[]) : [];
}
