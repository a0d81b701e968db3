// Property-based attack on the JSONL file of a real audit log: edited, swapped, duplicated and
// deleted lines. Reopening the log and verifying must report the first line that is not the
// original entry (or not an entry at all), with the reason an independent oracle gives.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashChainError, OfflineConsentError, createOfflineAuditLog, type SignedAuditEntry } from '../../../src/node.js';
import { AUDIT_KEY, sampleEntry } from '../../helpers/chain.js';
import { MALFORMED, expectedBreak } from '../../helpers/chain-mutations.js';
import { checkProperty } from '../../helpers/properties.js';

const COUNT = 30;

type LineOp =
  | { kind: 'edit'; line: number; at: number; text: string; cut: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; from: number; to: number }
  | { kind: 'delete'; line: number };

// Edits only touch lines before the last: the last line is the head the log reopens from (its own check).
const line = fc.nat({ max: COUNT - 2 });
const opArb: fc.Arbitrary<LineOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), line, at: fc.nat(), text: fc.oneof(fc.constantFrom('"', '{', '}', ',', ':', ' ', '0', '1', 'a', '\\', 'null', '\n'), fc.string({ maxLength: 3 })), cut: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), a: line, b: line }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), from: line, to: line }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), line }) },
);

/** Applies the edits to the lines before the last one; returns the file text. */
function applyLineOps(lines: string[], ops: LineOp[]): string {
  const body = lines.slice(0, -1);
  for (const op of ops) {
    const n = body.length;
    if (n === 0) break;
    if (op.kind === 'edit') {
      const l = body[op.line % n]!;
      const at = op.at % (l.length + 1);
      body[op.line % n] = l.slice(0, at) + op.text + l.slice(at + op.cut);
    } else if (op.kind === 'swap') {
      const [a, b] = [op.a % n, op.b % n];
      [body[a], body[b]] = [body[b]!, body[a]!];
    } else if (op.kind === 'duplicate') {
      body.splice(op.to % (n + 1), 0, body[op.from % n]!);
    } else {
      body.splice(op.line % n, 1);
    }
  }
  return `${[...body, lines.at(-1)!].join('\n')}\n`;
}

/** What the log's reader sees in each line, decided with JSON.parse alone. */
function parseLines(text: string): unknown[] {
  return text.slice(0, -1).split('\n').map((l) => {
    try {
      const v = JSON.parse(l) as unknown;
      return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { seq?: unknown }).seq === 'number' ? v : MALFORMED;
    } catch {
      return MALFORMED;
    }
  });
}

describe('audit log file under attack (fast-check, real files)', () => {
  let root: string;
  let pristine: string;
  let lines: string[];
  let chain: SignedAuditEntry[];
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'oc-prop-log-'));
    pristine = join(root, 'pristine');
    mkdirSync(pristine);
    const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: join(pristine, 'audit.jsonl') });
    for (let i = 0; i < COUNT; i++) await log.append(sampleEntry(i, i % 3 === 0 ? { metadata: { i, note: `n${i}`, z: [1, { a: null }] } } : {}));
    await log.close();
    lines = readFileSync(join(pristine, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
    chain = lines.map((l) => JSON.parse(l) as SignedAuditEntry);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('edited, swapped, duplicated and deleted lines → HashChainError at the first line that is not the original entry', async () => {
    let n = 0;
    const tally: Record<string, number> = {};
    await checkProperty(
      'audit file: edited JSONL lines vs oracle',
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 3 }), async (ops) => {
        const dir = join(root, `case-${n++}`);
        mkdirSync(dir);
        for (const f of readdirSync(pristine)) copyFileSync(join(pristine, f), join(dir, f));
        const text = applyLineOps(lines, ops);
        writeFileSync(join(dir, 'audit.jsonl'), text);
        const want = expectedBreak(chain, parseLines(text));
        const log = createOfflineAuditLog({ signingKey: AUDIT_KEY, logPath: join(dir, 'audit.jsonl') });
        // Opening reads the file's ends and seeks the head entry; a line it cannot parse on the way stops it.
        const openError = await log.head().then(() => null, (e: unknown) => e);
        if (openError) {
          await log.close().catch(() => {});
          rmSync(dir, { recursive: true, force: true });
          const firstMalformed = parseLines(text).indexOf(MALFORMED);
          tally.openRefused = (tally.openRefused ?? 0) + 1;
          expect(openError).toBeInstanceOf(HashChainError);
          expect({ brokenAt: (openError as HashChainError).brokenAt, reason: (openError as HashChainError).reason }).toEqual({ brokenAt: firstMalformed, reason: 'malformed' });
          return;
        }
        const got = await log.verify().then(
          (r) => r,
          (e: unknown) => {
            if (!(e instanceof OfflineConsentError)) throw e;
            return e instanceof HashChainError ? { valid: false, brokenAt: e.brokenAt, reason: e.reason } : { valid: false, code: e.code };
          },
        );
        await log.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
        const key = want.valid ? 'valid' : want.reason;
        tally[key] = (tally[key] ?? 0) + 1;
        expect(got, JSON.stringify({ got, want, first: text.split('\n').slice(0, 2).map((l) => l.slice(0, 400)) })).toEqual(want);
      }),
      150,
    );
    console.log('[property] audit file oracle verdicts:', JSON.stringify(tally));
    // The common verdicts must all occur (rarer ones, like a still-valid file, may not at a random seed).
    expect(Object.keys(tally)).toEqual(expect.arrayContaining(['hash', 'openRefused', 'seq']));
  });
});
