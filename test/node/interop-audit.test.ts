// Both directions against the upstream SDK: a log either side wrote opens, verifies and
// continues on the other side, byte for byte.
import {
  createOfflineAuditLog as upstreamLog,
  verifyChain as upstreamVerifyChain,
  verifyEntrySignature as upstreamVerifySignature,
} from '@grantex/gemma';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOfflineAuditLog, orderEntryFields, verifyChain, verifyEntrySignature, type AuditEntry, type SignedAuditEntry } from '../../src/node.js';
import { AUDIT_KEY } from '../helpers/chain.js';

const signingKey = { publicKey: AUDIT_KEY.publicKey, privateKey: AUDIT_KEY.privateKey, algorithm: AUDIT_KEY.algorithm };
const entry = (i: number): AuditEntry => ({
  action: i % 2 ? 'thermostat.set' : 'sensor.read',
  agentDID: 'did:key:z6MkAgent',
  grantId: 'grnt_01HX',
  scopes: ['sensor:read', 'thermostat:write'],
  result: i % 5 === 4 ? 'scope_violation' : 'success',
  // Every third entry without metadata; others with nested, non-ASCII values.
  ...(i % 3 === 2 ? {} : { metadata: { i, reading: { celsius: 21.5 + i, label: 'Wohnzimmer °C' } } }),
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-interop-'));
  path = join(dir, 'audit.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fileEntries = (): SignedAuditEntry[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('@grantex/gemma reads and continues our log', () => {
  it('its entries(), verifyChain and verifyEntrySignature accept what we wrote', async () => {
    const ours = createOfflineAuditLog({ signingKey, logPath: path });
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => ours.append(entry(i))));
    await ours.close();

    const theirs = upstreamLog({ signingKey, logPath: path });
    const read = await theirs.entries();
    expect(read).toEqual(written);
    expect(upstreamVerifyChain(read)).toEqual({ valid: true });
    for (const e of read) expect(upstreamVerifySignature(e, AUDIT_KEY.publicKey)).toBe(true);

    // It continues our chain, and we accept the result.
    const appended = await theirs.append(entry(20));
    expect(appended).toMatchObject({ seq: 21, prevHash: written[19]!.hash });
    const again = createOfflineAuditLog({ signingKey, logPath: path });
    expect(await again.verify()).toEqual({ valid: true, count: 21 });
    expect(upstreamVerifyChain(fileEntries())).toEqual({ valid: true });
    await again.close();
  });

  it('its unsyncedCount reads our synced marker', async () => {
    const ours = createOfflineAuditLog({ signingKey, logPath: path });
    for (let i = 0; i < 6; i++) await ours.append(entry(i));
    await ours.markSynced(4);
    await ours.close();
    expect(await upstreamLog({ signingKey, logPath: path }).unsyncedCount()).toBe(2);
  });
});

describe('we read and continue a log @grantex/gemma wrote', () => {
  async function upstreamWrites(count: number): Promise<SignedAuditEntry[]> {
    const theirs = upstreamLog({ signingKey, logPath: path });
    const out: SignedAuditEntry[] = [];
    for (let i = 0; i < count; i++) out.push(await theirs.append(entry(i))); // one at a time: it forks under concurrency
    return out;
  }

  it('our verifyChain and verifyEntrySignature accept it, and its bytes are exactly what we would write', async () => {
    const written = await upstreamWrites(15);
    expect(await verifyChain(fileEntries(), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 15 });
    for (const e of written) expect(await verifyEntrySignature(e, AUDIT_KEY.publicKey)).toBe(true);
    const text = readFileSync(path, 'utf8');
    expect(fileEntries().map((e) => `${JSON.stringify(orderEntryFields(e))}\n`).join('')).toBe(text);
  });

  it('our log opens it, continues the chain, honours its synced marker, and it still verifies on both sides', async () => {
    const written = await upstreamWrites(10);
    await upstreamLog({ signingKey, logPath: path }).markSynced(7);
    const ours = createOfflineAuditLog({ signingKey, logPath: path });
    expect(await ours.head()).toEqual({ seq: 10, hash: written[9]!.hash, timestamp: written[9]!.timestamp });
    expect(await ours.unsyncedCount()).toBe(3);
    const next = await ours.append(entry(10));
    expect(next).toMatchObject({ seq: 11, prevHash: written[9]!.hash });
    expect(Date.parse(next.timestamp)).toBeGreaterThanOrEqual(Date.parse(written[9]!.timestamp));
    expect(await ours.verify()).toEqual({ valid: true, count: 11 });
    await ours.close();
    expect(upstreamVerifyChain(fileEntries())).toEqual({ valid: true });
    expect(await upstreamLog({ signingKey, logPath: path }).unsyncedCount()).toBe(4);
  });
});
