import { generateKeyPairSync, KeyObject } from 'crypto';
import {
  constantTimeEqual,
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  isKid,
  publicKeyOfSeed,
} from '../../../edge/core/keys';

const SEED = Buffer.alloc(32, 3);
const MSG = Buffer.from('message');

describe('key construction rejects wrong lengths', () => {
  it.each([0, 31, 33, 64])('public key of %i bytes throws', (n) => {
    expect(() => ed25519PublicKey(Buffer.alloc(n, 1))).toThrow(/32 bytes/);
  });

  it.each([0, 31, 33, 64])('seed of %i bytes throws', (n) => {
    expect(() => ed25519PrivateKey(Buffer.alloc(n, 1))).toThrow(/32 bytes/);
  });

  it('a string instead of bytes throws', () => {
    expect(() => ed25519PublicKey('a'.repeat(32) as unknown as Uint8Array)).toThrow();
  });
});

describe('ed25519Verify returns false and never throws', () => {
  const pub = ed25519PublicKey(publicKeyOfSeed(SEED));
  const sig = ed25519Sign(ed25519PrivateKey(SEED), MSG);

  it('for a valid signature with one bit flipped anywhere', () => {
    for (let i = 0; i < 64; i += 7) {
      const bad = Buffer.from(sig);
      bad[i] ^= 0x01;
      expect(ed25519Verify(pub, MSG, bad)).toBe(false);
    }
  });

  it.each([0, 63, 65, 128])('for a signature of %i bytes', (n) => {
    const bad = Buffer.alloc(n);
    sig.copy(bad, 0, 0, Math.min(n, 64));
    expect(ed25519Verify(pub, MSG, bad)).toBe(false);
  });

  it('for a signature with 0x00 appended after a valid one', () => {
    expect(ed25519Verify(pub, MSG, Buffer.concat([sig, Buffer.alloc(1)]))).toBe(false);
  });

  it('for a key of another type', () => {
    const x25519 = generateKeyPairSync('x25519').publicKey;
    expect(ed25519Verify(x25519, MSG, sig)).toBe(false);
  });

  it('for things that are not keys or bytes', () => {
    expect(ed25519Verify(null as unknown as KeyObject, MSG, sig)).toBe(false);
    expect(ed25519Verify({} as unknown as KeyObject, MSG, sig)).toBe(false);
    expect(ed25519Verify(pub, MSG, 'x'.repeat(64) as unknown as Uint8Array)).toBe(false);
    expect(ed25519Verify(pub, 42 as unknown as Uint8Array, sig)).toBe(false);
  });
});

describe('ed25519Sign refuses a public key', () => {
  it('throws', () => {
    expect(() => ed25519Sign(ed25519PublicKey(publicKeyOfSeed(SEED)), MSG)).toThrow(/private key/);
  });
});

describe('isKid rejects', () => {
  it.each([
    ['empty', ''],
    ['65 characters', 'a'.repeat(65)],
    ['a space', 'a b'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['non-ASCII', 'ké'],
    ['a NUL', 'a\u0000'],
    ['a newline', 'a\n'],
  ])('%s', (_label, kid) => {
    expect(isKid(kid)).toBe(false);
  });

  it.each([undefined, null, 1, ['a'], { kid: 'a' }])('non-string %j', (v) => {
    expect(isKid(v)).toBe(false);
  });
});

describe('constantTimeEqual', () => {
  it('is false for a length mismatch, including a prefix', () => {
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    expect(constantTimeEqual(Buffer.alloc(3), Buffer.alloc(4))).toBe(false);
  });

  it('does not equate strings that differ only outside ASCII', () => {
    expect(constantTimeEqual('é', 'è')).toBe(false);
  });
});
