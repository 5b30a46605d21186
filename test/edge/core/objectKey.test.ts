import fc from 'fast-check';
import { canonicalKeyUri, isValidObjectKey, isValidPrefix, keyFromUri } from '../../../edge/core/objectKey';

describe('isValidObjectKey', () => {
  it.each([
    'a',
    'a/b',
    'reports/2026/12/report.pdf',
    'a b',
    'é/ü',
    '😀',
    'a.b',
    '.a',
    'a.',
    '..a',
    'a..',
    '...',
    'x/.../y',
    'a+b',
    '100%',
    'a#b?c',
    '\u00a0', // U+00A0 is the first character after C1
    '~',
  ])('accepts %j', (key) => {
    expect(isValidObjectKey(key)).toBe(true);
  });

  it('accepts exactly 1024 bytes of UTF-8 in any width', () => {
    expect(isValidObjectKey('a'.repeat(1024))).toBe(true);
    expect(isValidObjectKey('é'.repeat(512))).toBe(true);
    expect(isValidObjectKey('€'.repeat(341) + 'a')).toBe(true);
    expect(isValidObjectKey('😀'.repeat(256))).toBe(true);
    expect(isValidObjectKey('a/'.repeat(511) + 'bc')).toBe(true);
  });
});

describe('isValidPrefix', () => {
  it.each(['a/', 'a/b/', 'é/', '.../', 'a.b/c/'])('accepts %j', (prefix) => {
    expect(isValidPrefix(prefix)).toBe(true);
  });

  it('accepts 1024 bytes in all', () => {
    expect(isValidPrefix('a'.repeat(1023) + '/')).toBe(true);
  });
});

describe('canonicalKeyUri', () => {
  it.each([
    ['a', '/a'],
    ['dir/sub/file.txt', '/dir/sub/file.txt'],
    ['a b', '/a%20b'],
    ['é', '/%C3%A9'],
    ['😀', '/%F0%9F%98%80'],
    ['a+b', '/a%2Bb'],
    ['100%', '/100%25'],
    ['~user', '/~user'],
    ['a#b', '/a%23b'],
    ['a?b', '/a%3Fb'],
    ["!'()*", '/%21%27%28%29%2A'],
    ['a:b@c', '/a%3Ab%40c'],
    ['$&,;=', '/%24%26%2C%3B%3D'],
    ['A-Z_a-z.0-9~', '/A-Z_a-z.0-9~'],
    ['%2F', '/%252F'],
    ['"<>\\^`{|}[]', '/%22%3C%3E%5C%5E%60%7B%7C%7D%5B%5D'],
    ['\u00a0', '/%C2%A0'],
  ])('%j -> %s', (key, uri) => {
    expect(canonicalKeyUri(key)).toBe(uri);
  });

  it('writes only unreserved characters, `/` and upper-case escapes, and round-trips through keyFromUri', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (key) => {
        fc.pre(isValidObjectKey(key));
        const uri = canonicalKeyUri(key);
        expect(uri).toMatch(/^\/(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*$/);
        expect(keyFromUri(uri)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('keyFromUri', () => {
  it.each([
    ['/a', 'a'],
    ['/a/b/c.txt', 'a/b/c.txt'],
    ['/a%20b', 'a b'],
    ['/a+b', 'a+b'],
    ['/%2B', '+'],
    ['/%25', '%'],
    ['/100%2525', '100%25'],
    ['/a%2Fb', 'a/b'],
    ['/%C3%A9', 'é'],
    ['/%c3%a9', 'é'],
    ['/%F0%9F%98%80', '😀'],
    ['/%EF%BF%BD', '\ufffd'],
    ['/%F4%8F%BF%BF', '\u{10ffff}'],
    ["/~!$&'()*+,;=:@", "~!$&'()*+,;=:@"],
    ['/', ''],
  ])('%s -> %j', (uri, key) => {
    expect(keyFromUri(uri)).toBe(key);
  });

  it('decodes %00 to NUL, which isValidObjectKey then rejects', () => {
    // Act
    const key = keyFromUri('/a%00b');
    // Assess
    expect(key).toBe('a\u0000b');
    expect(isValidObjectKey(key as string)).toBe(false);
  });

  it('decodes dot segments literally; isValidObjectKey rejects them', () => {
    expect(keyFromUri('/a/%2E%2E/b')).toBe('a/../b');
    expect(isValidObjectKey('a/../b')).toBe(false);
  });
});
