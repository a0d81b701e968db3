// A browser-less operator for the console's route tests: keeps the session cookie, sends forms
// with an Origin header (the console's own unless told otherwise), and reads pages as text.
import { computeEntryHash, signEntryHash, type SignedAuditEntry } from '../../../src/index.js';
import type { Authority } from '../../../src/authority/index.js';
import type { Device } from '../authority/device-client.js';

export interface Page {
  status: number;
  html: string;
  headers: Headers;
  location: string | null;
}

export interface Send {
  /** Form fields (urlencoded); a POST carries the session's CSRF token unless `csrf: false` or another value is given. */
  form?: Record<string, string>;
  csrf?: string | false;
  /** The Origin header; null sends none. Default: the console's own origin. */
  origin?: string | null;
  headers?: Record<string, string>;
  /** Cookie header to send instead of the kept one (null: none). */
  cookie?: string | null;
}

/** The session cookie's value out of a Set-Cookie header, or null when it is cleared or absent. */
export function sessionCookieValue(setCookie: string | null): string | null {
  const match = /(?:^|,\s*)oc_console=([^;]*)/.exec(setCookie ?? '');
  return match && match[1] ? match[1] : null;
}

/** The CSRF token of a page's forms. */
export function csrfOf(html: string): string | null {
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

export class ConsoleClient {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(
    readonly authority: Pick<Authority, 'fetch'>,
    readonly base = 'http://authority.test',
  ) {}

  async send(method: string, path: string, opts: Send = {}): Promise<Page> {
    const headers: Record<string, string> = { ...opts.headers };
    const cookie = opts.cookie === undefined ? this.cookie : opts.cookie;
    if (cookie) headers.Cookie = `oc_console=${cookie}`;
    const origin = opts.origin === undefined ? new URL(this.base).origin : opts.origin;
    if (origin !== null && method !== 'GET') headers.Origin = origin;
    let body: string | undefined;
    if (method !== 'GET') {
      const fields = { ...opts.form };
      const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
      if (csrf) fields.csrf = csrf;
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(fields).toString();
    }
    const res = await this.authority.fetch(new Request(`${this.base}${path}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) }));
    const html = await res.text();
    const token = csrfOf(html);
    if (token) this.csrf = token;
    return { status: res.status, html, headers: res.headers, location: res.headers.get('location') };
  }

  get(path: string, opts: Send = {}) {
    return this.send('GET', path, opts);
  }
  post(path: string, opts: Send = {}) {
    return this.send('POST', path, opts);
  }

  /** Signs in with an API key; keeps the cookie and loads the bundles page (for its CSRF token). */
  async signIn(apiKey: string): Promise<Page> {
    const res = await this.post('/console/sign-in', { form: { apiKey }, csrf: false });
    const value = sessionCookieValue(res.headers.get('set-cookie'));
    if (res.status !== 303 || !value) throw new Error(`sign-in failed: ${res.status}`);
    this.cookie = value;
    await this.get('/console/bundles');
    return res;
  }

  /** The same session (cookie and token) against another authority instance. */
  on(authority: Pick<Authority, 'fetch'>): ConsoleClient {
    const other = new ConsoleClient(authority, this.base);
    other.cookie = this.cookie;
    other.csrf = this.csrf;
    return other;
  }
}

/** Appends `n` entries to a device's chain, signed with its key; `shape` edits an entry before it is hashed (e.g. its timestamp). */
export async function appendShaped(device: Device, n: number, shape: (seq: number) => Partial<SignedAuditEntry> = () => ({})): Promise<SignedAuditEntry[]> {
  const made: SignedAuditEntry[] = [];
  for (let i = 0; i < n; i++) {
    const head = device.head;
    const seq = head.seq + 1;
    const base = {
      seq,
      timestamp: new Date(Date.now() + seq).toISOString(),
      action: seq % 3 === 0 ? 'tool:door.open' : 'tool:sensor.read',
      agentDID: device.identity.agentDID,
      grantId: device.identity.grantId,
      scopes: [device.identity.scopes[seq % 3 === 0 ? 1 : 0] ?? device.identity.scopes[0]!],
      result: 'success',
      ...(seq % 4 === 0 ? { metadata: { room: 'kitchen', celsius: 21 + (seq % 5) / 10 } } : {}),
      prevHash: head.hash,
      ...shape(seq),
    };
    const hash = await computeEntryHash(base);
    const entry = { ...base, hash, signature: await signEntryHash(device.key.privateKey, hash) };
    device.entries.push(entry);
    made.push(entry);
  }
  return made;
}
