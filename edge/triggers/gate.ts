import { decideAccess } from '../core/decide/access';
import { decidePreflight } from '../core/decide/preflight';
import { toCoreRequest, unwrapEvent, type CfResult } from './cloudfront';
import { denyWithout, finish, logCrash, requestIdOf, safeGet, type FinalVerdict, type EdgeDeps } from './runtime';

/**
 * The viewer-request function of the default behaviour: object access and its
 * preflight. It never reads `cloudfront-viewer-*` headers (the viewer wrote
 * them at this stage).
 */
export function createGateHandler(deps: EdgeDeps): (event: unknown) => Promise<CfResult> {
  return async (event) => {
    const started = deps.hrtime();
    const u = unwrapEvent(event);
    const req = toCoreRequest(u.cf, requestIdOf(u.requestId), { trustCountry: false, edgeLocation: deps.edgeLocation });
    const phase = req.method === 'OPTIONS' ? 'preflight' : 'access';
    let verdict: FinalVerdict;
    try {
      const acl = await safeGet(deps.acl, deps.log, 'acl');
      if (acl === null) {
        verdict = denyWithout(deps, req, phase, 'config_unavailable');
      } else {
        const ctx = { now: deps.now(), acl: acl.value, config: deps.config };
        verdict = phase === 'preflight' ? decidePreflight(req, ctx, 'object') : decideAccess(req, ctx);
      }
    } catch (e) {
      logCrash(deps.log, 'gate', e);
      verdict = denyWithout(deps, req, phase, 'malformed_request');
    }
    return finish(deps, u.cf, req, verdict, started);
  };
}
