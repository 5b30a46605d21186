import { createGateHandler } from '../../../edge/triggers/gate';
import type { CfRequest } from '../../../edge/triggers/cloudfront';
import { STATUS_OF } from '../../../edge/core/codes';
import { cosigFor, grant, NOW_S, otherKey } from '../../helpers/world';
import { acl } from '../../helpers/world';
import { edgeDeps, errorCode, isResponse, setHeader, viewerEvent } from '../../helpers/edge';

const tokens = (g: string, c: string) => (r: CfRequest) => {
  setHeader(r, 'X-Gk-Grant', g);
  setHeader(r, 'X-Gk-Cosig', c);
};
const valid = () => {
  const g = grant();
  return tokens(g, cosigFor(g));
};

describe('gate: every code the handler can answer, with PROTOCOL status, no-store and one record', () => {
  const cases: [string, string, () => ReturnType<typeof edgeDeps>, (r: CfRequest) => void][] = [
    ['missing_token', 'no tokens', () => edgeDeps(), () => {}],
    ['malformed_request', 'tokens in two places', () => edgeDeps(), (r) => { valid()(r); r.querystring = 'gk_grant=a.b'; }],
    ['malformed_token', 'garbage grant', () => edgeDeps(), tokens('%%%', 'x.y')],
    ['bad_signature', 'forged grant', () => edgeDeps(), (r) => { const g = grant({}, otherKey); tokens(g, cosigFor(g))(r); }],
    ['bad_cosignature', 'forged cosig', () => edgeDeps(), (r) => { const g = grant(); tokens(g, cosigFor(g, {}, otherKey))(r); }],
    ['ip_mismatch', 'another viewer IP', () => edgeDeps(), (r) => { valid()(r); r.clientIp = '198.51.100.77'; }],
    ['scope_mismatch', 'another object', () => edgeDeps(), (r) => { valid()(r); r.uri = '/reports/other.json'; }],
    ['method_not_allowed', 'DELETE', () => edgeDeps(), (r) => { valid()(r); r.method = 'DELETE'; }],
    ['ip_denied', 'an IP deny', () => edgeDeps({ acl: acl({ ips: { deny: ['203.0.113.0/24'] } }) }), valid()],
    ['deny_all', 'the emergency switch', () => edgeDeps({ acl: acl({ mode: 'deny-all' }) }), valid()],
    ['unknown_kid', 'an untrusted vendor key', () => edgeDeps(), (r) => { const g = grant({ kid: 'stranger' }); tokens(g, cosigFor(g))(r); }],
    ['expired', 'an expired grant', () => edgeDeps(), (r) => { const g = grant({ iat: NOW_S - 600, exp: NOW_S - 60 }); tokens(g, cosigFor(g, { iat: NOW_S - 600, exp: NOW_S - 60 }))(r); }],
    ['not_yet_valid', 'a grant from the future', () => edgeDeps(), (r) => { const g = grant({ iat: NOW_S + 120, exp: NOW_S + 300 }); tokens(g, cosigFor(g))(r); }],
    ['wrong_audience', 'another gatekeeper', () => edgeDeps(), (r) => { const g = grant({ aud: 'gk-elsewhere' }); tokens(g, cosigFor(g))(r); }],
    ['ttl_too_long', 'a day-long grant', () => edgeDeps(), (r) => { const g = grant({ exp: NOW_S + 86_400 }); tokens(g, cosigFor(g))(r); }],
    ['revoked', 'a revoked jti', () => edgeDeps({ acl: acl({ revoked: { jti: ['revoked-by-customer'], kid: [] } }) }), (r) => { const g = grant({ jti: 'revoked-by-customer' }); tokens(g, cosigFor(g))(r); }],
    ['content_type_mismatch', 'a PUT of another type', () => edgeDeps(), (r) => { const g = grant({ op: 'put', contentType: 'image/png' }); tokens(g, cosigFor(g))(r); r.method = 'PUT'; setHeader(r, 'Content-Type', 'text/html'); }],
    ['too_large', 'a PUT above maxBytes', () => edgeDeps(), (r) => { const g = grant({ op: 'put', maxBytes: 5 }); tokens(g, cosigFor(g))(r); r.method = 'PUT'; setHeader(r, 'Content-Length', '6'); }],
    ['origin_not_allowed', 'a preflight from another site', () => edgeDeps(), (r) => { r.method = 'OPTIONS'; setHeader(r, 'Origin', 'https://evil.example'); setHeader(r, 'Access-Control-Request-Method', 'GET'); }],
    ['config_unavailable', 'no ACL ever loaded', () => edgeDeps({ acl: null }), valid()],
  ];
  it.each(cases)('%s (%s)', async (code, _n, mkDeps, mut) => {
    const deps = mkDeps();
    const out = await createGateHandler(deps)(viewerEvent(mut));
    expect(isResponse(out)).toBe(true);
    if (!isResponse(out)) return;
    expect(out.status).toBe(String(STATUS_OF[code as keyof typeof STATUS_OF]));
    expect(errorCode(out)).toBe(code);
    expect(out.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
    expect(out.headers['content-type']).toEqual([{ key: 'Content-Type', value: 'application/json' }]);
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.records[0]).toMatchObject({ decision: 'deny', reason: code });
  });

  it('audit_unavailable: a sink failure answers 503 and the record is in the log', async () => {
    const deps = edgeDeps();
    deps.rec.sinkOk = false;
    const out = await createGateHandler(deps)(viewerEvent(valid()));
    expect(isResponse(out) && out.status).toBe('503');
    expect(errorCode(out)).toBe('audit_unavailable');
    const fallback = deps.rec.logs.filter((l) => l.startsWith('GK_AUDIT_FALLBACK '));
    expect(fallback).toHaveLength(1);
    expect(JSON.parse(fallback[0].slice('GK_AUDIT_FALLBACK '.length))).toMatchObject({ phase: 'access', decision: 'allow' });
  });

  it('answers 400 with a record, not a crash, for an event that is not a CloudFront request', async () => {
    const deps = edgeDeps();
    const events = [null, {}, { Records: [] }, { Records: [{ cf: { request: { uri: 1 } } }] }];
    for (const e of events) {
      const out = await createGateHandler(deps)(e);
      expect(isResponse(out) && out.status).toBe('400');
    }
    expect(deps.rec.records).toHaveLength(events.length);
    expect(deps.rec.records.every((r) => r.reason === 'malformed_request' && r.request_id !== '')).toBe(true);
  });

  it('a throwing ACL source fails closed (503 config_unavailable) with a record, not an unhandled rejection', async () => {
    const deps = edgeDeps();
    deps.acl = { get: async () => { throw new Error('boom'); } };
    const out = await createGateHandler(deps)(viewerEvent(valid()));
    expect(isResponse(out) && out.status).toBe('503');
    expect(errorCode(out)).toBe('config_unavailable');
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.logs.some((l) => l.startsWith('GK_ERROR acl Error: boom'))).toBe(true);
  });
});
