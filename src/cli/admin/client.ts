// The operator's client for admin verbs: the authority's REST API with the developer API key,
// read from OFFLINE_CONSENT_API_KEY or a 0600 file (never from the command line).
import { joinUrl, requestAuthority } from '../../bundle/lifecycle/request.js';
import { bearer } from '../../sync/post.js';
import { readApiKey } from '../api-key.js';

/** Options every admin verb takes. */
export interface AdminOptions {
  url: string;
  apiKeyFile?: string;
  json?: boolean;
}

/** GET and POST against the authority at `url`, as the developer. */
export interface AdminClient {
  get(path: string): Promise<Record<string, unknown>>;
  post(path: string, body?: unknown): Promise<Record<string, unknown>>;
}

/** A client for `opts.url` with the API key from the environment or `opts.apiKeyFile`. */
export async function adminClient(opts: AdminOptions): Promise<AdminClient> {
  const apiKey = await readApiKey(opts.apiKeyFile);
  const send = (method: string, path: string, body?: unknown) =>
    requestAuthority(joinUrl(opts.url, path), { method, ...(body === undefined ? {} : { body }) }, bearer(apiKey), {});
  return { get: (path) => send('GET', path), post: (path, body) => send('POST', path, body ?? {}) };
}

/** Reads every page of a keyset-paged list (`nextCursor`) up to `max` items. */
export async function listAll(client: AdminClient, path: string, key: string, max: number): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await client.get(`${path}${sep}limit=${Math.min(100, max - out.length)}${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...((page[key] as Record<string, unknown>[] | undefined) ?? []));
    cursor = typeof page.nextCursor === 'string' ? page.nextCursor : null;
  } while (cursor && out.length < max);
  return out;
}
