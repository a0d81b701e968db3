// Gemma 3's chat format (turns between <start_of_turn> and <end_of_turn>; roles `user` and
// `model` only; https://ai.google.dev/gemma/docs/formatting). Gemma 3 has no system
// or tool role and no trained tool tokens: the instructions and tool declarations open the first
// user turn, calls are asked for as a fenced ```tool_call JSON block, and tool results come back
// as user turns in a fenced block.
import type { ChatMessage, ToolSpec } from '../types.js';
import { MAX_TURNS, RETRY_PREFIX } from './format.js';

/** The retry turn, reminding the model of the fenced call format. */
export function gemma3RetryMessage(problems: readonly string[]): string {
  return `${RETRY_PREFIX} ${problems.join('; ')}. Reply again with exactly one \`\`\`tool_call block holding {"name": …, "arguments": {…}}, or answer in plain text.`;
}

/** The instructions and the tools as JSON, which open the first user turn. */
export function gemma3SystemPrompt(tools: readonly ToolSpec[]): string {
  const declarations = JSON.stringify(tools.map(({ name, description, parameters }) => ({ name, description, parameters })), null, 1);
  return [
    'You are a helpful assistant running on the user\'s device. You can use these tools:',
    declarations,
    'To use a tool, reply with only a fenced block like this, and nothing else:',
    '```tool_call',
    '{"name": "tool.name", "arguments": {"param": "value"}}',
    '```',
    'You will then receive the result in a ```tool_result block. A result with "error" means the call was refused or failed: tell the user why, do not retry it.',
    'When you have what you need, answer the user in one or two plain sentences.',
  ].join('\n');
}

function turnText(message: ChatMessage): string {
  return message.role === 'tool' ? `\`\`\`tool_result\n${message.content}\n\`\`\`` : message.content;
}

/** The whole prompt for one generation, ending where the model's next turn starts. */
export function gemma3Prompt(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): string {
  const recent = messages.slice(-MAX_TURNS);
  const turns: Array<{ role: 'user' | 'model'; text: string }> = [];
  for (const message of recent) {
    const role = message.role === 'model' ? 'model' : 'user';
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.text += `\n\n${turnText(message)}`; // Gemma wants alternating turns
    else turns.push({ role, text: turnText(message) });
  }
  const first = turns[0];
  if (first?.role === 'user') first.text = `${gemma3SystemPrompt(tools)}\n\n${first.text}`;
  else turns.unshift({ role: 'user', text: gemma3SystemPrompt(tools) });
  return `${turns.map((t) => `<start_of_turn>${t.role}\n${t.text}<end_of_turn>\n`).join('')}<start_of_turn>model\n`;
}
