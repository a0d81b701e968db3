// A directory on a real, tiny filesystem for disk-full and read-only tests: a 2 MiB ext4 loop
// image (no root reserve, so root fills it too). Where the machine cannot mount (no loop
// device, no CAP_SYS_ADMIN), an injected node:fs/promises fault hook stands in, and `how` says so.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { open as openReal, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { vi } from 'vitest';

export interface SmallFs {
  /** How the faults are made; goes into the test names. */
  readonly how: string;
  readonly real: boolean;
  readonly dir: string;
  /** Fills the filesystem: the next block allocation fails with ENOSPC. */
  fill(): Promise<void>;
  /** Frees what `fill` took. */
  free(): Promise<void>;
  /** `chattr +i` / `-i`: the file cannot be written, truncated or replaced, even by root. */
  setImmutable(path: string, on: boolean): void;
  /** Remounts the whole filesystem read-only / read-write (needs no file open for writing). */
  setReadOnly(on: boolean): void;
  dispose(): void;
}

const FILLER = '.filler';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: 'pipe' });
}

function mountExt4(): SmallFs | null {
  const base = mkdtempSync(join(tmpdir(), 'oc-smallfs-'));
  const image = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  try {
    run('truncate', ['-s', '2M', image]);
    run('mkfs.ext4', ['-q', '-F', '-m', '0', '-O', '^has_journal', image]);
    run('mount', ['-o', 'loop', image, dir]);
  } catch {
    rmSync(base, { recursive: true, force: true });
    return null;
  }
  return {
    how: 'real 2 MiB ext4 loop image',
    real: true,
    dir,
    async fill() {
      // Small chunks to the last one that fits; what is left is less than one block.
      const fh = await openReal(join(dir, FILLER), 'a');
      try {
        for (let chunk = 64 * 1024; chunk >= 512; chunk /= 8) {
          for (;;) {
            try {
              await fh.write(Buffer.alloc(chunk, 1));
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
              break;
            }
          }
        }
        await fh.sync().catch(() => {});
      } finally {
        await fh.close();
      }
    },
    async free() {
      await unlink(join(dir, FILLER));
    },
    setImmutable(path, on) {
      run('chattr', [on ? '+i' : '-i', path]);
    },
    setReadOnly(on) {
      run('mount', ['-o', on ? 'remount,ro' : 'remount,rw', dir]);
    },
    dispose() {
      try {
        execFileSync('chattr', ['-R', '-i', dir], { stdio: 'ignore' });
      } catch {
        // nothing immutable left
      }
      run('umount', ['--lazy', dir]); // also when a failed test left a file open
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The stand-in: node:fs/promises wrapped so writes under `dir` fail as the kernel would. */
function injectedHook(): SmallFs {
  const dir = mkdtempSync(join(tmpdir(), 'oc-smallfs-hook-'));
  const state = { full: false, readOnly: false, immutable: new Set<string>() };
  const under = (p: unknown) => typeof p === 'string' && resolve(p).startsWith(dir);
  const errno = (code: string, syscall: string, path: string) =>
    Object.assign(new Error(`${code}: injected fs fault hook, ${syscall} '${path}'`), { code, syscall, path });
  const refuse = (path: string, syscall: string, writes: boolean) => {
    if (!under(path)) return;
    if (state.readOnly) throw errno('EROFS', syscall, path);
    if (state.immutable.has(resolve(path))) throw errno('EPERM', syscall, path);
    if (writes && state.full) throw errno('ENOSPC', syscall, path);
  };
  vi.doMock('node:fs/promises', async (importOriginal) => {
    const fs = await importOriginal<typeof import('node:fs/promises')>();
    const wrapHandle = (fh: import('node:fs/promises').FileHandle, path: string) =>
      new Proxy(fh, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          if (prop === 'write' || prop === 'writeFile') return (...args: unknown[]) => (refuse(path, 'write', true), value.apply(target, args));
          if (prop === 'truncate') return (...args: unknown[]) => (refuse(path, 'ftruncate', false), value.apply(target, args));
          return value.bind(target);
        },
      });
    const writesFlags = (flags: unknown) => (typeof flags === 'number' ? (flags & 3) !== 0 : typeof flags === 'string' && /[wa+]/.test(flags));
    const wrapped = {
      ...fs,
      async open(path: string, flags?: string | number, mode?: number) {
        if (writesFlags(flags)) refuse(path, 'open', false);
        return wrapHandle(await fs.open(path, flags, mode), path);
      },
      async rename(from: string, to: string) {
        refuse(to, 'rename', false);
        return fs.rename(from, to);
      },
      async unlink(path: string) {
        refuse(path, 'unlink', false);
        return fs.unlink(path);
      },
    };
    return { ...wrapped, default: wrapped };
  });
  return {
    how: 'injected fs fault hook, no loop mount available',
    real: false,
    dir,
    async fill() {
      state.full = true;
    },
    async free() {
      state.full = false;
    },
    setImmutable(path, on) {
      if (on) state.immutable.add(resolve(path));
      else state.immutable.delete(resolve(path));
    },
    setReadOnly(on) {
      state.readOnly = on;
    },
    dispose() {
      vi.doUnmock('node:fs/promises');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Call before importing the code under test (the hook must be in place before it loads). */
export function smallFs(): SmallFs {
  return (process.env.OC_FORCE_FS_HOOK ? null : mountExt4()) ?? injectedHook();
}
