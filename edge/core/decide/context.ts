import type { KeyObject } from 'node:crypto';
import type { CompiledAcl } from '../acl';
import { b64uEncode } from '../b64u';
import { ed25519PrivateKey, publicKeyOfSeed } from '../keys';

/** The part of the build config the pure decisions need. */
export interface CoreConfig {
  gatekeeperId: string;
  vendorOrigins: readonly string[];
}

/** What any answer needs; `acl` is null only when there is no configuration yet. */
export interface AnswerContext {
  now: number;
  acl: CompiledAcl | null;
  config: CoreConfig;
}

export interface DecideContext extends AnswerContext {
  /** Milliseconds since the epoch; the only clock the core sees. */
  now: number;
  acl: CompiledAcl;
  config: CoreConfig;
}

/** The cosigning key; only the cosigner trigger has one. */
export interface Signer {
  kid: string;
  key: KeyObject;
  /** b64u of the raw public key, to check against the ACL's entry for `kid`. */
  publicKey: string;
}

export function signerFromSeed(kid: string, seed: Uint8Array): Signer {
  return { kid, key: ed25519PrivateKey(seed), publicKey: b64uEncode(publicKeyOfSeed(seed)) };
}
