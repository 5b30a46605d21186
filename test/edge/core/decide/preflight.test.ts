import { decidePreflight } from '../../../../edge/core/decide/preflight';
import { ctx, request, VENDOR_ORIGIN } from '../../../helpers/world';

const preflight = (h: Record<string, string[]>, uri = '/reports/a.json') =>
  request({ method: 'OPTIONS', uri, headers: { origin: [VENDOR_ORIGIN], 'access-control-request-method': ['GET'], ...h } });

describe('decidePreflight', () => {
  it('answers 204 for a configured origin with the methods and headers the client needs', () => {
    const v = decidePreflight(preflight({ 'access-control-request-headers': ['x-gk-grant, X-Gk-Cosig'] }), ctx(), 'object');
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(204);
    expect(v.headers['access-control-allow-origin']).toBe(VENDOR_ORIGIN);
    expect(v.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT');
    expect(v.headers['access-control-allow-headers']).toContain('x-gk-cosig');
    expect(v.headers['access-control-expose-headers']).toContain('etag');
    expect(v.audit[0]).toMatchObject({ phase: 'preflight', decision: 'allow', reason: 'ok', status: 204 });
  });

  it('allows POST with content-type for the gatekeeper endpoints', () => {
    const v = decidePreflight(
      preflight({ 'access-control-request-method': ['POST'], 'access-control-request-headers': ['content-type'] }, '/_gatekeeper/v1/cosign'),
      ctx(),
      'gatekeeper',
    );
    expect(v.action === 'respond' && v.status).toBe(204);
    expect(v.action === 'respond' && v.headers['access-control-allow-methods']).toBe('POST');
  });
});
