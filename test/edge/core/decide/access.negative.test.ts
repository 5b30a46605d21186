import { decideAccess } from '../../../../edge/core/decide/access';
import { STATUS_OF, type ErrorCode } from '../../../../edge/core/codes';
import type { CoreRequest } from '../../../../edge/core/types';
import type { DecideContext } from '../../../../edge/core/decide/context';
import { accessRequest, cosigFor, ctx, grant, NOW, NOW_S, otherKey, request, VIEWER_IP } from '../../../helpers/world';

type Case = [name: string, code: ErrorCode, build: () => [CoreRequest, DecideContext]];

const ok = (): [string, string] => {
  const g = grant();
  return [g, cosigFor(g)];
};

export const ACCESS_CASES: Case[] = [
  ['POST to an object', 'method_not_allowed', () => { const [g, c] = ok(); return [accessRequest(g, c, { method: 'POST' }), ctx()]; }],
  ['DELETE', 'method_not_allowed', () => { const [g, c] = ok(); return [accessRequest(g, c, { method: 'DELETE' }), ctx()]; }],
  ['no tokens', 'missing_token', () => [request(), ctx()]],
  ['grant without cosig', 'missing_token', () => { const r = request(); r.headers['x-gk-grant'] = [grant()]; return [r, ctx()]; }],
  ['tokens split between query and headers', 'malformed_request', () => {
    const [g, c] = ok(); const r = request({ querystring: `gk_grant=${g}` }); r.headers['x-gk-cosig'] = [c]; return [r, ctx()];
  }],
  ['tokens in both places', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { querystring: `gk_grant=${g}&gk_cosig=${c}` }), ctx()]; }],
  ['a duplicated grant header', 'malformed_request', () => { const [g, c] = ok(); const r = accessRequest(g, c); r.headers['x-gk-grant'] = [g, g]; return [r, ctx()]; }],
  ['a duplicated query grant', 'malformed_request', () => { const [g, c] = ok(); return [request({ querystring: `gk_grant=${g}&gk_grant=${g}&gk_cosig=${c}` }), ctx()]; }],
  ['an unknown gk_ parameter', 'malformed_request', () => { const [g, c] = ok(); return [request({ querystring: `gk_grant=${g}&gk_cosig=${c}&gk_x=1` }), ctx()]; }],
  ['an encoded gk_ name beside header tokens', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { querystring: '%67k_grant=x' }), ctx()]; }],
  ['an upper-case GK_GRANT beside header tokens', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { querystring: 'GK_GRANT=x' }), ctx()]; }],
  ['a query name that does not decode', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { querystring: 'a%ZZ=1' }), ctx()]; }],
  ['a broken % escape in a gk_ value', 'malformed_request', () => { const [, c] = ok(); return [request({ querystring: `gk_grant=%E0%A4&gk_cosig=${c}` }), ctx()]; }],
  ['a URI that does not decode', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { uri: '/reports/%ZZ' }), ctx()]; }],
  ['a URI with a dot-dot segment', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { uri: '/reports/../q4.json' }), ctx()]; }],
  ['an unparsable client IP', 'malformed_request', () => { const [g, c] = ok(); return [accessRequest(g, c, { clientIp: 'nope' }), ctx()]; }],
  ['garbage grant', 'malformed_token', () => [accessRequest('abc.def', cosigFor('abc.def')), ctx()]],
  ['garbage cosig', 'malformed_token', () => { const g = grant(); return [accessRequest(g, 'x.y'), ctx()]; }],
  ['grant signed by another key', 'bad_signature', () => { const g = grant({}, otherKey); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['cosig signed by another key', 'bad_cosignature', () => { const g = grant(); return [accessRequest(g, cosigFor(g, {}, otherKey)), ctx()]; }],
  ['cosig of another grant', 'bad_cosignature', () => { const g = grant(); return [accessRequest(g, cosigFor(grant())), ctx()]; }],
  ['cosig outliving its grant', 'bad_cosignature', () => { const g = grant(); return [accessRequest(g, cosigFor(g, { exp: NOW_S + 291 })), ctx()]; }],
  ['grant from an unknown vendor kid', 'unknown_kid', () => { const g = grant({ kid: 'vendor-x' }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['cosig from an unknown gatekeeper kid', 'unknown_kid', () => { const g = grant(); return [accessRequest(g, cosigFor(g, { kid: 'gk-x' })), ctx()]; }],
  ['expired grant', 'expired', () => { const g = grant({ iat: NOW_S - 400, exp: NOW_S - 31 }); return [accessRequest(g, cosigFor(g, { iat: NOW_S - 400, exp: NOW_S - 31 })), ctx()]; }],
  ['expired cosig', 'expired', () => { const g = grant(); return [accessRequest(g, cosigFor(g, { iat: NOW_S - 200, exp: NOW_S - 31 })), ctx()]; }],
  ['grant not yet valid', 'not_yet_valid', () => { const g = grant({ iat: NOW_S + 31, exp: NOW_S + 100 }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['cosig for another IP', 'ip_mismatch', () => { const g = grant(); return [accessRequest(g, cosigFor(g, { ip: '198.51.100.1' })), ctx()]; }],
  ['grant for another gatekeeper', 'wrong_audience', () => { const g = grant({ aud: 'gk-other' }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['grant lifetime above maxGrantTtlSeconds', 'ttl_too_long', () => { const g = grant({ iat: NOW_S - 10, exp: NOW_S + 891 }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['cosig lifetime above cosignTtlSeconds', 'ttl_too_long', () => { const g = grant(); return [accessRequest(g, cosigFor(g, { iat: NOW_S - 20, exp: NOW_S + 281 })), ctx()]; }],
  ['another key', 'scope_mismatch', () => { const [g, c] = ok(); return [accessRequest(g, c, { uri: '/reports/2026/q3.json' }), ctx()]; }],
  ['a key outside the prefix', 'scope_mismatch', () => { const g = grant({ key: undefined, prefix: 'reports/' }); return [accessRequest(g, cosigFor(g), { uri: '/reportsX/a' }), ctx()]; }],
  ['PUT with a get grant', 'scope_mismatch', () => { const [g, c] = ok(); return [accessRequest(g, c, { method: 'PUT' }), ctx()]; }],
  ['GET with a put grant', 'scope_mismatch', () => { const g = grant({ op: 'put' }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['GET with a list grant', 'scope_mismatch', () => { const g = grant({ op: 'list', key: undefined, prefix: 'reports/' }); return [accessRequest(g, cosigFor(g)), ctx()]; }],
  ['PUT without the bound checksum', 'scope_mismatch', () => { const g = grant({ op: 'put', sha256: 'b'.repeat(64) }); return [accessRequest(g, cosigFor(g), { method: 'PUT' }), ctx()]; }],
  ['PUT with another checksum', 'scope_mismatch', () => {
    const g = grant({ op: 'put', sha256: 'b'.repeat(64) });
    return [accessRequest(g, cosigFor(g), { method: 'PUT', headers: { 'x-amz-checksum-sha256': [Buffer.alloc(32).toString('base64')] } }), ctx()];
  }],
  ['PUT above maxBytes', 'too_large', () => { const g = grant({ op: 'put', maxBytes: 10 }); return [accessRequest(g, cosigFor(g), { method: 'PUT', headers: { 'content-length': ['11'] } }), ctx()]; }],
  ['PUT without Content-Length under maxBytes', 'malformed_request', () => { const g = grant({ op: 'put', maxBytes: 10 }); return [accessRequest(g, cosigFor(g), { method: 'PUT' }), ctx()]; }],
  ['PUT with another content type', 'content_type_mismatch', () => {
    const g = grant({ op: 'put', contentType: 'image/png' });
    return [accessRequest(g, cosigFor(g), { method: 'PUT', headers: { 'content-type': ['text/html'] } }), ctx()];
  }],
  ['PUT without a content type', 'content_type_mismatch', () => { const g = grant({ op: 'put', contentType: 'image/png' }); return [accessRequest(g, cosigFor(g), { method: 'PUT' }), ctx()]; }],
  ['an IP in ips.deny', 'ip_denied', () => { const [g, c] = ok(); return [accessRequest(g, c), ctx({}, { ips: { deny: ['203.0.113.0/24'] } })]; }],
  ['an IP outside ips.allow', 'ip_denied', () => { const [g, c] = ok(); return [accessRequest(g, c), ctx({}, { ips: { allow: ['10.0.0.0/8'] } })]; }],
  ['a revoked jti', 'revoked', () => { const g = grant({ jti: 'revoked-jti-000001' }); return [accessRequest(g, cosigFor(g)), ctx({}, { revoked: { jti: ['revoked-jti-000001'], kid: [] } })]; }],
  ['a revoked vendor kid', 'revoked', () => { const [g, c] = ok(); return [accessRequest(g, c), ctx({}, { revoked: { jti: [], kid: ['vendor-1'] } })]; }],
  ['a revoked gatekeeper kid', 'revoked', () => { const [g, c] = ok(); return [accessRequest(g, c), ctx({}, { revoked: { jti: [], kid: ['gk-1'] } })]; }],
  ['deny-all', 'deny_all', () => { const [g, c] = ok(); return [accessRequest(g, c), ctx({}, { mode: 'deny-all' })]; }],
  ['deny-all before a missing token', 'deny_all', () => [request(), ctx({}, { mode: 'deny-all' })]],
  ['deny-all before the method check', 'deny_all', () => [request({ method: 'DELETE' }), ctx({}, { mode: 'deny-all' })]],
];

describe('decideAccess: each denial has its PROTOCOL status and code and one audit record', () => {
  it.each(ACCESS_CASES)('%s → %s', (_name, code, build) => {
    // Prepare
    const [req, c] = build();
    // Act
    const v = decideAccess(req, c);
    // Assess
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(STATUS_OF[code]);
    expect(JSON.parse(v.body)).toEqual({ error: { code, message: expect.any(String), requestId: 'req-1' } });
    expect(v.headers['cache-control']).toBe('no-store');
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ decision: 'deny', reason: code, status: STATUS_OF[code], phase: 'access', ts: NOW });
  });

  it('never reads a viewer-sent country: a denied-country header changes nothing', () => {
    const [g, c] = ok();
    const v = decideAccess(accessRequest(g, c, { headers: { 'cloudfront-viewer-country': ['KP'] } }), ctx({}, { countries: { allow: ['US'] } }));
    expect(v.action).toBe('forward');
    expect(v.audit[0].viewer_country).toBe('US');
  });

  it('ignores X-Forwarded-For for the IP binding', () => {
    const g = grant();
    const c = cosigFor(g, { ip: '198.51.100.9' });
    const v = decideAccess(accessRequest(g, c, { headers: { 'x-forwarded-for': ['198.51.100.9'] } }), ctx());
    expect(v.action === 'respond' && JSON.parse(v.body).error.code).toBe('ip_mismatch');
    expect(v.audit[0].viewer_ip).toBe(VIEWER_IP);
  });

  it('never echoes a token in an error body', () => {
    const g = grant({}, otherKey);
    const v = decideAccess(accessRequest(g, cosigFor(g)), ctx());
    expect(v.action === 'respond' && v.body.includes(g.slice(0, 20))).toBe(false);
  });
});

describe('decideAccess: the URI must name a valid key even under a prefix grant', () => {
  it.each(['/reports/', '/reports%2F', '/reports//x', '/reports/./x'])('%s is malformed, never forwarded', (uri) => {
    const g = grant({ key: undefined, prefix: 'reports/' });
    const v = decideAccess(accessRequest(g, cosigFor(g), { uri }), ctx());
    expect(v.action).toBe('respond');
    expect(v.action === 'respond' && JSON.parse(v.body).error.code).toBe('malformed_request');
  });
});
