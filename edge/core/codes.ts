/**
 * The PROTOCOL.md error table, written once. Every other module takes its
 * statuses and viewer-facing messages from here, so the wire contract has a
 * single source.
 */
export const STATUS_OF = {
  ok: 200,
  malformed_request: 400,
  malformed_token: 400,
  missing_token: 401,
  bad_signature: 401,
  bad_cosignature: 401,
  unknown_kid: 401,
  expired: 401,
  not_yet_valid: 401,
  ip_mismatch: 401,
  wrong_audience: 403,
  ttl_too_long: 403,
  scope_mismatch: 403,
  ip_denied: 403,
  country_denied: 403,
  revoked: 403,
  deny_all: 403,
  origin_not_allowed: 403,
  content_type_mismatch: 403,
  method_not_allowed: 405,
  too_large: 413,
  audit_unavailable: 503,
  config_unavailable: 503,
  // Not in PROTOCOL's table, which has no code for a failing S3 listing:
  // an extension, documented in the README. Never caused by viewer input.
  upstream_error: 502,
} as const;

export type Reason = keyof typeof STATUS_OF;
export type ErrorCode = Exclude<Reason, 'ok'>;

export const ERROR_CODES = Object.keys(STATUS_OF).filter((c) => c !== 'ok') as ErrorCode[];

export function isErrorCode(s: string): s is ErrorCode {
  return s !== 'ok' && Object.prototype.hasOwnProperty.call(STATUS_OF, s);
}

/**
 * Generic messages: they say what class of thing went wrong and never echo the
 * token, the expected value or which byte differed.
 */
export const MESSAGE_OF: Record<ErrorCode, string> = {
  malformed_request: 'The request is malformed.',
  malformed_token: 'A token is malformed.',
  missing_token: 'A grant and a countersignature are required.',
  bad_signature: 'The grant signature is not valid.',
  bad_cosignature: 'The countersignature is not valid.',
  unknown_kid: 'The signing key is not trusted.',
  expired: 'The token has expired.',
  not_yet_valid: 'The token is not yet valid.',
  ip_mismatch: 'The countersignature belongs to another address; cosign again.',
  wrong_audience: 'The grant is for another gatekeeper.',
  ttl_too_long: 'The token lifetime is too long.',
  scope_mismatch: 'The grant does not cover this request.',
  ip_denied: 'Access from this address is not allowed.',
  country_denied: 'Access from this country is not allowed.',
  revoked: 'The grant has been revoked.',
  deny_all: 'Access is suspended.',
  origin_not_allowed: 'This origin is not allowed.',
  content_type_mismatch: 'The content type does not match the grant.',
  method_not_allowed: 'This method is not allowed.',
  too_large: 'The body is larger than the grant allows.',
  audit_unavailable: 'The gatekeeper cannot record this decision; try again later.',
  config_unavailable: 'The gatekeeper is not configured; try again later.',
  upstream_error: 'The storage service did not answer; try again later.',
};

/** Error body exactly as PROTOCOL "Error answers". */
export function errorBody(code: ErrorCode, requestId: string): string {
  return JSON.stringify({ error: { code, message: MESSAGE_OF[code], requestId } });
}
