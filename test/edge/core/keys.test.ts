import { createPublicKey, KeyObject } from 'crypto';
import {
  constantTimeEqual,
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  generateEd25519,
  isKid,
  publicKeyOfSeed,
} from '../../../edge/core/keys';
import { b64uDecode } from '../../../edge/core/b64u';

const SEED = Buffer.alloc(32, 7);

describe('ed25519PublicKey / ed25519PrivateKey', () => {
  it('builds an Ed25519 public key whose raw form is the input', () => {
    // Prepare
    const raw = publicKeyOfSeed(SEED);
    // Act
    const key = ed25519PublicKey(raw);
    // Assess
    expect(key).toBeInstanceOf(KeyObject);
    expect(key.type).toBe('public');
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(key.export({ format: 'der', type: 'spki' }).subarray(12).equals(raw)).toBe(true);
  });

  it('builds a private key whose public half matches publicKeyOfSeed', () => {
    const key = ed25519PrivateKey(SEED);
    expect(key.type).toBe('private');
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    expect(spki.subarray(12).equals(publicKeyOfSeed(SEED))).toBe(true);
  });

  it('caches by content: equal bytes give the same object, other bytes another', () => {
    const raw = publicKeyOfSeed(SEED);
    const a = ed25519PublicKey(raw);
    const b = ed25519PublicKey(Uint8Array.from(raw));
    const c = ed25519PublicKey(publicKeyOfSeed(Buffer.alloc(32, 8)));
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(ed25519PrivateKey(Uint8Array.from(SEED))).toBe(ed25519PrivateKey(SEED));
  });

  it('the cache is bounded: an old entry is rebuilt after 256 others', () => {
    // Prepare
    const first = publicKeyOfSeed(Buffer.alloc(32, 200));
    const original = ed25519PublicKey(first);
    // Act
    for (let i = 0; i < 300; i++) {
      const seed = Buffer.alloc(32);
      seed.writeUInt32BE(i + 1);
      ed25519PublicKey(publicKeyOfSeed(seed));
    }
    const again = ed25519PublicKey(first);
    // Assess
    expect(again).not.toBe(original);
    expect(again.export({ format: 'der', type: 'spki' }).equals(original.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('reads only the viewed part of a Uint8Array', () => {
    const raw = publicKeyOfSeed(SEED);
    const backing = new Uint8Array(40);
    backing.set(raw, 5);
    const key = ed25519PublicKey(backing.subarray(5, 37));
    expect(key.export({ format: 'der', type: 'spki' }).subarray(12).equals(raw)).toBe(true);
  });
});

describe('ed25519Sign / ed25519Verify', () => {
  it('a signature verifies under the matching key only', () => {
    // Prepare
    const msg = Buffer.from('hello');
    const priv = ed25519PrivateKey(SEED);
    const pub = ed25519PublicKey(publicKeyOfSeed(SEED));
    const other = ed25519PublicKey(publicKeyOfSeed(Buffer.alloc(32, 9)));
    // Act
    const sig = ed25519Sign(priv, msg);
    // Assess
    expect(sig.length).toBe(64);
    expect(ed25519Verify(pub, msg, sig)).toBe(true);
    expect(ed25519Verify(other, msg, sig)).toBe(false);
    expect(ed25519Verify(pub, Buffer.from('hellp'), sig)).toBe(false);
  });

  it('is deterministic (RFC 8032)', () => {
    const priv = ed25519PrivateKey(SEED);
    expect(ed25519Sign(priv, Buffer.from('x')).equals(ed25519Sign(priv, Buffer.from('x')))).toBe(true);
  });
});

describe('generateEd25519', () => {
  it('gives a b64u 32-byte public key and seed that belong together', () => {
    // Act
    const { publicKey, privateKey } = generateEd25519();
    // Assess
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const seed = b64uDecode(privateKey) as Buffer;
    const raw = b64uDecode(publicKey) as Buffer;
    expect(seed.length).toBe(32);
    expect(publicKeyOfSeed(seed).equals(raw)).toBe(true);
    const sig = ed25519Sign(ed25519PrivateKey(seed), Buffer.from('m'));
    expect(ed25519Verify(ed25519PublicKey(raw), Buffer.from('m'), sig)).toBe(true);
  });

  it('gives a different pair each time', () => {
    expect(generateEd25519().privateKey).not.toBe(generateEd25519().privateKey);
  });
});

describe('isKid', () => {
  it.each(['a', 'vendor-2026-12', 'gk.2026_12', 'A'.repeat(64), '0', '...', '-_'])('accepts %j', (kid) => {
    expect(isKid(kid)).toBe(true);
  });
});

describe('constantTimeEqual', () => {
  it('compares strings and bytes by content', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual(Buffer.from('abc'), Uint8Array.from([0x61, 0x62, 0x63]))).toBe(true);
    expect(constantTimeEqual('abc', Buffer.from('abc'))).toBe(true);
    expect(constantTimeEqual('é', Buffer.from([0xc3, 0xa9]))).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
