// Runs the portable suite (test/*.test.ts, bundled by build-portable-suite.mjs) in Deno,
// Bun, Firefox ESR and WebKit (WebKitGTK). Node and Chromium run the same files under vitest (npm test).
// Usage: node scripts/test-runtimes.mjs [deno] [bun] [firefox] [webkit]   (default: all four)
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildPortableSuite, SUITE_DIR } from './build-portable-suite.mjs';
import { launchWebKit } from './webkit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => `${root}node_modules/.bin/${name}`;
const TIMEOUT_MS = 180_000;
const SUMMARY = /^(\d+) passed, (\d+) failed$/m;

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: SUITE_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => resolve({ out: `${out}\n${e.message}`, code: -1 }));
    child.on('close', (code) => (clearTimeout(timer), resolve({ out, code })));
  });
}

// Deno needs env access only for the assertion library's colour detection, not for the code under test.
// The server suite also touches files in the temp dir (the file-store tests), hence read/write.
const runDeno = () => run(bin('deno'), ['run', '--allow-env', '--allow-read', '--allow-write', '--allow-sys', '--no-prompt', 'suite-server.mjs']);
const runBun = () => run(bin('bun'), ['suite-server.mjs']);

const PAGE = `<!doctype html><meta charset="utf-8"><title>portable suite</title><script type="module">
globalThis.__suiteLog = (l) => ((globalThis.__out ??= []).push(l), console.log(l));
addEventListener('unhandledrejection', (e) => __suiteLog(\`unhandled rejection: \${e.reason?.stack ?? e.reason}\`));
try { globalThis.__done = (await import('./suite.mjs')).result; }
catch (e) { __suiteLog(\`suite did not load: \${e?.stack ?? e}\`); globalThis.__done = null; }
</script>`;

/** Serves the browser suite on loopback over http (Web Crypto needs a secure context; loopback is one). */
async function serveSuite() {
  const server = createServer(async (req, res) => {
    if (req.url === '/suite.mjs') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(await readFile(`${SUITE_DIR}/suite-browser.mjs`));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

async function runFirefox() {
  const { default: playwright } = await import('playwright-firefox-bidi');
  const firefox = playwright._bidiFirefox;
  const suite = await serveSuite();
  const browser = await firefox.launch({ channel: 'moz-firefox', executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', headless: true });
  let out = '';
  try {
    const tab = await browser.newPage();
    tab.on('console', (msg) => (out += `${msg.text()}\n`));
    tab.on('pageerror', (err) => (out += `page error: ${err.message}\n`));
    await tab.goto(suite.url);
    await tab.waitForFunction(() => globalThis.__done !== undefined, null, { timeout: TIMEOUT_MS });
    out += `\n${await tab.evaluate(() => navigator.userAgent)}\n`;
    return { out, code: 0 };
  } catch (error) {
    return { out: `${out}\n${error.message}`, code: -1 };
  } finally {
    await browser.close();
    suite.close();
  }
}

// WebDriver classic has no console events: the page keeps its log lines in __out and the
// runner drains them while it polls for the result.
async function runWebKit() {
  const suite = await serveSuite();
  let webkit;
  let out = '';
  try {
    webkit = await launchWebKit();
    const { driver } = webkit;
    await driver.get(suite.url);
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const { lines, done } = await driver.executeScript(
        'const o = globalThis.__out ?? []; globalThis.__out = []; return { lines: o, done: globalThis.__done !== undefined };',
      );
      out += lines.map((l) => `${l}\n`).join('');
      if (done) break;
      if (Date.now() > deadline) throw new Error(`the suite did not finish within ${TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    out += `\n${await driver.executeScript('return navigator.userAgent')}\n`;
    return { out, code: 0 };
  } catch (error) {
    return { out: `${out}\n${error.message}`, code: -1 };
  } finally {
    await webkit?.close();
    suite.close();
  }
}

const runners = { deno: runDeno, bun: runBun, firefox: runFirefox, webkit: runWebKit };
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(runners);

for (const kind of ['browser', 'server']) {
  const { files } = await buildPortableSuite(kind);
  console.log(`portable suite (${kind}): ${files.length} files`);
}
let passed = 0;
let failed = 0;
for (const name of wanted) {
  const { out, code } = await runners[name]();
  const m = SUMMARY.exec(out);
  if (!m || code !== 0) {
    console.log(`✗ ${name}: did not complete (exit ${code})\n${out.slice(-3000)}`);
    failed++;
    continue;
  }
  const [p, f] = [Number(m[1]), Number(m[2])];
  passed += p;
  failed += f;
  const failures = out.split('\n').filter((l) => l.startsWith('✗') || l.startsWith('  ')).join('\n');
  console.log(`${f === 0 ? '✓' : '✗'} ${name}: ${p} passed, ${f} failed${failures ? `\n${failures}` : ''}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
