/** @jsxImportSource hono/jsx */
import { Layout } from '../components/layout.js';
import type { ConsoleSession } from '../env.js';
import { consolePaths } from '../paths.js';

/** A page that only says what happened (refused, not found, an error) and links back; it never shows request details. */
export function MessagePage({ title, message, session }: { title: string; message: string; session?: ConsoleSession | undefined }) {
  return (
    <Layout title={title} session={session}>
      <div class="card narrow">
        <h1>{title}</h1>
        <p>{message}</p>
        <p>
          <a href={session ? consolePaths.bundles : consolePaths.home}>{session ? 'Back to the bundles' : 'Go to the console'}</a>
        </p>
      </div>
    </Layout>
  );
}
