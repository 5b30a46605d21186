import { b64uEncode } from '../../../edge/core/b64u';
import { ed25519PrivateKey, ed25519PublicKey, publicKeyOfSeed } from '../../../edge/core/keys';
import {
  COSIGN_DOMAIN,
  CosigPayload,
  GRANT_DOMAIN,
  GrantPayload,
  MAX_TOKEN_CHARS,
  parseCosig,
  parseGrant,
  signCosig,
  signGrant,
  signTokenText,
  TokenResult,
  verifyToken,
} from '../../../edge/core/tokens';

const SEED = Buffer.alloc(32, 0x42);
const PRIV = ed25519PrivateKey(SEED);
const PUB = ed25519PublicKey(publicKeyOfSeed(SEED));
const OTHER_PUB = ed25519PublicKey(publicKeyOfSeed(Buffer.alloc(32, 0x43)));

const BASE_GRANT: Record<string, unknown> = {
  v: 1,
  kid: 'vendor-1',
  aud: 'gk-acme',
  op: 'get',
  key: 'a/b.txt',
  iat: 1000,
  exp: 1300,
  jti: 'abcdefghijklmnop',
};
const BASE_PUT: Record<string, unknown> = { ...BASE_GRANT, op: 'put' };
const BASE_COSIG: Record<string, unknown> = {
  v: 1,
  kid: 'gk-1',
  gh: 'QfBkzxZ0mja4e112tjaTZ0jD_u--MFPHFB9faBBuKUc',
  ip: '203.0.113.7',
  ctry: 'US',
  iat: 1000,
  exp: 1300,
};

/** Base fields with overrides; an override of `undefined` removes the field. */
function fields(base: Record<string, unknown>, over: Record<string, unknown>): string {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return JSON.stringify(out);
}

function grantToken(over: Record<string, unknown>, base = BASE_GRANT): string {
  return signTokenText(GRANT_DOMAIN, fields(base, over), PRIV);
}

function cosigToken(over: Record<string, unknown>): string {
  return signTokenText(COSIGN_DOMAIN, fields(BASE_COSIG, over), PRIV);
}

function detail<P>(r: TokenResult<P>): string {
  if (r.ok) throw new Error('expected malformed_token');
  expect(r.code).toBe('malformed_token');
  return r.detail;
}

const SIG = b64uEncode(Buffer.alloc(64, 1));

describe('the fixtures are valid, so each rejection below is due to its one change', () => {
  it('base grant, put and cosig parse and verify', () => {
    for (const t of [grantToken({}), grantToken({}, BASE_PUT)]) {
      const r = parseGrant(t);
      expect(r.ok && verifyToken(r.value, PUB)).toBe(true);
    }
    const c = parseCosig(cosigToken({}));
    expect(c.ok && verifyToken(c.value, PUB)).toBe(true);
  });
});

describe('token shape', () => {
  const payload = b64uEncode(Buffer.from(JSON.stringify(BASE_GRANT)));
  it.each([
    ['empty', '', 'not two parts'],
    ['one part', payload, 'not two parts'],
    ['three parts', `${payload}.${SIG}.${SIG}`, 'not two parts'],
    ['a trailing dot', `${payload}.${SIG}.`, 'not two parts'],
    ['only a dot', '.', 'signature is not 64 bytes'],
    ['an empty payload', `.${SIG}`, 'payload: invalid JSON'],
    ['an empty signature', `${payload}.`, 'signature is not 64 bytes'],
    ['a 63-byte signature', `${payload}.${b64uEncode(Buffer.alloc(63))}`, 'signature is not 64 bytes'],
    ['a 65-byte signature', `${payload}.${b64uEncode(Buffer.alloc(65))}`, 'signature is not 64 bytes'],
    ['a padded signature', `${payload}.${SIG}==`, 'signature is not 64 bytes'],
    ['a signature with +', `${payload}.${'+' + SIG.slice(1)}`, 'signature is not b64u'],
    ['a signature with /', `${payload}.${'/' + SIG.slice(1)}`, 'signature is not b64u'],
    ['a signature with non-canonical last character', `${payload}.${SIG.slice(0, -1)}R`, 'signature is not b64u'],
    ['a padded payload', `${b64uEncode(Buffer.from('{"v":1}'))}=.${SIG}`, 'payload is not b64u'],
    ['a payload with +', `${'+' + payload.slice(1)}.${SIG}`, 'payload is not b64u'],
    ['a payload with /', `${'/' + payload.slice(1)}.${SIG}`, 'payload is not b64u'],
    ['a payload with a space', `${payload.slice(0, 4)} ${payload.slice(4)}.${SIG}`, 'payload is not b64u'],
    ['a payload with a newline', `${payload}\n.${SIG}`, 'payload is not b64u'],
  ])('%s', (_label, token, why) => {
    expect(detail(parseGrant(token))).toBe(why);
    expect(detail(parseCosig(token))).toBe(why);
  });

  it('a non-string token', () => {
    expect(detail(parseGrant(undefined as unknown as string))).toBe('not a string');
    expect(detail(parseCosig(42 as unknown as string))).toBe('not a string');
  });

  it('a payload of 4097 bytes, even when signed', () => {
    // Prepare
    const json = JSON.stringify(BASE_GRANT);
    const text = json.slice(0, -1) + ' '.repeat(4097 - Buffer.byteLength(json)) + '}';
    expect(Buffer.byteLength(text)).toBe(4097);
    const token = signTokenText(GRANT_DOMAIN, text, PRIV);
    // Act + Assess
    expect(token.length).toBeGreaterThan(MAX_TOKEN_CHARS);
    expect(detail(parseGrant(token))).toBe('token too long');
  });

  it('the length guard is exact: a 4097-byte payload with a 64-byte signature is one character over MAX_TOKEN_CHARS', () => {
    // So the decoded-size check behind it is defence in depth, never the first line.
    const b64 = b64uEncode(Buffer.alloc(4097, 0x20));
    expect(b64.length + 1 + SIG.length).toBe(MAX_TOKEN_CHARS + 1);
  });

  it('a very long token is refused before any decoding', () => {
    expect(detail(parseGrant('A'.repeat(1_000_000) + '.' + SIG))).toBe('token too long');
  });

  it.each([
    ['invalid UTF-8 (0xFF)', Buffer.from([0x7b, 0xff, 0x7d])],
    ['an overlong UTF-8 "/" (C0 AF)', Buffer.concat([Buffer.from('{"key":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
    ['an encoded surrogate (ED A0 80)', Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
    ['a truncated sequence', Buffer.from([0x7b, 0xe2, 0x82])],
  ])('payload with %s', (_label, bytes) => {
    const token = `${b64uEncode(bytes)}.${SIG}`;
    expect(detail(parseGrant(token))).toBe('payload is not UTF-8');
  });

  it('a payload starting with a UTF-8 byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(BASE_GRANT))]);
    expect(detail(parseGrant(`${b64uEncode(bytes)}.${SIG}`))).toBe('payload: invalid JSON');
  });

  it.each([
    ['an array', '[]', 'payload: top level is not an object'],
    ['a string', '"x"', 'payload: top level is not an object'],
    ['a number', '1', 'payload: top level is not an object'],
    ['null', 'null', 'payload: top level is not an object'],
    ['invalid JSON', '{"v":1,}', 'payload: invalid JSON'],
    ['a duplicate field', '{"v":1,"v":1}', 'payload: duplicate key'],
    ['a duplicate field spelled with an escape', JSON.stringify(BASE_GRANT).replace('{', '{"\\u006bid":"x",'), 'payload: duplicate key'],
    ['a lone surrogate', JSON.stringify({ ...BASE_GRANT, sub: 'x' }).replace('"x"', '"\\ud800"'), 'payload: lone surrogate'],
  ])('payload: %s', (_label, text, why) => {
    expect(detail(parseGrant(signTokenText(GRANT_DOMAIN, text, PRIV)))).toBe(why);
  });

  it('detail never contains the token or its parts', () => {
    const tokens = [grantToken({ unknown: 1 }), grantToken({ v: 2 }), `${b64uEncode(Buffer.from('[]'))}.${SIG}`, 'x'.repeat(100)];
    for (const t of tokens) {
      const d = detail(parseGrant(t));
      expect(d).not.toContain(t);
      expect(d).not.toContain(t.split('.')[0]);
      expect(d.length).toBeLessThan(60);
    }
  });
});

describe('grant fields', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field', { extra: 1 }, 'unknown field'],
    ['an unknown field that is null', { extra: null }, 'unknown field'],
    ['a field spelled in another case', { Kid: 'x' }, 'unknown field'],
    // v
    ['v missing', { v: undefined }, 'v is not 1'],
    ['v = 2', { v: 2 }, 'v is not 1'],
    ['v = 0', { v: 0 }, 'v is not 1'],
    ['v = "1"', { v: '1' }, 'v is not 1'],
    ['v = true', { v: true }, 'v is not 1'],
    ['v = 1.5', { v: 1.5 }, 'payload: non-integer number'],
    ['v = null', { v: null }, 'v is not 1'],
    ['v = [1]', { v: [1] }, 'v is not 1'],
    // kid
    ['kid missing', { kid: undefined }, 'bad kid'],
    ['kid empty', { kid: '' }, 'bad kid'],
    ['kid of 65 characters', { kid: 'k'.repeat(65) }, 'bad kid'],
    ['kid with a space', { kid: 'a b' }, 'bad kid'],
    ['kid a number', { kid: 7 }, 'bad kid'],
    ['kid null', { kid: null }, 'bad kid'],
    // aud
    ['aud missing', { aud: undefined }, 'bad aud'],
    ['aud empty', { aud: '' }, 'bad aud'],
    ['aud of 129 characters', { aud: 'a'.repeat(129) }, 'bad aud'],
    ['aud with /', { aud: 'a/b' }, 'bad aud'],
    ['aud with a space', { aud: 'a b' }, 'bad aud'],
    ['aud non-ASCII', { aud: 'gké' }, 'bad aud'],
    ['aud a number', { aud: 1 }, 'bad aud'],
    ['aud an array', { aud: ['gk-acme'] }, 'bad aud'],
    // op
    ['op missing', { op: undefined }, 'bad op'],
    ['op delete', { op: 'delete' }, 'bad op'],
    ['op in upper case', { op: 'GET' }, 'bad op'],
    ['op head', { op: 'head' }, 'bad op'],
    ['op a number', { op: 1 }, 'bad op'],
    // key / prefix
    ['neither key nor prefix', { key: undefined }, 'not exactly one of key and prefix'],
    ['both key and prefix', { prefix: 'a/' }, 'not exactly one of key and prefix'],
    ['key null', { key: null }, 'bad key'],
    ['key a number', { key: 5 }, 'bad key'],
    ['key empty', { key: '' }, 'bad key'],
    ['key with a leading /', { key: '/a' }, 'bad key'],
    ['key with an empty segment', { key: 'a//b' }, 'bad key'],
    ['key with a trailing /', { key: 'a/' }, 'bad key'],
    ['key with a . segment', { key: 'a/./b' }, 'bad key'],
    ['key with a .. segment', { key: '../etc/passwd' }, 'bad key'],
    ['key with NUL', { key: 'a\u0000' }, 'bad key'],
    ['key with a newline', { key: 'a\nb' }, 'bad key'],
    ['key with DEL', { key: 'a\u007f' }, 'bad key'],
    ['key with a C1 control', { key: 'a\u0085' }, 'bad key'],
    ['key of 1025 bytes', { key: 'k'.repeat(1025) }, 'bad key'],
    ['prefix without trailing /', { key: undefined, prefix: 'a' }, 'bad prefix'],
    ['prefix "/"', { key: undefined, prefix: '/' }, 'bad prefix'],
    ['prefix ""', { key: undefined, prefix: '' }, 'bad prefix'],
    ['prefix "a//"', { key: undefined, prefix: 'a//' }, 'bad prefix'],
    ['prefix with ..', { key: undefined, prefix: '../' }, 'bad prefix'],
    ['prefix a number', { key: undefined, prefix: 1 }, 'bad prefix'],
    ['prefix null', { key: undefined, prefix: null }, 'bad prefix'],
    ['prefix with op put', { op: 'put', key: undefined, prefix: 'a/' }, 'prefix with op put'],
    ['op list with a key', { op: 'list' }, 'op list without prefix'],
    // iat / exp
    ['iat missing', { iat: undefined }, 'bad iat'],
    ['iat negative', { iat: -1 }, 'bad iat'],
    ['iat fractional', { iat: 1000.5 }, 'payload: non-integer number'],
    ['iat a string', { iat: '1000' }, 'bad iat'],
    ['iat above 2^53 - 1', { iat: 2 ** 53, exp: 2 ** 53 + 2 }, 'bad iat'],
    ['exp missing', { exp: undefined }, 'bad exp'],
    ['exp negative', { exp: -5 }, 'bad exp'],
    ['exp fractional', { exp: 1300.25 }, 'payload: non-integer number'],
    ['exp null', { exp: null }, 'bad exp'],
    ['exp a boolean', { exp: true }, 'bad exp'],
    ['exp equal to iat', { exp: 1000 }, 'exp not after iat'],
    ['exp before iat', { exp: 999 }, 'exp not after iat'],
    // jti
    ['jti missing', { jti: undefined }, 'bad jti'],
    ['jti of 15 characters', { jti: 'a'.repeat(15) }, 'bad jti'],
    ['jti of 65 characters', { jti: 'a'.repeat(65) }, 'bad jti'],
    ['jti with .', { jti: 'abcdefgh.ijklmnop' }, 'bad jti'],
    ['jti with =', { jti: 'abcdefghijklmnop=' }, 'bad jti'],
    ['jti a number', { jti: 1234567890123456 }, 'bad jti'],
    // sub
    ['sub empty', { sub: '' }, 'bad sub'],
    ['sub of 257 characters', { sub: 's'.repeat(257) }, 'bad sub'],
    ['sub of 257 code points outside the BMP', { sub: '😀'.repeat(257) }, 'bad sub'],
    ['sub with a newline', { sub: 'a\nb' }, 'bad sub'],
    ['sub with NUL', { sub: 'a\u0000' }, 'bad sub'],
    ['sub with DEL', { sub: 'a\u007f' }, 'bad sub'],
    ['sub with a C1 control', { sub: '\u009b' }, 'bad sub'],
    ['sub null', { sub: null }, 'bad sub'],
    ['sub a number', { sub: 1 }, 'bad sub'],
    ['sub an object', { sub: { id: 1 } }, 'bad sub'],
    // put-only fields
    ['maxBytes with op get', { maxBytes: 10 }, 'put field without op put'],
    ['contentType with op get', { contentType: 'text/plain' }, 'put field without op put'],
    ['sha256 with op get', { sha256: 'a'.repeat(64) }, 'put field without op put'],
    ['maxBytes with op list', { op: 'list', key: undefined, prefix: 'a/', maxBytes: 10 }, 'put field without op put'],
  ])('%s', (_label, over, why) => {
    expect(detail(parseGrant(grantToken(over)))).toBe(why);
  });

  it('a field named __proto__ (an own member after JSON.parse, not a prototype)', () => {
    const text = fields(BASE_GRANT, {}).replace('{', '{"__proto__":{"v":1},');
    expect(detail(parseGrant(signTokenText(GRANT_DOMAIN, text, PRIV)))).toBe('unknown field');
  });

  it.each([
    ['1e400 (Infinity after parsing)', '"iat":1e400'],
    ['1000.0 (an integer value in float spelling)', '"iat":1000.0'],
    ['1e3', '"iat":1e3'],
    ['10E2', '"iat":10E2'],
  ])('iat written as %s is not an int', (_label, spelling) => {
    const text = fields(BASE_GRANT, {}).replace('"iat":1000', spelling);
    expect(text).toContain(spelling);
    expect(detail(parseGrant(signTokenText(GRANT_DOMAIN, text, PRIV)))).toBe('payload: non-integer number');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['maxBytes negative', { maxBytes: -1 }, 'bad maxBytes'],
    ['maxBytes fractional', { maxBytes: 1.5 }, 'payload: non-integer number'],
    ['maxBytes a string', { maxBytes: '10' }, 'bad maxBytes'],
    ['maxBytes above 2^53 - 1', { maxBytes: 2 ** 53 }, 'bad maxBytes'],
    ['maxBytes null', { maxBytes: null }, 'bad maxBytes'],
    ['contentType empty', { contentType: '' }, 'bad contentType'],
    ['contentType of 256 characters', { contentType: 'a'.repeat(256) }, 'bad contentType'],
    ['contentType non-ASCII', { contentType: 'text/é' }, 'bad contentType'],
    ['contentType with a newline (header injection)', { contentType: 'text/plain\r\nx-amz-acl: public-read' }, 'bad contentType'],
    ['contentType with a tab', { contentType: 'text/plain;\tq=1' }, 'bad contentType'],
    ['contentType with DEL', { contentType: 'text/plain\u007f' }, 'bad contentType'],
    ['contentType a number', { contentType: 1 }, 'bad contentType'],
    ['sha256 in upper case', { sha256: 'A'.repeat(64) }, 'bad sha256'],
    ['sha256 of 63 characters', { sha256: 'a'.repeat(63) }, 'bad sha256'],
    ['sha256 of 65 characters', { sha256: 'a'.repeat(65) }, 'bad sha256'],
    ['sha256 non-hex', { sha256: 'g'.repeat(64) }, 'bad sha256'],
    ['sha256 in base64', { sha256: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=' }, 'bad sha256'],
    ['sha256 a number', { sha256: 1 }, 'bad sha256'],
  ])('put: %s', (_label, over, why) => {
    expect(detail(parseGrant(grantToken(over, BASE_PUT)))).toBe(why);
  });
});

describe('cosig fields', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown field', { key: 'a' }, 'unknown field'],
    ['a grant field', { jti: 'abcdefghijklmnop' }, 'unknown field'],
    ['v missing', { v: undefined }, 'v is not 1'],
    ['v = 2', { v: 2 }, 'v is not 1'],
    ['v = "1"', { v: '1' }, 'v is not 1'],
    ['kid missing', { kid: undefined }, 'bad kid'],
    ['kid with /', { kid: 'a/b' }, 'bad kid'],
    ['kid a number', { kid: 1 }, 'bad kid'],
    ['gh missing', { gh: undefined }, 'bad gh'],
    ['gh of 42 characters', { gh: 'A'.repeat(42) }, 'bad gh'],
    ['gh of 44 characters', { gh: 'A'.repeat(44) }, 'bad gh'],
    ['gh padded', { gh: 'A'.repeat(43) + '=' }, 'bad gh'],
    ['gh with non-canonical trailing bits', { gh: 'A'.repeat(42) + 'B' }, 'bad gh'],
    ['gh with +', { gh: '+' + 'A'.repeat(42) }, 'bad gh'],
    ['gh in hex', { gh: 'ab'.repeat(32) }, 'bad gh'],
    ['gh a number', { gh: 1 }, 'bad gh'],
    ['ip missing', { ip: undefined }, 'bad ip'],
    ['ip of 1 character', { ip: '1' }, 'bad ip'],
    ['ip of 46 characters', { ip: '1'.repeat(46) }, 'bad ip'],
    ['ip with a CIDR suffix', { ip: '10.0.0.0/8' }, 'bad ip'],
    ['ip with a zone id', { ip: 'fe80::1%eth0' }, 'bad ip'],
    ['ip with g', { ip: 'g::1' }, 'bad ip'],
    ['ip with brackets', { ip: '[::1]' }, 'bad ip'],
    ['ip with a space', { ip: '1.2.3.4 ' }, 'bad ip'],
    ['ip a number', { ip: 16909060 }, 'bad ip'],
    ['ctry missing', { ctry: undefined }, 'bad ctry'],
    ['ctry in lower case', { ctry: 'us' }, 'bad ctry'],
    ['ctry of 3 letters', { ctry: 'USA' }, 'bad ctry'],
    ['ctry of 1 letter', { ctry: 'U' }, 'bad ctry'],
    ['ctry with a digit', { ctry: 'U1' }, 'bad ctry'],
    ['ctry empty', { ctry: '' }, 'bad ctry'],
    ['ctry null', { ctry: null }, 'bad ctry'],
    ['iat missing', { iat: undefined }, 'bad iat'],
    ['iat negative', { iat: -1 }, 'bad iat'],
    ['iat fractional', { iat: 0.5 }, 'payload: non-integer number'],
    ['iat a string', { iat: '1000' }, 'bad iat'],
    ['exp missing', { exp: undefined }, 'bad exp'],
    ['exp above 2^53 - 1', { exp: 2 ** 53 }, 'bad exp'],
    ['exp equal to iat', { exp: 1000 }, 'exp not after iat'],
    ['exp before iat', { exp: 10 }, 'exp not after iat'],
  ])('%s', (_label, over, why) => {
    expect(detail(parseCosig(cosigToken(over)))).toBe(why);
  });

  it('a duplicate field', () => {
    const text = fields(BASE_COSIG, {}).replace('{', '{"ip":"10.0.0.1",');
    expect(detail(parseCosig(signTokenText(COSIGN_DOMAIN, text, PRIV)))).toBe('payload: duplicate key');
  });
});

describe('signatures', () => {
  const grant = JSON.parse(fields(BASE_GRANT, {})) as GrantPayload;
  const cosig = JSON.parse(fields(BASE_COSIG, {})) as CosigPayload;

  it('a grant payload signed under the cosign domain parses but does not verify as a grant', () => {
    // Prepare
    const token = signTokenText(COSIGN_DOMAIN, JSON.stringify(grant), PRIV);
    // Act
    const r = parseGrant(token);
    // Assess
    expect(r.ok).toBe(true);
    if (r.ok) expect(verifyToken(r.value, PUB)).toBe(false);
  });

  it('a cosig payload signed under the grant domain does not verify as a cosig', () => {
    const r = parseCosig(signTokenText(GRANT_DOMAIN, JSON.stringify(cosig), PRIV));
    expect(r.ok).toBe(true);
    if (r.ok) expect(verifyToken(r.value, PUB)).toBe(false);
  });

  it('a cosig signature pasted onto a grant does not verify', () => {
    // Prepare: same payload text, signatures from the two domains
    const asCosig = signTokenText(COSIGN_DOMAIN, JSON.stringify(grant), PRIV);
    const asGrant = signGrant(grant, PRIV);
    const spliced = asGrant.split('.')[0] + '.' + asCosig.split('.')[1];
    // Act
    const r = parseGrant(spliced);
    // Assess
    expect(asGrant.split('.')[0]).toBe(asCosig.split('.')[0]);
    expect(r.ok && verifyToken(r.value, PUB)).toBe(false);
  });

  it('a token does not verify under another key', () => {
    const r = parseGrant(signGrant(grant, PRIV));
    expect(r.ok && verifyToken(r.value, OTHER_PUB)).toBe(false);
    const c = parseCosig(signCosig(cosig, PRIV));
    expect(c.ok && verifyToken(c.value, OTHER_PUB)).toBe(false);
  });

  it('a changed payload with the old signature does not verify', () => {
    // Prepare
    const original = signGrant(grant, PRIV);
    const widened = signGrant({ ...grant, key: undefined, prefix: 'a/' }, PRIV);
    const forged = widened.split('.')[0] + '.' + original.split('.')[1];
    // Act
    const r = parseGrant(forged);
    // Assess
    expect(r.ok).toBe(true);
    if (r.ok) expect(verifyToken(r.value, PUB)).toBe(false);
  });

  it('a signature with one bit flipped does not verify', () => {
    const token = signGrant(grant, PRIV);
    const [p, s] = token.split('.');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 0x80;
    const r = parseGrant(`${p}.${b64uEncode(sig)}`);
    expect(r.ok && verifyToken(r.value, PUB)).toBe(false);
  });

  it('signGrant does not validate: a payload parseGrant refuses still yields a token it then refuses', () => {
    const token = signGrant({ ...grant, exp: grant.iat }, PRIV);
    expect(detail(parseGrant(token))).toBe('exp not after iat');
  });
});
