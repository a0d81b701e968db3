// What a prompt format is: how one model family is prompted and how its replies are read.
import type { ChatMessage, EngineReply, ModelFamily, ToolSpec } from '../types.js';

/** How the agent tells the model its tool call could not be read (it then retries once). */
export const RETRY_PREFIX = 'Your tool call could not be read:';

/** Turns kept from the end of the conversation, so the prompt fits a small model's context. */
export const MAX_TURNS = 16;

/** One family's prompt builder and reply parser, which an engine asks for instead of knowing tokens itself. */
export interface ChatFormat {
  readonly family: ModelFamily;
  /** The whole prompt for one generation, ending where the model's next words go. */
  prompt(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): string;
  /** The reply read into text, tool calls to declared tools, or the problems that stop it being read. */
  parse(raw: string, tools: readonly ToolSpec[]): EngineReply;
  /** The user turn that tells the model why its call could not be read; starts with `RETRY_PREFIX`. */
  retryMessage(problems: readonly string[]): string;
  /** What of a reply still streaming the transcript may show (thinking hidden). */
  visible(partial: string): string;
}
