// Where each console page lives; every link and form action is built here.

/** The console's own paths and the links between its pages. */
export const consolePaths = {
  home: '/console',
  stylesheet: '/console/console.css',
  signIn: '/console/sign-in',
  signOut: '/console/sign-out',
  agents: '/console/agents',
  bundles: '/console/bundles',
  enroll: '/console/enroll',
  bundle: (id: string) => `/console/bundles/${encodeURIComponent(id)}`,
  revoke: (id: string) => `/console/bundles/${encodeURIComponent(id)}/revoke`,
  exportJsonl: (id: string) => `/console/bundles/${encodeURIComponent(id)}/export.jsonl`,
};

/** `path` with the query parameters that are set (null, undefined and '' are left out). */
export function withQuery(path: string, query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '' && value !== false) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
