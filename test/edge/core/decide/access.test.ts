import { decideAccess } from '../../../../edge/core/decide/access';
import { AUDIT_COLUMNS } from '../../../../edge/core/audit';
import { accessRequest, cosigFor, ctx, grant, NOW, VIEWER_IP, VENDOR_KID, GK_KID } from '../../../helpers/world';

describe('decideAccess: allowed requests', () => {
  it('forwards a GET with header tokens, rewritten and stripped', () => {
    // Prepare
    const g = grant({ key: 'reports/a b+c%.json' });
    const c = cosigFor(g);
    const req = accessRequest(g, c, {
      uri: '/reports/a%20b%2Bc%25.json',
      querystring: 'response-content-type=text/html&x=1',
      headers: {
        'x-amz-security-token': ['t'],
        'x-amz-checksum-sha256': ['AAAA'],
        authorization: ['AWS4-HMAC-SHA256 x'],
        'cloudfront-viewer-country': ['US'],
        range: ['bytes=0-9'],
      },
    });
    // Act
    const v = decideAccess(req, ctx());
    // Assess
    expect(v.action).toBe('forward');
    if (v.action !== 'forward') return;
    expect(v.uri).toBe('/reports/a%20b%2Bc%25.json');
    expect(v.querystring).toBe('');
    expect(Object.keys(v.headers).sort()).toEqual(['host', 'range', 'user-agent']);
    expect(v.audit).toHaveLength(1);
    const r = v.audit[0];
    expect(r).toMatchObject({
      ts: NOW,
      phase: 'access',
      decision: 'allow',
      reason: 'ok',
      status: 200,
      method: 'GET',
      op: 'get',
      object_key: 'reports/a b+c%.json',
      viewer_ip: VIEWER_IP,
      viewer_country: 'US',
      vendor_kid: VENDOR_KID,
      gatekeeper_kid: GK_KID,
      grant_sub: 'user-42',
      acl_version: 'test.1',
      mode: 'enforce',
    });
    expect(Object.keys(r).sort()).toEqual([...AUDIT_COLUMNS].sort());
  });

  it('accepts query-string tokens and canonicalises an over-encoded URI', () => {
    const g = grant({ key: 'reports/x.json' });
    const c = cosigFor(g);
    const req = accessRequest(g, c, { uri: '/reports/%78.json', method: 'HEAD' });
    req.headers = { host: ['h'] };
    req.querystring = `gk_grant=${g}&gk_cosig=${encodeURIComponent(c)}&download=1`;
    const v = decideAccess(req, ctx());
    expect(v.action).toBe('forward');
    if (v.action === 'forward') expect(v.uri).toBe('/reports/x.json');
  });

  it('allows a key under a prefix grant', () => {
    const g = grant({ key: undefined, prefix: 'reports/' });
    const v = decideAccess(accessRequest(g, cosigFor(g), { uri: '/reports/deep/er.png' }), ctx());
    expect(v.action).toBe('forward');
  });

  it('keeps the bound checksum header on a PUT and checks maxBytes and contentType', () => {
    const sha = 'a'.repeat(64);
    const g = grant({ op: 'put', key: 'up/f.bin', maxBytes: 100, contentType: 'image/png', sha256: sha });
    const sum = Buffer.from(sha, 'hex').toString('base64');
    const req = accessRequest(g, cosigFor(g), {
      method: 'PUT',
      uri: '/up/f.bin',
      headers: { 'content-length': ['100'], 'content-type': ['image/png'], 'x-amz-checksum-sha256': [sum], 'x-amz-meta-x': ['1'] },
    });
    const v = decideAccess(req, ctx());
    expect(v.action).toBe('forward');
    if (v.action !== 'forward') return;
    expect(v.headers['x-amz-checksum-sha256']).toEqual([sum]);
    expect(v.headers['x-amz-meta-x']).toBeUndefined();
    expect(v.headers['content-type']).toEqual(['image/png']);
  });

  it('report-only turns an IP denial into an audited would_deny and lets it through', () => {
    const g = grant();
    const v = decideAccess(accessRequest(g, cosigFor(g)), ctx({}, { mode: 'report-only', ips: { deny: ['203.0.113.0/24'] } }));
    expect(v.action).toBe('forward');
    expect(v.audit[0]).toMatchObject({ decision: 'would_deny', reason: 'ip_denied', status: 200, mode: 'report-only' });
  });

  it('normalizes an IPv4-mapped client address before the IP binding', () => {
    const g = grant();
    const v = decideAccess(accessRequest(g, cosigFor(g), { clientIp: '::ffff:203.0.113.7' }), ctx());
    expect(v.action).toBe('forward');
  });

  it('accepts tokens within the clock skew', () => {
    const g = grant({ iat: 1_796_000_020, exp: 1_796_000_100 });
    const c = cosigFor(g, { iat: 1_796_000_020, exp: 1_796_000_100 });
    expect(decideAccess(accessRequest(g, c), ctx()).action).toBe('forward');
    expect(decideAccess(accessRequest(g, c), ctx({ now: (1_796_000_100 + 30) * 1000 })).action).toBe('forward');
  });
});
