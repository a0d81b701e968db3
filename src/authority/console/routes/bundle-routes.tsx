/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { badRequest } from '../../api-error.js';
import { BUNDLE_STATUSES } from '../../bundle-list.js';
import { findBundle, revokeBundle } from '../../bundles.js';
import type { AuthorityContext } from '../../context.js';
import type { ConsoleEnv } from '../env.js';
import { trailJsonl } from '../export-jsonl.js';
import { formFields, refused, requireCsrf, requireSession } from '../guards.js';
import { BundlesPage } from '../pages/bundles.js';
import { CONFIRM_FIELD, RevokePage } from '../pages/revoke.js';
import { TrailPage } from '../pages/trail.js';
import { consolePaths } from '../paths.js';
import { bundlePage } from '../queries/bundles.js';
import { readRowCursor } from '../queries/row-page.js';
import { trailPage } from '../queries/trail.js';
import { renderPage } from '../render.js';
import { bundleLimitUsage } from '../../limits/limit-usage.js';

/** Entries on one trail page. */
const TRAIL_PAGE_SIZE = 50;
const SEQ = /^\d{1,15}$/;

/** A seq from a link or the jump form; empty means none. */
function seqParam(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (!SEQ.test(value.trim())) throw badRequest('A seq must be a whole number', 'INVALID_CURSOR');
  return Number(value.trim());
}

const NOTICES: Record<string, string> = { revoked: 'Revoked. The device is refused at its next sync (revocationStatus "revoked").' };

/** The bundles list, a bundle's trail and its JSONL export, and revocation with its confirmation step. */
export function bundleRoutes(app: Hono<ConsoleEnv>, ctx: AuthorityContext): void {
  const session = requireSession(ctx);

  app.get('/bundles', session, async (c) => {
    const status = c.req.query('status') || null;
    if (status !== null && !(BUNDLE_STATUSES as readonly string[]).includes(status)) throw badRequest(`status must be one of ${BUNDLE_STATUSES.join(', ')}`);
    const now = ctx.now();
    const page = await bundlePage(ctx.db, c.get('developerId'), status, readRowCursor((n) => c.req.query(n)), now);
    return renderPage(c, <BundlesPage session={c.get('session')} page={page} status={status} now={now} />);
  });

  app.get('/bundles/:id', session, async (c) => {
    const bundle = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    const flagged = ['1', 'true'].includes(c.req.query('flagged') ?? '');
    const before = seqParam(c.req.query('before'));
    const page = await trailPage(ctx.db, bundle.id, { after: before === null ? (seqParam(c.req.query('after')) ?? 0) : 0, before, flagged, limit: TRAIL_PAGE_SIZE });
    const notice = NOTICES[c.req.query('notice') ?? ''];
    const now = ctx.now();
    const limits = await bundleLimitUsage(ctx.db, bundle, now);
    return renderPage(c, <TrailPage session={c.get('session')} bundle={bundle} page={page} flagged={flagged} now={now} limits={limits} notice={notice} />);
  });

  app.get('/bundles/:id/export.jsonl', session, async (c) => {
    const bundle = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    return new Response(trailJsonl(ctx.db, bundle.id), {
      headers: {
        'Content-Type': 'application/jsonl; charset=utf-8',
        'Content-Disposition': `attachment; filename="${bundle.id}.audit.jsonl"`,
      },
    });
  });

  // GET only asks; the POST from the confirmation page revokes.
  app.get('/bundles/:id/revoke', session, async (c) => {
    const bundle = await findBundle(ctx.db, c.get('developerId'), c.req.param('id'));
    return renderPage(c, <RevokePage session={c.get('session')} bundle={bundle} />);
  });

  app.post('/bundles/:id/revoke', session, requireCsrf(), async (c) => {
    const id = c.req.param('id');
    const fields = await formFields(c);
    if (fields[CONFIRM_FIELD] !== id) return refused(c);
    await revokeBundle(ctx, c.get('developerId'), id, fields.revokeGrant === '1');
    return c.redirect(`${consolePaths.bundle(id)}?notice=revoked`, 303);
  });
}
