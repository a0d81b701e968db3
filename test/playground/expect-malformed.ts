// Shared check of the reply parsers: each raw reply is malformed, with a problem that matches.
import { expect } from 'vitest';
import type { EngineReply, ToolSpec } from '../../playground/src/engine/types.js';

/** Asserts that `parse` reads every `[raw, problem]` case as malformed, naming `problem`. */
export function expectMalformed(parse: (raw: string, tools: readonly ToolSpec[]) => EngineReply, tools: readonly ToolSpec[], cases: ReadonlyArray<readonly [string, RegExp]>): void {
  for (const [raw, problem] of cases) {
    const reply = parse(raw, tools);
    expect(reply.kind, raw).toBe('malformed');
    expect(reply.kind === 'malformed' && reply.problems.join(' '), raw).toMatch(problem);
  }
}
