import type { PublicKeyEntry, StackConfig } from './config';

/**
 * The ACL document (PROTOCOL "ACL document") as the stack first writes it, and
 * the two edits a cosigning-key rotation makes. Later edits come from
 * `gatekeeper acl push`; Terraform ignores changes to the secret's value so it
 * never reverts them.
 */
export interface AclDocument {
  version: string;
  mode: 'enforce' | 'report-only' | 'deny-all';
  vendorKeys: PublicKeyEntry[];
  gatekeeperKeys: PublicKeyEntry[];
  countries: { allow: string[]; deny: string[] };
  ips: { allow: string[]; deny: string[] };
  revoked: { jti: string[]; kid: string[] };
  maxGrantTtlSeconds: number;
  cosignTtlSeconds: number;
  clockSkewSeconds: number;
}

export const INITIAL_ACL_VERSION = 'initial';

export function initialAclDocument(c: StackConfig): AclDocument {
  return {
    version: INITIAL_ACL_VERSION,
    mode: 'enforce',
    vendorKeys: c.vendorKeys.map((k) => ({ ...k })),
    gatekeeperKeys: c.gatekeeperKeys.map((k) => ({ ...k })),
    countries: { allow: [...c.acl.countriesAllow], deny: [] },
    ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
    revoked: { jti: [], kid: [] },
    maxGrantTtlSeconds: c.acl.maxGrantTtlSeconds,
    cosignTtlSeconds: c.acl.cosignTtlSeconds,
    clockSkewSeconds: c.acl.clockSkewSeconds,
  };
}

/**
 * Next `version` string: `YYYY-MM-DD.N`, N counting up within one UTC day,
 * so every pushed document is told apart in the audit log (`acl_version`).
 */
export function nextAclVersion(previous: unknown, now: Date): string {
  const day = now.toISOString().slice(0, 10);
  const m = typeof previous === 'string' ? /^(\d{4}-\d{2}-\d{2})\.(\d{1,9})$/.exec(previous) : null;
  const n = m && m[1] === day ? Number(m[2]) + 1 : 1;
  return `${day}.${n}`;
}

type Doc = Record<string, unknown>;

function gatekeeperKeysOf(doc: Doc): PublicKeyEntry[] {
  const keys = doc.gatekeeperKeys;
  if (!Array.isArray(keys)) throw new Error('gatekeeperKeys: missing from the current ACL');
  return keys.map((k, i) => {
    if (typeof k !== 'object' || k === null || typeof (k as Doc).kid !== 'string' || typeof (k as Doc).publicKey !== 'string') {
      throw new Error(`gatekeeperKeys[${i}]: not a {kid, publicKey} entry`);
    }
    return { kid: (k as Doc).kid as string, publicKey: (k as Doc).publicKey as string };
  });
}

/** Rotation step 1: trust the new cosigning key next to the old one. Other fields are kept as they are. */
export function addGatekeeperKey(doc: Doc, key: PublicKeyEntry, now: Date): Doc {
  const keys = gatekeeperKeysOf(doc);
  const same = keys.find((k) => k.kid === key.kid);
  if (same && same.publicKey !== key.publicKey) throw new Error(`gatekeeperKeys: kid ${key.kid} is already trusted with another public key`);
  if (same) return doc;
  return { ...doc, version: nextAclVersion(doc.version, now), gatekeeperKeys: [...keys, { kid: key.kid, publicKey: key.publicKey }] };
}

/** Rotation step 3: stop trusting the old key. Refuses to remove the last one (no cosig could verify). */
export function removeGatekeeperKey(doc: Doc, kid: string, now: Date): Doc {
  const keys = gatekeeperKeysOf(doc);
  if (!keys.some((k) => k.kid === kid)) throw new Error(`gatekeeperKeys: kid ${kid} is not in the ACL`);
  const rest = keys.filter((k) => k.kid !== kid);
  if (rest.length === 0) throw new Error(`gatekeeperKeys: refusing to remove ${kid}, the only trusted cosigning key`);
  return { ...doc, version: nextAclVersion(doc.version, now), gatekeeperKeys: rest };
}
