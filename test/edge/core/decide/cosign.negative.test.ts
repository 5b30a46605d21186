import { decideCosign } from '../../../../edge/core/decide/cosign';
import { STATUS_OF, type ErrorCode } from '../../../../edge/core/codes';
import type { CoreRequest } from '../../../../edge/core/types';
import type { DecideContext } from '../../../../edge/core/decide/context';
import { cosignRequest, ctx, grant, NOW_S, otherKey, signer } from '../../../helpers/world';
import { signerFromSeed } from '../../../../edge/core/decide/context';

/** Whole-call failures: the body itself is bad (400) or the call is not a POST from an allowed origin. */
const WHOLE: [string, ErrorCode, () => CoreRequest][] = [
  ['no body', 'malformed_request', () => cosignRequest([grant()], { body: null })],
  ['a truncated body', 'malformed_request', () => cosignRequest([grant()], { bodyTruncated: true })],
  ['not JSON', 'malformed_request', () => cosignRequest([], { body: '{grants:' })],
  ['a duplicate key', 'malformed_request', () => cosignRequest([], { body: '{"grants":["a"],"grants":["b"]}' })],
  ['an extra field', 'malformed_request', () => cosignRequest([], { body: '{"grants":["a"],"x":1}' })],
  ['zero grants', 'malformed_request', () => cosignRequest([])],
  ['51 grants', 'malformed_request', () => cosignRequest(Array.from({ length: 51 }, () => 'a.b'))],
  ['a non-string grant', 'malformed_request', () => cosignRequest([1])],
  ['grants not a list', 'malformed_request', () => cosignRequest('a.b')],
  ['no JSON content type', 'malformed_request', () => cosignRequest([grant()], { headers: { 'content-type': ['text/plain'] } })],
  ['GET', 'method_not_allowed', () => cosignRequest([grant()], { method: 'GET' })],
  ['a foreign Origin', 'origin_not_allowed', () => cosignRequest([grant()], { headers: { 'content-type': ['application/json'], origin: ['https://evil.example'] } })],
];

/** Per-grant failures inside a 200 answer. */
const PER_GRANT: [string, ErrorCode, () => string, (c: DecideContext) => DecideContext, Partial<CoreRequest>][] = [
  ['malformed', 'malformed_token', () => 'x', (c) => c, {}],
  ['bad signature', 'bad_signature', () => grant({}, otherKey), (c) => c, {}],
  ['unknown kid', 'unknown_kid', () => grant({ kid: 'nobody' }), (c) => c, {}],
  ['expired', 'expired', () => grant({ iat: NOW_S - 200, exp: NOW_S - 31 }), (c) => c, {}],
  ['expired within the skew (no room for a cosig)', 'expired', () => grant({ iat: NOW_S - 200, exp: NOW_S - 1 }), (c) => c, {}],
  ['not yet valid', 'not_yet_valid', () => grant({ iat: NOW_S + 60, exp: NOW_S + 120 }), (c) => c, {}],
  ['wrong audience', 'wrong_audience', () => grant({ aud: 'gk-else' }), (c) => c, {}],
  ['ttl too long', 'ttl_too_long', () => grant({ iat: NOW_S, exp: NOW_S + 901 }), (c) => c, {}],
  ['revoked jti', 'revoked', () => grant({ jti: 'revoked-jti-000001' }), () => ctx({}, { revoked: { jti: ['revoked-jti-000001'], kid: [] } }), {}],
  ['ip denied', 'ip_denied', () => grant(), () => ctx({}, { ips: { deny: ['203.0.113.7'] } }), {}],
  ['country denied by default', 'country_denied', () => grant(), (c) => c, { country: 'FR' }],
  ['missing country is XX', 'country_denied', () => grant(), (c) => c, { country: null }],
  ['country on the deny list', 'country_denied', () => grant(), () => ctx({}, { countries: { allow: ['US'], deny: ['US'] } }), {}],
  ['deny-all', 'deny_all', () => grant(), () => ctx({}, { mode: 'deny-all' }), {}],
  ['signer not trusted by the ACL', 'config_unavailable', () => grant(), () => ctx({}, { revoked: { jti: [], kid: ['gk-1'] } }), {}],
];

describe('decideCosign: whole-call failures', () => {
  it.each(WHOLE)('%s → %s', (_n, code, build) => {
    const v = decideCosign(build(), ctx(), signer);
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(STATUS_OF[code]);
    expect(JSON.parse(v.body).error.code).toBe(code);
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'cosign', decision: 'deny', reason: code });
  });
});

describe('decideCosign: per-grant failures', () => {
  it.each(PER_GRANT)('%s → %s', (_n, code, build, withCtx, reqOver) => {
    const v = decideCosign(cosignRequest([build()], reqOver), withCtx(ctx()), signer);
    expect(v.action === 'respond' && v.status).toBe(200);
    const results = v.action === 'respond' ? JSON.parse(v.body).results : [];
    expect(results).toEqual([{ error: { code, message: expect.any(String) } }]);
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'cosign', decision: 'deny', reason: code, status: STATUS_OF[code] });
  });
});

describe('decideCosign with a signing key the ACL lists under its kid with another public key', () => {
  it('refuses every grant with config_unavailable rather than issuing cosigs no edge accepts', () => {
    const impostor = signerFromSeed('gk-1', Buffer.alloc(32, 9));
    const v = decideCosign(cosignRequest([grant()]), ctx(), impostor);
    expect(JSON.parse(v.body).results[0].error.code).toBe('config_unavailable');
    expect(v.audit[0]).toMatchObject({ decision: 'deny', reason: 'config_unavailable' });
  });
});
