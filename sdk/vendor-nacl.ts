/**
 * Grant signing with tweetnacl only: no `crypto`, no `Buffer`, so it loads in
 * runtimes without Node's crypto (workers, some edge runtimes, browsers for
 * tests). Ed25519 signatures are deterministic, so for the same payload and
 * seed this yields exactly the token that the Node signer (core `signGrant`)
 * yields; test/sdk/vendor-nacl.test.ts holds the two to that.
 */
import nacl from 'tweetnacl';
import { GRANT_DOMAIN, grantJson, type GrantPayload } from '../edge/core/payload';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (PROTOCOL "Encoding and keys"). */
export function b64uEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63];
  }
  return out;
}

/** The payload text: the core's own serializer (edge/core/payload.ts imports nothing). */
export const grantPayloadJson = grantJson;

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Signs a grant payload with a 32-byte Ed25519 seed. Like the core's
 * `signGrant` it does not validate the payload (GrantSigner does); a payload
 * the gatekeeper would refuse still yields a token, which it then rejects.
 */
export function signGrantWithTweetnacl(payload: GrantPayload, seed: Uint8Array): string {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new Error('signGrantWithTweetnacl: seed must be exactly 32 bytes');
  }
  const payloadPart = b64uEncodeBytes(new TextEncoder().encode(grantPayloadJson(payload)));
  const { secretKey } = nacl.sign.keyPair.fromSeed(seed);
  try {
    const signature = nacl.sign.detached(ascii(GRANT_DOMAIN + '.' + payloadPart), secretKey);
    return payloadPart + '.' + b64uEncodeBytes(signature);
  } finally {
    secretKey.fill(0);
  }
}

/** A jti as the SDK makes them: 22 characters, b64u of 16 random bytes. */
export function randomJtiWithTweetnacl(): string {
  return b64uEncodeBytes(nacl.randomBytes(16));
}
