import fc from 'fast-check';
import { b64uEncode } from '../../edge/core/b64u';
import { ed25519PrivateKey, ed25519PublicKey, publicKeyOfSeed } from '../../edge/core/keys';
import { parseGrant, signGrant, verifyToken, type GrantPayload } from '../../edge/core/tokens';
import { b64uEncodeBytes, grantPayloadJson, randomJtiWithTweetnacl, signGrantWithTweetnacl } from '../../sdk/vendor-nacl';
import { GrantSigner, loadVendorKey, signGrantWithTweetnacl as reexported } from '../../sdk/vendor';
import { GOLDEN_GRANT, GOLDEN_GRANT_PAYLOAD, GOLDEN_SEED } from '../helpers/golden';

// The golden grant of test/helpers/golden.ts (RFC 8032 TEST 1 key).
const SEED = GOLDEN_SEED;
const GRANT = GOLDEN_GRANT_PAYLOAD;

describe('signGrantWithTweetnacl', () => {
  it('gives the golden token, the same bytes as the Node signer', () => {
    // Act
    const nacl = signGrantWithTweetnacl(GRANT, SEED);

    // Assess
    expect(nacl).toBe(GOLDEN_GRANT);
    expect(nacl).toBe(signGrant(GRANT, ed25519PrivateKey(SEED)));
    expect(reexported).toBe(signGrantWithTweetnacl);
  });

  it('gives the same token as the Node signer for every field, in every order given', () => {
    const p: GrantPayload = {
      sha256: 'f'.repeat(64),
      contentType: 'image/png',
      maxBytes: 1024,
      sub: 'zoë "quoted" \\ 📈',
      jti: 'j'.repeat(22),
      exp: 20,
      iat: 10,
      key: 'uploads/ü/</script>',
      op: 'put',
      aud: 'gk',
      kid: 'k',
      v: 1,
    };
    const token = signGrantWithTweetnacl(p, SEED);
    expect(token).toBe(signGrant(p, ed25519PrivateKey(SEED)));
    const parsed = parseGrant(token);
    expect(parsed.ok && verifyToken(parsed.value, ed25519PublicKey(publicKeyOfSeed(SEED)))).toBe(true);
  });

  it('matches the Node signer on random payloads and seeds', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const payload = fc.record(
      {
        v: fc.constant(1 as const),
        kid: text,
        aud: text,
        op: fc.constantFrom('get' as const, 'put' as const, 'list' as const),
        key: text,
        prefix: text,
        iat: fc.nat(),
        exp: fc.nat(),
        jti: text,
        sub: text,
        maxBytes: fc.maxSafeNat(),
        contentType: text,
        sha256: text,
      },
      { requiredKeys: ['v', 'kid', 'aud', 'op', 'iat', 'exp', 'jti'] },
    );
    fc.assert(
      fc.property(payload, fc.uint8Array({ minLength: 32, maxLength: 32 }), (p, seed) => {
        expect(signGrantWithTweetnacl(p, seed)).toBe(signGrant(p, ed25519PrivateKey(seed)));
      }),
      { numRuns: 60 },
    );
  });

  it('matches the tokens of GrantSigner', () => {
    const key = loadVendorKey({ kid: 'vendor-2026-12', privateKey: b64uEncode(SEED) });
    const token = new GrantSigner(key, { audience: 'gk-acme' }).grantPut('a/b', { maxBytes: 3, sub: 's' });
    const parsed = parseGrant(token);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(signGrantWithTweetnacl(parsed.value.payload, SEED)).toBe(token);
  });
});

describe('grantPayloadJson and b64uEncodeBytes', () => {
  it('serialize like the core', () => {
    expect(grantPayloadJson(GRANT)).toBe(
      '{"v":1,"kid":"vendor-2026-12","aud":"gk-acme","op":"get","key":"reports/q4.pdf","iat":1764806400,"exp":1764806700,"jti":"AAAAAAAAAAAAAAAAAAAAAA"}',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(b64uEncodeBytes(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
  });

  it('makes 22-character jtis of 16 random bytes', () => {
    const a = randomJtiWithTweetnacl();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(a, 'base64url').length).toBe(16);
    expect(randomJtiWithTweetnacl()).not.toBe(a);
  });
});

describe('without Node crypto', () => {
  it('loads and signs when the crypto module has nothing in it', () => {
    jest.isolateModules(() => {
      // Prepare: a runtime whose `crypto` offers none of Node's API.
      jest.doMock('crypto', () => ({}));
      jest.doMock('node:crypto', () => ({}));
      // Act
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const m = require('../../sdk/vendor-nacl') as typeof import('../../sdk/vendor-nacl');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const core = require('../../edge/core/keys') as typeof import('../../edge/core/keys');
      // Assess
      expect(m.signGrantWithTweetnacl(GRANT, SEED)).toBe(GOLDEN_GRANT);
      expect(() => core.ed25519PrivateKey(SEED)).toThrow(); // the Node path really is unavailable here
    });
  });
});
