import { createHash } from 'crypto';
import nacl from 'tweetnacl';
import { b64uDecode, b64uEncode } from '../../../edge/core/b64u';
import { ed25519PrivateKey, ed25519PublicKey, publicKeyOfSeed } from '../../../edge/core/keys';
import {
  COSIGN_DOMAIN,
  CosigPayload,
  GRANT_DOMAIN,
  GrantPayload,
  grantHash,
  MAX_TOKEN_CHARS,
  parseCosig,
  parseGrant,
  signCosig,
  signGrant,
  signTokenText,
  verifyToken,
} from '../../../edge/core/tokens';
import { GOLDEN_GRANT, GOLDEN_GRANT_PAYLOAD, GOLDEN_SEED } from '../../helpers/golden';

const SEED = GOLDEN_SEED;
const PRIV = ed25519PrivateKey(SEED);
const PUB = ed25519PublicKey(publicKeyOfSeed(SEED));
const GRANT = GOLDEN_GRANT_PAYLOAD;
const GOLDEN_GH = 'QfBkzxZ0mja4e112tjaTZ0jD_u--MFPHFB9faBBuKUc';

const COSIG: CosigPayload = {
  v: 1,
  kid: 'gk-2026-12',
  gh: GOLDEN_GH,
  ip: '203.0.113.7',
  ctry: 'US',
  iat: 1764806410,
  exp: 1764806700,
};

const GOLDEN_COSIG =
  'eyJ2IjoxLCJraWQiOiJnay0yMDI2LTEyIiwiZ2giOiJRZkJrenhaMG1qYTRlMTEydGphVFowakRfdS0tTUZQSEZCOWZhQkJ1S1VjIiwiaXAiOiIyMDMuMC4xMTMuNyIsImN0cnkiOiJVUyIsImlhdCI6MTc2NDgwNjQxMCwiZXhwIjoxNzY0ODA2NzAwfQ' +
  '.YTgrZeEnsmf3DRV1v73ceuOm5veBCud3JYI6X6kaQmkcdaEbAg_j9QSmd59pVW82PdeagwVn2mc3z0b26WzIAg';

function payloadText(token: string): string {
  return (b64uDecode(token.split('.')[0]) as Buffer).toString('utf8');
}

describe('constants', () => {
  it('domains are as in PROTOCOL', () => {
    expect(GRANT_DOMAIN).toBe('GK1-GRANT');
    expect(COSIGN_DOMAIN).toBe('GK1-COSIGN');
  });

  it('MAX_TOKEN_CHARS is b64u(4096 bytes) + "." + b64u(64 bytes)', () => {
    expect(MAX_TOKEN_CHARS).toBe(b64uEncode(Buffer.alloc(4096)).length + 1 + b64uEncode(Buffer.alloc(64)).length);
    expect(MAX_TOKEN_CHARS).toBe(5549);
  });
});

describe('signGrant', () => {
  it('serializes in the fixed field order and gives the golden token', () => {
    // Act
    const token = signGrant(GRANT, PRIV);
    // Assess
    expect(payloadText(token)).toBe(
      '{"v":1,"kid":"vendor-2026-12","aud":"gk-acme","op":"get","key":"reports/q4.pdf","iat":1764806400,"exp":1764806700,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}',
    );
    expect(token).toBe(GOLDEN_GRANT);
  });

  it('the golden signature covers "GK1-GRANT." + payload part (checked with tweetnacl)', () => {
    const [payloadPart, sigPart] = GOLDEN_GRANT.split('.');
    const ok = nacl.sign.detached.verify(
      Buffer.from(`GK1-GRANT.${payloadPart}`, 'ascii'),
      b64uDecode(sigPart) as Buffer,
      publicKeyOfSeed(SEED),
    );
    expect(ok).toBe(true);
  });

  it('writes every field in interface order, whatever order the object had', () => {
    // Prepare
    const scrambled = {
      sha256: 'ab'.repeat(32),
      contentType: 'application/pdf',
      maxBytes: 1000,
      sub: 'user-1',
      jti: 'BBBBBBBBBBBBBBBB',
      exp: 20,
      iat: 10,
      key: 'up/file.pdf',
      op: 'put',
      aud: 'gk',
      kid: 'k',
      v: 1,
    } as GrantPayload;
    // Act
    const text = payloadText(signGrant(scrambled, PRIV));
    // Assess
    expect(Object.keys(JSON.parse(text))).toEqual([
      'v', 'kid', 'aud', 'op', 'key', 'iat', 'exp', 'jti', 'sub', 'maxBytes', 'contentType', 'sha256',
    ]);
  });

  it('omits undefined optionals and ignores properties outside the interface', () => {
    const extra = { ...GRANT, sub: undefined, prefix: undefined, extra: 'x' } as GrantPayload;
    expect(signGrant(extra, PRIV)).toBe(GOLDEN_GRANT);
  });
});

describe('parseGrant + verifyToken', () => {
  it('parses the golden token', () => {
    // Act
    const r = parseGrant(GOLDEN_GRANT);
    // Assess
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.token).toBe(GOLDEN_GRANT);
    expect(r.value.payload).toStrictEqual(GRANT);
    expect(r.value.signingInput.toString('latin1')).toBe('GK1-GRANT.' + GOLDEN_GRANT.split('.')[0]);
    expect(r.value.signature.toString('base64url')).toBe(GOLDEN_GRANT.split('.')[1]);
    expect(verifyToken(r.value, PUB)).toBe(true);
  });

  const grants: Array<[string, GrantPayload]> = [
    ['get of a key', GRANT],
    ['get of a prefix', { ...GRANT, key: undefined, prefix: 'reports/2026/' }],
    ['list of a prefix', { ...GRANT, op: 'list', key: undefined, prefix: 'reports/' }],
    ['put with every option', { ...GRANT, op: 'put', key: 'in/é 😀.bin', sub: 'alice@example.com', maxBytes: 0, contentType: 'text/plain; charset=utf-8', sha256: '0123456789abcdef'.repeat(4) }],
    ['put with maxBytes only', { ...GRANT, op: 'put', maxBytes: Number.MAX_SAFE_INTEGER }],
    ['iat 0', { ...GRANT, iat: 0, exp: 1 }],
    ['longest jti and kid', { ...GRANT, jti: 'a-_'.repeat(21) + 'Z', kid: 'k'.repeat(64) }],
    ['shortest jti', { ...GRANT, jti: '0123456789abcdef' }],
    ['aud with every allowed character', { ...GRANT, aud: 'Az09._:-' }],
    ['sub of 256 code points, 512 code units', { ...GRANT, sub: '😀'.repeat(256) }],
    ['sub of 1 character', { ...GRANT, sub: 'x' }],
    ['contentType of 255 characters', { ...GRANT, op: 'put', contentType: 'a'.repeat(255) }],
  ];

  it.each(grants)('round-trips sign -> parse -> verify: %s', (_label, payload) => {
    // Prepare
    const expected = JSON.parse(JSON.stringify(payload)) as GrantPayload;
    // Act
    const token = signGrant(payload, PRIV);
    const r = parseGrant(token);
    // Assess
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.payload).toStrictEqual(expected);
    expect(verifyToken(r.value, PUB)).toBe(true);
  });

  it('accepts a payload of exactly 4096 bytes', () => {
    // Prepare: pad valid JSON with insignificant whitespace
    const json = JSON.stringify(GRANT);
    const text = json.slice(0, -1) + ' '.repeat(4096 - Buffer.byteLength(json)) + '}';
    expect(Buffer.byteLength(text)).toBe(4096);
    const token = signTokenText(GRANT_DOMAIN, text, PRIV);
    // Act
    const r = parseGrant(token);
    // Assess
    expect(token.length).toBe(MAX_TOKEN_CHARS);
    expect(r.ok).toBe(true);
    if (r.ok) expect(verifyToken(r.value, PUB)).toBe(true);
  });

  it('accepts field order and whitespace other than its own serializer\'s', () => {
    const text = '{ "jti":"AAAAAAAAAAAAAAAAAAAAAA", "exp":1764806700, "iat":1764806400, "key":"reports/q4.pdf", "op":"get", "aud":"gk-acme", "kid":"vendor-2026-12", "v":1 }';
    const r = parseGrant(signTokenText(GRANT_DOMAIN, text, PRIV));
    expect(r.ok && r.value.payload).toStrictEqual(GRANT);
  });

  it('accepts a key written with JSON escapes', () => {
    const text = JSON.stringify(GRANT).replace('reports/q4.pdf', 'reports\\/q4\\u002epdf');
    const r = parseGrant(signTokenText(GRANT_DOMAIN, text, PRIV));
    expect(r.ok && r.value.payload.key).toBe('reports/q4.pdf');
  });
});

describe('signCosig + parseCosig', () => {
  it('gives the golden token in the fixed field order', () => {
    const token = signCosig(COSIG, PRIV);
    expect(payloadText(token)).toBe(
      '{"v":1,"kid":"gk-2026-12","gh":"QfBkzxZ0mja4e112tjaTZ0jD_u--MFPHFB9faBBuKUc","ip":"203.0.113.7","ctry":"US","iat":1764806410,"exp":1764806700}',
    );
    expect(token).toBe(GOLDEN_COSIG);
  });

  it('the golden signature covers "GK1-COSIGN." + payload part (checked with tweetnacl)', () => {
    const [payloadPart, sigPart] = GOLDEN_COSIG.split('.');
    expect(
      nacl.sign.detached.verify(Buffer.from(`GK1-COSIGN.${payloadPart}`, 'ascii'), b64uDecode(sigPart) as Buffer, publicKeyOfSeed(SEED)),
    ).toBe(true);
  });

  it.each<[string, CosigPayload]>([
    ['IPv4', COSIG],
    ['IPv6', { ...COSIG, ip: '2001:db8::1' }],
    ['IPv6 at 45 characters', { ...COSIG, ip: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255' }],
    ['the unknown country XX', { ...COSIG, ctry: 'XX' }],
    ['the shortest ip', { ...COSIG, ip: '::' }],
  ])('round-trips sign -> parse -> verify: %s', (_label, payload) => {
    const r = parseCosig(signCosig(payload, PRIV));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.payload).toStrictEqual(payload);
    expect(r.value.signingInput.toString('latin1').startsWith('GK1-COSIGN.')).toBe(true);
    expect(verifyToken(r.value, PUB)).toBe(true);
  });
});

describe('grantHash', () => {
  it('is b64u(SHA-256) of the token text', () => {
    expect(grantHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(grantHash(GOLDEN_GRANT)).toBe(GOLDEN_GH);
    expect(grantHash(GOLDEN_GRANT)).toBe(createHash('sha256').update(Buffer.from(GOLDEN_GRANT, 'ascii')).digest('base64url'));
  });

  it('is a valid cosig gh (43 characters, 32 bytes)', () => {
    expect(grantHash(GOLDEN_GRANT)).toHaveLength(43);
    expect(b64uDecode(grantHash(GOLDEN_GRANT))).toHaveLength(32);
  });
});
