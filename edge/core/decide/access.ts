import { evaluateAcl } from '../acl';
import type { ErrorCode } from '../codes';
import { normalizeIp } from '../ip';
import { canonicalKeyUri, isValidObjectKey, keyFromUri } from '../objectKey';
import type { GrantPayload } from '../tokens';
import type { CoreRequest, ForwardVerdict, RespondVerdict } from '../types';
import { checkCosig, checkGrant } from './checks';
import type { DecideContext } from './context';
import { baseRecord, deny } from './respond';

const OBJECT_METHODS = new Set(['GET', 'HEAD', 'PUT']);

/** Viewer headers that never reach S3: tokens, and credentials OAC replaces. */
const ALWAYS_DROPPED = new Set(['x-gk-grant', 'x-gk-cosig', 'authorization']);

interface Tokens {
  grant: string;
  cosig: string;
}

/**
 * Object access at viewer-request. Any `cloudfront-viewer-*` header was written
 * by the viewer here, so the country is never read; it was enforced at cosign
 * time through the IP binding.
 */
export function decideAccess(req: CoreRequest, ctx: DecideContext): RespondVerdict | ForwardVerdict {
  const rec = baseRecord(req, ctx, 'access');
  rec.viewer_country = null;
  const ip = normalizeIp(req.clientIp);
  if (ip === null) return deny(req, ctx, rec, 'malformed_request');
  rec.viewer_ip = ip;
  const decoded = keyFromUri(req.uri);
  const key = decoded !== null && isValidObjectKey(decoded) ? decoded : null;
  rec.object_key = key;
  if (ctx.acl.mode === 'deny-all') return deny(req, ctx, rec, 'deny_all');
  if (!OBJECT_METHODS.has(req.method)) return deny(req, ctx, rec, 'method_not_allowed');

  const tokens = findTokens(req);
  if (typeof tokens === 'string') return deny(req, ctx, rec, tokens);
  const g = checkGrant(tokens.grant, ctx, rec);
  if (!g.ok) return deny(req, ctx, rec, g.code);
  const c = checkCosig(tokens.cosig, g.value, ip, ctx, rec);
  if (!c.ok) return deny(req, ctx, rec, c.code);
  // Checked only now so a bad URI with bad tokens reports the tokens; the
  // record's object_key may hold the grant's key or prefix by here.
  if (key === null) return deny(req, ctx, rec, 'malformed_request');

  const grant = g.value.payload;
  const scope = checkScope(req, grant, key);
  if (scope !== null) return deny(req, ctx, rec, scope);
  const acl = evaluateAcl(ctx.acl, { ip, country: null, vendorKid: grant.kid, jti: grant.jti });
  if (acl.decision === 'deny') return deny(req, ctx, rec, acl.reason as ErrorCode);
  rec.decision = acl.decision;
  rec.reason = acl.reason;
  rec.status = 200;
  return {
    action: 'forward',
    uri: canonicalKeyUri(key),
    querystring: '',
    headers: originHeaders(req, grant),
    audit: [rec],
  };
}

/**
 * The grant and cosig from exactly one place: both as `gk_*` query parameters
 * or both as `x-gk-*` headers, each once. Any other `gk_` parameter or `x-gk-`
 * header is refused so that a future field cannot be silently ignored.
 */
function findTokens(req: CoreRequest): Tokens | ErrorCode {
  const q = new Map<string, string[]>();
  if (req.querystring.length > 0) {
    for (const part of req.querystring.split('&')) {
      const eq = part.indexOf('=');
      // Every name is decoded, so no spelling (%67k_grant, GK_GRANT) slips past.
      const name = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
      if (name === null) return 'malformed_request';
      if (!name.toLowerCase().startsWith('gk_')) continue;
      const value = decodeQueryPart(eq < 0 ? '' : part.slice(eq + 1));
      if (value === null) return 'malformed_request';
      if (name !== 'gk_grant' && name !== 'gk_cosig') return 'malformed_request';
      const list = q.get(name) ?? [];
      list.push(value);
      q.set(name, list);
    }
  }
  for (const name of Object.keys(req.headers)) {
    if (name.startsWith('x-gk-') && name !== 'x-gk-grant' && name !== 'x-gk-cosig') return 'malformed_request';
  }
  const hg = req.headers['x-gk-grant'];
  const hc = req.headers['x-gk-cosig'];
  const inQuery = q.size > 0;
  const inHeaders = hg !== undefined || hc !== undefined;
  if (inQuery && inHeaders) return 'malformed_request';
  const grants = inQuery ? q.get('gk_grant') : hg;
  const cosigs = inQuery ? q.get('gk_cosig') : hc;
  if ((grants?.length ?? 0) > 1 || (cosigs?.length ?? 0) > 1) return 'malformed_request';
  const grant = grants?.[0];
  const cosig = cosigs?.[0];
  if (grant === undefined || cosig === undefined || grant === '' || cosig === '') return 'missing_token';
  return { grant, cosig };
}

function decodeQueryPart(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

function checkScope(req: CoreRequest, grant: GrantPayload, key: string): ErrorCode | null {
  const opOk = grant.op === 'get' ? req.method === 'GET' || req.method === 'HEAD' : grant.op === 'put' && req.method === 'PUT';
  if (!opOk) return 'scope_mismatch';
  if (grant.key !== undefined ? grant.key !== key : grant.prefix === undefined || !key.startsWith(grant.prefix)) {
    return 'scope_mismatch';
  }
  if (grant.op !== 'put') return null;
  if (grant.maxBytes !== undefined) {
    const lengths = req.headers['content-length'];
    if (lengths === undefined || lengths.length !== 1 || !/^\d{1,15}$/.test(lengths[0])) return 'malformed_request';
    if (req.headers['transfer-encoding'] !== undefined) return 'malformed_request';
    if (Number(lengths[0]) > grant.maxBytes) return 'too_large';
  }
  if (grant.contentType !== undefined) {
    const ct = req.headers['content-type'];
    if (ct === undefined || ct.length !== 1 || ct[0] !== grant.contentType) return 'content_type_mismatch';
  }
  if (grant.sha256 !== undefined) {
    const sums = req.headers['x-amz-checksum-sha256'];
    const expected = Buffer.from(grant.sha256, 'hex').toString('base64');
    // The digest is public (it is in the grant); S3 re-checks it against the body.
    if (sums === undefined || sums.length !== 1 || sums[0] !== expected) return 'scope_mismatch';
  }
  return null;
}

/**
 * What may go on to S3: no tokens, no viewer credentials, no viewer-written
 * CloudFront headers, and of the viewer's
 * `x-amz-*` headers only the checksum a grant binds.
 */
function originHeaders(req: CoreRequest, grant: GrantPayload): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, values] of Object.entries(req.headers)) {
    if (ALWAYS_DROPPED.has(name)) continue;
    if (name.startsWith('x-gk-') || name.startsWith('cloudfront-viewer-')) continue;
    if (name.startsWith('x-amz-') && !(grant.sha256 !== undefined && name === 'x-amz-checksum-sha256')) continue;
    out[name] = values;
  }
  return out;
}
