/// <reference types="node" />
import { serve } from '@hono/node-server';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createAuthority, type Authority, type AuthorityOptions } from './app.js';

/** Options of {@link startAuthority}: the authority's, plus where to listen. */
export interface StartAuthorityOptions extends AuthorityOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: loopback only). */
  host?: string;
}

/** An authority listening on HTTP; made by {@link startAuthority}. */
export interface RunningAuthority {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The port it listens on (the one picked, when 0 was asked). */
  port: number;
  /** The authority itself, e.g. to create developers or rotate keys. */
  authority: Authority;
  /** Stops accepting connections, lets requests in flight finish (5 s at most), closes the database. */
  close(): Promise<void>;
}

/**
 * Serves the authority over HTTP on Node. The API key comes from `apiKey` or the
 * `OFFLINE_CONSENT_API_KEY` environment variable; `publicUrl` defaults to the listening URL.
 *
 * @example
 * ```ts
 * import { startAuthority } from 'offline-consent/authority';
 *
 * // PGlite in ./authority-data, loopback only; give `databaseUrl` for PostgreSQL instead.
 * const running = await startAuthority({ dataDir: './authority-data', port: 8787 });
 * const { apiKey } = await running.authority.createDeveloper('backend'); // shown only once
 * console.log(`authority at ${running.url}`);
 * process.once('SIGTERM', () => void running.close());
 * ```
 */
export async function startAuthority(options: StartAuthorityOptions = {}): Promise<RunningAuthority> {
  const { port = 0, host = '127.0.0.1', ...rest } = options;
  let authority: Authority | undefined;
  // The port is only known once listening, and the public URL depends on it: answer 503 until ready.
  const server = serve({
    port,
    hostname: host,
    fetch: (request) =>
      authority?.fetch(request) ??
      Response.json({ code: 'STARTING', message: 'The authority is starting' }, { status: 503, headers: { 'Retry-After': '1' } }),
  });
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  const stop = () => new Promise<void>((resolve) => {
    const force = setTimeout(() => (server as import('node:http').Server).closeAllConnections(), 5_000);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    (server as import('node:http').Server).closeIdleConnections();
  });
  try {
    const apiKey = rest.apiKey ?? process.env.OFFLINE_CONSENT_API_KEY;
    authority = await createAuthority({ ...rest, publicUrl: rest.publicUrl ?? url, ...(apiKey ? { apiKey } : {}) });
  } catch (error) {
    await stop();
    throw error;
  }
  const ready = authority;
  return {
    url,
    port: actualPort,
    authority: ready,
    close: async () => {
      await stop();
      await ready.close();
    },
  };
}
