import type { AuditRecord } from '../audit';
import type { ErrorCode } from '../codes';
import { constantTimeEqual } from '../keys';
import {
  grantHash,
  parseCosig,
  parseGrant,
  verifyToken,
  type CosigPayload,
  type GrantPayload,
  type ParsedToken,
} from '../tokens';
import type { DecideContext } from './context';

export type Check<T> = { ok: true; value: T } | { ok: false; code: ErrorCode };

const fail = (code: ErrorCode): { ok: false; code: ErrorCode } => ({ ok: false, code });

/** Copies what a parsed grant tells into its audit record, before any check can fail. */
export function noteGrant(rec: AuditRecord, g: GrantPayload): void {
  rec.vendor_kid = g.kid;
  rec.grant_jti = g.jti;
  rec.grant_sub = g.sub ?? null;
  rec.grant_exp = g.exp;
  rec.op = g.op;
  if (rec.object_key === null) rec.object_key = g.key ?? g.prefix ?? null;
}

/**
 * Every check of a grant that does not depend on the viewer: signature, trust,
 * audience, lifetime and revocation. Order: deny-all, parse, key trust and
 * revocation (PROTOCOL step 2, cheap and needs no signature), signature,
 * audience, lifetime, time window.
 */
export function checkGrant(token: string, ctx: DecideContext, rec: AuditRecord): Check<ParsedToken<GrantPayload>> {
  const parsed = parseGrant(token);
  if (parsed.ok) noteGrant(rec, parsed.value.payload);
  if (ctx.acl.mode === 'deny-all') return fail('deny_all');
  if (!parsed.ok) return fail('malformed_token');
  const g = parsed.value.payload;
  if (ctx.acl.revokedKid.has(g.kid)) return fail('revoked');
  const key = ctx.acl.vendorKeys.get(g.kid);
  if (key === undefined) return fail('unknown_kid');
  if (!verifyToken(parsed.value, key)) return fail('bad_signature');
  if (g.aud !== ctx.config.gatekeeperId) return fail('wrong_audience');
  const time = checkWindow(g.iat, g.exp, ctx.acl.doc.maxGrantTtlSeconds, ctx);
  if (time !== null) return fail(time);
  if (ctx.acl.revokedJti.has(g.jti)) return fail('revoked');
  return { ok: true, value: parsed.value };
}

/** `iat - skew <= now <= exp + skew` and `0 < exp - iat <= ttl` (exp > iat is checked at parse). */
function checkWindow(iat: number, exp: number, ttl: number, ctx: DecideContext): ErrorCode | null {
  if (exp - iat > ttl) return 'ttl_too_long';
  const now = Math.floor(ctx.now / 1000);
  const skew = ctx.acl.doc.clockSkewSeconds;
  if (iat - skew > now) return 'not_yet_valid';
  if (now > exp + skew) return 'expired';
  return null;
}

/**
 * The countersignature of a verified grant: a gatekeeper key the ACL trusts,
 * bound to this very grant token, within the cosign TTL and not outliving the
 * grant, and for the viewer IP that asks now.
 */
export function checkCosig(
  token: string,
  grant: ParsedToken<GrantPayload>,
  viewerIp: string,
  ctx: DecideContext,
  rec: AuditRecord,
): Check<ParsedToken<CosigPayload>> {
  const parsed = parseCosig(token);
  if (!parsed.ok) return fail('malformed_token');
  const c = parsed.value.payload;
  rec.gatekeeper_kid = c.kid;
  if (ctx.acl.revokedKid.has(c.kid)) return fail('revoked');
  const key = ctx.acl.gatekeeperKeys.get(c.kid);
  if (key === undefined) return fail('unknown_kid');
  if (!verifyToken(parsed.value, key)) return fail('bad_cosignature');
  if (!constantTimeEqual(c.gh, grantHash(grant.token))) return fail('bad_cosignature');
  if (rec.viewer_country === null) rec.viewer_country = c.ctry;
  // A gatekeeper never signs past the grant; a cosig that does is not one of ours.
  if (c.exp > grant.payload.exp) return fail('bad_cosignature');
  const time = checkWindow(c.iat, c.exp, ctx.acl.doc.cosignTtlSeconds, ctx);
  if (time !== null) return fail(time);
  if (c.ip !== viewerIp) return fail('ip_mismatch');
  return { ok: true, value: parsed.value };
}
