/**
 * The HTTP surface that CloudFront's policies (infra/distribution.ts), the
 * preflight answer (decide/preflight.ts) and the local CloudFront stand-in
 * (scripts/local/proxy.ts) must agree on, written once.
 */

/** What the origin request policy forwards to S3: an upload's type, length and checksum, ranges, conditionals. */
export const S3_ORIGIN_HEADERS: readonly string[] = [
  'content-type',
  'content-length',
  'x-amz-checksum-sha256',
  'range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
];

/**
 * What the origin request policy of `/_gatekeeper/*` includes: the cosigner
 * runs at origin-request and sees only these (plus Host and X-Forwarded-For):
 * the country CloudFront adds (the viewer cannot forge it there), the CORS
 * preflight headers, the body's type, and User-Agent for the audit record.
 */
export const GATEKEEPER_ORIGIN_HEADERS: readonly string[] = [
  'cloudfront-viewer-country',
  'origin',
  'access-control-request-method',
  'access-control-request-headers',
  'content-type',
  'user-agent',
];

/** Request headers a page may send on object requests (CORS allow-headers). */
export const OBJECT_CORS_HEADERS: readonly string[] = [
  'x-gk-grant',
  'x-gk-cosig',
  ...S3_ORIGIN_HEADERS.filter((h) => h !== 'content-length'),
];

/** Request headers a page may send to `/_gatekeeper/*`. */
export const GATEKEEPER_CORS_HEADERS: readonly string[] = ['content-type'];

/** Response headers a page may read on object answers. */
export const EXPOSED_HEADERS: readonly string[] = ['etag', 'content-length', 'content-range', 'content-type', 'last-modified', 'x-amz-version-id'];

export const CORS_MAX_AGE_SECONDS = 600;

export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/** Objects are data, never pages: nothing in them may run, load or navigate. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

/** The response headers policy's security headers, as sent. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}`,
  'x-content-type-options': 'nosniff',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
});
