import { createCosignerHandler } from '../../../edge/triggers/cosigner';
import { cosigFor, grant, NOW_S, otherKey } from '../../helpers/world';
import { acl } from '../../helpers/world';
import { cosignerDeps, errorCode, isResponse, originEvent, setHeader } from '../../helpers/edge';

describe('cosigner: refusals and failures', () => {
  it('a missing country is XX, which the default ACL does not allow', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant()] }, (r) => delete r.headers['cloudfront-viewer-country']));
    const body = JSON.parse((out as { body: string }).body);
    expect(body.results[0].error.code).toBe('country_denied');
    expect(deps.rec.records[0]).toMatchObject({ viewer_country: 'XX', reason: 'country_denied' });
  });

  it('a malformed body fails the whole call with 400 and one record', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(originEvent('{"grants": [', () => {}));
    expect(isResponse(out) && out.status).toBe('400');
    expect(errorCode(out)).toBe('malformed_request');
    expect(deps.rec.records).toHaveLength(1);
  });

  it('a body CloudFront truncated is malformed', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant()] }, (r) => r.body && (r.body.inputTruncated = true)));
    expect(errorCode(out)).toBe('malformed_request');
  });

  it('a body that is not UTF-8 is malformed', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(originEvent('', (r) => r.body && (r.body.data = Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'))));
    expect(errorCode(out)).toBe('malformed_request');
  });

  it('an unknown gatekeeper path is malformed_request', async () => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant()] }, (r) => (r.uri = '/_gatekeeper/v2/cosign')));
    expect(isResponse(out) && out.status).toBe('400');
    expect(deps.rec.records).toHaveLength(1);
  });

  it('no signing key: 503 config_unavailable', async () => {
    const deps = cosignerDeps({ signer: false });
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant()] }));
    expect(isResponse(out) && out.status).toBe('503');
    expect(errorCode(out)).toBe('config_unavailable');
    expect(deps.rec.records).toHaveLength(1);
  });

  it('no ACL: 503 config_unavailable', async () => {
    const deps = cosignerDeps({ acl: null });
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant()] }));
    expect(errorCode(out)).toBe('config_unavailable');
  });

  it('a bad continuation token that S3 rejects is a 400 and the record says so', async () => {
    const g = grant({ op: 'list', key: undefined, prefix: 'reports/' });
    const deps = cosignerDeps({ list: async () => ({ ok: false, code: 'malformed_request' }) });
    const out = await createCosignerHandler(deps)(
      originEvent({ grant: g, cosig: cosigFor(g), prefix: 'reports/', continuationToken: 'zzz' }, (r) => (r.uri = '/_gatekeeper/v1/list')),
    );
    expect(isResponse(out) && out.status).toBe('400');
    expect(deps.rec.records[0]).toMatchObject({ decision: 'deny', reason: 'malformed_request', status: 400 });
  });

  it('S3 failing is a 502 upstream_error (never caused by the viewer), recorded', async () => {
    const g = grant({ op: 'list', key: undefined, prefix: 'reports/' });
    const deps = cosignerDeps({ list: async () => ({ ok: false, code: 'upstream_error' }) });
    const out = await createCosignerHandler(deps)(originEvent({ grant: g, cosig: cosigFor(g), prefix: 'reports/' }, (r) => (r.uri = '/_gatekeeper/v1/list')));
    expect(isResponse(out) && out.status).toBe('502');
    expect(deps.rec.records[0]).toMatchObject({ decision: 'deny', reason: 'upstream_error', status: 502 });
  });

  it('audit failure: 503 audit_unavailable and one fallback line per grant', async () => {
    const deps = cosignerDeps();
    deps.rec.sinkOk = false;
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant(), grant()] }));
    expect(errorCode(out)).toBe('audit_unavailable');
    expect(deps.rec.logs.filter((l) => l.startsWith('GK_AUDIT_FALLBACK '))).toHaveLength(2);
  });

  it('deny-all refuses every grant of a batch', async () => {
    const deps = cosignerDeps({ acl: acl({ mode: 'deny-all' }) });
    const out = await createCosignerHandler(deps)(originEvent({ grants: [grant(), grant()] }, (r) => setHeader(r, 'CloudFront-Viewer-Country', 'US')));
    const body = JSON.parse((out as { body: string }).body);
    expect(body.results.map((x: { error: { code: string } }) => x.error.code)).toEqual(['deny_all', 'deny_all']);
  });
});

describe('cosigner: every code, through real origin-request events', () => {
  const listEvent = (body: Record<string, unknown>, mut: (r: import('../../../edge/triggers/cloudfront').CfRequest) => void = () => {}) =>
    originEvent(body, (r) => {
      r.uri = '/_gatekeeper/v1/list';
      mut(r);
    });
  const lg = () => grant({ op: 'list', key: undefined, prefix: 'reports/' });

  it.each<[string, () => unknown, number]>([
    ['method_not_allowed', () => originEvent({ grants: [grant()] }, (r) => (r.method = 'GET')), 405],
    ['origin_not_allowed', () => originEvent({ grants: [grant()] }, (r) => setHeader(r, 'Origin', 'https://evil.example')), 403],
    ['missing_token', () => listEvent({ prefix: 'reports/' }), 401],
    ['malformed_token', () => { const g = lg(); return listEvent({ grant: 'x.y', cosig: cosigFor(g), prefix: 'reports/' }); }, 400],
    ['bad_cosignature', () => { const g = lg(); return listEvent({ grant: g, cosig: cosigFor(lg()), prefix: 'reports/' }); }, 401],
    ['ip_mismatch', () => { const g = lg(); return listEvent({ grant: g, cosig: cosigFor(g), prefix: 'reports/' }, (r) => (r.clientIp = '198.51.100.3')); }, 401],
    ['scope_mismatch', () => { const g = lg(); return listEvent({ grant: g, cosig: cosigFor(g), prefix: 'other/' }); }, 403],
  ])('whole call: %s', async (code, event, status) => {
    const deps = cosignerDeps();
    const out = await createCosignerHandler(deps)(event());
    expect(isResponse(out) && out.status).toBe(String(status));
    expect(errorCode(out)).toBe(code);
    expect(isResponse(out) && out.headers['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.records[0]).toMatchObject({ decision: 'deny', reason: code, status });
  });

  // Every row has three cells: jest passes a `done` callback in place of a missing one.
  it.each<[string, () => string, Parameters<typeof acl>[0] | null]>([
    ['bad_signature', () => grant({}, otherKey), null],
    ['unknown_kid', () => grant({ kid: 'nobody' }), null],
    ['expired', () => grant({ iat: NOW_S - 600, exp: NOW_S - 60 }), null],
    ['not_yet_valid', () => grant({ iat: NOW_S + 120, exp: NOW_S + 200 }), null],
    ['wrong_audience', () => grant({ aud: 'gk-other' }), null],
    ['ttl_too_long', () => grant({ exp: NOW_S + 10_000 }), null],
    ['revoked', () => grant({ jti: 'revoked-jti-0000001' }), { revoked: { jti: ['revoked-jti-0000001'], kid: [] } }],
    ['ip_denied', () => grant(), { ips: { deny: ['203.0.113.0/24'] } }],
    ['country_denied', () => grant(), { countries: { allow: ['CA'] } }],
  ])('per grant: %s', async (code, g, aclOver) => {
    const deps = cosignerDeps(aclOver === null ? {} : { acl: acl(aclOver) });
    const out = await createCosignerHandler(deps)(originEvent({ grants: [g()] }));
    expect(isResponse(out) && out.status).toBe('200');
    expect(JSON.parse((out as { body: string }).body).results[0].error.code).toBe(code);
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.records[0]).toMatchObject({ phase: 'cosign', decision: 'deny', reason: code });
  });
});
