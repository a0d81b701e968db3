import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { AuthorityApiError } from './api-error.js';
import { MIN_API_KEY_LENGTH, createDeveloper } from './api-keys.js';
import { consoleApp, sessionTtlMs, type ConsoleOptions } from './console/index.js';
import type { AuthorityContext, AuthorityEnv } from './context.js';
import { migrate } from './db/migrations.js';
import { openDatabase, type DatabaseLocation } from './db/open.js';
import type { Db } from './db/types.js';
import { isDatabaseUnavailable } from './db/unavailable.js';
import { authenticate } from './device-auth/authenticate.js';
import { DEVICE_PATHS, SYNC_PATH } from './device-auth/device-routes.js';
import { DEVICE_PROOF_HEADER } from './device-auth/verify-proof.js';
import { takeRateLimit, type RateLimit } from './http/rate-limit.js';
import { agentRoutes } from './routes/agents.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { bundleRoutes } from './routes/bundles.js';
import { enrollmentRoutes } from './routes/enrollments.js';
import { syncRoutes } from './routes/sync.js';
import { ensureSigningKey, publishedKeys, rotateSigningKey } from './signing-keys.js';
import { parseTTL } from './ttl.js';

/** Options of {@link createAuthority}: where the data lives, who may call, and the limits. */
export interface AuthorityOptions extends DatabaseLocation {
  /** An open database to use instead of `databaseUrl`/`dataDir`; the caller closes it. */
  db?: Db;
  /** Makes sure a developer with this API key exists (at least 24 characters; only its hash is stored). */
  apiKey?: string;
  /** Base URL clients reach the authority at (`syncEndpoint`, default `iss`); default: each request's origin. */
  publicUrl?: string;
  /** `iss` of issued tokens (default: the base URL). */
  issuer?: string;
  /** Longest `offlineTTL` a bundle may ask for (default "168h"). */
  maxOfflineTTL?: string;
  /**
   * Counted in the database (so across every process sharing it); `false` turns rate limiting
   * off (tests). Per API key, or per bundle for device calls: 10 bundle creations or enrollments
   * and 20 syncs a minute; per bundle: 10 refreshes an hour; per client address: 20 code
   * redemptions a minute.
   */
  rateLimits?: false | { createBundle?: RateLimit; sync?: RateLimit; refresh?: RateLimit; redeem?: RateLimit };
  /** Largest sync body in bytes (default 8 MiB, room for 1000 entries with metadata). */
  maxSyncBodyBytes?: number;
  /** Largest body of every other request (default 64 KiB). */
  maxBodyBytes?: number;
  /** Answer a sync of an active bundle with under 20 % of its offline window left with a refreshed `newBundle` (default false). */
  refreshOnSync?: boolean;
  /**
   * Web origins allowed to call the device endpoints from a browser (an agent in a tab
   * redeeming its code, syncing and refreshing with device proofs), or '*'. API-key endpoints
   * never answer a cross-origin preflight. Default: none.
   */
  corsOrigins?: string[] | '*';
  /**
   * The operator's web console at `/console` (sign in with an API key; bundles, trails,
   * revocation, enrollment codes). On by default; `false` turns it off (`/console` is then 404).
   */
  console?: boolean | ConsoleOptions;
  /** Clock in Unix ms (tests). */
  now?: () => number;
  /** Called with unexpected errors before they become a 500 (default: console.error). */
  onError?: (error: unknown) => void;
}

/** A running authority: a web-standard fetch handler over its database. */
export interface Authority {
  /** Answers one HTTP request (PROTOCOL.md §5); mount it in any fetch-style server. */
  fetch(request: Request): Promise<Response>;
  /** Retires the active RS256 key and starts signing with a new one. */
  rotateSigningKey(): Promise<{ kid: string; retiredKid: string | null }>;
  /** Creates a developer (tenant) and returns its fresh API key, shown only this once. */
  createDeveloper(name?: string): Promise<{ developerId: string; apiKey: string }>;
  /** Which database it runs on: `'pglite'` or `'postgres'`. */
  readonly engine: Db['engine'];
  /** Closes the database unless it was passed in as `db`. */
  close(): Promise<void>;
}

const DEFAULT_LIMITS = {
  createBundle: { limit: 10, windowMs: 60_000 },
  sync: { limit: 20, windowMs: 60_000 },
  refresh: { limit: 10, windowMs: 3_600_000 },
  redeem: { limit: 20, windowMs: 60_000 },
};

type Counted = (c: Context<AuthorityEnv>) => string;
/** The caller's API key hash, or `bundle:<id>` for a device call. */
const byCaller: Counted = (c) => c.get('apiKeyHash');
const byBundle: Counted = (c) => `bundle:${c.req.param('id') ?? ''}`;
/** The TCP peer as `@hono/node-server` exposes it; one shared bucket where the host gives none. */
const byAddress: Counted = (c) => `address:${(c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown'}`;

function rateLimit(ctx: AuthorityContext, name: string, rule: RateLimit | undefined, counted: Counted = byCaller): MiddlewareHandler<AuthorityEnv> {
  if (!rule) return (_c, next) => next();
  return async (c, next) => {
    const wait = await takeRateLimit(ctx.db, counted(c), name, rule, ctx.now());
    if (wait !== null) {
      throw new AuthorityApiError(429, 'RATE_LIMITED', `Rate limit of ${rule.limit} requests per ${rule.windowMs / 1000}s reached`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    await next();
  };
}

/**
 * Opens (and migrates) the database, makes the first signing key, and returns the authority
 * as a Hono fetch handler: every endpoint of PROTOCOL.md §5 plus `GET /health`.
 */
export async function createAuthority(options: AuthorityOptions = {}): Promise<Authority> {
  const now = options.now ?? Date.now;
  if (options.apiKey !== undefined && options.apiKey.length < MIN_API_KEY_LENGTH) {
    throw new TypeError(`The API key must be at least ${MIN_API_KEY_LENGTH} characters (use a random one, e.g. from \`authority init\`)`);
  }
  const consoleTtlMs = options.console === false ? null : sessionTtlMs(options.console === true ? {} : (options.console ?? {}));
  const db = options.db ?? (await openDatabase(options));
  try {
    await migrate(db);
    await ensureSigningKey(db, now());
    if (options.apiKey !== undefined) await createDeveloper(db, { apiKey: options.apiKey, name: 'default', now: now() });
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  const ctx: AuthorityContext = {
    db,
    now,
    signingKeys: new Map(),
    maxOfflineTtlMs: parseTTL(options.maxOfflineTTL ?? '168h', Number.MAX_SAFE_INTEGER),
    publicUrl: options.publicUrl?.replace(/\/+$/, '') ?? null,
    issuer: options.issuer ?? null,
    refreshOnSync: options.refreshOnSync ?? false,
  };
  const limits: { createBundle?: RateLimit; sync?: RateLimit; refresh?: RateLimit; redeem?: RateLimit } = options.rateLimits === false ? {} : { ...DEFAULT_LIMITS, ...options.rateLimits };
  const report = options.onError ?? ((error: unknown) => console.error('offline-consent authority:', error));
  const tooLarge = (max: number) =>
    bodyLimit({ maxSize: max, onError: () => { throw new AuthorityApiError(413, 'PAYLOAD_TOO_LARGE', `Request body over ${max} bytes`); } });
  const syncBody = tooLarge(options.maxSyncBodyBytes ?? 8 * 1024 * 1024);
  const otherBody = tooLarge(options.maxBodyBytes ?? 64 * 1024);

  const app = new Hono<AuthorityEnv>();
  app.use(requestId());
  if (options.corsOrigins !== undefined) {
    const deviceCors = cors({
      origin: options.corsOrigins,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type', DEVICE_PROOF_HEADER],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
    for (const path of DEVICE_PATHS) app.use(path, deviceCors);
  }
  app.use((c, next) => (c.req.path === SYNC_PATH ? syncBody : otherBody)(c, next));
  app.onError((error, c) => {
    if (error instanceof AuthorityApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json({ code: error.code, message: error.message, requestId: c.get('requestId'), ...error.details }, error.status);
    }
    report(error);
    if (isDatabaseUnavailable(error)) {
      // Nothing was committed (each change is one transaction): the client may simply retry.
      c.header('Retry-After', '1');
      return c.json({ code: 'DATABASE_UNAVAILABLE', message: 'The database connection was lost; retry', requestId: c.get('requestId') }, 503);
    }
    return c.json({ code: 'INTERNAL_ERROR', message: 'Internal error', requestId: c.get('requestId') }, 500);
  });
  app.notFound((c) => c.json({ code: 'NOT_FOUND', message: `No route for ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') }, 404));

  app.get('/health', async (c) => {
    try {
      await db.query('SELECT 1');
      return c.json({ status: 'ok', engine: db.engine });
    } catch {
      return c.json({ status: 'unavailable', engine: db.engine }, 503);
    }
  });
  app.get('/.well-known/jwks.json', async (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ keys: await publishedKeys(db, now()) });
  });
  app.use('/v1/*', authenticate(ctx));
  app.route('/v1/agents', agentRoutes(ctx));
  app.route('/v1/api-keys', apiKeyRoutes(ctx));
  const createLimit = rateLimit(ctx, 'createBundle', limits.createBundle);
  app.route('/v1/enrollments', enrollmentRoutes(ctx, { create: createLimit, redeem: rateLimit(ctx, 'redeem', limits.redeem, byAddress) }));
  app.route('/v1/consent-bundles', bundleRoutes(ctx, createLimit, rateLimit(ctx, 'refresh', limits.refresh, byBundle)));
  app.route('/v1/audit', syncRoutes(ctx, rateLimit(ctx, 'sync', limits.sync)));
  if (consoleTtlMs !== null) app.route('/console', consoleApp(ctx, consoleTtlMs, createLimit));

  return {
    fetch: async (request) => app.fetch(request),
    rotateSigningKey: () => rotateSigningKey(db, now()),
    createDeveloper: async (name) => {
      const { developerId, apiKey } = await createDeveloper(db, { name: name ?? 'developer', now: now() });
      return { developerId, apiKey };
    },
    engine: db.engine,
    close: async () => {
      if (!options.db) await db.close();
    },
  };
}
