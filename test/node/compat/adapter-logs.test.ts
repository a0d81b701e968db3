// Item 3 of the drop-in issue: our adapters over a log with only upstream's four methods —
// upstream's own file log (real, @grantex/gemma 0.1.1) and a hand-written minimal one.
import { FunctionTool } from '@google/adk';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import vectors from '../../vectors/interop-vectors.json';
import { liveSnapshot, liveToken, ours, upstream } from './stacks.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const upstreamLog = () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-upstream-log-'));
  dirs.push(dir);
  return upstream.createOfflineAuditLog({ signingKey: vectors.auditKey, logPath: join(dir, 'audit.jsonl') });
};
const sensor = () => new FunctionTool({ name: 'read_sensor', description: 'Reads a room', parameters: z.object({ room: z.string() }), execute: ({ room }) => ({ room, celsius: 20 }) });
const run = (tool: FunctionTool) => tool.runAsync({ args: { room: 'hall' }, toolContext: undefined as never });

describe('our adapters over a log that has only append, entries, unsyncedCount and markSynced', () => {
  it("upstream's own log: allowed and refused calls are written to it, and its verifyChain accepts the trail", async () => {
    const auditLog = upstreamLog();
    expect('head' in auditLog || 'getMeta' in auditLog).toBe(false);
    const verifier = ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot() });
    const grantToken = await liveToken({ scp: ['sensor:read'] });
    const allowed = ours.withGrantexAuthADK(sensor(), { verifier, auditLog, requiredScopes: ['sensor:read'], grantToken });
    const refused = ours.withGrantexAuthLangChain({ name: 'send_email', invoke: async () => 'sent' }, { verifier, auditLog, requiredScopes: ['email:send'], grantToken });
    expect(await run(allowed)).toEqual({ room: 'hall', celsius: 20 });
    await expect(refused.invoke()).rejects.toMatchObject({ code: 'SCOPE_VIOLATION' });
    const entries = await auditLog.entries();
    expect(entries.map((e) => [e.seq, e.action, e.result])).toEqual([[1, 'tool:read_sensor', 'success'], [2, 'tool:send_email', 'scope_violation']]);
    expect(upstream.verifyChain(entries)).toEqual({ valid: true });
    expect(entries.every((e) => upstream.verifyEntrySignature(e, vectors.auditKey.publicKey))).toBe(true);
    expect(await auditLog.unsyncedCount()).toBe(2);
  });

  it('a minimal custom log: the clock floor is read from entries() once, then follows the appends', async () => {
    const written: ours.SignedAuditEntry[] = [];
    let entriesCalls = 0;
    let now = Date.now();
    const real = ours.createOfflineAuditLog({ signingKey: vectors.auditKey, store: ours.createMemoryAuditStore(), now: () => now }); // the device's one clock
    const auditLog = {
      append: async (entry: ours.AuditEntry) => { const signed = await real.append(entry); written.push(signed); return signed; },
      entries: async () => { entriesCalls++; return [...written]; },
      unsyncedCount: async () => written.length,
      markSynced: async () => {},
    };
    const grantToken = await liveToken({ scp: ['sensor:read'] });
    const verifier = ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot(), now: () => now });
    const guarded = ours.withGrantexAuthADK(sensor(), { verifier, auditLog, requiredScopes: ['sensor:read'], grantToken, clock: () => now });
    await run(guarded);
    await run(guarded);
    expect(entriesCalls).toBe(1);
    now += 2 * 3_600_000; // past the token's exp: refused
    await expect(run(guarded)).rejects.toMatchObject({ code: 'AUTH_FAILED', reason: 'TOKEN_EXPIRED' });
    now -= 2 * 3_600_000; // the clock set back: the floor from the trail keeps it refused
    await expect(run(guarded)).rejects.toMatchObject({ code: 'AUTH_FAILED', reason: 'TOKEN_EXPIRED' });
    expect(written.map((e) => e.result)).toEqual(['success', 'success', 'auth_failure', 'auth_failure']);
  });

  it('a log without append is refused at wrap time, typed, before any call', async () => {
    const verifier = ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot() });
    expect(() => ours.withGrantexAuthADK(sensor(), { verifier, auditLog: {} as never, requiredScopes: [], grantToken: 'x.y.z' })).toThrow(/append/);
  });
});

describe('item 2 and 4 details', () => {
  it('an ADK object with func, or with run, is wrapped; anything else is INVALID_TOOL with upstream\'s message', async () => {
    const auditLog = upstreamLog();
    const options = { verifier: ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot() }), auditLog, requiredScopes: ['sensor:read'], grantToken: await liveToken() };
    expect(await ours.withGrantexAuthADK({ name: 'a', func: async (x: number) => x * 2 }, options).func(21)).toBe(42);
    expect(await ours.withGrantexAuthADK({ name: 'b', run: async (x: number) => x + 1 }, options).run(1)).toBe(2);
    for (const bad of [{ name: 'c', execute: () => 1 }, {}, null]) {
      expect(() => ours.withGrantexAuthADK(bad as never, options)).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: 'Tool must have a "func" or "run" method' }));
    }
    expect(() => ours.withGrantexAuthLangChain({ name: 'd' } as never, options)).toThrow(expect.objectContaining({ code: 'INVALID_TOOL', message: 'Tool must have a "_call" or "invoke" method' }));
    expect((await auditLog.entries()).map((e) => e.action)).toEqual(['tool:a', 'tool:b']);
  });

  it('a nameless tool is audited as tool:unknown, as upstream; `action` still overrides', async () => {
    const auditLog = upstreamLog();
    const options = { verifier: ours.createOfflineVerifier({ jwksSnapshot: liveSnapshot() }), auditLog, requiredScopes: ['sensor:read'], grantToken: await liveToken() };
    await ours.withGrantexAuthADK({ func: async () => 1 }, options).func();
    await ours.withGrantexAuthADK({ name: 'x', func: async () => 1 }, { ...options, action: 'sensor.read' }).func();
    expect((await auditLog.entries()).map((e) => e.action)).toEqual(['tool:unknown', 'sensor.read']);
  });

  it("an upstream verifier's failure is AUTH_FAILED too, with its error as the cause", async () => {
    const auditLog = upstreamLog();
    const nowS = Math.floor(Date.now() / 1000);
    const verifier = upstream.createOfflineVerifier({ jwksSnapshot: liveSnapshot() });
    const guarded = ours.withGrantexAuthLangChain({ name: 'y', invoke: async () => 1 }, { verifier, auditLog, requiredScopes: [], grantToken: await liveToken({ iss: undefined, exp: nowS + 60, jti: undefined, grnt: 'g1', agt: 'did:key:z6MkAgent', sub: 'u' }), bundle: undefined as never });
    expect(await guarded.invoke()).toBe(1);
    const broken = ours.withGrantexAuthLangChain({ name: 'y', invoke: async () => 1 }, { verifier, auditLog, requiredScopes: [], grantToken: (await liveToken()).slice(0, -4) + 'AAAA' });
    const error = await broken.invoke().catch((e: unknown) => e) as ours.AuthFailedError;
    expect(error).toBeInstanceOf(ours.AuthFailedError);
    expect(error.cause).toBeInstanceOf(upstream.OfflineVerificationError);
    expect(error).toMatchObject({ code: 'AUTH_FAILED', reason: 'VERIFICATION_FAILED' });
  });
});
