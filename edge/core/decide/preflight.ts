import { CORS_MAX_AGE_SECONDS, EXPOSED_HEADERS, GATEKEEPER_CORS_HEADERS, OBJECT_CORS_HEADERS } from '../http-policy';
import type { CoreRequest, RespondVerdict } from '../types';
import type { DecideContext } from './context';
import { baseRecord, deny, header, settle } from './respond';

export type PreflightTarget = 'object' | 'gatekeeper';

const METHODS: Record<PreflightTarget, readonly string[]> = {
  object: ['GET', 'HEAD', 'PUT'],
  gatekeeper: ['POST'],
};

/** Request headers a browser client may send; anything else fails the preflight. */
const ALLOWED_HEADERS: Record<PreflightTarget, readonly string[]> = {
  object: OBJECT_CORS_HEADERS,
  gatekeeper: GATEKEEPER_CORS_HEADERS,
};

export { EXPOSED_HEADERS };

/**
 * `OPTIONS` for a configured vendor origin only, matched exactly (scheme, host
 * and port), never a wildcard: tokens travel in headers a wildcard would
 * expose to any site.
 */
export function decidePreflight(req: CoreRequest, ctx: DecideContext, target: PreflightTarget): RespondVerdict {
  const rec = baseRecord(req, ctx, 'preflight');
  if (target === 'object') rec.viewer_country = null;
  const origin = req.headers['origin'];
  const wanted = header(req, 'access-control-request-method');
  if (req.method !== 'OPTIONS') return deny(req, ctx, rec, 'method_not_allowed');
  // The emergency switch closes the browser's door too, not only the objects.
  if (ctx.acl.mode === 'deny-all') return deny(req, ctx, rec, 'deny_all');
  if (origin === undefined || origin.length !== 1 || wanted === undefined) return deny(req, ctx, rec, 'malformed_request');
  if (!ctx.config.vendorOrigins.includes(origin[0])) return deny(req, ctx, rec, 'origin_not_allowed');
  if (!METHODS[target].includes(wanted)) return deny(req, ctx, rec, 'method_not_allowed');
  const asked = (req.headers['access-control-request-headers'] ?? [])
    .join(',')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  if (!asked.every((h) => ALLOWED_HEADERS[target].includes(h))) return deny(req, ctx, rec, 'malformed_request');
  settle(rec, 'allow', 'ok');
  rec.status = 204;
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin[0],
    'access-control-allow-methods': METHODS[target].join(', '),
    'access-control-allow-headers': ALLOWED_HEADERS[target].join(', '),
    'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    'cache-control': 'no-store',
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  if (target === 'object') headers['access-control-expose-headers'] = EXPOSED_HEADERS.join(', ');
  return { action: 'respond', status: 204, headers, body: '', audit: [rec] };
}
