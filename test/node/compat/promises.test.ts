// MIGRATING.md's first line: computeEntryHash, verifyChain and verifyEntrySignature return
// Promises here (Web Crypto is asynchronous), where upstream's return values. In plain JS an
// un-awaited `if (verifyEntrySignature(e, k))` is always true; in TypeScript each upstream-style
// use below is a compile error (the `@ts-expect-error` lines fail `npm run typecheck` if it
// ever stops being one), and at run time each call is a Promise.
import { computeEntryHash, verifyChain, verifyEntrySignature, type SignedAuditEntry } from 'offline-consent';
import { describe, expect, it } from 'vitest';
import vectors from '../../vectors/interop-vectors.json';

const entry = vectors.chain[0] as unknown as SignedAuditEntry;
const key = vectors.auditKey.publicKey;

/** Upstream's synchronous style; compiled, never run. */
export function upstreamStyle(entries: SignedAuditEntry[]): unknown[] {
  const seen: unknown[] = [];
  // @ts-expect-error TS2801: a Promise in a condition is always true; `await` it
  if (verifyEntrySignature(entry, key)) seen.push('signed');
  // @ts-expect-error TS2339: `valid` is on the awaited result, not on the Promise
  const { valid } = verifyChain(entries);
  // @ts-expect-error TS2322: a Promise<string> is not the string hash
  const hash: string = computeEntryHash(entry);
  // @ts-expect-error TS2801 again, for the chain
  if (verifyChain(entries)) seen.push(valid, hash);
  return seen;
}

describe('the audit helpers are asynchronous', () => {
  it('each returns a Promise; awaited, the upstream answers', async () => {
    const calls = [verifyEntrySignature(entry, key), verifyChain([entry]), computeEntryHash(entry)];
    for (const call of calls) expect(call).toBeInstanceOf(Promise);
    const [signed, chain, hash] = await Promise.all(calls);
    expect([signed, (chain as { valid: boolean }).valid, hash]).toEqual([true, true, entry.hash]);
  });

  it('un-awaited, a forged entry would pass a truthiness check — the reason for the bold line', async () => {
    const forged = { ...entry, signature: '00'.repeat(64) };
    const pending = verifyEntrySignature(forged, key);
    expect(Boolean(pending)).toBe(true);
    expect(await pending).toBe(false);
  });
});
