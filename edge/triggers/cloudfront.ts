/**
 * The CloudFront Lambda@Edge event and result shapes, and the conversions
 * between them and the core's CoreRequest / Verdict. Only the fields this
 * project reads are typed.
 */
import type { CoreRequest, Verdict } from '../core/types';

export interface CfHeader {
  key?: string;
  value: string;
}
export type CfHeaders = Record<string, CfHeader[]>;

export interface CfRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CfHeaders;
  body?: { action?: string; data?: string; encoding?: 'base64' | 'text'; inputTruncated?: boolean };
  origin?: unknown;
}

export interface CfEvent {
  Records: { cf: { config: { requestId?: string; eventType?: string; distributionId?: string; distributionDomainName?: string }; request: CfRequest } }[];
}

export interface CfResponse {
  status: string;
  statusDescription: string;
  headers: CfHeaders;
  body?: string;
  bodyEncoding?: 'text' | 'base64';
}

export type CfResult = CfRequest | CfResponse;

const DESCRIPTIONS: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * The request out of an event. Whatever shape the event has, the result is a
 * well-typed request (missing or mistyped fields become empty), so a broken
 * event still gets a decision and its audit record rather than a crash. The
 * original request object is kept for the forward path.
 */
export function unwrapEvent(event: unknown): { cf: CfRequest; requestId: string } {
  const rec = (event as CfEvent | null)?.Records?.[0]?.cf;
  const raw = (rec?.request ?? {}) as Partial<CfRequest>;
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const cf: CfRequest = {
    ...raw,
    clientIp: str(raw.clientIp),
    method: str(raw.method),
    uri: str(raw.uri),
    querystring: str(raw.querystring),
    headers: typeof raw.headers === 'object' && raw.headers !== null && !Array.isArray(raw.headers) ? raw.headers : {},
  };
  const requestId = str(rec?.config?.requestId);
  return { cf, requestId };
}

/** Lower-case names, values in order; malformed header entries are dropped, not trusted. */
export function coreHeaders(h: CfHeaders): Record<string, string[]> {
  // No prototype: a header named __proto__ is just a header.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [name, list] of Object.entries(h)) {
    if (!Array.isArray(list)) continue;
    const values = list.filter((e) => e !== null && typeof e === 'object' && typeof e.value === 'string').map((e) => e.value);
    if (values.length > 0) out[name.toLowerCase()] = values;
  }
  return out;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The POST body CloudFront passes with include_body; invalid UTF-8 counts as absent. */
export function decodeBody(r: CfRequest): { body: string | null; truncated: boolean } {
  const b = r.body;
  if (b === undefined || b === null || typeof b.data !== 'string' || b.data === '') return { body: null, truncated: false };
  const truncated = b.inputTruncated === true;
  if (b.encoding === 'text') return { body: b.data, truncated };
  try {
    return { body: UTF8.decode(Buffer.from(b.data, 'base64')), truncated };
  } catch {
    return { body: null, truncated };
  }
}

export function toCoreRequest(
  cf: CfRequest,
  requestId: string,
  opts: { trustCountry: boolean; edgeLocation: string | null },
): CoreRequest {
  const headers = coreHeaders(cf.headers);
  const { body, truncated } = decodeBody(cf);
  // Only origin-request sees a country CloudFront wrote; at viewer-request
  // the viewer wrote it, so it is never read there.
  const country = opts.trustCountry ? (headers['cloudfront-viewer-country']?.[0] ?? null) : null;
  return {
    requestId,
    method: cf.method.toUpperCase(),
    uri: cf.uri,
    querystring: typeof cf.querystring === 'string' ? cf.querystring : '',
    headers,
    clientIp: cf.clientIp,
    country,
    body,
    bodyTruncated: truncated,
    edgeLocation: opts.edgeLocation,
  };
}

function titleCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

export function toCfHeaders(h: Record<string, string>): CfHeaders {
  const out: CfHeaders = {};
  for (const [name, value] of Object.entries(h)) out[name.toLowerCase()] = [{ key: titleCase(name), value }];
  return out;
}

export function toCfResponse(status: number, headers: Record<string, string>, body: string): CfResponse {
  return {
    status: String(status),
    statusDescription: DESCRIPTIONS[status] ?? 'Error',
    headers: toCfHeaders(headers),
    body,
    bodyEncoding: 'text',
  };
}

/**
 * Applies a forward verdict to the original CloudFront request: removes what
 * the core dropped (keeping each kept header's original entries, so read-only
 * headers are untouched), rewrites the URI, clears the query string.
 */
export function applyForward(cf: CfRequest, v: Extract<Verdict, { action: 'forward' }>): CfRequest {
  const headers: CfHeaders = Object.create(null) as CfHeaders;
  for (const [name, list] of Object.entries(cf.headers)) {
    if (Object.prototype.hasOwnProperty.call(v.headers, name.toLowerCase())) headers[name] = list;
  }
  const out: CfRequest = { ...cf, uri: v.uri, querystring: v.querystring, headers };
  return out;
}
