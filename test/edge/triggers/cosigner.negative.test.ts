import { createCosignerHandler } from '../../../edge/triggers/cosigner';
import { cosigFor, grant } from '../../helpers/world';
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
