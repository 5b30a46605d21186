/**
 * What a viewer can write into a request must not change a decision or reach
 * S3: CloudFront-Viewer-Country at viewer-request, X-Forwarded-For, extra
 * x-gk-* values, x-amz-* headers and response-* query parameters.
 */
import { createGateHandler } from '../../../edge/triggers/gate';
import { createCosignerHandler } from '../../../edge/triggers/cosigner';
import type { CfRequest } from '../../../edge/triggers/cloudfront';
import { acl, cosigFor, grant } from '../../helpers/world';
import { cosignerDeps, edgeDeps, errorCode, isResponse, originEvent, setHeader, viewerEvent } from '../../helpers/edge';

const withTokens = (g: string, c: string) => (r: CfRequest) => {
  setHeader(r, 'X-Gk-Grant', g);
  setHeader(r, 'X-Gk-Cosig', c);
};

describe('spoofing', () => {
  it('a viewer-sent CloudFront-Viewer-Country neither opens nor closes the gate, and is not forwarded', async () => {
    const g = grant();
    const strict = acl({ countries: { allow: ['US'] } });
    for (const country of ['US', 'KP', 'XX']) {
      const deps = edgeDeps({ acl: strict });
      const out = await createGateHandler(deps)(viewerEvent((r) => { withTokens(g, cosigFor(g, { ctry: 'US' }))(r); setHeader(r, 'CloudFront-Viewer-Country', country); }));
      expect(isResponse(out)).toBe(false);
      expect((out as CfRequest).headers['cloudfront-viewer-country']).toBeUndefined();
      expect(deps.rec.records[0].viewer_country).toBe('US');
    }
  });

  it('X-Forwarded-For does not stand in for the client IP, at either trigger', async () => {
    const g = grant();
    const deps = edgeDeps();
    const out = await createGateHandler(deps)(
      viewerEvent((r) => { withTokens(g, cosigFor(g, { ip: '192.0.2.50' }))(r); setHeader(r, 'X-Forwarded-For', '192.0.2.50'); }),
    );
    expect(errorCode(out)).toBe('ip_mismatch');
    const cd = cosignerDeps({ acl: acl({ ips: { deny: ['203.0.113.7'] } }) });
    const out2 = await createCosignerHandler(cd)(originEvent({ grants: [grant()] }, (r) => setHeader(r, 'X-Forwarded-For', '192.0.2.1')));
    expect(JSON.parse((out2 as { body: string }).body).results[0].error.code).toBe('ip_denied');
  });

  it('a second x-gk-grant value is refused rather than picking one', async () => {
    const g = grant();
    const deps = edgeDeps();
    const out = await createGateHandler(deps)(
      viewerEvent((r) => { withTokens(g, cosigFor(g))(r); r.headers['x-gk-grant'].push({ key: 'X-Gk-Grant', value: grant() }); }),
    );
    expect(errorCode(out)).toBe('malformed_request');
  });

  it('an unknown x-gk-* header is refused, like an unknown gk_ parameter', async () => {
    const g = grant();
    const out = await createGateHandler(edgeDeps())(viewerEvent((r) => { withTokens(g, cosigFor(g))(r); setHeader(r, 'X-Gk-Extra', '1'); }));
    expect(errorCode(out)).toBe('malformed_request');
  });

  it('x-amz-* headers and response-* parameters never reach S3', async () => {
    const g = grant();
    const deps = edgeDeps();
    const out = await createGateHandler(deps)(
      viewerEvent((r) => {
        withTokens(g, cosigFor(g))(r);
        r.querystring = 'response-content-type=text%2Fhtml&response-content-disposition=inline&versionId=1';
        setHeader(r, 'X-Amz-Server-Side-Encryption-Customer-Algorithm', 'AES256');
        setHeader(r, 'X-Amz-Security-Token', 'abc');
        setHeader(r, 'Authorization', 'AWS4-HMAC-SHA256 Credential=x');
      }),
    );
    expect(isResponse(out)).toBe(false);
    const req = out as CfRequest;
    expect(req.querystring).toBe('');
    expect(Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') || h.startsWith('x-gk-') || h === 'authorization')).toEqual([]);
  });
});

describe('a header named __proto__', () => {
  it('is an ordinary header: the request map keeps its prototype-free shape and the header is not forwarded specially', async () => {
    const g = grant();
    const event = JSON.parse(JSON.stringify(viewerEvent(withTokens(g, cosigFor(g)))).replace('"host":', '"__proto__":[{"key":"__proto__","value":"x"}],"host":'));
    const deps = edgeDeps();
    const out = await createGateHandler(deps)(event);
    expect(isResponse(out)).toBe(false);
    const forwarded = (out as CfRequest).headers;
    expect(Object.getPrototypeOf(forwarded)).toBeNull();
    expect(Object.keys(forwarded).sort()).toEqual(['__proto__', 'accept', 'host', 'user-agent']);
  });
});
