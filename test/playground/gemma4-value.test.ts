// Gemma 4's native value syntax: what the reader accepts, and encode → read round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUOTE, encodeNative, readNative } from '../../playground/src/engine/formats/gemma4-value.js';

const read = (text: string) => {
  const r = readNative(text);
  if (!r.ok) throw new Error(`${r.message} at ${r.at}`);
  return r.value;
};

describe('readNative', () => {
  it('reads objects, arrays, nesting and every number form', () => {
    expect(read('{location:<|"|>Paris<|"|>,days:3}')).toEqual({ location: 'Paris', days: 3 });
    expect(read('{a:{b:{c:[1,[2,{d:[]}]]}},e:{}}')).toEqual({ a: { b: { c: [1, [2, { d: [] }]] } }, e: {} });
    expect(read('[0,-7,3.25,-0.5,1e3,2.5E-2,-4e+2,1.]')).toEqual([0, -7, 3.25, -0.5, 1000, 0.025, -400, 1]);
  });

  it('reads true, false, null, and bare words as strings (enum values)', () => {
    expect(read('{ok:true,no:false,none:null,unit:celsius,room:living room}')).toEqual({ ok: true, no: false, none: null, unit: 'celsius', room: 'living room' });
    expect(read('[True,nil,12abc,-,1 2]')).toEqual(['True', 'nil', '12abc', '-', '1 2']); // only exact literals and numbers are not words
  });

  it('a delimited string holds anything until the next delimiter', () => {
    const tricky = 'a, b: {c} [d] "e" \'f\'\nline two } ] <tool_call|> <turn|> <|tool_call>call:x{}';
    expect(read(`{body:${QUOTE}${tricky}${QUOTE},n:1}`)).toEqual({ body: tricky, n: 1 });
    expect(read(`${QUOTE}${QUOTE}`)).toBe('');
  });

  it('is lenient with JSON-style "quoted" strings and keys, spaces and a trailing comma', () => {
    expect(read('{ "to" : "sam@example.com" , subject : "Hi \\"you\\"", }')).toEqual({ to: 'sam@example.com', subject: 'Hi "you"' });
    expect(read(`{${QUOTE}odd key${QUOTE}:1,list:[1,2,],}`)).toEqual({ 'odd key': 1, list: [1, 2] });
  });

  it('a "__proto__" key is a plain field, not a prototype', () => {
    const v = read('{__proto__:{polluted:true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('text that ends inside a value is incomplete; broken syntax is an error with a position', () => {
    for (const cut of ['{', '{a', '{a:', '{a:1', '{a:1,', `{a:${QUOTE}unfinished`, '{a:[1,2', '{a:{b:true}', '{a:"x']) {
      expect(readNative(cut), cut).toMatchObject({ ok: false, incomplete: true });
    }
    for (const bad of ['{a 1}', '{:1}', '{a:1 b:2}', '{room:kitchen celsius:20}', '{a:}', '{a,b}', '[1,,2]']) {
      expect(readNative(bad), bad).toMatchObject({ ok: false, incomplete: false });
    }
    expect(readNative('{a:1}<tool_call|>')).toEqual({ ok: true, value: { a: 1 }, end: 5 });
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    expect(readNative(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toMatchObject({ ok: false, message: expect.stringMatching(/deeper/) });
  });
});

describe('encodeNative', () => {
  it('writes the shape Google documents: bare keys, delimited strings', () => {
    expect(encodeNative({ location: 'Paris', days: 3, ok: true, x: null, list: ['a', 1] })).toBe('{location:<|"|>Paris<|"|>,days:3,ok:true,x:null,list:[<|"|>a<|"|>,1]}');
    expect(encodeNative({ 'needs quoting': 1, 'a.b-c_d': 2 })).toBe('{<|"|>needs quoting<|"|>:1,a.b-c_d:2}');
  });

  it('follows JSON for undefined, functions and non-finite numbers; a delimiter inside a string becomes "', () => {
    expect(encodeNative({ a: undefined, f: () => 1, n: Number.NaN, i: -Infinity, arr: [undefined] })).toBe('{n:null,i:null,arr:[null]}');
    expect(read(encodeNative(`say ${QUOTE}hi${QUOTE}`))).toBe('say "hi"');
  });
});

/** Strings built from the pieces most likely to end a string or a call early. */
const trickyString = fc.array(fc.constantFrom('}', '{', ']', '[', ',', ':', '"', "'", '\\', '\n', ' ', 'a', '<tool_call|>', '<|tool_call>', '<turn|>', '<|channel>', '<|', '|>', 'true', '-1'), { maxLength: 12 }).map((p) => p.join(''));
const anyString = fc.oneof(fc.string({ unit: 'binary' }), trickyString).filter((s) => !s.includes(QUOTE));
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), anyString,
    fc.array(tie('node')), fc.dictionary(anyString, tie('node'))),
})).node;

describe('encodeNative → readNative round trip (property)', () => {
  it('returns every JSON-ish value, with arbitrary strings and keys', () => {
    fc.assert(fc.property(value, (v) => {
      const r = readNative(encodeNative(v));
      expect(r).toMatchObject({ ok: true });
      if (r.ok) expect(r.value).toEqual(v);
    }), { numRuns: 500 });
  });

  it('returns arbitrary strings exactly, and fast-check JSON values', () => {
    fc.assert(fc.property(anyString, (s) => read(encodeNative(s)) === s), { numRuns: 1000 });
    fc.assert(fc.property(fc.jsonValue().filter((j) => !JSON.stringify(j).includes(QUOTE)), (j) => {
      expect(read(encodeNative(j))).toEqual(j);
    }), { numRuns: 300 });
  });
});
