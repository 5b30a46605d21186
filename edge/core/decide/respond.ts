import type { AuditRecord, Decision, Phase } from '../audit';
import { errorBody, STATUS_OF, type ErrorCode, type Reason } from '../codes';
import type { CoreRequest, RespondVerdict } from '../types';
import type { AnswerContext } from './context';

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/** The first value of a header, or undefined. Header names are lower case in CoreRequest. */
export function header(req: CoreRequest, name: string): string | undefined {
  const v = req.headers[name];
  return v === undefined || v.length === 0 ? undefined : v[0];
}

/**
 * CORS headers for a response to an allowed vendor origin. Generated answers
 * (errors included) carry them so the vendor's page can read the error code.
 */
export function corsHeaders(req: CoreRequest, ctx: AnswerContext): Record<string, string> {
  const origin = header(req, 'origin');
  if (origin === undefined || !ctx.config.vendorOrigins.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin' };
}

/**
 * Browsers always send Origin on a cross-origin POST; a request without one
 * comes from a non-browser client, which CORS does not govern anyway.
 */
export function originAllowed(req: CoreRequest, ctx: AnswerContext): boolean {
  const origin = req.headers['origin'];
  if (origin === undefined) return true;
  return origin.length === 1 && ctx.config.vendorOrigins.includes(origin[0]);
}

/** An audit record with everything the request alone tells; decisions fill in the rest. */
export function baseRecord(req: CoreRequest, ctx: AnswerContext, phase: Phase): AuditRecord {
  const acl = ctx.acl;
  return {
    ts: ctx.now,
    request_id: req.requestId,
    phase,
    decision: 'deny',
    reason: 'malformed_request',
    status: 400,
    method: req.method,
    op: null,
    object_key: null,
    viewer_ip: req.clientIp,
    viewer_country: req.country,
    user_agent: truncate(header(req, 'user-agent') ?? null, 512),
    vendor_kid: null,
    gatekeeper_kid: null,
    grant_jti: null,
    grant_sub: null,
    grant_exp: null,
    acl_version: acl?.version ?? null,
    mode: acl?.mode ?? null,
    edge_location: req.edgeLocation,
    duration_us: 0,
  };
}

/** Cuts at n UTF-16 units without leaving half a surrogate pair (Parquet needs valid UTF-8). */
export function truncate(s: string | null, n: number): string | null {
  if (s === null || s.length <= n) return s;
  const last = s.charCodeAt(n - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

export function settle(rec: AuditRecord, decision: Decision, reason: Reason): AuditRecord {
  rec.decision = decision;
  rec.reason = reason;
  rec.status = decision === 'deny' ? STATUS_OF[reason] : 200;
  return rec;
}

/** A PROTOCOL error answer with its one audit record. */
export function deny(req: CoreRequest, ctx: AnswerContext, rec: AuditRecord, code: ErrorCode): RespondVerdict {
  settle(rec, 'deny', code);
  return {
    action: 'respond',
    status: STATUS_OF[code],
    headers: { ...JSON_HEADERS, ...corsHeaders(req, ctx) },
    body: errorBody(code, req.requestId),
    audit: [rec],
  };
}

export function jsonAnswer(
  req: CoreRequest,
  ctx: AnswerContext,
  status: number,
  body: unknown,
  audit: AuditRecord[],
): RespondVerdict {
  return {
    action: 'respond',
    status,
    headers: { ...JSON_HEADERS, ...corsHeaders(req, ctx) },
    body: JSON.stringify(body),
    audit,
  };
}

/** `application/json`, optionally with parameters such as charset. */
export function isJsonContentType(v: string | undefined): boolean {
  if (v === undefined) return false;
  const base = v.split(';', 1)[0].trim().toLowerCase();
  return base === 'application/json';
}
