// First step of `npm test`: the suite needs Debian's Chromium, Firefox ESR, WebKitGTK's WebDriver
// (with MiniBrowser), Xvfb and PostgreSQL server binaries. Missing ones are installed at once when we are root with apt-get (one clear line says
// so); otherwise the run stops here with one line naming the packages and the command, never
// minutes later inside a browser test. `--dry-run` prints what it would run and changes nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findPostgresBin } from './postgres-bin.mjs';
import { WEBKIT_PATHS } from './webkit.mjs';

const env = process.env;
const dryRun = process.argv.includes('--dry-run');
const APT = '/usr/bin/apt-get';

/** Each system part the suite needs: its Debian package, who needs it, and whether it is here. */
function parts() {
  return [
    { pkg: 'chromium', why: 'browser tests', here: existsSync(env.CHROMIUM_PATH ?? '/usr/bin/chromium') },
    { pkg: 'firefox-esr', why: 'Firefox runtime tests', here: existsSync(env.FIREFOX_PATH ?? '/usr/bin/firefox-esr') },
    { pkg: 'webkit2gtk-driver', why: 'WebKit runtime tests', here: existsSync(WEBKIT_PATHS.driver) && existsSync(WEBKIT_PATHS.browser) },
    { pkg: 'xvfb', why: 'a display for WebKit', here: Boolean(env.DISPLAY) || existsSync(WEBKIT_PATHS.xvfb) },
    {
      pkg: 'postgresql',
      why: 'authority tests on PostgreSQL',
      here: Boolean(env.PG_TEST_URL) || findPostgresBin(env) !== null,
    },
  ];
}

function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

const missing = parts().filter((p) => !p.here);
if (missing.length === 0) process.exit(0);

const names = missing.map((p) => p.pkg).join(' ');
const install = `apt-get install -y --no-install-recommends ${names}`;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !existsSync(APT)) {
  const needs = missing.map((p) => `${p.pkg} (${p.why})`).join(', ');
  fail(`npm test needs system packages that are missing: ${needs}. Install them with: sudo ${install} (or point CHROMIUM_PATH, FIREFOX_PATH, WEBKIT_DRIVER_PATH, WEBKIT_BROWSER_PATH, XVFB_PATH, PG_BIN or PG_TEST_URL at your own).`);
}

console.log(`Installing Debian packages the test suite needs (once, with apt-get as root): ${names}`);
const steps = [
  [APT, ['update', '-qq']],
  [APT, ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.pkg)]],
];
for (const [cmd, args] of steps) {
  if (dryRun) {
    console.log(`would run: ${cmd} ${args.join(' ')}`);
    continue;
  }
  const run = spawnSync(cmd, args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (run.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${run.status ?? run.signal}); install by hand: ${install}`);
}
if (dryRun) process.exit(0);
const still = parts().filter((p) => !p.here);
if (still.length > 0) fail(`Still missing after apt-get: ${still.map((p) => p.pkg).join(' ')}; check CHROMIUM_PATH, FIREFOX_PATH, the WEBKIT_* paths, XVFB_PATH and PG_BIN.`);
