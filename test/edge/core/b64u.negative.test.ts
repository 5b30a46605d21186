import { b64uDecode } from '../../../edge/core/b64u';

describe('b64uDecode rejects', () => {
  it.each([
    ['padding', 'Zg=='],
    ['single padding', 'Zm8='],
    ['padding only', '===='],
    ['+ (standard base64)', 'Zm+v'],
    ['/ (standard base64)', 'Zm/v'],
    ['leading space', ' Zm9v'],
    ['trailing newline', 'Zm9v\n'],
    ['inner space', 'Zm 9v'],
    ['tab', 'Zm9v\t'],
    ['a length of 1 mod 4', 'Z'],
    ['a length of 5', 'Zm9vY'],
    ['a dot', 'Zm9v.'],
    ['a NUL', 'Zm9v\u0000'],
    ['non-ASCII letter', 'Zm9é'],
    ['full-width letter', 'Ｚm9v'],
    ['a character above 127 whose low byte is a valid letter', String.fromCharCode(0x100 + 0x41) + 'AAA'],
  ])('%s', (_label, input) => {
    expect(b64uDecode(input)).toBeNull();
  });

  it('non-canonical trailing bits after one byte ("AB" is not "AA")', () => {
    // Prepare: Node's own decoder drops the stray bits and would accept it
    expect(Buffer.from('AB', 'base64url').toString('hex')).toBe('00');
    // Act + Assess
    expect(b64uDecode('AB')).toBeNull();
    expect(b64uDecode('AP')).toBeNull();
    expect(b64uDecode('Zh')).toBeNull();
    expect(b64uDecode('AA')?.toString('hex')).toBe('00');
  });

  it('non-canonical trailing bits after two bytes ("AAB" is not "AAA")', () => {
    expect(Buffer.from('AAB', 'base64url').toString('hex')).toBe('0000');
    expect(b64uDecode('AAB')).toBeNull();
    expect(b64uDecode('AAD')).toBeNull();
    expect(b64uDecode('Zm9')).toBeNull();
    expect(b64uDecode('AAA')?.toString('hex')).toBe('0000');
    expect(b64uDecode('AAE')?.toString('hex')).toBe('0001');
  });

  it('a value that is not a string, without throwing', () => {
    for (const v of [undefined, null, 42, {}, ['Zg']]) {
      expect(b64uDecode(v as unknown as string)).toBeNull();
    }
  });
});
