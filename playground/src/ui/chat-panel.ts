// The transcript: user turns, the model's streamed text, each tool call with the guard's
// verdict (a limit's refusal with when it frees), retries and halts.
import type { AgentEvent } from '../agent.js';
import { $, h } from './dom.js';

/** Adds what the user said to the transcript. */
export function addUserTurn(text: string): void {
  append(h('li', { class: 'user' }, text));
}

/** Adds a note of the page to the transcript; `cls` styles it (`note`, `consent`, `halt`). */
export function addNote(text: string, cls = 'note'): void {
  append(h('li', { class: cls }, text));
}

function append(li: HTMLLIElement): HTMLLIElement {
  const list = $('transcript');
  list.append(li);
  list.scrollTop = list.scrollHeight;
  return li;
}

/** Renders agent events; model text streams into one item per generation. */
export function createTurnRenderer(): (event: AgentEvent) => void {
  let streaming: HTMLLIElement | null = null;
  return (event) => {
    switch (event.type) {
      case 'model-text':
        streaming ??= append(h('li', { class: 'model', 'aria-busy': 'true' }));
        streaming.textContent = event.text;
        break;
      case 'model-turn':
        streaming?.remove(); // replaced by what the turn meant: a call card or the answer
        streaming = null;
        break;
      case 'tool-call':
        append(h('li', { class: 'tool pending', 'data-tool': event.call.name }, `Tool call: ${event.call.name}(${JSON.stringify(event.call.arguments)}) — needs ${event.scope}`));
        break;
      case 'tool-result': {
        const li = [...document.querySelectorAll<HTMLLIElement>('#transcript li.tool.pending')].pop();
        if (!li) break;
        li.classList.remove('pending');
        li.classList.add(event.ok ? 'allowed' : 'denied');
        if (event.ok) li.append(`\n✓ allowed → ${JSON.stringify(event.result)}`);
        else if (event.code === 'LIMIT_EXCEEDED') {
          // The reason, and when the limit frees in this device's time (the library says it in UTC).
          li.classList.add('limit');
          const frees = event.resetAt ? `; frees at ${new Date(event.resetAt).toLocaleTimeString()}` : '';
          li.append(`\n✗ refused: ${event.code} — ${event.message.replace(/; frees at \S+$/, '')}${frees}`);
        } else li.append(`\n✗ refused: ${event.code} — ${event.message}`);
        break;
      }
      case 'retry':
        addNote(`The model's tool call could not be read (${event.problems.join('; ')}); it was told and retries once.`);
        break;
      case 'answer':
        append(h('li', { class: 'model' }, event.text || '(no answer)'));
        break;
      case 'halted':
        addNote(`Agent halted: ${event.code}. ${event.message}`, 'halt');
        break;
      case 'stopped':
        if (streaming) {
          streaming.removeAttribute('aria-busy');
          streaming.append(' …');
          streaming = null;
        }
        addNote('Stopped: the model was interrupted and no tool call of this turn ran.');
        break;
      case 'gave-up':
        addNote(`Stopped: ${event.reason}`, 'halt');
        break;
    }
  };
}
