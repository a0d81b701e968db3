/** @jsxImportSource hono/jsx */
import type { Hono, MiddlewareHandler } from 'hono';
import { AuthorityApiError } from '../../api-error.js';
import type { AuthorityContext, AuthorityEnv } from '../../context.js';
import { createEnrollment } from '../../device-auth/enrollments.js';
import { baseUrl } from '../../http/base-url.js';
import { readNewEnrollment } from '../../routes/enrollments.js';
import type { ConsoleEnv } from '../env.js';
import { formFields, requireCsrf, requireSession } from '../guards.js';
import { ENROLL_DEFAULTS, EnrolledPage, EnrollPage, type EnrollValues } from '../pages/enroll.js';
import { enrollmentQrText, qrSvg } from '../qr-code.js';
import { activeAgents } from '../queries/agents.js';
import { renderPage } from '../render.js';

/** The form's fields, with the defaults for any left out. */
function enrollValues(fields: Record<string, string>): EnrollValues {
  const pick = (k: keyof EnrollValues) => (fields[k] ?? ENROLL_DEFAULTS[k]).trim();
  return { agentId: pick('agentId'), userId: pick('userId'), scopes: pick('scopes'), offlineTTL: pick('offlineTTL'), maxLifetime: pick('maxLifetime'), codeTTL: pick('codeTTL') };
}

/** The enrollment form, and minting a code from it exactly as `POST /v1/enrollments` does (same checks, same rate limit). */
export function enrollRoutes(app: Hono<ConsoleEnv>, ctx: AuthorityContext, enrollLimit: MiddlewareHandler<AuthorityEnv>): void {
  const session = requireSession(ctx);

  app.get('/enroll', session, async (c) => {
    const s = c.get('session');
    return renderPage(c, <EnrollPage session={s} agents={await activeAgents(ctx.db, s.developerId)} values={{ ...ENROLL_DEFAULTS, agentId: c.req.query('agentId') ?? '' }} />);
  });

  app.post('/enroll', session, requireCsrf(), enrollLimit as unknown as MiddlewareHandler<ConsoleEnv>, async (c) => {
    const s = c.get('session');
    const values = enrollValues(await formFields(c));
    try {
      const body = { ...values, scopes: values.scopes.split(/[\s,]+/).filter(Boolean) };
      const enrollment = await createEnrollment(ctx, s.developerId, readNewEnrollment(ctx, body));
      const qrText = enrollmentQrText(baseUrl(ctx, c), enrollment.code);
      const minted = {
        code: enrollment.code,
        enrollmentId: enrollment.enrollmentId,
        expiresAt: enrollment.expiresAt,
        agentId: enrollment.agentId,
        userId: enrollment.userId,
        scopes: enrollment.scopes,
        offlineTTL: enrollment.offlineTTL,
        qrText,
        qrSvg: await qrSvg(qrText, `QR code of enrollment code ${enrollment.code}`),
      };
      return renderPage(c, <EnrolledPage session={s} minted={minted} />, 201);
    } catch (error) {
      if (!(error instanceof AuthorityApiError)) throw error;
      const agents = await activeAgents(ctx.db, s.developerId);
      return renderPage(c, <EnrollPage session={s} agents={agents} values={values} error={error.message} />, error.status === 500 || error.status === 503 ? 400 : error.status);
    }
  });
}
