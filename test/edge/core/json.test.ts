import fc from 'fast-check';
import { parseJsonObject } from '../../../edge/core/json';

describe('parseJsonObject', () => {
  it('parses an object with nested values', () => {
    // Act
    const r = parseJsonObject('{"a":1,"b":[true,null,{"c":"d"}],"e":{"f":-1.5e3}}');
    // Assess
    expect(r).toEqual({ ok: true, value: { a: 1, b: [true, null, { c: 'd' }], e: { f: -1500 } } });
  });

  it('parses the empty object and whitespace around it', () => {
    expect(parseJsonObject(' \t\r\n{ }\n')).toEqual({ ok: true, value: {} });
  });

  it('allows the same name in different objects', () => {
    const r = parseJsonObject('{"a":{"a":1},"b":[{"a":1},{"a":2}],"c":{"b":{"a":3}}}');
    expect(r.ok).toBe(true);
  });

  it('does not treat braces, commas, colons and quotes inside strings as structure', () => {
    const text = '{"x":"{\\"x\\":1,","y":"]}[{,","k\\"ey":"\\\\","z":[",\\"x\\":"]}';
    const r = parseJsonObject(text);
    expect(r).toEqual({ ok: true, value: { x: '{"x":1,', y: ']}[{,', 'k"ey': '\\', z: [',"x":'] } });
  });

  it('keeps a member named __proto__ as an ordinary own property', () => {
    const r = parseJsonObject('{"__proto__":{"polluted":1}}');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.keys(r.value)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('accepts escaped and raw surrogate pairs', () => {
    const r = parseJsonObject('{"e":"\\ud83d\\ude00","f":"😀","😀":1}');
    expect(r).toEqual({ ok: true, value: { e: '😀', f: '😀', '😀': 1 } });
  });

  it('agrees with JSON.parse on objects without duplicate names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const text = JSON.stringify(obj);
        const r = parseJsonObject(text);
        expect(r).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
  });

  it('parses a 1 MB body quickly', () => {
    // Prepare
    const items: string[] = [];
    for (let i = 0; i < 10000; i++) items.push(`{"grant":"${'A'.repeat(80)}${i}","n":${i},"o":{"k\\u0061":true}}`);
    const text = `{"grants":[${items.join(',')}]}`;
    expect(text.length).toBeGreaterThan(1_000_000);
    // Act
    const started = process.hrtime.bigint();
    const r = parseJsonObject(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // Assess
    expect(r.ok).toBe(true);
    expect(ms).toBeLessThan(250);
  });
});
