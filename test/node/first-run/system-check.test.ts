// `npm test` starts with scripts/system-check.mjs: present parts pass silently; missing ones are
// installed when root with apt-get (shown here with --dry-run), or stop the run at once with one
// line naming the packages and the install command (run as the unprivileged `nobody`).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = new URL('../../../scripts/system-check.mjs', import.meta.url).pathname;
const check = (env: Record<string, string>, args: string[] = [], asNobody = false) => {
  const command = asNobody ? ['runuser', ['-u', 'nobody', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, script, ...args]] as const : [process.execPath, [script, ...args]] as const;
  const run = spawnSync(command[0], [...command[1]], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
};

describe('scripts/system-check.mjs', () => {
  it('everything present: exit 0 and nothing printed', () => {
    const run = check({});
    expect([run.status, run.stdout, run.stderr]).toEqual([0, '', '']);
  });

  it('missing parts, not root: exit 1 at once with one line naming each package and the install command', () => {
    const run = check({ CHROMIUM_PATH: '/nonexistent/chromium', FIREFOX_PATH: '/nonexistent/firefox' }, [], true);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'npm test needs system packages that are missing: chromium (browser tests), firefox-esr (Firefox runtime tests). Install them with: sudo apt-get install -y --no-install-recommends chromium firefox-esr (or point CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, WEBKIT_BROWSER_PATH, XVFB_PATH, PG_BIN or PG_TEST_URL at your own).',
    ]);
  });

  it('WebKit missing: webkit2gtk-driver and xvfb are named (not root)', () => {
    const run = check({ WEBKIT_DRIVER_PATH: '/nonexistent/WebKitWebDriver', XVFB_PATH: '/nonexistent/Xvfb', DISPLAY: '' }, [], true);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^npm test needs system packages that are missing: webkit2gtk-driver \(WebKit runtime tests\), xvfb \(a display for WebKit\)\. Install them with: sudo apt-get install -y --no-install-recommends webkit2gtk-driver xvfb /);
  });

  it('missing parts as root with apt-get: one line says what it installs, then apt-get update and install (dry run)', () => {
    const run = check({ PG_BIN: '/nonexistent', CHROMIUM_PATH: '/nonexistent/chromium' }, ['--dry-run']);
    if (process.getuid?.() !== 0) return expect(run.status).toBe(1); // only root installs
    const hasPostgres = spawnSync('sh', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb']).status === 0;
    const pkgs = hasPostgres ? 'chromium' : 'chromium postgresql';
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      `Installing Debian packages the test suite needs (once, with apt-get as root): ${pkgs}`,
      'would run: /usr/bin/apt-get update -qq',
      `would run: /usr/bin/apt-get install -y -qq --no-install-recommends ${pkgs}`,
    ]);
  });
});
