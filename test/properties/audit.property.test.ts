// Property-based attack on the audit chain: edited fields, reordered, duplicated, deleted and
// truncated entries of a signed chain. verifyChain must report exactly the first position
// that differs from the original chain, for the reason an independent oracle gives.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidAuditEntryError, createMemoryAuditStore, createOfflineAuditLog, entryHashInput, verifyChain, type AuditEntry, type SignedAuditEntry } from '../../src/index.js';
import { importEd25519PrivateKey } from '../../src/crypto/ed25519.js';
import { boundaryRewriteArb, type BoundaryRewrite } from '../helpers/boundary-rewrites.js';
import { AUDIT_KEY, buildChain, sealChain } from '../helpers/chain.js';
import { applyChainOps, chainOpArb, expectedBreak } from '../helpers/chain-mutations.js';
import { checkProperty } from '../helpers/properties.js';

const LENGTH = 40;

describe('signed audit chains under attack (fast-check)', () => {
  let chain: SignedAuditEntry[];
  beforeAll(async () => {
    chain = await buildChain(LENGTH);
  });

  it('1-3 edits of fields, order, duplicates, deletions → brokenAt and reason as the oracle says, at any concurrency', async () => {
    const tally: Record<string, number> = {};
    const arb = fc.record({ ops: fc.array(chainOpArb(LENGTH), { minLength: 1, maxLength: 3 }), concurrency: fc.integer({ min: 1, max: 48 }) });
    await checkProperty(
      'audit: edited chains vs oracle',
      fc.asyncProperty(arb, async ({ ops, concurrency }) => {
        const mutated = applyChainOps(chain, ops);
        const want = expectedBreak(chain, mutated);
        const got = await verifyChain(mutated as SignedAuditEntry[], { publicKey: AUDIT_KEY.publicKey, concurrency });
        const key = want.valid ? 'valid' : want.reason;
        tally[key] = (tally[key] ?? 0) + 1;
        expect(got).toEqual(want);
      }),
      800,
    );
    console.log('[property] audit oracle verdicts:', JSON.stringify(tally));
    expect(Object.keys(tally).sort()).toEqual(['hash', 'prevHash', 'seq', 'signature', 'valid']);
  });

  it('the same edits streamed through an async iterable give the same answer', async () => {
    const arb = fc.array(chainOpArb(LENGTH), { minLength: 1, maxLength: 3 });
    await checkProperty(
      'audit: edited chains, async iterable',
      fc.asyncProperty(arb, async (ops) => {
        const mutated = applyChainOps(chain, ops);
        async function* stream() {
          for (const e of mutated) yield e as SignedAuditEntry;
        }
        expect(await verifyChain(stream(), { publicKey: AUDIT_KEY.publicKey, concurrency: 4 })).toEqual(expectedBreak(chain, mutated));
      }),
      200,
    );
  });
});

describe('field-boundary rewrites: one hash input, two spellings (fast-check)', () => {
  const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
  const at = (seq: number) => new Date(T0 + seq * 1000).toISOString();
  const tally = (counts: Record<string, number>, r: BoundaryRewrite) => (counts[`${r.kind} ${r.boundary}`] = (counts[`${r.kind} ${r.boundary}`] ?? 0) + 1);

  /** The generator's own claim, checked first: both spellings hash the same. */
  function sameHashInput([a, b]: [AuditEntry, AuditEntry]): boolean {
    const fixed = { seq: 1, timestamp: at(1), prevHash: '0'.repeat(64) };
    return entryHashInput({ ...a, ...fixed }) === entryHashInput({ ...b, ...fixed });
  }

  async function appended(entry: AuditEntry): Promise<SignedAuditEntry | InvalidAuditEntryError> {
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, store: createMemoryAuditStore(), now: () => T0 });
    try {
      return await log.append(entry);
    } catch (error) {
      if (error instanceof InvalidAuditEntryError) return error;
      throw error;
    }
  }

  it('append refuses every spelling with a separator inside a field or an empty scope: never two entries with one hash', async () => {
    const counts: Record<string, number> = {};
    await checkProperty(
      'audit: field-boundary rewrites at append',
      fc.asyncProperty(boundaryRewriteArb(), async (r) => {
        tally(counts, r);
        if (!sameHashInput(r.pair)) return false;
        const [a, b] = await Promise.all(r.pair.map(appended));
        const outcomes = [a, b].map((o) => !(o instanceof InvalidAuditEntryError));
        if (outcomes[0] && outcomes[1]) return false; // both accepted: the collision the rules exist to stop
        return r.ambiguous.every((amb, i) => outcomes[i] === !amb);
      }),
      400,
    );
    console.log('[property] boundary rewrites at append:', JSON.stringify(counts));
    expect(Object.keys(counts).length).toBeGreaterThanOrEqual(6); // every boundary and both scope forms are reached
  });

  it('a signed entry respelled across a boundary (hash and signature kept) is a malformed break, and so is the ambiguous original', async () => {
    const privateKey = await importEd25519PrivateKey(AUDIT_KEY.privateKey);
    const neighbour = (seq: number): AuditEntry => ({ action: 'sensor.read', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_01HX', scopes: ['sensor:read'], result: 'success' });
    await checkProperty(
      'audit: field-boundary rewrites in a signed chain',
      fc.asyncProperty(boundaryRewriteArb(), fc.integer({ min: 1, max: 32 }), async (r, concurrency) => {
        if (!sameHashInput(r.pair)) return false;
        // Sealed by hand (the log would refuse the ambiguous spelling): entry 2 is the first spelling.
        const chain = await sealChain(privateKey, 3, { seq: 0, hash: '0000000000000000' }, (seq, prevHash) => ({
          ...(seq === 2 ? r.pair[0] : neighbour(seq)),
          seq,
          timestamp: at(seq),
          prevHash,
        }));
        const respelled = chain.map((e, i) => (i === 1 ? { ...r.pair[1], seq: e.seq, timestamp: e.timestamp, prevHash: e.prevHash, hash: e.hash, signature: e.signature } : e));
        const verdicts = await Promise.all([chain, respelled].map((c) => verifyChain(c, { publicKey: AUDIT_KEY.publicKey, concurrency })));
        if (verdicts.every((v) => v.valid)) return false;
        return verdicts.every((v, i) => (r.ambiguous[i] ? !v.valid && v.brokenAt === 1 && v.reason === 'malformed' : v.valid));
      }),
      300,
    );
  });
});
