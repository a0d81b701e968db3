/** @jsxImportSource hono/jsx */
import type { PropsWithChildren } from 'hono/jsx';
import type { ConsoleSession } from '../env.js';
import { consolePaths } from '../paths.js';
import { CsrfField } from './format.js';

/** Which navigation link is the current page. */
export type NavItem = 'bundles' | 'agents' | 'enroll';

const NAV: { item: NavItem; href: string; text: string }[] = [
  { item: 'bundles', href: consolePaths.bundles, text: 'Bundles' },
  { item: 'agents', href: consolePaths.agents, text: 'Agents' },
  { item: 'enroll', href: consolePaths.enroll, text: 'Enroll a device' },
];

/** The page shell: head, stylesheet, skip link, navigation and sign-out for a signed-in operator, then the page. */
export function Layout({ title, session, current, children }: PropsWithChildren<{ title: string; session?: ConsoleSession | undefined; current?: NavItem | undefined }>) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · offline-consent console`}</title>
        <link rel="stylesheet" href={consolePaths.stylesheet} />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <div class="bar">
            <a class="brand" href={session ? consolePaths.bundles : consolePaths.signIn}>offline-consent console</a>
            {session && (
              <nav aria-label="Console">
                <ul>
                  {NAV.map((n) => (
                    <li>
                      <a href={n.href} aria-current={n.item === current ? 'page' : undefined}>{n.text}</a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            {session && (
              <div class="who">
                <span>{session.developerName}</span>
                <form method="post" action={consolePaths.signOut}>
                  <CsrfField session={session} />
                  <button type="submit">Sign out</button>
                </form>
              </div>
            )}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
