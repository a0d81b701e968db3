// Which format a model speaks, told from its file name or URL, and each family's format.
import type { ModelFamily } from '../types.js';
import type { ChatFormat } from './format.js';
import { parseGemma3Reply } from './gemma3-calls.js';
import { gemma3Prompt, gemma3RetryMessage } from './gemma3-prompt.js';
import { parseGemma4Reply, visibleGemma4 } from './gemma4-calls.js';
import { gemma4Prompt, gemma4RetryMessage } from './gemma4-prompt.js';

/**
 * The family of a model named `source` (a file name or URL; the file name is asked first).
 * Gemma 4: a name with gemma-4 / gemma4 / gemma_4, or, with no Gemma version named, one of
 * Gemma 4's size names (E2B, E4B, 26B-A4B). A Gemma 1, 2 or 3 name wins, so Gemma 3n (whose
 * sizes are also E2B and E4B) stays Gemma 3. Anything else is Gemma 3, the plain-text format.
 */
export function familyOf(source: string): ModelFamily {
  const whole = source.toLowerCase();
  const file = whole.split(/[/\\]/).pop()!.split(/[?#]/)[0]!;
  return versionIn(file) ?? versionIn(whole) ?? 'gemma3';
}

function versionIn(name: string): ModelFamily | null {
  if (/gemma[-_ ]?3/.test(name)) return 'gemma3';
  if (/gemma[-_ ]?4/.test(name)) return 'gemma4';
  if (/gemma[-_ ]?[12](?!\d)/.test(name)) return 'gemma3';
  if (/(^|[^a-z0-9])(e2b|e4b|26b[-_]a4b)([^a-z0-9]|$)/.test(name)) return 'gemma4';
  return null;
}

/** Gemma 3's reply ends at `<end_of_turn>`: what a runtime streams after it is not part of the reply. */
const untilEndOfTurn = (text: string) => text.replace(/<end_of_turn>[\s\S]*$/, '');

const FORMATS: Readonly<Record<ModelFamily, ChatFormat>> = {
  gemma3: {
    family: 'gemma3',
    prompt: gemma3Prompt,
    parse: (raw, tools) => parseGemma3Reply(untilEndOfTurn(raw), tools),
    retryMessage: gemma3RetryMessage,
    visible: untilEndOfTurn,
  },
  gemma4: { family: 'gemma4', prompt: gemma4Prompt, parse: parseGemma4Reply, retryMessage: gemma4RetryMessage, visible: visibleGemma4 },
};

/** The prompt builder and reply parser of `family`. */
export function formatFor(family: ModelFamily = 'gemma3'): ChatFormat {
  return FORMATS[family];
}
