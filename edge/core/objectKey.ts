/**
 * Object keys and their URI form (PROTOCOL "Grant payload", Keys; and the
 * canonical URI the edge forwards to S3).
 */

const MAX_KEY_BYTES = 1024;

/**
 * PROTOCOL key rules, read strictly: not empty; no leading `/`; no empty, `.`
 * or `..` segment (so no trailing `/` and no `//` either); no C0 control, DEL
 * or C1 control (U+0080-U+009F); no lone surrogate (no UTF-8 form); at most
 * 1024 bytes of UTF-8.
 */
export function isValidObjectKey(key: string): boolean {
  return keyBytes(key) > 0;
}

/**
 * A key followed by `/`, at most 1024 bytes of UTF-8 in all (any key under it
 * is longer than the prefix, and keys are at most 1024 bytes).
 */
export function isValidPrefix(prefix: string): boolean {
  if (typeof prefix !== 'string' || prefix.length < 2 || prefix.charCodeAt(prefix.length - 1) !== 0x2f) return false;
  const bytes = keyBytes(prefix.slice(0, -1));
  return bytes > 0 && bytes + 1 <= MAX_KEY_BYTES;
}

/** UTF-8 length of a valid key, or 0 when the key is not valid. One pass, no allocation. */
function keyBytes(key: string): number {
  if (typeof key !== 'string') return 0;
  const n = key.length;
  if (n === 0) return 0;
  let bytes = 0;
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? key.charCodeAt(i) : 0x2f;
    if (c === 0x2f) {
      const len = i - segStart;
      if (len === 0) return 0;
      if (key.charCodeAt(segStart) === 0x2e && (len === 1 || (len === 2 && key.charCodeAt(segStart + 1) === 0x2e))) return 0;
      segStart = i + 1;
      bytes += 1;
      continue;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return 0;
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00 || i + 1 >= n) return 0;
      const low = key.charCodeAt(i + 1);
      if (low < 0xdc00 || low > 0xdfff) return 0;
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  bytes -= 1; // the virtual `/` that closed the last segment
  return bytes <= MAX_KEY_BYTES ? bytes : 0;
}

/** encodeURIComponent leaves these sub-delims alone; RFC 3986 unreserved does not include them. */
const EXTRA_ESCAPES = /[!'()*]|%2F/g;

function escapeExtra(m: string): string {
  return m === '%2F' ? '/' : '%' + m.charCodeAt(0).toString(16).toUpperCase();
}

/**
 * `/` + the key with every byte of its UTF-8 form percent-encoded (upper-case
 * hex) except the RFC 3986 unreserved characters and the `/` separators, so
 * one key has exactly one URI. Throws on a lone surrogate (not a valid key).
 */
export function canonicalKeyUri(key: string): string {
  return '/' + encodeURIComponent(key).replace(EXTRA_ESCAPES, escapeExtra);
}

/**
 * Strict inverse of percent-encoding for a CloudFront URI path. Raw characters
 * must be visible ASCII (a URI has no raw space, control or non-ASCII
 * character); every `%` must start a two-hex-digit escape; the escaped bytes
 * must be well-formed UTF-8 (no overlong forms, surrogates or values above
 * U+10FFFF). `+` is a literal plus, as in any path. The result is not checked
 * as a key: callers apply isValidObjectKey.
 */
export function keyFromUri(uri: string): string | null {
  if (typeof uri !== 'string' || uri.charCodeAt(0) !== 0x2f) return null;
  const n = uri.length;
  let escapes = false;
  for (let i = 1; i < n; i++) {
    const c = uri.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return null;
    if (c === 0x25) escapes = true;
  }
  if (!escapes) return uri.slice(1);
  try {
    // decodeURIComponent implements exactly these rules (ECMA-262 Decode,
    // RFC 3629 UTF-8) and throws URIError on any violation.
    return decodeURIComponent(uri.slice(1));
  } catch {
    return null;
  }
}
