import { decidePreflight } from '../../../../edge/core/decide/preflight';
import { STATUS_OF, type ErrorCode } from '../../../../edge/core/codes';
import { ctx, request, VENDOR_ORIGIN } from '../../../helpers/world';

const CASES: [string, ErrorCode, Record<string, string[]>, 'object' | 'gatekeeper'][] = [
  ['another origin', 'origin_not_allowed', { origin: ['https://evil.example'], 'access-control-request-method': ['GET'] }, 'object'],
  ['an origin that only starts like a vendor origin', 'origin_not_allowed', { origin: [VENDOR_ORIGIN + '.evil.example'], 'access-control-request-method': ['GET'] }, 'object'],
  ['the null origin', 'origin_not_allowed', { origin: ['null'], 'access-control-request-method': ['GET'] }, 'object'],
  ['no origin', 'malformed_request', { 'access-control-request-method': ['GET'] }, 'object'],
  ['no requested method', 'malformed_request', { origin: [VENDOR_ORIGIN] }, 'object'],
  ['DELETE on an object', 'method_not_allowed', { origin: [VENDOR_ORIGIN], 'access-control-request-method': ['DELETE'] }, 'object'],
  ['GET on the gatekeeper', 'method_not_allowed', { origin: [VENDOR_ORIGIN], 'access-control-request-method': ['GET'] }, 'gatekeeper'],
  ['an unlisted request header', 'malformed_request', { origin: [VENDOR_ORIGIN], 'access-control-request-method': ['GET'], 'access-control-request-headers': ['x-custom'] }, 'object'],
];

describe('decidePreflight: refusals', () => {
  it.each(CASES)('%s → %s', (_n, code, headers, target) => {
    const v = decidePreflight(request({ method: 'OPTIONS', headers }), ctx(), target);
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(STATUS_OF[code]);
    // Only an allowed origin ever sees an allow-origin header, even on a refusal.
    const allowed = headers.origin?.[0] === VENDOR_ORIGIN;
    expect(v.headers['access-control-allow-origin']).toBe(allowed ? VENDOR_ORIGIN : undefined);
    expect(v.audit[0]).toMatchObject({ phase: 'preflight', decision: 'deny', reason: code });
  });
});

describe('decidePreflight under deny-all', () => {
  it('refuses even an allowed origin with deny_all', () => {
    const v = decidePreflight(
      request({ method: 'OPTIONS', headers: { origin: [VENDOR_ORIGIN], 'access-control-request-method': ['GET'] } }),
      ctx({}, { mode: 'deny-all' }),
      'object',
    );
    expect(v.status).toBe(403);
    expect(JSON.parse(v.body).error.code).toBe('deny_all');
    expect(v.audit[0]).toMatchObject({ phase: 'preflight', decision: 'deny', reason: 'deny_all' });
  });
});
