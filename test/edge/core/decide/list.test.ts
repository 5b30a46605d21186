import { decideList } from '../../../../edge/core/decide/list';
import { cosigFor, ctx, grant, request, VENDOR_ORIGIN } from '../../../helpers/world';
import type { CoreRequest } from '../../../../edge/core/types';

export function listRequest(body: Record<string, unknown>, over: Partial<CoreRequest> = {}): CoreRequest {
  return request({
    method: 'POST',
    uri: '/_gatekeeper/v1/list',
    headers: { 'content-type': ['application/json'], origin: [VENDOR_ORIGIN] },
    country: 'US',
    body: JSON.stringify(body),
    ...over,
  });
}

export function listGrant(prefix = 'reports/'): [string, string] {
  const g = grant({ op: 'list', key: undefined, prefix });
  return [g, cosigFor(g)];
}

describe('decideList', () => {
  it('allows a prefix under the grant prefix and passes the paging on', () => {
    const [g, c] = listGrant();
    const v = decideList(listRequest({ grant: g, cosig: c, prefix: 'reports/2026/', continuationToken: 'tok', maxKeys: 10 }), ctx());
    expect(v).toMatchObject({ action: 'list', prefix: 'reports/2026/', continuationToken: 'tok', maxKeys: 10 });
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'list', decision: 'allow', reason: 'ok', op: 'list', object_key: 'reports/2026/', viewer_country: 'US' });
  });

  it('defaults maxKeys to 1000', () => {
    const [g, c] = listGrant();
    const v = decideList(listRequest({ grant: g, cosig: c, prefix: 'reports/' }), ctx());
    expect(v.action === 'list' && v.maxKeys).toBe(1000);
  });

  it('checks the country again at list time (report-only: would_deny)', () => {
    const [g, c] = listGrant();
    const v = decideList(listRequest({ grant: g, cosig: c, prefix: 'reports/' }, { country: 'FR' }), ctx({}, { mode: 'report-only' }));
    expect(v.action).toBe('list');
    expect(v.audit[0]).toMatchObject({ decision: 'would_deny', reason: 'country_denied' });
  });
});
