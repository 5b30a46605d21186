import { canonicalKeyUri, isValidObjectKey, isValidPrefix, keyFromUri } from '../../../edge/core/objectKey';

describe('isValidObjectKey rejects', () => {
  it.each([
    ['empty', ''],
    ['a leading /', '/a'],
    ['only /', '/'],
    ['a trailing / (empty last segment)', 'a/'],
    ['an empty inner segment', 'a//b'],
    ['.', '.'],
    ['..', '..'],
    ['a leading . segment', './a'],
    ['an inner . segment', 'a/./b'],
    ['an inner .. segment', 'a/../b'],
    ['a trailing .. segment', 'a/..'],
    ['NUL', 'a\u0000b'],
    ['SOH', '\u0001'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['carriage return', 'a\rb'],
    ['unit separator (U+001F)', '\u001f'],
    ['DEL', 'a\u007f'],
    ['C1 U+0080', '\u0080'],
    ['C1 NEL U+0085', 'a\u0085b'],
    ['C1 U+009F', '\u009f'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone high surrogate at the end', 'a\ud83d'],
    ['a lone low surrogate', '\ude00'],
    ['a reversed pair', '\ude00\ud83d'],
    ['1025 ASCII bytes', 'a'.repeat(1025)],
    ['1025 bytes with two-byte characters', 'é'.repeat(512) + 'a'],
    ['1028 bytes of four-byte characters', '😀'.repeat(257)],
  ])('%s', (_label, key) => {
    expect(isValidObjectKey(key)).toBe(false);
  });

  it.each([undefined, null, 1, ['a']])('non-string %j', (v) => {
    expect(isValidObjectKey(v as unknown as string)).toBe(false);
  });
});

describe('isValidPrefix rejects', () => {
  it.each([
    ['empty', ''],
    ['only /', '/'],
    ['no trailing /', 'a'],
    ['no trailing / after a valid key with segments', 'a/b'],
    ['a double / at the end', 'a//'],
    ['a leading /', '/a/'],
    ['a dot segment', './'],
    ['a dot-dot segment', 'a/../'],
    ['a control character', 'a\u0001/'],
    ['1025 bytes in all', 'a'.repeat(1024) + '/'],
  ])('%s', (_label, prefix) => {
    expect(isValidPrefix(prefix)).toBe(false);
  });
});

describe('keyFromUri rejects', () => {
  it.each([
    ['no leading /', 'a'],
    ['empty', ''],
    ['a lone %', '/%'],
    ['% with one digit', '/%4'],
    ['% with one digit before more text', '/a%4/b'],
    ['% with non-hex digits', '/%zz'],
    ['% with G', '/%G0'],
    ['%% ', '/%%41'],
    ['overlong / (%C0%AF)', '/%C0%AF'],
    ['overlong NUL (%C0%80)', '/%C0%80'],
    ['three-byte overlong (%E0%80%AF)', '/%E0%80%AF'],
    ['four-byte overlong (%F0%80%80%AF)', '/%F0%80%80%AF'],
    ['an encoded surrogate (%ED%A0%80)', '/%ED%A0%80'],
    ['above U+10FFFF (%F4%90%80%80)', '/%F4%90%80%80'],
    ['a lone continuation byte', '/%80'],
    ['a truncated sequence', '/%C3'],
    ['a truncated sequence before text', '/%E2%82x'],
    ['0xFF', '/%FF'],
    ['0xFE', '/%FE'],
    ['a raw space', '/a b'],
    ['a raw non-ASCII character', '/é'],
    ['a raw NUL', '/a\u0000'],
    ['a raw tab', '/a\tb'],
    ['a raw DEL', '/a\u007f'],
  ])('%s', (_label, uri) => {
    expect(keyFromUri(uri)).toBeNull();
  });

  it('a non-string, without throwing', () => {
    expect(keyFromUri(undefined as unknown as string)).toBeNull();
  });
});

describe('canonicalKeyUri', () => {
  it('refuses a lone surrogate (a key isValidObjectKey already rejects)', () => {
    expect(() => canonicalKeyUri('a\ud800')).toThrow();
  });
});
