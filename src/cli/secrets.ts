// Secrets the CLI handled in this run (the API key), cut out of anything it prints. Whole values
// only: a short key that spells part of a word ("k" in "Unknown") leaves the word alone.

const held = new Set<string>();

/** Remembers `secret` so no printed line carries it. */
export function holdSecret(secret: string): string {
  if (secret) held.add(secret);
  return secret;
}

const TOKEN_CHAR = /[\w.~+/=-]/;

/** `text` with every whole occurrence of a held secret replaced by `[redacted]`. */
export function redactHeld(text: string): string {
  let out = text;
  for (const secret of held) {
    const parts = out.split(secret);
    out = parts.reduce((before, after) => before + (TOKEN_CHAR.test(before.at(-1) ?? '') || TOKEN_CHAR.test(after[0] ?? '') ? secret : '[redacted]') + after);
  }
  return out;
}
