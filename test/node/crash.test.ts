// SIGKILL a writer at random moments, 50 times, on one log: after every kill the log must
// open, verify, hold every entry the writer saw acknowledged, and continue the chain.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, createOfflineAuditLog, verifyChain, type SignedAuditEntry } from '../../src/node.js';
import { AUDIT_KEY } from '../helpers/chain.js';

const ROUNDS = 50;
const WRITER = new URL('./fixtures/crash-writer.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'oc-crash-'));
const path = join(dir, 'audit.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Deterministic choices (workers, kill delay) so a failing round can be replayed; the
// scheduler still decides exactly where each kill lands.
let seed = 0x2f6e2b1;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** Runs the writer, kills it `delayMs` after it is ready (or after spawn), returns its complete output lines. */
function runAndKill(workers: number, delayMs: number, fromSpawn: boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(workers)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const kill = () => setTimeout(() => child.kill('SIGKILL'), delayMs);
    if (fromSpawn) kill();
    child.stdout.on('data', (chunk: Buffer) => {
      if (!fromSpawn && out === '' && chunk.toString().startsWith('ready')) kill();
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited on its own (${code}): ${err}`));
      else resolve(out.split('\n').slice(0, -1)); // the last piece may be a line cut by the kill
    });
  });
}

/** Every entry on disk: rotated segments in seq order, then the live one. */
function allEntries(): SignedAuditEntry[] {
  const archives = readdirSync(dir)
    .map((f) => /^audit\.jsonl\.(\d+)-(\d+)\.bak$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  const files = [...archives.map((m) => join(dir, m[0])), ...(existsSync(path) ? [path] : [])]; // no live file right after a rotation
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SignedAuditEntry));
}

describe('crash safety (SIGKILL)', () => {
  it(`${ROUNDS} kills at random moments lose no acknowledged entry and never break the chain`, async () => {
    const acked = new Map<number, string>();
    let verified = { seq: 0, hash: GENESIS_HASH };
    const stats = { recoveries: 0, rotations: 0, killedBeforeReady: 0, damagedMarkSlots: 0 };
    const kinds = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const workers = round % 2 === 0 ? 1 : 8;
      const fromSpawn = random() < 0.15;
      const lines = await runAndKill(workers, Math.floor(random() * (fromSpawn ? 120 : 60)), fromSpawn);
      if (!lines.some((l) => l.startsWith('ready'))) stats.killedBeforeReady++;
      for (const line of lines) {
        const [kind, seq, hash] = line.split(' ');
        if (kind === 'ack') acked.set(Number(seq), hash!);
        if (kind === 'recover') {
          stats.recoveries++;
          kinds.add(seq!);
        }
      }

      // With the high-water mark required (fsync): a kill must never read as a truncation or a lost mark.
      const log = createOfflineAuditLog({
        signingKey: AUDIT_KEY,
        logPath: path,
        requireMark: true,
        onRecover: (r) => {
          stats.recoveries++;
          kinds.add(r.kind);
          if (r.kind === 'mark-slot-damaged') stats.damagedMarkSlots++;
        },
      });
      await expect(log.head(), `round ${round}: opens with its mark`).resolves.not.toBeInstanceOf(Error);
      await log.verify(); // the live segment, signatures included, from the carried-over head
      const entries = allEntries();
      const bySeq = new Map(entries.map((e) => [e.seq, e.hash]));
      for (const [seq, hash] of acked) expect(bySeq.get(seq), `round ${round}: acknowledged seq ${seq}`).toBe(hash);
      // Whatever was added since the last round links onto what was verified then.
      const fresh = entries.filter((e) => e.seq > verified.seq);
      expect(await verifyChain(fresh, { previous: verified }), `round ${round}`).toMatchObject({ valid: true });
      const head = await log.head();
      const next = await log.append({ action: 'after.crash', agentDID: 'did:key:z6MkAgent', grantId: 'grnt_01HX', scopes: [], result: 'success' });
      expect(next).toMatchObject({ seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS_HASH });
      acked.set(next.seq, next.hash);
      verified = { seq: next.seq, hash: next.hash };
      await log.close();
    }
    // The whole history, every segment, from genesis, signatures included.
    const all = allEntries();
    expect(await verifyChain(all, { publicKey: AUDIT_KEY.publicKey })).toEqual({ valid: true, count: verified.seq });
    stats.rotations = readdirSync(dir).filter((f) => f.endsWith('.bak')).length;
    console.info(`crash test: ${ROUNDS} kills, ${acked.size} acknowledged entries, ${all.length} on disk,`, stats);
    expect(acked.size).toBeGreaterThan(ROUNDS * 5); // the writers really wrote between kills
    expect(existsSync(`${path}.hwm`)).toBe(true);
    expect([...kinds].filter((k) => k.startsWith('mark-adopted') || k.startsWith('truncation'))).toEqual([]); // the mark was there from the first open
  }, 90_000);
});
