import type { AuditRecord } from '../audit';
import { evaluateAcl } from '../acl';
import { MESSAGE_OF, type ErrorCode } from '../codes';
import { normalizeIp } from '../ip';
import { parseJsonObject } from '../json';
import { grantHash, signCosig } from '../tokens';
import type { CoreRequest, RespondVerdict } from '../types';
import { checkGrant } from './checks';
import type { DecideContext, Signer } from './context';
import { baseRecord, deny, header, isJsonContentType, jsonAnswer, originAllowed, settle } from './respond';

export const MAX_GRANTS_PER_COSIGN = 50;

type CosignResult = { cosig: string; exp: number } | { error: { code: ErrorCode; message: string } };

/** The country CloudFront supplied at origin-request; anything else is the unknown country `XX`. */
export function viewerCountry(raw: string | null): string {
  return raw !== null && /^[A-Z]{2}$/.test(raw) ? raw : 'XX';
}

/**
 * `POST /_gatekeeper/v1/cosign`: each grant is judged alone and gets its own
 * audit record; only a bad body fails the whole call.
 */
export function decideCosign(req: CoreRequest, ctx: DecideContext, signer: Signer): RespondVerdict {
  const country = viewerCountry(req.country);
  const ip = normalizeIp(req.clientIp);
  const whole = baseRecord(req, ctx, 'cosign');
  whole.viewer_country = country;
  if (ip === null) return deny(req, ctx, whole, 'malformed_request');
  whole.viewer_ip = ip;
  if (req.method !== 'POST') return deny(req, ctx, whole, 'method_not_allowed');
  if (!originAllowed(req, ctx)) return deny(req, ctx, whole, 'origin_not_allowed');
  const grants = readGrants(req);
  if (grants === null) return deny(req, ctx, whole, 'malformed_request');

  const audit: AuditRecord[] = [];
  const results: CosignResult[] = grants.map((token) => {
    const rec = baseRecord(req, ctx, 'cosign');
    rec.viewer_ip = ip;
    rec.viewer_country = country;
    audit.push(rec);
    const out = cosignOne(token, ip, country, ctx, signer, rec);
    if ('error' in out) settle(rec, 'deny', out.error.code);
    return out;
  });
  return jsonAnswer(req, ctx, 200, { results }, audit);
}

function cosignOne(
  token: string,
  ip: string,
  country: string,
  ctx: DecideContext,
  signer: Signer,
  rec: AuditRecord,
): CosignResult {
  const err = (code: ErrorCode): CosignResult => ({ error: { code, message: MESSAGE_OF[code] } });
  const g = checkGrant(token, ctx, rec);
  if (!g.ok) return err(g.code);
  const grant = g.value.payload;
  const acl = evaluateAcl(ctx.acl, { ip, country, vendorKid: grant.kid, jti: grant.jti });
  if (acl.decision === 'deny') return err(acl.reason as ErrorCode);
  // A cosig signed by a key the ACL does not list (under that kid) would fail
  // at every edge: refuse it here, where the customer sees it in the audit log.
  if (!signerTrusted(ctx, signer)) return err('config_unavailable');
  const iat = Math.floor(ctx.now / 1000);
  const exp = Math.min(grant.exp, iat + ctx.acl.doc.cosignTtlSeconds);
  // Within the skew a grant may be past its exp; a cosig needs exp > iat.
  if (exp <= iat) return err('expired');
  const cosig = signCosig({ v: 1, kid: signer.kid, gh: grantHash(token), ip, ctry: country, iat, exp }, signer.key);
  rec.gatekeeper_kid = signer.kid;
  settle(rec, acl.decision, acl.reason);
  return { cosig, exp };
}

function signerTrusted(ctx: DecideContext, signer: Signer): boolean {
  if (ctx.acl.revokedKid.has(signer.kid)) return false;
  return ctx.acl.doc.gatekeeperKeys.some((k) => k.kid === signer.kid && k.publicKey === signer.publicKey);
}

/** `{"grants": [token, …]}` with 1-50 strings and nothing else, or null. */
function readGrants(req: CoreRequest): string[] | null {
  if (req.body === null || req.bodyTruncated) return null;
  if (!isJsonContentType(header(req, 'content-type'))) return null;
  const parsed = parseJsonObject(req.body, { integersOnly: true });
  if (!parsed.ok) return null;
  const keys = Object.keys(parsed.value);
  if (keys.length !== 1 || keys[0] !== 'grants') return null;
  const grants = parsed.value.grants;
  if (!Array.isArray(grants) || grants.length < 1 || grants.length > MAX_GRANTS_PER_COSIGN) return null;
  return grants.every((t): t is string => typeof t === 'string') ? grants : null;
}
