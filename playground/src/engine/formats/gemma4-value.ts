// Gemma 4's native value syntax, used inside tool declarations, calls and responses:
// `{key:value,…}`, `[…]`, numbers, true/false/null, and strings between `<|"|>` tokens, e.g.
// `{location:<|"|>Paris<|"|>,days:3}`. Google: "all string literals in function declarations,
// calls and responses must be enclosed by this token", so commas, braces, colons and quotes
// inside a string are text (https://ai.google.dev/gemma/docs/core/prompt-formatting-gemma4).
// The reader is also lenient with what small models emit: bare words are strings (enum values),
// JSON "quoted" strings and keys are read, and a trailing comma is skipped.

/** The string delimiter token. */
export const QUOTE = '<|"|>';

/** A value the native syntax can hold (JSON's values). */
export type NativeValue = null | boolean | number | string | NativeValue[] | { [key: string]: NativeValue };

/** A value read from `text` (ending before `end`), or why not; `incomplete` means the text ended inside it. */
export type NativeRead =
  | { ok: true; value: NativeValue; end: number }
  | { ok: false; incomplete: boolean; message: string; at: number };

const BARE_KEY = /^[A-Za-z_][\w.-]*$/;
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** A control token such as `<tool_call|>` or `<|turn>`: a bare word never runs into one. */
const CONTROL = /<\|[\w"]+\|?>|<[\w"]+\|>/y;
const MAX_DEPTH = 64;

/**
 * Writes `value` in the native syntax (JSON's rules for what is left out: undefined and functions,
 * non-finite numbers as null). A string cannot hold the delimiter token itself (the tokenizer
 * would read it as the token), so a literal `<|"|>` inside one is written as a plain `"`.
 */
export function encodeNative(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return !Number.isFinite(value) ? 'null' : Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return `${QUOTE}${value.replaceAll(QUOTE, '"')}${QUOTE}`;
  if (typeof value !== 'object') return 'null';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return encodeNative(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 'null' : encodeNative(v))).join(',')}]`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
    .map(([k, v]) => `${encodeKey(k)}:${encodeNative(v)}`);
  return `{${fields.join(',')}}`;
}

/** A key bare when it is a plain identifier (as Google's examples write them), else delimited. */
export function encodeKey(key: string): string {
  return BARE_KEY.test(key) ? key : encodeNative(key);
}

class Stop {
  constructor(readonly incomplete: boolean, readonly message: string, readonly at: number) {}
}

/** Reads one native value from `text` at `start` (leading whitespace skipped). */
export function readNative(text: string, start = 0): NativeRead {
  try {
    const { value, end } = new Reader(text).value(start, 0);
    return { ok: true, value, end };
  } catch (error) {
    if (error instanceof Stop) return { ok: false, incomplete: error.incomplete, message: error.message, at: error.at };
    throw error;
  }
}

class Reader {
  constructor(private readonly s: string) {}

  private skip(i: number): number {
    while (i < this.s.length && /\s/.test(this.s[i]!)) i++;
    return i;
  }

  private cutOff(at: number): never {
    throw new Stop(true, 'the text ended inside a value', at);
  }

  value(start: number, depth: number): { value: NativeValue; end: number } {
    if (depth > MAX_DEPTH) throw new Stop(false, `nested deeper than ${MAX_DEPTH} levels`, start);
    const i = this.skip(start);
    if (i >= this.s.length) this.cutOff(i);
    const c = this.s[i];
    if (c === '{') return this.object(i, depth);
    if (c === '[') return this.array(i, depth);
    if (this.s.startsWith(QUOTE, i)) return this.delimited(i);
    if (c === '"') return this.jsonString(i);
    return this.bare(i, depth);
  }

  /** `<|"|>…<|"|>`: everything up to the next delimiter is the string, whatever it looks like. */
  private delimited(i: number): { value: string; end: number } {
    const close = this.s.indexOf(QUOTE, i + QUOTE.length);
    if (close < 0) this.cutOff(i);
    return { value: this.s.slice(i + QUOTE.length, close), end: close + QUOTE.length };
  }

  private jsonString(i: number): { value: string; end: number } {
    let j = i + 1;
    while (j < this.s.length && this.s[j] !== '"') j += this.s[j] === '\\' ? 2 : 1;
    if (j >= this.s.length) this.cutOff(i);
    try {
      return { value: JSON.parse(this.s.slice(i, j + 1)) as string, end: j + 1 };
    } catch {
      throw new Stop(false, 'a "quoted" string has a bad escape', i);
    }
  }

  /** Up to the next `,` `}` `]` (or bracket, or control token): a number, true/false/null, or a word. */
  private bare(i: number, depth: number): { value: NativeValue; end: number } {
    let j = i;
    while (j < this.s.length && !',}]{['.includes(this.s[j]!) && !this.controlAt(j)) j++;
    if (j >= this.s.length && depth > 0) this.cutOff(i); // inside a container the word may go on; a lone one ends with the text
    const word = this.s.slice(i, j).trim();
    if (word === '') throw new Stop(false, `a value is missing before "${this.s[j]}"`, j);
    // `{room:kitchen celsius:20}` is two fields missing a comma, not the word "kitchen celsius:20".
    const run = /\s[A-Za-z_][\w.-]*\s*:/.exec(word);
    if (run) throw new Stop(false, 'a "," is missing between two fields', i + this.s.slice(i).indexOf(run[0]));
    const value = word === 'true' ? true : word === 'false' ? false : word === 'null' ? null : NUMBER.test(word) ? Number(word) : word;
    return { value, end: j };
  }

  private controlAt(j: number): boolean {
    if (this.s[j] !== '<') return false;
    CONTROL.lastIndex = j;
    return CONTROL.test(this.s);
  }

  private key(start: number): { key: string; end: number } {
    const i = this.skip(start);
    if (i >= this.s.length) this.cutOff(i);
    if (this.s.startsWith(QUOTE, i)) { const { value, end } = this.delimited(i); return { key: value, end }; }
    if (this.s[i] === '"') { const { value, end } = this.jsonString(i); return { key: value, end }; }
    let j = i;
    while (j < this.s.length && this.s[j] !== ':') {
      if (',{}[]'.includes(this.s[j]!) || this.controlAt(j)) throw new Stop(false, 'expected key:value', j);
      j++;
    }
    if (j >= this.s.length) this.cutOff(i);
    const key = this.s.slice(i, j).trim();
    if (key === '') throw new Stop(false, 'a key is missing before ":"', j);
    return { key, end: j };
  }

  private object(open: number, depth: number): { value: Record<string, NativeValue>; end: number } {
    const out: Record<string, NativeValue> = {};
    let i = this.skip(open + 1);
    if (this.s[i] === '}') return { value: out, end: i + 1 };
    for (;;) {
      const k = this.key(i);
      i = this.skip(k.end);
      if (this.s[i] !== ':') throw new Stop(false, `expected ":" after key "${k.key}"`, i);
      const v = this.value(i + 1, depth + 1);
      // defineProperty: a key such as "__proto__" is a plain field, never the object's prototype.
      Object.defineProperty(out, k.key, { value: v.value, enumerable: true, writable: true, configurable: true });
      i = this.skip(v.end);
      if (i >= this.s.length) this.cutOff(i);
      if (this.s[i] === '}') return { value: out, end: i + 1 };
      if (this.s[i] !== ',') throw new Stop(false, `expected "," or "}" but found "${this.s[i]}"`, i);
      i = this.skip(i + 1);
      if (this.s[i] === '}') return { value: out, end: i + 1 }; // trailing comma
    }
  }

  private array(open: number, depth: number): { value: NativeValue[]; end: number } {
    const out: NativeValue[] = [];
    let i = this.skip(open + 1);
    if (this.s[i] === ']') return { value: out, end: i + 1 };
    for (;;) {
      const v = this.value(i, depth + 1);
      out.push(v.value);
      i = this.skip(v.end);
      if (i >= this.s.length) this.cutOff(i);
      if (this.s[i] === ']') return { value: out, end: i + 1 };
      if (this.s[i] !== ',') throw new Stop(false, `expected "," or "]" but found "${this.s[i]}"`, i);
      i = this.skip(i + 1);
      if (this.s[i] === ']') return { value: out, end: i + 1 };
    }
  }
}
