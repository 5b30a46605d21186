import fc from 'fast-check';
import { b64uDecode, b64uEncode } from '../../../edge/core/b64u';

describe('b64uEncode', () => {
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes the RFC 4648 vector %j as %j without padding', (input, expected) => {
    expect(b64uEncode(Buffer.from(input, 'latin1'))).toBe(expected);
  });

  it('uses - and _ in place of + and /', () => {
    expect(b64uEncode(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect(b64uEncode(Uint8Array.from([0xf8]))).toBe('-A');
  });

  it('encodes only the viewed part of a Uint8Array over a larger buffer', () => {
    // Prepare
    const backing = Uint8Array.from([1, 2, 3, 0x66, 0x6f, 0x6f, 9, 9]);
    // Act
    const encoded = b64uEncode(backing.subarray(3, 6));
    // Assess
    expect(encoded).toBe('Zm9v');
  });
});

describe('b64uDecode', () => {
  it.each([
    ['', ''],
    ['Zg', '66'],
    ['Zm8', '666f'],
    ['Zm9v', '666f6f'],
    ['-_8', 'fbff'],
    ['AA', '00'],
    ['AQ', '01'],
    ['AAE', '0001'],
  ])('decodes %j to hex %j', (input, hex) => {
    const out = b64uDecode(input);
    expect(out).not.toBeNull();
    expect(out?.toString('hex')).toBe(hex);
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoded = b64uDecode(b64uEncode(bytes));
        expect(decoded).not.toBeNull();
        expect(Buffer.compare(decoded as Buffer, Buffer.from(bytes))).toBe(0);
      }),
    );
  });

  it('accepts a string only when re-encoding gives it back (canonical)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 12 }), (s) => {
        const decoded = b64uDecode(s);
        const canonical = s.length % 4 !== 1 && Buffer.from(s, 'base64url').toString('base64url') === s;
        expect(decoded !== null).toBe(canonical);
        if (decoded !== null) expect(b64uEncode(decoded)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
