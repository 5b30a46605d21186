import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { validateAcl } from '../../edge/core/acl';
import { cidrError } from '../../edge/core/ip';

/**
 * The local stack's one config file (issue 5, "Configuration"). Created with
 * fresh keys on first run; every later run reads it back, so the vendor key
 * and the gatekeeper key stay stable across restarts.
 */
export interface LocalConfig {
  /** The `aud` every grant must carry. */
  gatekeeperId: string;
  /** Port of the CloudFront-like proxy (the gatekeeper URL). 0: any free port. */
  port: number;
  /** Port of the demo vendor app. 0: any free port. */
  demoPort: number;
  /** Bucket name in the S3 emulator. */
  bucket: string;
  /** Exact browser origins (scheme://host[:port]) allowed to call the gatekeeper. */
  vendorOrigins: string[];
  /** CIDR (or single address) → ISO country code, as CloudFront's geo lookup would answer. */
  geo: Record<string, string>;
  /** A PROTOCOL ACL document, written to the local secret file at start. */
  acl: Record<string, unknown>;
  /** The gatekeeper's cosigning key (seed, b64u). */
  signingKey: { kid: string; privateKey: string };
  /** The demo vendor app's grant-signing key (seed, b64u). */
  vendorKey: { kid: string; privateKey: string };
  /** Where emulator data and audit Parquet files live. Relative paths are relative to the working directory. */
  dataDir: string;
  /** Seconds an ACL stays fresh in memory (as in the build config; default there: 60). */
  aclTtlSeconds?: number;
}

export const DEFAULT_CONFIG_PATH = join('local', 'gatekeeper.local.json');
export const CONFIG_ENV = 'GATEKEEPER_LOCAL_CONFIG';
export const DEFAULT_COUNTRIES = ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'];

export class LocalConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'LocalConfigError';
  }
}

/** The path in use: the argument, else $GATEKEEPER_LOCAL_CONFIG, else local/gatekeeper.local.json. */
export function localConfigPath(path?: string): string {
  return resolve(path || process.env[CONFIG_ENV] || DEFAULT_CONFIG_PATH);
}

// PKCS#8 wrapping of an Ed25519 seed (RFC 8410): node imports raw seeds only this way.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const B64U_RE = /^[A-Za-z0-9_-]*$/;

/** Strict b64u of exactly `len` bytes (no padding, canonical trailing bits), or undefined. */
function b64uBytes(s: string, len: number): Buffer | undefined {
  if (!B64U_RE.test(s)) return undefined;
  const buf = Buffer.from(s, 'base64url');
  if (buf.length !== len || buf.toString('base64url') !== s) return undefined;
  return buf;
}

/** The b64u public key of an Ed25519 private key given as its b64u 32-byte seed. */
export function publicKeyOf(privateKeyB64u: string): string {
  const seed = b64uBytes(privateKeyB64u, 32);
  if (!seed) throw new Error('privateKey: must be the b64u of a 32-byte Ed25519 seed');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(priv).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('privateKey: no public key derived');
  return jwk.x;
}

/** A fresh Ed25519 key pair as b64u seed and public key. */
export function generateEd25519(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw new Error('ed25519 key export failed');
  return { privateKey: jwk.d, publicKey: jwk.x };
}

/** The PROTOCOL default ACL trusting the given vendor and gatekeeper keys. */
export function defaultAcl(
  vendor: { kid: string; publicKey: string },
  gatekeeper: { kid: string; publicKey: string },
  version: string,
): Record<string, unknown> {
  return {
    version,
    mode: 'enforce',
    vendorKeys: [vendor],
    gatekeeperKeys: [gatekeeper],
    countries: { allow: [...DEFAULT_COUNTRIES], deny: [] },
    ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
    revoked: { jti: [], kid: [] },
    maxGrantTtlSeconds: 900,
    cosignTtlSeconds: 300,
    clockSkewSeconds: 30,
  };
}

/** A complete config with fresh keys and the documented defaults. */
export function defaultLocalConfig(now: Date = new Date()): LocalConfig {
  const month = now.toISOString().slice(0, 7);
  const day = now.toISOString().slice(0, 10);
  const vendor = generateEd25519();
  const gk = generateEd25519();
  // A random suffix keeps two developers' local keys from sharing a kid.
  const tag = randomBytes(3).toString('hex');
  const vendorKid = `vendor-local-${month}-${tag}`;
  const gkKid = `gk-local-${month}-${tag}`;
  return {
    gatekeeperId: 'gk-local',
    port: 8480,
    demoPort: 8481,
    bucket: 'gatekeeper-local',
    vendorOrigins: ['http://127.0.0.1:8481', 'http://localhost:8481'],
    geo: { '127.0.0.0/8': 'US' },
    acl: defaultAcl({ kid: vendorKid, publicKey: vendor.publicKey }, { kid: gkKid, publicKey: gk.publicKey }, `${day}.1`),
    signingKey: { kid: gkKid, privateKey: gk.privateKey },
    vendorKey: { kid: vendorKid, privateKey: vendor.privateKey },
    dataDir: 'local',
  };
}

type Obj = Record<string, unknown>;

const KNOWN = new Set([
  '$schema',
  'gatekeeperId',
  'port',
  'demoPort',
  'bucket',
  'vendorOrigins',
  'geo',
  'acl',
  'signingKey',
  'vendorKey',
  'dataDir',
  'aclTtlSeconds',
]);
const KID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const ORIGIN_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const COUNTRY_RE = /^[A-Z]{2}$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function required(o: Obj, f: string): unknown {
  if (o[f] === undefined) throw new LocalConfigError(f, 'required');
  return o[f];
}

function port(o: Obj, f: string): number {
  const v = required(o, f);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) {
    throw new LocalConfigError(f, 'must be an integer from 0 to 65535');
  }
  return v;
}

/** An ACL validator error (`ips.deny[3]: ...`, `(root): ...`) with its path under `acl`. */
function aclPath(e: string): string {
  if (e.startsWith('(root)')) return `acl${e.slice('(root)'.length)}`;
  return e.startsWith('[') ? `acl${e}` : `acl.${e}`;
}

function keyRef(o: Obj, f: string): { kid: string; privateKey: string } {
  const v = required(o, f);
  if (!isObj(v)) throw new LocalConfigError(f, 'must be {"kid", "privateKey"}');
  for (const k of Object.keys(v)) if (k !== 'kid' && k !== 'privateKey') throw new LocalConfigError(`${f}.${k}`, 'unknown field');
  if (typeof v.kid !== 'string' || !KID_RE.test(v.kid)) throw new LocalConfigError(`${f}.kid`, 'must be 1-64 chars of [A-Za-z0-9._-]');
  // Never echo the value: it is a private key.
  if (typeof v.privateKey !== 'string' || !b64uBytes(v.privateKey, 32)) {
    throw new LocalConfigError(`${f}.privateKey`, 'must be the b64u (no padding) of a 32-byte Ed25519 seed');
  }
  return { kid: v.kid, privateKey: v.privateKey };
}

/** Validates a parsed config; throws LocalConfigError whose message starts with the field path. */
export function parseLocalConfig(input: unknown): LocalConfig {
  if (!isObj(input)) throw new LocalConfigError('(root)', 'must be a JSON object');
  const o = input;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new LocalConfigError(k, 'unknown field');

  const gatekeeperId = required(o, 'gatekeeperId');
  if (typeof gatekeeperId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(gatekeeperId)) {
    throw new LocalConfigError('gatekeeperId', 'must be 1-128 chars of [A-Za-z0-9._:-]');
  }
  const p = port(o, 'port');
  const demoPort = port(o, 'demoPort');
  if (p !== 0 && p === demoPort) throw new LocalConfigError('demoPort', 'must differ from port');

  const bucket = required(o, 'bucket');
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new LocalConfigError('bucket', 'must be an S3 bucket name');
  }

  const origins = required(o, 'vendorOrigins');
  if (!Array.isArray(origins)) throw new LocalConfigError('vendorOrigins', 'must be a list of origins');
  origins.forEach((v, i) => {
    if (typeof v !== 'string' || !ORIGIN_RE.test(v)) {
      throw new LocalConfigError(`vendorOrigins[${i}]`, 'must be scheme://host[:port] with no path or trailing slash');
    }
  });

  const geo = required(o, 'geo');
  if (!isObj(geo)) throw new LocalConfigError('geo', 'must be an object of CIDR → country');
  for (const [cidr, c] of Object.entries(geo)) {
    // The edge's own CIDR rules (as for ACL ips entries), so a map that loads here also loads in the proxy.
    const bad = cidrError(cidr);
    if (bad) throw new LocalConfigError(`geo["${cidr}"]`, bad);
    if (typeof c !== 'string' || !COUNTRY_RE.test(c)) {
      throw new LocalConfigError(`geo["${cidr}"]`, 'must be an ISO 3166-1 alpha-2 code in upper case');
    }
  }

  const acl = required(o, 'acl');
  if (!isObj(acl)) throw new LocalConfigError('acl', 'must be an ACL document (a JSON object)');
  // The edge's validator, so the stack never starts with an ACL the edge would refuse.
  const checked = validateAcl(acl);
  if (!checked.ok) {
    const [first, ...more] = checked.errors.map(aclPath);
    const colon = first.indexOf(': ');
    throw new LocalConfigError(first.slice(0, colon), first.slice(colon + 2) + (more.length ? `; also ${more.join('; ')}` : ''));
  }

  const signingKey = keyRef(o, 'signingKey');
  const vendorKey = keyRef(o, 'vendorKey');

  const dataDir = required(o, 'dataDir');
  if (typeof dataDir !== 'string' || dataDir.trim() === '' || dataDir.includes('\0')) {
    throw new LocalConfigError('dataDir', 'must be a directory path');
  }

  const config: LocalConfig = {
    gatekeeperId,
    port: p,
    demoPort,
    bucket,
    vendorOrigins: origins as string[],
    geo: geo as Record<string, string>,
    acl,
    signingKey,
    vendorKey,
    dataDir,
  };
  if (o.aclTtlSeconds !== undefined) {
    const t = o.aclTtlSeconds;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 3600) {
      throw new LocalConfigError('aclTtlSeconds', 'must be an integer from 1 to 3600');
    }
    config.aclTtlSeconds = t;
  }
  return config;
}

/** Reads and validates an existing config; never creates one. */
export function readLocalConfig(path?: string): LocalConfig {
  const file = localConfigPath(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${file}: no local config (run \`npm start\` once to create it, or pass --config / set ${CONFIG_ENV})`);
    }
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LocalConfigError('(root)', `${file} is not valid JSON (${(err as Error).message})`);
  }
  return parseLocalConfig(parsed);
}

/**
 * The local config, created with fresh keys when the file is absent. Creation
 * is atomic (write aside, then hard-link into place), so a concurrent start
 * never sees half a file and never overwrites keys another one just wrote.
 */
export function loadLocalConfig(path?: string): LocalConfig {
  const file = localConfigPath(path);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    // 0600: the file holds private keys.
    writeFileSync(tmp, JSON.stringify(defaultLocalConfig(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return readLocalConfig(file);
}
