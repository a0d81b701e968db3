/** Tiny DOM helpers: the page is small enough that a framework would be most of its weight. */
export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

/** Makes an element with these attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) if (v !== undefined) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** Shows `text` in a status line, marked as an error or not. */
export function say(el: HTMLElement, text: string, error = false): void {
  el.textContent = text;
  el.classList.toggle('error', error);
}

/** `1 entry`, `2 entries`: a count with its noun in the right number. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** An error as one line for the page: `CODE: message` when it has a code. */
export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
}

/** A time left, coarse enough to read at a glance (`2 d 3 h`, `4 min 5 s`, `expired`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return d > 0 ? `${d} d ${hh} h` : hh > 0 ? `${hh} h ${mm} min` : `${mm} min ${ss} s`;
}
