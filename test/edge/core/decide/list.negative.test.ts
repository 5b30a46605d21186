import { decideList } from '../../../../edge/core/decide/list';
import { STATUS_OF, type ErrorCode } from '../../../../edge/core/codes';
import type { CoreRequest } from '../../../../edge/core/types';
import type { DecideContext } from '../../../../edge/core/decide/context';
import { cosigFor, ctx, grant, VENDOR_ORIGIN } from '../../../helpers/world';
import { listGrant, listRequest } from './list.test';

const [G, C] = listGrant();
// Every row has four cells: jest passes a `done` callback in place of a missing one.
const CASES: [string, ErrorCode, () => CoreRequest, DecideContext | null][] = [
  ['GET', 'method_not_allowed', () => listRequest({ grant: G, cosig: C, prefix: 'reports/' }, { method: 'GET' }), null],
  ['a foreign origin', 'origin_not_allowed', () => listRequest({ grant: G, cosig: C, prefix: 'reports/' }, { headers: { 'content-type': ['application/json'], origin: ['https://x.example'] } }), null],
  ['no body', 'malformed_request', () => listRequest({}, { body: null }), null],
  ['an unknown field', 'malformed_request', () => listRequest({ grant: G, cosig: C, prefix: 'reports/', x: 1 }), null],
  ['no prefix', 'malformed_request', () => listRequest({ grant: G, cosig: C }), null],
  ['maxKeys 0', 'malformed_request', () => listRequest({ grant: G, cosig: C, prefix: 'reports/', maxKeys: 0 }), null],
  ['maxKeys 1001', 'malformed_request', () => listRequest({ grant: G, cosig: C, prefix: 'reports/', maxKeys: 1001 }), null],
  ['a control char in the prefix', 'malformed_request', () => listRequest({ grant: G, cosig: C, prefix: 'reports/\u0001' }), null],
  ['a bad continuation token', 'malformed_request', () => listRequest({ grant: G, cosig: C, prefix: 'reports/', continuationToken: 'a b' }), null],
  ['no grant', 'missing_token', () => listRequest({ cosig: C, prefix: 'reports/' }), null],
  ['no cosig', 'missing_token', () => listRequest({ grant: G, prefix: 'reports/' }), null],
  ['a get grant', 'scope_mismatch', () => { const g = grant({ key: undefined, prefix: 'reports/' }); return listRequest({ grant: g, cosig: cosigFor(g), prefix: 'reports/' }); }, null],
  ['a prefix outside the grant', 'scope_mismatch', () => listRequest({ grant: G, cosig: C, prefix: 'other/' }), null],
  ['a shorter prefix than the grant', 'scope_mismatch', () => listRequest({ grant: G, cosig: C, prefix: 'rep' }), null],
  ['a cosig for another IP', 'ip_mismatch', () => listRequest({ grant: G, cosig: cosigFor(G, { ip: '192.0.2.1' }), prefix: 'reports/' }), null],
  ['a cosig of another grant', 'bad_cosignature', () => listRequest({ grant: G, cosig: listGrant()[1], prefix: 'reports/' }), null],
  ['a denied country', 'country_denied', () => listRequest({ grant: G, cosig: C, prefix: 'reports/' }, { country: 'FR', headers: { 'content-type': ['application/json'], origin: [VENDOR_ORIGIN] } }), null],
  ['deny-all', 'deny_all', () => listRequest({ grant: G, cosig: C, prefix: 'reports/' }), ctx({}, { mode: 'deny-all' })],
];

describe('decideList: denials', () => {
  it.each(CASES)('%s → %s', (_n, code, build, c) => {
    const v = decideList(build(), c ?? ctx());
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    expect(v.status).toBe(STATUS_OF[code]);
    expect(JSON.parse(v.body).error.code).toBe(code);
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'list', decision: 'deny', reason: code });
  });
});
