/**
 * Ed25519 through Node's crypto (OpenSSL), which rejects non-canonical S and
 * the other invalid Wycheproof cases that tweetnacl accepts (PROTOCOL
 * "Encoding and keys"; test/edge/core/wycheproof.test.ts).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, timingSafeEqual, verify } from 'crypto';
import { b64uDecode } from './b64u';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Cache of KeyObjects, because building one parses DER on every request
 * otherwise. Bounded so that an ACL listing many keys (or a stream of
 * attacker-chosen kids mapped to keys elsewhere) cannot grow it without limit;
 * the oldest entry is evicted first.
 */
const CACHE_LIMIT = 256;
const publicCache = new Map<string, KeyObject>();
const privateCache = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, id: string, key: KeyObject): KeyObject {
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(id, key);
  return key;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (!(raw instanceof Uint8Array) || raw.byteLength !== 32) {
    throw new Error('ed25519PublicKey: a public key is exactly 32 bytes');
  }
  const id = asBuffer(raw).toString('hex');
  const hit = publicCache.get(id);
  if (hit !== undefined) return hit;
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  return remember(publicCache, id, key);
}

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (!(seed instanceof Uint8Array) || seed.byteLength !== 32) {
    throw new Error('ed25519PrivateKey: a seed is exactly 32 bytes');
  }
  // Indexed by a digest so the cache does not keep a second, immutable copy of
  // the secret seed as a string.
  const id = createHash('sha256').update(seed).digest('hex');
  const hit = privateCache.get(id);
  if (hit !== undefined) return hit;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return remember(privateCache, id, key);
}

/** Never throws: any failure, including a key of another type, is "not valid". */
export function ed25519Verify(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof KeyObject) || publicKey.asymmetricKeyType !== 'ed25519') return false;
    if (!(signature instanceof Uint8Array) || signature.byteLength !== 64) return false;
    return verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

export function ed25519Sign(privateKey: KeyObject, message: Uint8Array): Buffer {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') {
    throw new Error('ed25519Sign: not an Ed25519 private key');
  }
  return sign(null, message, privateKey);
}

export function publicKeyOfSeed(seed: Uint8Array): Buffer {
  const spki = createPublicKey(ed25519PrivateKey(seed)).export({ format: 'der', type: 'spki' });
  return spki.subarray(SPKI_PREFIX.length);
}

/** A fresh key pair as PROTOCOL writes keys: b64u raw public key, b64u 32-byte seed. */
export function generateEd25519(): { publicKey: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const x = jwk.x;
  const d = jwk.d;
  if (typeof x !== 'string' || typeof d !== 'string' || b64uDecode(x)?.length !== 32 || b64uDecode(d)?.length !== 32) {
    throw new Error('generateEd25519: unexpected key export');
  }
  return { publicKey: x, privateKey: d };
}

/** 1-64 characters of [A-Za-z0-9._-]. */
export function isKid(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const n = s.length;
  if (n < 1 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f || c === 0x2d;
    if (!ok) return false;
  }
  return true;
}

/**
 * Strings are compared as UTF-8. A length mismatch returns false after a
 * comparison of the same cost, so the time depends on the lengths only, never
 * on where the contents differ.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : asBuffer(a);
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : asBuffer(b);
  if (x.length !== y.length) {
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}
