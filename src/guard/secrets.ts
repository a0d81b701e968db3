/** Refuses audit metadata that would carry a secret (the grant token) into the trail. */
export function assertNoSecrets(metadata: Record<string, unknown>, secrets: readonly string[]): void {
  let text: string;
  try {
    text = JSON.stringify(metadata);
  } catch {
    throw new TypeError('Audit metadata must be JSON-serialisable');
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || secrets.some((s) => s && text.includes(s))) {
    throw new TypeError('Audit metadata must not contain the grant token or key material');
  }
}
