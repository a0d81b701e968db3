// The demo app's backend: the page never holds the developer API key. It proves it is this
// server's page with a per-start session token, and this proxy forwards the few device
// calls it needs to the authority with the real key. A production app does the same behind
// its own login.
import type { Context } from 'hono';

const ALLOWED: ReadonlyArray<{ method: string; path: RegExp }> = [
  { method: 'POST', path: /^\/v1\/consent-bundles$/ },
  { method: 'POST', path: /^\/v1\/consent-bundles\/[\w-]+\/refresh$/ },
  { method: 'GET', path: /^\/v1\/consent-bundles\/[\w-]+\/revocation-status$/ },
  { method: 'POST', path: /^\/v1\/audit\/offline-sync$/ },
];

export interface ProxyOptions {
  fetch: (request: Request) => Promise<Response>;
  apiKey: string;
  sessionToken: string;
  /** Every bundle the page asks for is for this agent and user. */
  agentId: string;
  userId: string;
}

const refuse = (c: Context, status: 401 | 403, code: string, message: string) => c.json({ code, message }, status);

export function deviceProxy(options: ProxyOptions) {
  return async (c: Context): Promise<Response> => {
    if (c.req.header('authorization') !== `Bearer ${options.sessionToken}`) {
      return refuse(c, 401, 'UNAUTHORIZED', 'Not this playground session: reload the page');
    }
    const url = new URL(c.req.url);
    const path = url.pathname.replace(/^\/app/, '');
    if (!ALLOWED.some((a) => a.method === c.req.method && a.path.test(path))) {
      return refuse(c, 403, 'FORBIDDEN', `${c.req.method} ${path} is not a device call`);
    }
    let body: string | undefined;
    if (c.req.method === 'POST') {
      body = await c.req.text();
      if (path === '/v1/consent-bundles') {
        let fields: Record<string, unknown> = {};
        try { fields = JSON.parse(body); } catch { /* the authority reports INVALID_JSON */ }
        if (typeof fields === 'object' && fields !== null) body = JSON.stringify({ ...fields, agentId: options.agentId, userId: options.userId });
      }
    }
    const headers = new Headers({ authorization: `Bearer ${options.apiKey}` });
    const type = c.req.header('content-type');
    if (type) headers.set('content-type', type);
    return options.fetch(new Request(new URL(path + url.search, url.origin), { method: c.req.method, headers, ...(body === undefined ? {} : { body }) }));
  };
}
