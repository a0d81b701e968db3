// The agent loop: model → tool calls → guard (verify, scope, audit) → results back to the
// model, until it answers in text. Every tool call, allowed or refused, goes through
// `guard.run`, so every one leaves a signed audit entry. The call's arguments go to the guard
// too, for the grant's limits; a call over a limit is refused (LIMIT_EXCEEDED) and the agent goes on.
import { LimitExceededError, OfflineConsentError, type AgentGuard } from 'offline-consent';
import { formatFor } from './engine/formats/family.js';
import type { ChatMessage, Engine, ToolCall } from './engine/types.js';
import type { DemoTool } from './tools.js';

/** Codes after which no further call can succeed until the user acts (new consent, sync). */
const HALTING_CODES = new Set(['GRANT_REVOKED', 'OFFLINE_EXPIRED', 'TOKEN_EXPIRED', 'JWKS_SNAPSHOT_EXPIRED']);

export type AgentEvent =
  | { type: 'model-text'; text: string }
  | { type: 'model-turn'; raw: string }
  | { type: 'tool-call'; call: ToolCall; scope: string }
  | { type: 'tool-result'; call: ToolCall; ok: true; result: unknown }
  | { type: 'tool-result'; call: ToolCall; ok: false; code: string; message: string; resetAt?: string | null }
  | { type: 'retry'; problems: string[] }
  | { type: 'answer'; text: string }
  | { type: 'halted'; code: string; message: string }
  | { type: 'stopped' }
  | { type: 'gave-up'; reason: string };

export interface AgentTurnOptions {
  engine: Engine;
  guard: AgentGuard;
  tools: readonly DemoTool[];
  /** The conversation so far; the turn appends to it. */
  messages: ChatMessage[];
  onEvent: (event: AgentEvent) => void;
  signal?: AbortSignal;
  /** Model generations per user message, tool rounds included (default 6). */
  maxSteps?: number;
}

type CallOutcome = { ok: true; result: unknown } | { ok: false; code: string; message: string; resetAt?: string | null };

async function callTool(guard: AgentGuard, tool: DemoTool, call: ToolCall): Promise<CallOutcome> {
  try {
    const result = await guard.run(tool.name, [tool.scope], () => tool.run(call.arguments), { args: call.arguments, metadata: { arguments: call.arguments } });
    return { ok: true, result };
  } catch (error) {
    if (error instanceof LimitExceededError) return { ok: false, code: error.code, message: error.message, resetAt: error.resetAt };
    if (error instanceof OfflineConsentError) return { ok: false, code: error.code, message: error.message };
    throw error; // the audit log itself failed: nothing may run unaudited, so stop the turn
  }
}

/** Runs one user message to a text answer (or a halt), reporting every step. */
export async function runAgentTurn(userText: string, options: AgentTurnOptions): Promise<void> {
  const { engine, guard, tools, messages, onEvent, signal } = options;
  const byName = new Map(tools.map((t) => [t.name, t]));
  messages.push({ role: 'user', content: userText });
  let retried = false;
  for (let step = 0; step < (options.maxSteps ?? 6); step++) {
    let reply;
    try {
      reply = await engine.generate(messages, [...tools], { onText: (text) => onEvent({ type: 'model-text', text }), ...(signal ? { signal } : {}) });
    } catch (error) {
      if (!signal?.aborted) throw error;
      onEvent({ type: 'stopped' }); // the user stopped the model: no call from this turn runs
      return;
    }
    messages.push({ role: 'model', content: reply.raw });
    onEvent({ type: 'model-turn', raw: reply.raw });
    if (reply.kind === 'text') {
      onEvent({ type: 'answer', text: reply.text });
      return;
    }
    if (reply.kind === 'malformed') {
      if (retried) {
        onEvent({ type: 'gave-up', reason: `the model's tool call could not be read twice: ${reply.problems.join('; ')}` });
        return;
      }
      retried = true;
      onEvent({ type: 'retry', problems: reply.problems });
      messages.push({ role: 'user', content: formatFor(engine.family).retryMessage(reply.problems) });
      continue;
    }
    for (const call of reply.calls) {
      if (signal?.aborted) {
        onEvent({ type: 'stopped' });
        return;
      }
      const tool = byName.get(call.name)!; // the parser only returns calls to declared tools
      onEvent({ type: 'tool-call', call, scope: tool.scope });
      const outcome = await callTool(guard, tool, call);
      onEvent({ type: 'tool-result', call, ...outcome });
      if (!outcome.ok && HALTING_CODES.has(outcome.code)) {
        onEvent({ type: 'halted', code: outcome.code, message: outcome.message });
        return;
      }
      const content = outcome.ok ? { name: call.name, result: outcome.result } : { name: call.name, error: { code: outcome.code, message: outcome.message } };
      messages.push({ role: 'tool', content: JSON.stringify(content) });
    }
  }
  onEvent({ type: 'gave-up', reason: 'the model kept calling tools without answering' });
}
