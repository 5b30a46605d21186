import { b64uEncode } from '../../edge/core/b64u';
import { publicKeyOfSeed } from '../../edge/core/keys';
import { GrantSigner, loadVendorKey, type VendorKey } from '../../sdk/vendor';

const SEED = Buffer.alloc(32, 3);
const PRIVATE = b64uEncode(SEED);
const KEY = { kid: 'vendor-1', privateKey: PRIVATE };

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('loadVendorKey refuses, naming the field and never quoting the key', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"kid": ', /not a JSON object/],
    ['a JSON array', '[]', /not a JSON object/],
    ['duplicate members', `{"kid":"a","kid":"b","privateKey":"${PRIVATE}"}`, /not a JSON object \(duplicate key\)/],
    ['a number', 42, /expects the key file text/],
    ['null', null, /expects the key file text/],
    ['no kid', { privateKey: PRIVATE }, /^loadVendorKey: kid is required$/],
    ['an empty kid', { kid: '', privateKey: PRIVATE }, /^loadVendorKey: kid must be/],
    ['a kid with a space', { kid: 'a b', privateKey: PRIVATE }, /^loadVendorKey: kid must be/],
    ['a 65-character kid', { kid: 'k'.repeat(65), privateKey: PRIVATE }, /^loadVendorKey: kid must be/],
    ['no privateKey', { kid: 'a' }, /^loadVendorKey: privateKey is required$/],
    ['a 31-byte seed', { kid: 'a', privateKey: b64uEncode(Buffer.alloc(31, 1)) }, /^loadVendorKey: privateKey must be/],
    ['a 64-byte secret key', { kid: 'a', privateKey: b64uEncode(Buffer.alloc(64, 1)) }, /^loadVendorKey: privateKey must be/],
    ['padding', { kid: 'a', privateKey: PRIVATE + '=' }, /^loadVendorKey: privateKey must be/],
    ['standard base64', { kid: 'a', privateKey: SEED.toString('base64') }, /^loadVendorKey: privateKey must be/],
    ['a number seed', { kid: 'a', privateKey: 5 }, /^loadVendorKey: privateKey must be/],
    ['an unknown field', { ...KEY, secret: 'x' }, /^loadVendorKey: unknown field "secret"$/],
    [
      'a publicKey of another key',
      { ...KEY, publicKey: b64uEncode(publicKeyOfSeed(Buffer.alloc(32, 4))) },
      /^loadVendorKey: publicKey is not the public half of privateKey$/,
    ],
  ];
  it.each(cases)('%s', (_name, input, message) => {
    const m = thrown(() => loadVendorKey(input as string));
    expect(m).toMatch(message);
    expect(m).not.toContain(PRIVATE);
    expect(m).not.toContain(PRIVATE.slice(0, 12));
  });
});

describe('GrantSigner refuses bad construction', () => {
  const key = loadVendorKey(KEY);
  it.each<[string, () => unknown, RegExp]>([
    ['a key object not from loadVendorKey', () => new GrantSigner({ kid: 'vendor-1', publicKey: 'x' } as VendorKey, { audience: 'a' }), /key must come from loadVendorKey/],
    ['no options', () => new GrantSigner(key, undefined as unknown as { audience: string }), /audience/],
    ['an empty audience', () => new GrantSigner(key, { audience: '' }), /^GrantSigner: audience must be/],
    ['an audience with a slash', () => new GrantSigner(key, { audience: 'gk/acme' }), /^GrantSigner: audience must be/],
    ['a 129-character audience', () => new GrantSigner(key, { audience: 'a'.repeat(129) }), /^GrantSigner: audience must be/],
    ['ttl 0', () => new GrantSigner(key, { audience: 'a', ttlSeconds: 0 }), /^GrantSigner: ttlSeconds must be an integer from 1 to 86400$/],
    ['ttl 1.5', () => new GrantSigner(key, { audience: 'a', ttlSeconds: 1.5 }), /ttlSeconds/],
    ['ttl above a day', () => new GrantSigner(key, { audience: 'a', ttlSeconds: 86401 }), /ttlSeconds/],
    ['now not a function', () => new GrantSigner(key, { audience: 'a', now: 5 as unknown as () => number }), /now must be a function/],
    ['an unknown option', () => new GrantSigner(key, { audience: 'a', ttl: 5 } as unknown as { audience: string }), /unknown option "ttl"/],
  ])('%s', (_name, f, message) => {
    expect(thrown(f)).toMatch(message);
  });
});

describe('GrantSigner refuses bad grant arguments, naming them', () => {
  const s = new GrantSigner(loadVendorKey(KEY), { audience: 'gk-acme', now: () => 1_796_342_400_000 });
  it.each<[string, () => unknown, RegExp]>([
    ['an empty key', () => s.grantGet(''), /^grantGet: key must be a valid object key/],
    ['a key with a leading slash', () => s.grantGet('/a'), /^grantGet: key must be/],
    ['a key with a .. segment', () => s.grantGet('a/../b'), /^grantGet: key must be/],
    ['a key with a trailing slash', () => s.grantGet('a/'), /^grantGet: key must be/],
    ['a key with a NUL', () => s.grantGet('a\u0000b'), /^grantGet: key must be/],
    ['a key of 1025 bytes', () => s.grantGet('k'.repeat(1025)), /^grantGet: key must be/],
    ['a key that is not a string', () => s.grantGet(5 as unknown as string), /^grantGet: key must be/],
    ['a prefix without a slash', () => s.grantPrefix('reports', 'get'), /^grantPrefix: prefix must end with "\/"/],
    ['the prefix "/"', () => s.grantList('/'), /^grantList: prefix must end with "\/"/],
    ['a put prefix grant', () => s.grantPrefix('a/', 'put' as 'get'), /^grantPrefix: op must be "get" or "list"/],
    ['an empty sub', () => s.grantGet('a', { sub: '' }), /^grantGet: sub must be 1-256 characters/],
    ['a 257-character sub', () => s.grantGet('a', { sub: 'u'.repeat(257) }), /^grantGet: sub must be/],
    ['a sub with a newline', () => s.grantGet('a', { sub: 'a\nb' }), /^grantGet: sub must be/],
    ['a sub that is not a string', () => s.grantGet('a', { sub: 7 as unknown as string }), /^grantGet: sub must be a string/],
    ['a ttl of 0', () => s.grantGet('a', { ttlSeconds: 0 }), /^grantGet: ttlSeconds must be/],
    ['a put option on a get grant', () => s.grantGet('a', { maxBytes: 5 } as object), /^grantGet: unknown option "maxBytes"$/],
    ['a put option on a prefix grant', () => s.grantList('a/', { contentType: 'x' } as object), /^grantList: unknown option "contentType"$/],
    ['options that are not an object', () => s.grantGet('a', 'alice' as unknown as object), /^grantGet: options must be an object$/],
    ['a negative maxBytes', () => s.grantPut('a', { maxBytes: -1 }), /^grantPut: maxBytes must be a non-negative integer$/],
    ['a fractional maxBytes', () => s.grantPut('a', { maxBytes: 1.5 }), /^grantPut: maxBytes/],
    ['an unsafe maxBytes', () => s.grantPut('a', { maxBytes: 2 ** 53 }), /^grantPut: maxBytes/],
    ['an empty contentType', () => s.grantPut('a', { contentType: '' }), /^grantPut: contentType must be 1-255 printable ASCII/],
    ['a non-ASCII contentType', () => s.grantPut('a', { contentType: 'text/plain; charset=ü' }), /^grantPut: contentType/],
    ['a 63-digit sha256', () => s.grantPut('a', { sha256: 'a'.repeat(63) }), /^grantPut: sha256 must be the SHA-256 of the body as 64 hex digits$/],
    ['a base64 sha256', () => s.grantPut('a', { sha256: Buffer.alloc(32).toString('base64') }), /^grantPut: sha256/],
    ['an invalid put key', () => s.grantPut('a//b'), /^grantPut: key must be/],
    ['a report that is not an array', () => s.grantsForReport('a/b' as unknown as string[]), /^grantsForReport: keys must be an array/],
  ])('%s', (_name, f, message) => {
    expect(thrown(f)).toMatch(message);
  });

  it('signs nothing for a report with one bad key, and names its index', () => {
    // Prepare
    let reads = 0;
    const counting = new GrantSigner(loadVendorKey(KEY), {
      audience: 'gk-acme',
      now: () => {
        reads++;
        return 1_796_342_400_000;
      },
    });

    // Act
    const m = thrown(() => counting.grantsForReport(['ok/1', 'ok/2', '../etc/passwd']));

    // Assess
    expect(m).toMatch(/^grantsForReport: keys\[2\] must be a valid object key/);
    expect(reads).toBe(0);
  });

  it.each([NaN, -1, Infinity, '1' as unknown as number])('refuses a clock that gives %p', (t) => {
    const bad = new GrantSigner(loadVendorKey(KEY), { audience: 'a', now: () => t });
    expect(thrown(() => bad.grantGet('a'))).toMatch(/^grantGet: now\(\) must return milliseconds since the epoch$/);
  });
});
