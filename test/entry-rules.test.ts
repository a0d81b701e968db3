// Issue 14 items 3 and 4: one set of entry rules (append, verifyChain, the guard), canonical
// tokens and snapshotted metadata. Each "attack" test is one seen against the earlier code.
import { describe, expect, it } from 'vitest';
import {
  ENTRY_LIMITS,
  GENESIS_HASH,
  InvalidAuditEntryError,
  OfflineVerificationError,
  ScopeViolationError,
  ambiguousFields,
  createAgentGuard,
  createOfflineVerifier,
  entryViolations,
  isRfc3339Utc,
  verifyChain,
  type AuditEntry,
  type SignedAuditEntry,
} from '../src/index.js';
import { importEd25519PrivateKey } from '../src/crypto/ed25519.js';
import { memoryLog, testBundle } from './helpers/bundle.js';
import { AUDIT_KEY, sampleEntry, sealChain } from './helpers/chain.js';
import { NOW, signToken, snapshot } from './helpers/tokens.js';

const ts = (seq: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString();

/** A 3-entry chain, signed as it stands, whose entry 2 is `middle` (the log would refuse it). */
async function chainWith(middle: AuditEntry, timestamp?: string): Promise<SignedAuditEntry[]> {
  const key = await importEd25519PrivateKey(AUDIT_KEY.privateKey);
  return sealChain(key, 3, { seq: 0, hash: GENESIS_HASH }, (seq, prevHash) => ({
    ...(seq === 2 ? middle : sampleEntry(seq)),
    seq,
    timestamp: seq === 2 && timestamp !== undefined ? timestamp : ts(seq),
    prevHash,
  }));
}

/** The chain with entry 2's fields replaced, its hash and signature kept. */
function respell(chain: SignedAuditEntry[], fields: Partial<AuditEntry>): SignedAuditEntry[] {
  return chain.map((e, i) => (i === 1 ? { ...e, ...fields } : e));
}

async function appendError(entry: AuditEntry): Promise<InvalidAuditEntryError> {
  const { log } = memoryLog();
  const error = await log.append(entry).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidAuditEntryError);
  expect(await log.head()).toBeNull();
  return error as InvalidAuditEntryError;
}

describe('entry rules', () => {
  it('isRfc3339Utc: the form the log writes, a real calendar date, UTC only', () => {
    for (const ok of ['2026-11-22T10:00:00Z', '2026-11-22T10:00:00.123Z', '2028-02-29T23:59:59.999999Z', new Date(NOW).toISOString()]) expect(isRfc3339Utc(ok)).toBe(true);
    for (const bad of ['2030', '9999-12-31', 'Sun, 22 Nov 2026 10:00:00 GMT', '2026-11-22T10:00:00+01:00', '2026-11-22 10:00:00Z', '2026-02-30T00:00:00Z',
      '2027-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-22T24:00:00Z', '2026-11-22T10:60:00Z', '2026-11-22T10:00:60Z', '2026-11-22t10:00:00z',
      `2026-11-22T10:00:00.${'1'.repeat(60)}Z`, 1_795_100_000_000, null]) {
      expect(isRfc3339Utc(bad)).toBe(false);
    }
  });

  it('a clean entry breaks no rule; auth_failure entries may have empty agentDID and grantId', () => {
    expect(entryViolations(sampleEntry())).toEqual([]);
    expect(entryViolations({ ...sampleEntry(), agentDID: '', grantId: '', result: 'auth_failure', scopes: [] })).toEqual([]);
    expect(entryViolations({ ...sampleEntry(), timestamp: ts(1) }, { timestamp: true })).toEqual([]);
  });

  it('names the field and rule of every break', () => {
    const rules = (e: Record<string, unknown>, o?: { timestamp?: boolean }) => entryViolations({ ...sampleEntry(), ...e }, o).map((v) => `${v.field}:${v.rule}`);
    expect(rules({ action: 'a|b' })).toEqual(['action:separator']);
    expect(rules({ action: '' })).toEqual(['action:empty']);
    expect(rules({ result: '' })).toEqual(['result:empty']);
    expect(rules({ action: 'a'.repeat(ENTRY_LIMITS.actionChars + 1) })).toEqual(['action:length']);
    expect(rules({ agentDID: 'd'.repeat(ENTRY_LIMITS.agentDIDChars + 1), grantId: 'g|' })).toEqual(['agentDID:length', 'grantId:separator']);
    expect(rules({ result: 'x\u0000' })).toEqual(['result:type']);
    expect(rules({ action: 'a\ud800' })).toEqual(['action:type']);
    expect(rules({ scopes: ['a,b', '', 'c'.repeat(129)] })).toEqual(['scopes[0]:separator', 'scopes[1]:empty', 'scopes[2]:length']);
    expect(rules({ scopes: Array.from({ length: 101 }, (_, i) => `s${i}`) })).toEqual(['scopes:length']);
    expect(rules({ scopes: 'a' })).toEqual(['scopes:type']);
    expect(rules({ metadata: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } })).toEqual([expect.stringMatching(/:metadata-depth$/)]);
    expect(rules({ metadata: { big: 'x'.repeat(ENTRY_LIMITS.metadataBytes) } })).toEqual(['metadata:metadata-bytes']);
    // Bytes, not characters: 30,000 euro signs are 90,000 bytes of UTF-8.
    expect(rules({ metadata: { big: '€'.repeat(30_000) } })).toEqual(['metadata:metadata-bytes']);
    expect(rules({ metadata: { n: NaN } })).toEqual(['metadata.n:metadata-value']);
    expect(rules({ metadata: [] })).toEqual(['metadata:type']);
    expect(rules({ timestamp: '2030' }, { timestamp: true })).toEqual(['timestamp:timestamp']);
    expect(rules({ timestamp: '2030' })).toEqual([]); // append sets the timestamp itself
  });

  it('the limits sit inside what the authority stored before (65,536 characters of metadata, 256/512/256/64/128, 100 scopes)', () => {
    expect(ENTRY_LIMITS).toMatchObject({ actionChars: 256, agentDIDChars: 512, grantIdChars: 256, resultChars: 64, scopeChars: 128, scopes: 100 });
    expect(ENTRY_LIMITS.metadataBytes).toBeLessThan(65_536); // a character is at least one byte
  });

  it('ambiguousFields lists the fields whose separators make the hash input ambiguous', () => {
    expect(ambiguousFields({ action: 'send_email|to=boss', agentDID: 'did:a', grantId: 'g', scopes: ['email:send,files:delete'], result: 'r|' })).toEqual(['action', 'scopes', 'result']);
    expect(ambiguousFields({ ...sampleEntry(), scopes: [''] })).toEqual(['scopes']);
    expect(ambiguousFields(sampleEntry())).toEqual([]);
  });
});

describe('attack: field boundaries are ambiguous', () => {
  it('action "send_email|to=boss" → agentDID "to=boss|did:a": refused at append, and the respelled signed entry is a malformed break', async () => {
    const original = { ...sampleEntry(), action: 'send_email|to=boss', agentDID: 'did:a' };
    const error = await appendError(original);
    expect(error.message).toMatch(/action/);
    expect(error.message).toMatch(/separator/);
    await appendError({ ...sampleEntry(), action: 'send_email', agentDID: 'to=boss|did:a' });
    const chain = await chainWith(original);
    expect(await verifyChain(chain, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'malformed' });
    const rewritten = respell(chain, { action: 'send_email', agentDID: 'to=boss|did:a' });
    expect(await verifyChain(rewritten, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'malformed' });
  });

  it('scope "email:send,files:delete" split into two scopes: refused at append, a malformed break in a chain', async () => {
    const error = await appendError({ ...sampleEntry(), scopes: ['email:send,files:delete'] });
    expect(error.message).toMatch(/scopes\[0\].*separator/);
    const chain = await chainWith({ ...sampleEntry(), scopes: ['email:send', 'files:delete'] });
    expect(await verifyChain(chain, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 3 });
    const merged = respell(chain, { scopes: ['email:send,files:delete'] });
    expect(await verifyChain(merged, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'malformed' });
  });

  it('[] and [""] no longer hash alike: [""] is refused at append and a malformed break in a chain', async () => {
    const error = await appendError({ ...sampleEntry(), scopes: [''] });
    expect(error.message).toMatch(/scopes\[0\].*empty/);
    const { log } = memoryLog();
    await expect(log.append({ ...sampleEntry(), scopes: [] })).resolves.toMatchObject({ seq: 1, scopes: [] });
    const chain = await chainWith({ ...sampleEntry(), scopes: [] });
    expect(await verifyChain(respell(chain, { scopes: [''] }), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'malformed' });
  });

  it('a signed timestamp that is not RFC 3339 UTC is a malformed break; @grantex/gemma-style toISOString timestamps are fine', async () => {
    for (const bad of ['2030', 'Sun, 22 Nov 2026 10:00:02 GMT', '2026-11-22T11:00:02+01:00']) {
      expect(await verifyChain(await chainWith(sampleEntry(2), bad), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'malformed' });
    }
    expect(await verifyChain(await chainWith(sampleEntry(2), new Date().toISOString()), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 3 });
  });
});

describe('attack: one oversized entry wedges sync forever', () => {
  it('70,000 characters of metadata are refused at append, naming metadata and the byte rule; the log stays usable', async () => {
    const { log } = memoryLog();
    const error = await log.append({ ...sampleEntry(), metadata: { blob: 'x'.repeat(70_000) } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAuditEntryError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as InvalidAuditEntryError).code).toBe('INVALID_AUDIT_ENTRY');
    expect((error as Error).message).toMatch(/metadata.*metadata-bytes/);
    expect(await log.head()).toBeNull();
    await expect(log.append({ ...sampleEntry(), metadata: { blob: 'x'.repeat(59_000) } })).resolves.toMatchObject({ seq: 1 });
  });

  it('the guard never writes an entry the rules refuse: a refused call with 70,000 characters of metadata is recorded within them', async () => {
    const bundle = await testBundle();
    const { log } = memoryLog();
    const guard = createAgentGuard({ bundle, auditLog: log, clock: () => NOW });
    const tool = async () => 'ran';
    const big = { blob: 'x'.repeat(70_000) };
    await expect(guard.run('email.send', ['email:send'], tool, { metadata: big })).rejects.toBeInstanceOf(ScopeViolationError);
    // Allowed, but its success entry could not be written: refused before the tool runs.
    let ran = false;
    await expect(guard.run('sensor.read', ['sensor:read'], async () => (ran = true), { metadata: big })).rejects.toBeInstanceOf(InvalidAuditEntryError);
    expect(ran).toBe(false);
    const entries = await log.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ result: 'scope_violation', metadata: { error: 'SCOPE_VIOLATION', metadataRefused: 'metadata-bytes' } });
    expect(entries.every((e) => entryViolations(e, { timestamp: true }).length === 0)).toBe(true);
    await log.verify();
  });

  it('an action the rules refuse never runs and is not recorded', async () => {
    const bundle = await testBundle();
    const { log } = memoryLog();
    const guard = createAgentGuard({ bundle, auditLog: log, clock: () => NOW });
    await expect(guard.authorize('send_email|to=boss', ['sensor:read'])).rejects.toBeInstanceOf(InvalidAuditEntryError);
    expect(await log.head()).toBeNull();
  });
});

describe('attack: token malleability', () => {
  it("flipping the RS256 signature's unused low bits (last char 'A' → 'B') is MALFORMED_TOKEN, before any crypto", async () => {
    const token = await signToken();
    const verifier = createOfflineVerifier({ jwksSnapshot: snapshot(), now: () => NOW });
    await expect(verifier.verify(token)).resolves.toMatchObject({ agentDID: 'did:key:z6MkAgent' });
    const signature = token.slice(token.lastIndexOf('.') + 1);
    expect(signature.length % 4).toBe(2); // 256 bytes: the last character carries 4 unused bits
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const flipped = token.slice(0, -1) + alphabet[last ^ 1]!; // the same bytes to a lenient decoder
    expect(flipped).not.toBe(token);
    const error = await verifier.verify(flipped).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineVerificationError);
    expect((error as OfflineVerificationError).code).toBe('MALFORMED_TOKEN');
    for (const variant of [`${token}=`, `${token}==`, token.replace('.', '.=')]) {
      await expect(verifier.verify(variant)).rejects.toMatchObject({ code: 'MALFORMED_TOKEN' });
    }
  });

  it('a metadata getter that shows the secret check a harmless value and the write the token never puts the token in the log', async () => {
    const bundle = await testBundle();
    const { log } = memoryLog();
    const guard = createAgentGuard({ bundle, auditLog: log, clock: () => NOW });
    let reads = 0;
    const metadata = {
      get note() {
        reads++;
        return reads === 1 ? 'harmless' : bundle.grantToken;
      },
    };
    await expect(guard.run('sensor.read', ['sensor:read'], async () => 'ok', { metadata })).resolves.toBe('ok');
    expect(reads).toBe(1);
    const entries = await log.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.metadata).toEqual({ note: 'harmless' });
    expect(JSON.stringify(entries)).not.toContain(bundle.grantToken);
    await log.verify();
  });

  it('append reads each metadata property once: what it hashes is what it writes', async () => {
    const { log } = memoryLog();
    let reads = 0;
    const metadata = { get n() { return ++reads; } };
    const e = await log.append({ ...sampleEntry(), metadata });
    expect(reads).toBe(1);
    expect(e.metadata).toEqual({ n: 1 });
    await log.verify();
  });
});
