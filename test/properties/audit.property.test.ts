// Property-based attack on the audit chain: edited fields, reordered, duplicated, deleted and
// truncated entries of a signed chain. verifyChain must report exactly the first position
// that differs from the original chain, for the reason an independent oracle gives.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyChain, type SignedAuditEntry } from '../../src/index.js';
import { AUDIT_KEY, buildChain } from '../helpers/chain.js';
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
