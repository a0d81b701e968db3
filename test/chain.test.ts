import { describe, expect, it } from 'vitest';
import vectors from './vectors/interop-vectors.json';
import {
  GENESIS_HASH,
  HashChainError,
  computeEntryHash,
  entryHashInput,
  signEntryHash,
  verifyChain,
  verifyEntrySignature,
  type SignedAuditEntry,
} from '../src/index.js';
import { importEd25519PrivateKey, importEd25519PublicKey } from '../src/crypto/ed25519.js';
import { AUDIT_KEY, buildChain } from './helpers/chain.js';

const chain = vectors.chain as SignedAuditEntry[];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('chain vectors (PROTOCOL.md §3)', () => {
  it('uses the 16-zero genesis hash', () => {
    expect(GENESIS_HASH).toBe(vectors.genesisHash);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
  });

  it.each([0, 1, 2])('entry %i hashes and signs to exactly the vector values', async (i) => {
    const entry = chain[i]!;
    const { hash, signature, ...hashable } = entry;
    expect(await computeEntryHash(hashable)).toBe(hash);
    const key = await importEd25519PrivateKey(AUDIT_KEY.privateKey);
    expect(await signEntryHash(key, hash)).toBe(signature);
  });

  it('builds the documented hash input, metadata as it stands and empty when absent', () => {
    const e = chain[0]!;
    expect(entryHashInput(e)).toBe(
      `1|${e.timestamp}|${e.action}|${e.agentDID}|${e.grantId}|${e.scopes.join(',')}|${e.result}|${JSON.stringify(e.metadata)}|${GENESIS_HASH}`,
    );
    const { metadata: _m, ...bare } = e;
    expect(entryHashInput(bare).split('|')[7]).toBe('');
    // Key order matters: no canonicalisation.
    expect(entryHashInput({ ...bare, metadata: { a: 1, b: 2 } })).not.toBe(entryHashInput({ ...bare, metadata: { b: 2, a: 1 } }));
  });

  it('verifyEntrySignature accepts the vector public key as PEM, JWK and CryptoKey', async () => {
    const entry = chain[1]!;
    for (const key of [AUDIT_KEY.publicKey, AUDIT_KEY.publicJwk, await importEd25519PublicKey(AUDIT_KEY.publicKey)]) {
      expect(await verifyEntrySignature(entry, key)).toBe(true);
      expect(await verifyEntrySignature({ ...entry, hash: chain[0]!.hash }, key)).toBe(false);
      expect(await verifyEntrySignature({ ...entry, signature: entry.signature.toUpperCase() }, key)).toBe(false);
      expect(await verifyEntrySignature({ ...entry, signature: 'zz' }, key)).toBe(false);
    }
  });

  it('verifyEntrySignature answers false, as upstream, for a key that is not an Ed25519 public key (no INVALID_KEY rejection)', async () => {
    const entry = chain[1]!;
    const rsa = (await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])).publicKey;
    for (const key of ['not a key', '', { kty: 'OKP', crv: 'Ed25519' }, rsa, null]) {
      await expect(verifyEntrySignature(entry, key as never), String(key)).resolves.toBe(false);
    }
  });

  it('verifyChain accepts the vector chain with signatures', async () => {
    expect(await verifyChain(chain, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 3 });
  });
});

describe('verifyChain finds the first break and says why', () => {
  it('edited metadata → hash at that index', async () => {
    const c = clone(chain);
    (c[1]!.metadata as Record<string, unknown>) = { tampered: true };
    expect(await verifyChain(c)).toEqual({ valid: false, brokenAt: 1, reason: 'hash' });
  });

  it('an edit with a recomputed hash → signature at that index (not prevHash of the next)', async () => {
    const c = clone(chain);
    c[1]!.action = 'email.send';
    c[1]!.hash = await computeEntryHash(c[1]!);
    expect(await verifyChain(c, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'signature' });
    expect(await verifyChain(c)).toEqual({ valid: false, brokenAt: 2, reason: 'prevHash' });
  });

  it('reordered, duplicated and deleted entries → seq', async () => {
    expect(await verifyChain([chain[0]!, chain[2]!, chain[1]!])).toEqual({ valid: false, brokenAt: 1, reason: 'seq' });
    expect(await verifyChain([chain[0]!, chain[1]!, chain[1]!])).toEqual({ valid: false, brokenAt: 2, reason: 'seq' });
    expect(await verifyChain([chain[0]!, chain[2]!])).toEqual({ valid: false, brokenAt: 1, reason: 'seq' });
    expect(await verifyChain([chain[1]!, chain[2]!])).toEqual({ valid: false, brokenAt: 0, reason: 'seq' });
  });

  it('a forged signature → signature', async () => {
    const c = clone(chain);
    c[2]!.signature = c[0]!.signature;
    expect(await verifyChain(c, { publicKey: AUDIT_KEY.publicJwk })).toEqual({ valid: false, brokenAt: 2, reason: 'signature' });
  });

  it('malformed entries are a break, never an exception', async () => {
    const c = clone(chain) as unknown as Record<string, unknown>[];
    c[1]!.scopes = 'sensor:read';
    expect(await verifyChain(c as never)).toEqual({ valid: false, brokenAt: 1, reason: 'hash' });
    expect(await verifyChain([null] as never)).toEqual({ valid: false, brokenAt: 0, reason: 'seq' });
    // A string field wrapped in an array hashes the same through String(); it is still not the signed entry.
    const wrapped = clone(chain) as unknown as Record<string, unknown>[];
    wrapped[2]!.agentDID = [wrapped[2]!.agentDID];
    expect(await verifyChain(wrapped as never)).toEqual({ valid: false, brokenAt: 2, reason: 'hash' });
  });

  it('an earlier async failure wins over a later synchronous one, whatever the window', async () => {
    const c = await buildChain(100);
    (c[10]!.metadata as unknown) = { x: 1 };
    c[60]!.prevHash = 'f'.repeat(64);
    for (const concurrency of [1, 7, 64, 500]) {
      expect(await verifyChain(c, { concurrency })).toEqual({ valid: false, brokenAt: 10, reason: 'hash' });
    }
  });

  it('an earlier async failure also wins over a reader that throws on a later record (a malformed log line)', async () => {
    const c = await buildChain(5);
    c[1]!.signature = c[0]!.signature;
    async function* reader() {
      yield* c.slice(0, 3);
      throw new HashChainError(3, 'malformed');
    }
    expect(await verifyChain(reader(), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 1, reason: 'signature' });
    await expect(verifyChain(reader())).rejects.toMatchObject({ brokenAt: 3, reason: 'malformed' }); // nothing earlier: the reader's error stands
  });

  it('checks a segment that continues an earlier chain when given the previous head', async () => {
    const full = await buildChain(20);
    const tail = full.slice(10);
    expect((await verifyChain(tail)).valid).toBe(false);
    expect(await verifyChain(tail, { previous: { seq: 10, hash: full[9]!.hash }, publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 10 });
  });

  it('accepts an async iterable', async () => {
    const entries = await buildChain(300);
    async function* stream() {
      for (const e of entries) yield e;
    }
    expect(await verifyChain(stream(), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: 300 });
    entries[250]!.signature = entries[249]!.signature;
    expect(await verifyChain(stream(), { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: false, brokenAt: 250, reason: 'signature' });
  });
});
