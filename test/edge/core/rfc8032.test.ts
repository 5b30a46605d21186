/** RFC 8032 section 7.1, TEST 1 to 3, written out here so they do not depend on any file. */
import nacl from 'tweetnacl';
import { ed25519PrivateKey, ed25519PublicKey, ed25519Sign, ed25519Verify, publicKeyOfSeed } from '../../../edge/core/keys';

const VECTORS = [
  {
    name: 'TEST 1',
    secretKey: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    secretKey: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    secretKey: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

describe.each(VECTORS)('RFC 8032 7.1 $name', ({ secretKey, publicKey, message, signature }) => {
  const seed = Buffer.from(secretKey, 'hex');
  const msg = Buffer.from(message, 'hex');

  it('publicKeyOfSeed gives the public key', () => {
    expect(publicKeyOfSeed(seed).toString('hex')).toBe(publicKey);
  });

  it('ed25519Sign gives the signature', () => {
    expect(ed25519Sign(ed25519PrivateKey(seed), msg).toString('hex')).toBe(signature);
  });

  it('ed25519Verify accepts the signature and rejects it for another message', () => {
    const key = ed25519PublicKey(Buffer.from(publicKey, 'hex'));
    expect(ed25519Verify(key, msg, Buffer.from(signature, 'hex'))).toBe(true);
    expect(ed25519Verify(key, Buffer.concat([msg, Buffer.from([0])]), Buffer.from(signature, 'hex'))).toBe(false);
  });

  it('tweetnacl gives byte-identical keys and signatures from the same seed', () => {
    // Act
    const pair = nacl.sign.keyPair.fromSeed(seed);
    const theirs = nacl.sign.detached(msg, pair.secretKey);
    // Assess
    expect(Buffer.from(pair.publicKey).toString('hex')).toBe(publicKey);
    expect(Buffer.from(theirs).toString('hex')).toBe(signature);
    expect(Buffer.from(theirs).equals(ed25519Sign(ed25519PrivateKey(seed), msg))).toBe(true);
  });
});
