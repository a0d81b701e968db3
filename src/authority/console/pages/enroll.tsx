/** @jsxImportSource hono/jsx */
import type { AgentRow } from '../../records.js';
import { CsrfField, Time } from '../components/format.js';
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths } from '../paths.js';

/** What the enrollment form was filled with (shown again after a refusal). */
export interface EnrollValues {
  agentId: string;
  userId: string;
  scopes: string;
  offlineTTL: string;
  maxLifetime: string;
  codeTTL: string;
}

/** Defaults of the form: the API's own (`offlineTTL` 72h, `maxLifetime` 30d, `codeTTL` 10m). */
export const ENROLL_DEFAULTS: EnrollValues = { agentId: '', userId: '', scopes: '', offlineTTL: '72h', maxLifetime: '30d', codeTTL: '10m' };

/** A minted code as the result page shows it. */
export interface MintedCode {
  code: string;
  enrollmentId: string;
  expiresAt: string;
  agentId: string;
  userId: string;
  scopes: string[];
  offlineTTL: string;
  /** The JSON the QR code encodes. */
  qrText: string;
  /** Inline SVG, or null when the optional `qrcode` package is not installed. */
  qrSvg: string | null;
}

/** One text field with its label and hint. */
function TextField({ id, label, value, hint, required }: { id: keyof EnrollValues; label: string; value: string; hint?: string; required?: boolean }) {
  return (
    <div class="field">
      <label for={id}>{label}{hint ? <span class="hint" id={`${id}-hint`}>{hint}</span> : null}</label>
      <input type="text" id={id} name={id} value={value} required={required ?? false} aria-describedby={hint ? `${id}-hint` : undefined} spellcheck={false} autocomplete="off" />
    </div>
  );
}

/** The enrollment form: which agent, for which user, which scopes, how long offline. */
export function EnrollPage({ session, agents, values, error }: { session: ConsoleSession; agents: AgentRow[]; values: EnrollValues; error?: string | undefined }) {
  return (
    <Layout title="Enroll a device" session={session} current="enroll">
      <div class="card medium">
        <h1>Enroll a device</h1>
        <p class="muted">Mints a one-time enrollment code, exactly as <code>POST /v1/enrollments</code> does. The device redeems it with a key pair it makes itself.</p>
        {error && <p class="error" role="alert">{error}</p>}
        {agents.length === 0 ? (
          <p class="warning">There is no active agent to enroll a device for. Register one first (<code>offline-consent agent create</code>).</p>
        ) : (
          <form method="post" action={consolePaths.enroll}>
            <CsrfField session={session} />
            <div class="field">
              <label for="agentId">Agent<span class="hint">Its name, the scopes registered for it, and its id.</span></label>
              <select id="agentId" name="agentId" required>
                {agents.map((a) => (
                  <option value={a.id} selected={a.id === values.agentId}>{`${a.name}: ${(JSON.parse(a.scopes) as string[]).join(' ')} (${a.id})`}</option>
                ))}
              </select>
            </div>
            <TextField id="userId" label="User id" value={values.userId} hint="Whose consent this is (the token's sub)." required />
            <TextField id="scopes" label="Scopes" value={values.scopes} hint="Separated by spaces or commas; each must be registered for the agent." required />
            <TextField id="offlineTTL" label="Offline TTL" value={values.offlineTTL} hint="How long the bundle works offline, e.g. 72h (at most the authority's maximum)." required />
            <TextField id="maxLifetime" label="Maximum lifetime" value={values.maxLifetime} hint="No refresh after this long from redemption, e.g. 30d." required />
            <TextField id="codeTTL" label="Code valid for" value={values.codeTTL} hint="How long the code can be redeemed, e.g. 10m (at most 1d)." required />
            <button type="submit">Create enrollment code</button>
          </form>
        )}
      </div>
    </Layout>
  );
}

/** The minted code, shown this once: as text and as a QR code of `{"baseUrl", "code"}`, with how to redeem it. */
export function EnrolledPage({ session, minted }: { session: ConsoleSession; minted: MintedCode }) {
  return (
    <Layout title="Enrollment code" session={session} current="enroll">
      <div class="card medium">
        <h1>Enrollment code</h1>
        <p class="notice" role="status">Code created. It is shown only now and can be redeemed once, until <Time value={minted.expiresAt} />.</p>
        <p><label for="code">Code</label><output id="code" class="code">{minted.code}</output></p>
        {minted.qrSvg ? (
          <figure class="qr">
            <div dangerouslySetInnerHTML={{ __html: minted.qrSvg }} />
            <figcaption>The QR code holds <code>{minted.qrText}</code>: pass it to <code>redeemEnrollment(JSON.parse(text))</code>.</figcaption>
          </figure>
        ) : (
          <p class="warning">Install the optional <code>qrcode</code> package on the authority to show this code as a QR code.</p>
        )}
        <dl class="facts">
          <dt>Enrollment</dt>
          <dd><code>{minted.enrollmentId}</code></dd>
          <dt>Agent · user</dt>
          <dd><code>{minted.agentId}</code> · {minted.userId}</dd>
          <dt>Scopes</dt>
          <dd>{minted.scopes.map((s, i) => [i > 0 ? ' ' : '', <code>{s}</code>])}</dd>
          <dt>Offline TTL</dt>
          <dd>{minted.offlineTTL}</dd>
        </dl>
        <p>On a Node device:</p>
        <pre class="code">{`offline-consent device enroll --url ${(JSON.parse(minted.qrText) as { baseUrl: string }).baseUrl} --code ${minted.code} --bundle bundle.bin`}</pre>
        <p><a href={consolePaths.enroll}>Create another code</a></p>
      </div>
    </Layout>
  );
}
