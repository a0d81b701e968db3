// Child processes for the lock tests, with their output as lines to wait on.
import { spawn, type ChildProcess } from 'node:child_process';

export const WRITER = new URL('../fixtures/lock-writer.mjs', import.meta.url).pathname;

export interface Proc {
  child: ChildProcess;
  pid: number;
  lines: string[];
  stderr: () => string;
  /** The first output line starting with one of `prefixes` (waits for it); rejects if the process exits first. */
  line(...prefixes: string[]): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, resolved once the process is gone (reaped). */
  kill(): Promise<void>;
}

export function start(args: string[], { timeoutMs = 20_000 }: { timeoutMs?: number } = {}): Proc {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  return {
    child,
    pid: child.pid!,
    lines,
    stderr: () => err,
    exited,
    line(...prefixes) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${prefixes.join('|')}; got ${JSON.stringify(lines)} ${err}`)), timeoutMs);
        const check = () => {
          const found = lines.find((l) => prefixes.some((p) => l.startsWith(p)));
          if (found !== undefined) finish(null, found);
          else if (done) finish(new Error(`exited before ${prefixes.join('|')}; got ${JSON.stringify(lines)} ${err}`));
        };
        const finish = (error: Error | null, value?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(value!);
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The writer fixture: `lock-writer.mjs <log> <appends> [mode] [gun]`. */
export const writer = (log: string, appends: number, mode = '', gun = '') => start([WRITER, log, String(appends), mode, gun]);
