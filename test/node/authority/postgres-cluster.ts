// Global setup of the node project: one throwaway PostgreSQL cluster on loopback per test run
// (or PG_TEST_URL when set). Missing PostgreSQL binaries fail the run; they are never skipped.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { findPostgresBin } from '../../../scripts/postgres-bin.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test PostgreSQL server; test files create their own databases on it. */
    pgAdminUrl: string;
  }
}

function postgresBinDir(): string {
  const dir = findPostgresBin();
  if (!dir) {
    throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: `apt-get install postgresql`, set PG_BIN, or set PG_TEST_URL');
  }
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** initdb refuses to run as root: run the server binaries as the `postgres` user then. */
function runner(): { run: (bin: string, args: string[]) => void; uid: number | null; gid: number | null } {
  if (process.getuid?.() !== 0) return { run: (bin, args) => void execFileSync(bin, args, { stdio: 'pipe' }), uid: null, gid: null };
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { run: (bin, args) => void execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe' }), uid, gid };
}

export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.PG_TEST_URL) {
    project.provide('pgAdminUrl', process.env.PG_TEST_URL);
    return () => {};
  }
  const bin = postgresBinDir();
  const { run, uid, gid } = runner();
  const dir = mkdtempSync(join(tmpdir(), 'oc-pg-'));
  if (uid !== null && gid !== null) chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const settings = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run(join(bin, 'pg_ctl'), ['-D', data, '-o', settings, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  project.provide('pgAdminUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
