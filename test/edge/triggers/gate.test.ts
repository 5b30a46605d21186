import { createGateHandler } from '../../../edge/triggers/gate';
import type { CfRequest } from '../../../edge/triggers/cloudfront';
import { cosigFor, grant, VENDOR_ORIGIN } from '../../helpers/world';
import { edgeDeps, errorCode, isResponse, setHeader, viewerEvent } from '../../helpers/edge';

function withTokens(g: string, c: string) {
  return (r: CfRequest) => {
    setHeader(r, 'X-Gk-Grant', g);
    setHeader(r, 'X-Gk-Cosig', c);
  };
}

describe('gate (viewer-request)', () => {
  it('passes a valid GET on to S3 with the URI canonical and the tokens removed, after writing one record', async () => {
    // Prepare
    const deps = edgeDeps();
    const g = grant();
    // Act
    const out = await createGateHandler(deps)(viewerEvent(withTokens(g, cosigFor(g))));
    // Assess
    expect(isResponse(out)).toBe(false);
    const req = out as CfRequest;
    expect(req.uri).toBe('/reports/2026/q4.json');
    expect(req.querystring).toBe('');
    expect(Object.keys(req.headers).sort()).toEqual(['accept', 'host', 'user-agent']);
    expect(req.headers.host).toEqual([{ key: 'Host', value: 'd111111abcdef8.cloudfront.net' }]);
    expect(deps.rec.records).toHaveLength(1);
    expect(deps.rec.records[0]).toMatchObject({
      phase: 'access',
      decision: 'allow',
      reason: 'ok',
      request_id: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
      edge_location: 'us-east-1',
      duration_us: 1,
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
    });
  });

  it('answers a preflight for the vendor origin at the edge', async () => {
    const deps = edgeDeps();
    const out = await createGateHandler(deps)(
      viewerEvent((r) => {
        r.method = 'OPTIONS';
        setHeader(r, 'Origin', VENDOR_ORIGIN);
        setHeader(r, 'Access-Control-Request-Method', 'PUT');
        setHeader(r, 'Access-Control-Request-Headers', 'x-gk-grant,x-gk-cosig,content-type');
      }),
    );
    expect(isResponse(out) && out.status).toBe('204');
    expect(isResponse(out) && out.headers['access-control-allow-origin']).toEqual([{ key: 'Access-Control-Allow-Origin', value: VENDOR_ORIGIN }]);
    expect(deps.rec.records.map((r) => [r.phase, r.decision])).toEqual([['preflight', 'allow']]);
  });

  it('fails open only when the customer chose it, and still logs the record', async () => {
    const deps = edgeDeps({ failOpen: true });
    deps.rec.sinkOk = false;
    const g = grant();
    const out = await createGateHandler(deps)(viewerEvent(withTokens(g, cosigFor(g))));
    expect(isResponse(out)).toBe(false);
    expect(deps.rec.logs.filter((l) => l.startsWith('GK_AUDIT_FALLBACK '))).toHaveLength(1);
  });
});
