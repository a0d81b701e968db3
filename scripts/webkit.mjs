// WebKit for the tests: Debian's WebKitGTK MiniBrowser, driven over W3C WebDriver by
// WebKitWebDriver (package webkit2gtk-driver) through selenium-webdriver, on a private Xvfb
// display (package xvfb). Used by scripts/test-runtimes.mjs and the playground's WebKit test.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const env = process.env;
/** Where the three binaries live; each may be overridden for a non-Debian layout. */
export const WEBKIT_PATHS = {
  driver: env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver',
  browser: env.WEBKIT_BROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  xvfb: env.XVFB_PATH ?? '/usr/bin/Xvfb',
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startXvfb() {
  // -displayfd picks a free display number and writes it to fd 3 once the server is ready.
  const child = spawn(WEBKIT_PATHS.xvfb, ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`Xvfb exited (${code}) before it was ready: ${err.trim().slice(-500)}`)));
    child.stdio[3].once('data', (d) => resolve({ child, display: `:${String(d).trim()}` }));
  });
}

async function waitForDriver(url, child) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode})`);
    try {
      const res = await fetch(`${url}/status`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer at ${url} within 15 s`);
}

/**
 * Starts a private Xvfb display (or, without Xvfb, uses DISPLAY), WebKitWebDriver and one MiniBrowser session.
 * Returns the selenium `driver` and `close()`, which ends all three.
 */
export async function launchWebKit() {
  const { Builder } = await import('selenium-webdriver');
  const xvfb = existsSync(WEBKIT_PATHS.xvfb) || !env.DISPLAY ? await startXvfb() : null;
  const display = xvfb?.display ?? env.DISPLAY;
  const port = await freePort();
  const server = spawn(WEBKIT_PATHS.driver, [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: 'ignore',
    env: { ...env, DISPLAY: display },
  });
  const stop = () => {
    server.kill();
    xvfb?.child.kill();
  };
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitForDriver(url, server);
    const driver = await new Builder()
      .usingServer(url)
      .withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: WEBKIT_PATHS.browser, args: ['--automation'] },
      })
      .build();
    const close = async () => {
      await driver.quit().catch(() => {});
      stop();
    };
    return { driver, close };
  } catch (error) {
    stop();
    throw error;
  }
}
