/**
 * base64url without padding (RFC 4648 section 5), with a strict decoder:
 * PROTOCOL requires that every token has exactly one spelling, so the decoder
 * refuses anything Node's lenient `base64url` decoder would silently accept
 * (padding, `+`, `/`, whitespace, stray bits in the last character).
 */

/** Value of each base64url character, -1 for every other code unit below 128. */
const VALUE = new Int8Array(128).fill(-1);
{
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) VALUE[alphabet.charCodeAt(i)] = i;
}

export function b64uEncode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Returns null (never throws) for anything that is not the canonical encoding
 * of some byte string, so `b64uEncode(b64uDecode(s)) === s` whenever the result
 * is not null.
 */
export function b64uDecode(s: string): Buffer | null {
  if (typeof s !== 'string') return null;
  const n = s.length;
  const rest = n & 3;
  if (rest === 1) return null;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) return null;
    last = VALUE[c];
    if (last < 0) return null;
  }
  // The final character of a partial group carries bits beyond the data: 4 of
  // them after one byte, 2 after two. Canonical encodings leave them zero.
  if (rest === 2 && (last & 0x0f) !== 0) return null;
  if (rest === 3 && (last & 0x03) !== 0) return null;
  return Buffer.from(s, 'base64url');
}
