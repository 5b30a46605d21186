import { KeyObject } from 'crypto';
import {
  compileAcl,
  createAclCache,
  evaluateAcl,
  parseAclText,
  validateAcl,
  type AclDocument,
  type AclSubject,
  type CompiledAcl,
} from '../../../edge/core/acl';

const key = (n: number): string => Buffer.alloc(32, n).toString('base64url');
const VENDOR = { kid: 'vendor-2026-12', publicKey: key(1) };
const GATEKEEPER = { kid: 'gk-2026-12', publicKey: key(2) };
const JTI = 'jti-0123456789abcdef';

/** The smallest document PROTOCOL allows: required fields only. */
function minimal(): Record<string, unknown> {
  return { version: '2026-12-04.1', mode: 'enforce', vendorKeys: [VENDOR], gatekeeperKeys: [GATEKEEPER] };
}

function compile(extra: Record<string, unknown> = {}): CompiledAcl {
  const v = validateAcl({ ...minimal(), ...extra });
  if (!v.ok) throw new Error(`test document refused: ${v.errors.join('; ')}`);
  return compileAcl(v.acl);
}

function subject(over: Partial<AclSubject> = {}): AclSubject {
  return { ip: '203.0.113.7', country: 'US', vendorKid: VENDOR.kid, jti: JTI, ...over };
}

describe('validateAcl', () => {
  it('fills in every default for the smallest document', () => {
    // Act
    const v = validateAcl(minimal());
    // Assess
    expect(v).toEqual({
      ok: true,
      acl: {
        version: '2026-12-04.1',
        mode: 'enforce',
        vendorKeys: [VENDOR],
        gatekeeperKeys: [GATEKEEPER],
        countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
        ips: { allow: null, deny: [] },
        revoked: { jti: [], kid: [] },
        maxGrantTtlSeconds: 900,
        cosignTtlSeconds: 300,
        clockSkewSeconds: 30,
      },
    });
  });

  it("accepts PROTOCOL's example document as written", () => {
    // Prepare
    const text = JSON.stringify({
      version: '2026-12-04.1',
      mode: 'enforce',
      vendorKeys: [VENDOR],
      gatekeeperKeys: [GATEKEEPER],
      countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
      ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
      revoked: { jti: [], kid: [] },
      maxGrantTtlSeconds: 900,
      cosignTtlSeconds: 300,
      clockSkewSeconds: 30,
    });
    // Act
    const v = parseAclText(text);
    // Assess
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.acl.ips.allow).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('keeps every value that was given, at the limits of each range', () => {
    // Prepare
    const doc = {
      ...minimal(),
      version: 'v'.repeat(128),
      mode: 'report-only',
      vendorKeys: [],
      gatekeeperKeys: [GATEKEEPER, { kid: 'gk.2027_01-A', publicKey: key(3) }],
      countries: { allow: ['DE', 'XX'], deny: ['XX', 'US', 'US'] },
      ips: { allow: ['10.0.0.0/8', '2001:db8::/32', '::ffff:192.168.0.0/112', '1.2.3.4'], deny: ['10.1.0.0/16'] },
      revoked: { jti: ['a'.repeat(16), 'b'.repeat(64)], kid: ['old-vendor', 'x'] },
      maxGrantTtlSeconds: 86400,
      cosignTtlSeconds: 3600,
      clockSkewSeconds: 0,
    };
    // Act
    const v = validateAcl(doc);
    // Assess
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.acl).toEqual(doc);
    expect(validateAcl({ ...minimal(), maxGrantTtlSeconds: 1, cosignTtlSeconds: 1, clockSkewSeconds: 300 }).ok).toBe(true);
  });

  it('defaults each half of countries, ips and revoked on its own', () => {
    // Act
    const a = validateAcl({ ...minimal(), countries: { deny: ['RU'] }, ips: { deny: ['10.0.0.0/8'] }, revoked: { kid: ['k'] } });
    const b = validateAcl({ ...minimal(), countries: { allow: ['US'] }, ips: { allow: ['::/0'] }, revoked: { jti: [JTI] } });
    const c = validateAcl({ ...minimal(), countries: {}, ips: {}, revoked: {} });
    // Assess
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.acl.countries).toEqual({ allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: ['RU'] });
    expect(a.acl.ips).toEqual({ allow: null, deny: ['10.0.0.0/8'] });
    expect(a.acl.revoked).toEqual({ jti: [], kid: ['k'] });
    expect(b.acl.countries).toEqual({ allow: ['US'], deny: [] });
    expect(b.acl.ips).toEqual({ allow: ['::/0'], deny: [] });
    expect(b.acl.revoked).toEqual({ jti: [JTI], kid: [] });
    expect(c.acl.countries.allow).toHaveLength(7);
    expect(c.acl.ips.allow).toBeNull();
  });

  it('does not share the default list between documents', () => {
    // Prepare
    const first = validateAcl(minimal());
    if (!first.ok) throw new Error('refused');
    first.acl.countries.allow.push('FR');
    // Act
    const second = validateAcl(minimal());
    // Assess
    expect(second.ok && second.acl.countries.allow).toEqual(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL']);
  });

  it('accepts a kid that is both trusted and revoked (revocation wins at evaluation)', () => {
    expect(validateAcl({ ...minimal(), revoked: { kid: [VENDOR.kid] } }).ok).toBe(true);
  });
});

describe('compileAcl', () => {
  it('builds key objects, sets and IP sets', () => {
    // Act
    const acl = compile({
      mode: 'report-only',
      ips: { allow: ['10.0.0.0/8'], deny: ['10.1.0.0/16', '::1'] },
      countries: { allow: ['US'], deny: ['XX'] },
      revoked: { jti: [JTI], kid: ['gone'] },
    });
    // Assess
    expect(acl.version).toBe('2026-12-04.1');
    expect(acl.mode).toBe('report-only');
    const vendorKey = acl.vendorKeys.get(VENDOR.kid);
    expect(vendorKey).toBeInstanceOf(KeyObject);
    expect(vendorKey?.asymmetricKeyType).toBe('ed25519');
    expect(vendorKey?.export({ format: 'jwk' }).x).toBe(VENDOR.publicKey);
    expect(acl.gatekeeperKeys.get(GATEKEEPER.kid)?.export({ format: 'jwk' }).x).toBe(GATEKEEPER.publicKey);
    expect(acl.vendorKeys.has(GATEKEEPER.kid)).toBe(false);
    expect([...acl.revokedJti]).toEqual([JTI]);
    expect([...acl.revokedKid]).toEqual(['gone']);
    expect(acl.ipAllow?.size).toBe(1);
    expect(acl.ipAllow?.has('10.200.0.1')).toBe(true);
    expect(acl.ipDeny.size).toBe(2);
    expect(acl.ipDeny.has('::1')).toBe(true);
    expect([...acl.countryAllow]).toEqual(['US']);
    expect([...acl.countryDeny]).toEqual(['XX']);
  });

  it('leaves ipAllow null when ips.allow is absent', () => {
    const acl = compile();
    expect(acl.ipAllow).toBeNull();
    expect(acl.ipDeny.size).toBe(0);
  });
});

describe('evaluateAcl, allowed', () => {
  it('allows a trusted kid from an allowed address and country', () => {
    expect(evaluateAcl(compile(), subject())).toEqual({ decision: 'allow', reason: 'ok' });
  });

  it.each(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'])('allows %s under the default country list', (country) => {
    expect(evaluateAcl(compile(), subject({ country }))).toEqual({ decision: 'allow', reason: 'ok' });
  });

  it('skips the country step when the trigger cannot know the country (null)', () => {
    // Prepare: a country list that allows nobody.
    const acl = compile({ countries: { allow: [] } });
    // Act & Assess
    expect(evaluateAcl(acl, subject({ country: null }))).toEqual({ decision: 'allow', reason: 'ok' });
    expect(evaluateAcl(acl, subject({ country: 'US' }))).toEqual({ decision: 'deny', reason: 'country_denied' });
  });

  it('skips the kid and jti steps when they are not given', () => {
    const acl = compile({ revoked: { jti: [JTI], kid: [] } });
    expect(evaluateAcl(acl, { ip: '203.0.113.7', country: 'US' })).toEqual({ decision: 'allow', reason: 'ok' });
    expect(evaluateAcl(acl, { ip: '203.0.113.7', country: 'US', vendorKid: null, jti: null })).toEqual({
      decision: 'allow',
      reason: 'ok',
    });
  });

  it('allows the unknown country XX only when it is written in the allow list', () => {
    expect(evaluateAcl(compile(), subject({ country: 'XX' }))).toEqual({ decision: 'deny', reason: 'country_denied' });
    const acl = compile({ countries: { allow: ['US', 'XX'] } });
    expect(evaluateAcl(acl, subject({ country: 'XX' }))).toEqual({ decision: 'allow', reason: 'ok' });
  });

  it('matches IPv4 and IPv6 viewers against the allow list, mapped viewers as IPv4', () => {
    // Prepare
    const acl = compile({ ips: { allow: ['10.0.0.0/8', '2001:db8::/32', '198.51.100.9'] } });
    // Act & Assess
    for (const ip of ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::1', '198.51.100.9']) {
      expect(evaluateAcl(acl, subject({ ip }))).toEqual({ decision: 'allow', reason: 'ok' });
    }
    for (const ip of ['11.0.0.0', '2001:db9::1', '198.51.100.8', '::ffff:11.1.2.3']) {
      expect(evaluateAcl(acl, subject({ ip }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
    }
  });

  it('lets deny win over an overlapping allow, in either nesting', () => {
    // Prepare
    const acl = compile({ ips: { allow: ['10.0.0.0/8', '192.168.1.5'], deny: ['10.1.0.0/16', '192.168.0.0/16'] } });
    // Act & Assess
    expect(evaluateAcl(acl, subject({ ip: '10.2.0.1' })).decision).toBe('allow');
    expect(evaluateAcl(acl, subject({ ip: '10.1.0.1' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
    expect(evaluateAcl(acl, subject({ ip: '192.168.1.5' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
  });

  it('lets a country deny win over the same country in allow', () => {
    const acl = compile({ countries: { allow: ['US', 'CA'], deny: ['US'] } });
    expect(evaluateAcl(acl, subject({ country: 'US' }))).toEqual({ decision: 'deny', reason: 'country_denied' });
    expect(evaluateAcl(acl, subject({ country: 'CA' }))).toEqual({ decision: 'allow', reason: 'ok' });
  });
});

describe('evaluateAcl, report-only', () => {
  const acl = compile({
    mode: 'report-only',
    ips: { allow: ['203.0.113.0/24'], deny: ['203.0.113.66'] },
    countries: { deny: ['CA'] },
    revoked: { jti: [JTI], kid: ['revoked-vendor'] },
  });

  it.each([
    ['an address in ips.deny', { ip: '203.0.113.66' }, 'ip_denied'],
    ['an address outside ips.allow', { ip: '198.51.100.1' }, 'ip_denied'],
    ['a country in countries.deny', { country: 'CA' }, 'country_denied'],
    ['a country outside countries.allow', { country: 'FR' }, 'country_denied'],
    ['the unknown country', { country: 'XX' }, 'country_denied'],
  ])('turns %s into would_deny with the code', (_what, over, reason) => {
    expect(evaluateAcl(acl, subject({ jti: 'another-jti-0123456', ...over }))).toEqual({ decision: 'would_deny', reason });
  });

  it('reports the first denial when both the address and the country would deny', () => {
    expect(evaluateAcl(acl, subject({ jti: 'another-jti-0123456', ip: '198.51.100.1', country: 'FR' }))).toEqual({
      decision: 'would_deny',
      reason: 'ip_denied',
    });
  });

  it('allows plainly what it would allow in enforce mode', () => {
    expect(evaluateAcl(acl, subject({ jti: 'another-jti-0123456' }))).toEqual({ decision: 'allow', reason: 'ok' });
  });

  it('never softens revocation or an unknown kid', () => {
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'deny', reason: 'revoked' });
    expect(evaluateAcl(acl, subject({ jti: null, vendorKid: 'revoked-vendor' }))).toEqual({
      decision: 'deny',
      reason: 'revoked',
    });
    expect(evaluateAcl(acl, subject({ jti: null, vendorKid: 'stranger' }))).toEqual({ decision: 'deny', reason: 'unknown_kid' });
  });
});

describe('createAclCache', () => {
  it('compiles the same text once and a new text again', () => {
    // Prepare
    const cache = createAclCache();
    const text = JSON.stringify(minimal());
    // Act
    const first = cache.compile(text);
    const again = cache.compile(`${text}`);
    const other = cache.compile(JSON.stringify({ ...minimal(), version: 'next' }));
    // Assess
    expect(first.ok).toBe(true);
    expect(first.compiled?.version).toBe('2026-12-04.1');
    expect(again).toBe(first);
    expect(again.compiled).toBe(first.compiled);
    expect(other.compiled?.version).toBe('next');
    expect(other).not.toBe(first);
  });

  it('reports a refused text with its errors and no compiled ACL', () => {
    const cache = createAclCache();
    const bad = cache.compile('{"version": ""}');
    expect(bad.ok).toBe(false);
    expect(bad.compiled).toBeUndefined();
    if (!bad.ok) expect(bad.errors).toContain('version: must be a non-empty string of at most 128 characters');
    expect(cache.compile(JSON.stringify(minimal())).ok).toBe(true);
  });
});

describe('AclDocument type', () => {
  it('is what validateAcl returns (compile-time check)', () => {
    const v = validateAcl(minimal());
    const doc: AclDocument | null = v.ok ? v.acl : null;
    expect(doc?.mode).toBe('enforce');
  });
});
