import { b64uDecode, b64uEncode } from '../../edge/core/b64u';
import { ed25519PublicKey, publicKeyOfSeed } from '../../edge/core/keys';
import { parseGrant, verifyToken, type GrantPayload } from '../../edge/core/tokens';
import { DEFAULT_GRANT_TTL_SECONDS, GrantSigner, loadVendorKey, type VendorKey } from '../../sdk/vendor';

const SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const PUBLIC = b64uEncode(publicKeyOfSeed(SEED));
const KEY_JSON = JSON.stringify({ kid: 'vendor-2026-12', publicKey: PUBLIC, privateKey: b64uEncode(SEED) });
const NOW_MS = 1_796_342_400_123; // 2026-12-04T00:00:00.123Z

function verified(token: string): GrantPayload {
  const parsed = parseGrant(token);
  if (!parsed.ok) throw new Error(`did not parse: ${parsed.detail}`);
  expect(verifyToken(parsed.value, ed25519PublicKey(publicKeyOfSeed(SEED)))).toBe(true);
  return parsed.value.payload;
}

function signer(opts: { ttlSeconds?: number } = {}): GrantSigner {
  return new GrantSigner(loadVendorKey(KEY_JSON), { audience: 'gk-acme', now: () => NOW_MS, ...opts });
}

describe('loadVendorKey', () => {
  it('reads keygen output and exposes only the public half', () => {
    // Act
    const key = loadVendorKey(KEY_JSON);

    // Assess
    expect(key).toEqual({ kid: 'vendor-2026-12', publicKey: PUBLIC });
    expect(JSON.stringify(key)).toBe(`{"kid":"vendor-2026-12","publicKey":"${PUBLIC}"}`);
    expect(JSON.stringify(key)).not.toContain(b64uEncode(SEED));
    expect(Object.isFrozen(key)).toBe(true);
  });

  it('accepts an object without publicKey and derives it', () => {
    const key = loadVendorKey({ kid: 'k.1_-', privateKey: b64uEncode(SEED) });
    expect(key.publicKey).toBe(PUBLIC);
    expect(key.kid).toBe('k.1_-');
  });
});

describe('GrantSigner', () => {
  it('signs a get grant that the core parses and verifies, with every field as asked', () => {
    // Act
    const token = signer().grantGet('reports/q4.pdf', { sub: 'alice@vendor' });
    const p = verified(token);

    // Assess
    expect(p).toEqual({
      v: 1,
      kid: 'vendor-2026-12',
      aud: 'gk-acme',
      op: 'get',
      key: 'reports/q4.pdf',
      iat: 1_796_342_400,
      exp: 1_796_342_400 + 300,
      jti: p.jti,
      sub: 'alice@vendor',
    });
    expect(DEFAULT_GRANT_TTL_SECONDS).toBe(300);
    expect(p.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b64uDecode(p.jti)?.length).toBe(16);
  });

  it('writes the payload members in the core order', () => {
    const token = signer().grantPut('in/a.csv', { sub: 'u', maxBytes: 10, contentType: 'text/csv', sha256: 'AB'.repeat(32) });
    const text = (b64uDecode(token.split('.')[0]) as Buffer).toString('utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['v', 'kid', 'aud', 'op', 'key', 'iat', 'exp', 'jti', 'sub', 'maxBytes', 'contentType', 'sha256']);
  });

  it('gives each grant its own jti', () => {
    const s = signer();
    const jtis = new Set(Array.from({ length: 200 }, () => verified(s.grantGet('a/b')).jti));
    expect(jtis.size).toBe(200);
  });

  it('uses the signer ttl, and a per-grant ttl over it', () => {
    const s = signer({ ttlSeconds: 60 });
    const a = verified(s.grantGet('x'));
    const b = verified(s.grantGet('x', { ttlSeconds: 900 }));
    expect(a.exp - a.iat).toBe(60);
    expect(b.exp - b.iat).toBe(900);
  });

  it('reads the clock at each grant', () => {
    let t = NOW_MS;
    const s = new GrantSigner(loadVendorKey(KEY_JSON), { audience: 'gk-acme', now: () => t });
    const first = verified(s.grantGet('x'));
    t += 61_999;
    const second = verified(s.grantGet('x'));
    expect(second.iat - first.iat).toBe(62);
  });

  it('signs prefix grants for get and list', () => {
    const s = signer();
    const get = verified(s.grantPrefix('reports/2026/', 'get'));
    const list = verified(s.grantList('reports/'));
    const list2 = verified(s.grantPrefix('reports/', 'list', { sub: 'bob' }));
    expect([get.op, get.prefix, get.key]).toEqual(['get', 'reports/2026/', undefined]);
    expect([list.op, list.prefix]).toEqual(['list', 'reports/']);
    expect([list2.op, list2.prefix, list2.sub]).toEqual(['list', 'reports/', 'bob']);
  });

  it('signs an upload grant with its constraints, the digest in lower case', () => {
    const p = verified(
      signer().grantPut('uploads/u1/scan.png', { maxBytes: 5_000_000, contentType: 'image/png', sha256: 'ABCDEF'.padEnd(64, '0') }),
    );
    expect(p).toMatchObject({
      op: 'put',
      key: 'uploads/u1/scan.png',
      maxBytes: 5_000_000,
      contentType: 'image/png',
      sha256: 'abcdef'.padEnd(64, '0'),
    });
    expect(p.prefix).toBeUndefined();
  });

  it('signs an upload grant with no constraints', () => {
    const p = verified(signer().grantPut('uploads/x'));
    expect(p.maxBytes).toBeUndefined();
    expect(p.contentType).toBeUndefined();
    expect(p.sha256).toBeUndefined();
  });

  it('gives one get grant per object of a report, duplicates once', () => {
    // Prepare
    const keys = ['r/1/summary.json', 'r/1/chart.png', 'r/1/summary.json', '__proto__', 'constructor'];

    // Act
    const grants = signer().grantsForReport(keys, { sub: 'carol' });

    // Assess
    expect(Object.keys(grants).sort()).toEqual(['__proto__', 'constructor', 'r/1/chart.png', 'r/1/summary.json']);
    for (const [key, token] of Object.entries(grants)) {
      const p = verified(token);
      expect([p.op, p.key, p.sub]).toEqual(['get', key, 'carol']);
    }
    expect(Object.getPrototypeOf(grants)).toBeNull();
  });

  it('returns no grants for an empty report', () => {
    expect(Object.keys(signer().grantsForReport([]))).toEqual([]);
  });

  it('accepts the longest key and unicode keys and subs', () => {
    const long = 'a/' + 'b'.repeat(1022);
    expect(verified(signer().grantGet(long)).key).toBe(long);
    const p = verified(signer().grantGet('rapports/été/📈.png', { sub: 'zoë' }));
    expect([p.key, p.sub]).toEqual(['rapports/été/📈.png', 'zoë']);
  });

  it('stays under the 4096-byte payload limit with the largest key and sub', () => {
    // `"` doubles when JSON escapes it; emoji are 4 bytes of UTF-8 each.
    const key = '"'.repeat(1024);
    const sub = '😀'.repeat(256);
    const token = new GrantSigner(loadVendorKey(KEY_JSON), { audience: 'a'.repeat(128) }).grantGet(key, { sub });
    const p = verified(token);
    expect([p.key, p.sub]).toEqual([key, sub]);
  });

  it('keeps the key usable after its JSON is garbage collected from the caller', () => {
    const key: VendorKey = loadVendorKey(KEY_JSON);
    const s1 = new GrantSigner(key, { audience: 'a' });
    const s2 = new GrantSigner(key, { audience: 'b' });
    expect(verified(s1.grantGet('x')).aud).toBe('a');
    expect(verified(s2.grantGet('x')).aud).toBe('b');
  });
});
