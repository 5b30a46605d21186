import { evaluateAcl } from '../acl';
import type { ErrorCode } from '../codes';
import { normalizeIp } from '../ip';
import { parseJsonObject } from '../json';
import type { CoreRequest, ListVerdict, RespondVerdict } from '../types';
import { checkCosig, checkGrant } from './checks';
import type { DecideContext } from './context';
import { viewerCountry } from './cosign';
import { baseRecord, corsHeaders, deny, header, isJsonContentType, originAllowed, settle } from './respond';

export const MAX_LIST_KEYS = 1000;

interface ListBody {
  grant: string;
  cosig: string;
  prefix: string;
  continuationToken: string | undefined;
  maxKeys: number;
}

const LIST_FIELDS = new Set(['grant', 'cosig', 'prefix', 'continuationToken', 'maxKeys']);

/**
 * `POST /_gatekeeper/v1/list`. It runs at origin-request, so unlike object
 * access it sees the trusted country and checks the whole ACL again.
 */
export function decideList(req: CoreRequest, ctx: DecideContext): RespondVerdict | ListVerdict {
  const rec = baseRecord(req, ctx, 'list');
  const country = viewerCountry(req.country);
  rec.viewer_country = country;
  const ip = normalizeIp(req.clientIp);
  if (ip === null) return deny(req, ctx, rec, 'malformed_request');
  rec.viewer_ip = ip;
  if (req.method !== 'POST') return deny(req, ctx, rec, 'method_not_allowed');
  if (!originAllowed(req, ctx)) return deny(req, ctx, rec, 'origin_not_allowed');
  const body = readListBody(req);
  if (typeof body === 'string') return deny(req, ctx, rec, body);

  rec.object_key = body.prefix;
  const g = checkGrant(body.grant, ctx, rec);
  if (!g.ok) return deny(req, ctx, rec, g.code);
  const c = checkCosig(body.cosig, g.value, ip, ctx, rec);
  rec.viewer_country = country;
  if (!c.ok) return deny(req, ctx, rec, c.code);
  const grant = g.value.payload;
  if (grant.op !== 'list' || grant.prefix === undefined || !body.prefix.startsWith(grant.prefix)) {
    return deny(req, ctx, rec, 'scope_mismatch');
  }
  const acl = evaluateAcl(ctx.acl, { ip, country, vendorKid: grant.kid, jti: grant.jti });
  if (acl.decision === 'deny') return deny(req, ctx, rec, acl.reason as ErrorCode);
  settle(rec, acl.decision, acl.reason);
  return {
    action: 'list',
    prefix: body.prefix,
    continuationToken: body.continuationToken,
    maxKeys: body.maxKeys,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...corsHeaders(req, ctx) },
    audit: [rec],
  };
}

function readListBody(req: CoreRequest): ListBody | 'malformed_request' | 'missing_token' {
  const bad = 'malformed_request';
  if (req.body === null || req.bodyTruncated) return bad;
  if (!isJsonContentType(header(req, 'content-type'))) return bad;
  const parsed = parseJsonObject(req.body, { integersOnly: true });
  if (!parsed.ok) return bad;
  const o = parsed.value;
  for (const k of Object.keys(o)) if (!LIST_FIELDS.has(k)) return bad;
  const { grant, cosig, prefix, continuationToken, maxKeys } = o;
  if (typeof prefix !== 'string' || !isListPrefix(prefix)) return bad;
  if (grant === undefined || cosig === undefined) return 'missing_token';
  if (typeof grant !== 'string' || typeof cosig !== 'string') return bad;
  if (continuationToken !== undefined && (typeof continuationToken !== 'string' || !/^[\x21-\x7e]{1,1024}$/.test(continuationToken))) {
    return bad;
  }
  if (maxKeys !== undefined && (typeof maxKeys !== 'number' || !Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_LIST_KEYS)) {
    return bad;
  }
  return { grant, cosig, prefix, continuationToken, maxKeys: maxKeys ?? MAX_LIST_KEYS };
}

/** Any string S3 could take as a prefix, minus control characters and anything over the key limit. */
function isListPrefix(p: string): boolean {
  if (p.length === 0 || Buffer.byteLength(p, 'utf8') > 1024) return false;
  return !/[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(p);
}
