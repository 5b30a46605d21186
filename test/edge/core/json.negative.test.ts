import fc from 'fast-check';
import { parseJsonObject } from '../../../edge/core/json';

function detailOf(text: string): string {
  const r = parseJsonObject(text);
  if (r.ok) throw new Error('expected a rejection');
  return r.detail;
}

describe('parseJsonObject rejects duplicate names', () => {
  it.each([
    ['at top level', '{"a":1,"a":2}'],
    ['with equal values', '{"a":1,"a":1}'],
    ['after a nested object', '{"a":{"b":1},"a":2}'],
    ['in a nested object', '{"x":{"b":1,"b":2}}'],
    ['in an object inside an array', '{"x":[1,{"b":1,"c":2,"b":3}]}'],
    ['deep down', '{"a":{"b":{"c":{"d":[{"e":{"f":1,"f":2}}]}}}}'],
    ['spelled with a \\u escape', '{"a":1,"\\u0061":2}'],
    ['both spelled with escapes', '{"\\u0061":1,"\\u0061":2}'],
    ['\\/ against /', '{"/":1,"\\/":2}'],
    ['an escaped quote both ways', '{"\\"":1,"\\u0022":2}'],
    ['an escaped surrogate pair against the raw character', '{"😀":1,"\\ud83d\\ude00":2}'],
    ['with whitespace around', '{ "a" : 1 , "a" : 2 }'],
    ['the empty name', '{"":1,"":2}'],
    ['__proto__', '{"__proto__":1,"__proto__":2}'],
  ])('%s', (_label, text) => {
    expect(detailOf(text)).toBe('duplicate key');
  });
});

describe('parseJsonObject rejects a top level that is not an object', () => {
  it.each(['[]', '[{}]', '"{}"', '1', 'null', 'true', 'false'])('%s', (text) => {
    expect(detailOf(text)).toBe('top level is not an object');
  });
});

describe('parseJsonObject rejects invalid JSON', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', '  '],
    ['a trailing comma', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['an unquoted name', '{a:1}'],
    ['a comment', '{"a":1/* c */}'],
    ['NaN', '{"a":NaN}'],
    ['a leading zero', '{"a":01}'],
    ['a raw control character in a string', '{"a":"\u0001"}'],
    ['a bad escape', '{"a":"\\x41"}'],
    ['trailing garbage', '{"a":1}x'],
    ['two objects', '{}{}'],
    ['a byte-order mark', '\ufeff{}'],
    ['unclosed', '{"a":1'],
  ])('%s', (_label, text) => {
    expect(detailOf(text)).toBe('invalid JSON');
  });
});

describe('parseJsonObject rejects lone surrogates (no UTF-8 form)', () => {
  it.each([
    ['escaped high surrogate in a value', '{"a":"\\ud800"}'],
    ['escaped low surrogate in a value', '{"a":"x\\udc00"}'],
    ['escaped high surrogate at the end of a name', '{"a\\ud83d":1}'],
    ['reversed escaped pair', '{"a":"\\ude00\\ud83d"}'],
    ['raw lone surrogate in a value', '{"a":"\ud800"}'],
    ['raw lone surrogate in a nested name', '{"a":{"\udfff":1}}'],
  ])('%s', (_label, text) => {
    expect(detailOf(text)).toBe('lone surrogate');
  });
});

describe('parseJsonObject never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const r = parseJsonObject(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('on JSON-like text', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '"\\u0061"', '1', 'null', ' ', '"', '\\');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), (parts) => {
        const r = parseJsonObject(parts.join(''));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('on a non-string', () => {
    expect(parseJsonObject(undefined as unknown as string)).toEqual({ ok: false, detail: 'not a string' });
  });

  it('and its detail never echoes the input', () => {
    const secret = 'SECRET-TOKEN-VALUE';
    for (const text of [`{"${secret}":1,"${secret}":2}`, `{"a":"${secret}"`, `["${secret}"]`]) {
      expect(detailOf(text)).not.toContain(secret);
    }
  });
});

describe('parseJsonObject with integersOnly', () => {
  it.each(['{"a":1.0}', '{"a":1e3}', '{"a":-2E+1}', '{"a":[0.5]}', '{"a":{"b":1e-1}}'])('refuses %s', (text) => {
    expect(parseJsonObject(text, { integersOnly: true })).toEqual({ ok: false, detail: 'non-integer number' });
    expect(parseJsonObject(text).ok).toBe(true);
  });

  it('still takes true, false, integers and strings with dots or e', () => {
    expect(parseJsonObject('{"a":true,"b":false,"c":-12,"d":"1.5e3","e.f":0}', { integersOnly: true }).ok).toBe(true);
  });
});
