import {
  compileAcl,
  evaluateAcl,
  validateAcl,
  type AclDocument,
  type AclSubject,
  type CompiledAcl,
} from '../../../edge/core/acl';

const key = (n: number): string => Buffer.alloc(32, n).toString('base64url');
const VENDOR = { kid: 'vendor-2026-12', publicKey: key(1) };
const GATEKEEPER = { kid: 'gk-2026-12', publicKey: key(2) };
const JTI = 'jti-0123456789abcdef';

function compile(extra: Record<string, unknown> = {}): CompiledAcl {
  const v = validateAcl({
    version: '1',
    mode: 'enforce',
    vendorKeys: [VENDOR, { kid: 'vendor-old', publicKey: key(4) }],
    gatekeeperKeys: [GATEKEEPER],
    ...extra,
  });
  if (!v.ok) throw new Error(`test document refused: ${v.errors.join('; ')}`);
  return compileAcl(v.acl);
}

function subject(over: Partial<AclSubject> = {}): AclSubject {
  return { ip: '203.0.113.7', country: 'US', vendorKid: VENDOR.kid, jti: JTI, ...over };
}

describe('evaluateAcl, step 1: deny-all', () => {
  it('denies an otherwise perfect subject', () => {
    expect(evaluateAcl(compile({ mode: 'deny-all' }), subject())).toEqual({ decision: 'deny', reason: 'deny_all' });
  });

  it('comes before revocation, unknown kids, addresses and countries', () => {
    const acl = compile({ mode: 'deny-all', revoked: { jti: [JTI], kid: [] }, ips: { deny: ['0.0.0.0/0'] } });
    expect(evaluateAcl(acl, subject({ vendorKid: 'stranger', country: 'XX' }))).toEqual({ decision: 'deny', reason: 'deny_all' });
    expect(evaluateAcl(acl, { ip: 'not an ip', country: null })).toEqual({ decision: 'deny', reason: 'deny_all' });
  });
});

describe('evaluateAcl, step 2: revocation and trust', () => {
  it('denies a revoked jti, whatever the kid', () => {
    const acl = compile({ revoked: { jti: [JTI], kid: [] } });
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'deny', reason: 'revoked' });
    expect(evaluateAcl(acl, subject({ vendorKid: 'stranger' }))).toEqual({ decision: 'deny', reason: 'revoked' });
    expect(evaluateAcl(acl, subject({ vendorKid: null }))).toEqual({ decision: 'deny', reason: 'revoked' });
  });

  it('denies a revoked vendor kid even while the key is still listed', () => {
    const acl = compile({ revoked: { jti: [], kid: ['vendor-old'] } });
    expect(evaluateAcl(acl, subject({ vendorKid: 'vendor-old' }))).toEqual({ decision: 'deny', reason: 'revoked' });
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'allow', reason: 'ok' });
  });

  it('calls a revoked kid no longer in vendorKeys revoked, not unknown', () => {
    const acl = compile({ revoked: { jti: [], kid: ['vendor-gone'] } });
    expect(evaluateAcl(acl, subject({ vendorKid: 'vendor-gone' }))).toEqual({ decision: 'deny', reason: 'revoked' });
  });

  it('denies a kid the ACL does not trust, including a gatekeeper kid and the empty string', () => {
    const acl = compile();
    for (const vendorKid of ['stranger', GATEKEEPER.kid, '', 'VENDOR-2026-12']) {
      expect(evaluateAcl(acl, subject({ vendorKid }))).toEqual({ decision: 'deny', reason: 'unknown_kid' });
    }
  });

  it('trusts no vendor at all when vendorKeys is empty', () => {
    const acl = compile({ vendorKeys: [] });
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'deny', reason: 'unknown_kid' });
  });

  it('puts revocation and trust before the address and country', () => {
    const acl = compile({ ips: { deny: ['203.0.113.0/24'] }, countries: { allow: [] }, revoked: { jti: [JTI], kid: [] } });
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'deny', reason: 'revoked' });
    expect(evaluateAcl(acl, subject({ jti: 'other-jti-0123456', vendorKid: 'x' }))).toEqual({
      decision: 'deny',
      reason: 'unknown_kid',
    });
  });
});

describe('evaluateAcl, step 3: addresses', () => {
  it('denies an IPv4 and an IPv6 address in ips.deny, host entries and CIDRs', () => {
    const acl = compile({ ips: { deny: ['203.0.113.7', '2001:db8::/32', '::ffff:198.51.100.0/120'] } });
    for (const ip of ['203.0.113.7', '2001:db8::1', '2001:db8:ffff::', '198.51.100.200', '::ffff:198.51.100.1']) {
      expect(evaluateAcl(acl, subject({ ip }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
    }
    expect(evaluateAcl(acl, subject({ ip: '203.0.113.8' })).decision).toBe('allow');
  });

  it('denies everything under an empty ips.allow', () => {
    const acl = compile({ ips: { allow: [] } });
    expect(evaluateAcl(acl, subject())).toEqual({ decision: 'deny', reason: 'ip_denied' });
    expect(evaluateAcl(acl, subject({ ip: '2001:db8::1' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
  });

  it('does not let ::/0 admit IPv4 viewers, nor 0.0.0.0/0 IPv6 ones', () => {
    const v6only = compile({ ips: { allow: ['::/0'] } });
    const v4only = compile({ ips: { allow: ['0.0.0.0/0'] } });
    expect(evaluateAcl(v6only, subject({ ip: '1.2.3.4' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
    expect(evaluateAcl(v4only, subject({ ip: '2001:db8::1' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
  });

  it('fails closed on an address that does not parse, even without ips.allow', () => {
    const acl = compile();
    for (const ip of ['', 'garbage', '1.2.3', 'fe80::1%eth0', '[::1]', '1.2.3.4:80']) {
      expect(evaluateAcl(acl, subject({ ip }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
    }
  });

  it('comes before the country', () => {
    const acl = compile({ ips: { deny: ['203.0.113.7'] } });
    expect(evaluateAcl(acl, subject({ country: 'RU' }))).toEqual({ decision: 'deny', reason: 'ip_denied' });
  });
});

describe('evaluateAcl, step 4: countries', () => {
  it.each(['FR', 'DE', 'RU', 'CN', 'XX'])('denies %s under the default list', (country) => {
    expect(evaluateAcl(compile(), subject({ country }))).toEqual({ decision: 'deny', reason: 'country_denied' });
  });

  it('denies a country in countries.deny', () => {
    const acl = compile({ countries: { deny: ['GB'] } });
    expect(evaluateAcl(acl, subject({ country: 'GB' }))).toEqual({ decision: 'deny', reason: 'country_denied' });
  });

  it('denies a country written differently from the list (no case folding)', () => {
    const acl = compile();
    for (const country of ['us', 'USA', '', ' US']) {
      expect(evaluateAcl(acl, subject({ country }))).toEqual({ decision: 'deny', reason: 'country_denied' });
    }
  });

  it('denies XX when it is written in countries.deny even if allowed', () => {
    const acl = compile({ countries: { allow: ['XX', 'US'], deny: ['XX'] } });
    expect(evaluateAcl(acl, subject({ country: 'XX' }))).toEqual({ decision: 'deny', reason: 'country_denied' });
  });
});

describe('evaluateAcl, step 5 does not apply to enforce', () => {
  it('never answers would_deny outside report-only', () => {
    const acl = compile({ ips: { deny: ['203.0.113.7'] } });
    expect(evaluateAcl(acl, subject()).decision).toBe('deny');
  });
});

describe('compileAcl refuses a document validateAcl would refuse', () => {
  it('throws on a bad key or CIDR instead of compiling a weaker ACL', () => {
    // Prepare
    const good = validateAcl({ version: '1', mode: 'enforce', vendorKeys: [VENDOR], gatekeeperKeys: [GATEKEEPER] });
    if (!good.ok) throw new Error('refused');
    const badKey: AclDocument = { ...good.acl, vendorKeys: [{ kid: 'v', publicKey: 'AAAA' }] };
    const badCidr: AclDocument = { ...good.acl, ips: { allow: null, deny: ['10.0.0.1/8'] } };
    // Act & Assess
    expect(() => compileAcl(badKey)).toThrow('vendorKeys[0].publicKey');
    expect(() => compileAcl(badCidr)).toThrow('entry 0');
  });
});
