/**
 * The vendor backend SDK (Node): load a vendor key, sign grants for the
 * objects a report shows, for a prefix and for an upload. Every grant it
 * returns has been parsed back with the gatekeeper's own parser, so it never
 * hands out a token that the gatekeeper would refuse as malformed.
 *
 * Signing uses Node's crypto through the core. `signGrantWithTweetnacl`
 * (sdk/vendor-nacl.ts) produces the same tokens where Node's crypto is absent.
 */
import { randomBytes } from 'crypto';
import { b64uDecode, b64uEncode } from '../edge/core/b64u';
import { parseJsonObject } from '../edge/core/json';
import { ed25519PrivateKey, isKid, publicKeyOfSeed } from '../edge/core/keys';
import { isValidObjectKey, isValidPrefix } from '../edge/core/objectKey';
import { parseGrant, signGrant, type GrantPayload, type Op } from '../edge/core/tokens';

export { signGrantWithTweetnacl, grantPayloadJson, randomJtiWithTweetnacl } from './vendor-nacl';
export type { GrantPayload, Op } from '../edge/core/tokens';

/**
 * A loaded vendor key. Only the public half is visible: the seed is held
 * outside the object, so logging or serializing a VendorKey (which gives the
 * `{"kid","publicKey"}` entry of an ACL's `vendorKeys`) never reveals it.
 */
export interface VendorKey {
  readonly kid: string;
  readonly publicKey: string;
}

export interface GrantSignerOptions {
  /** The customer's gatekeeper id: every grant's `aud`. */
  audience: string;
  /** Default lifetime of a grant; 300 when left out. */
  ttlSeconds?: number;
  /** Clock in milliseconds since the epoch; Date.now when left out. */
  now?: () => number;
}

export interface GrantOptions {
  /** The vendor-side principal, recorded in the customer's audit log. */
  sub?: string;
  ttlSeconds?: number;
}

export interface PutGrantOptions extends GrantOptions {
  /** The upload's Content-Length must be present and at most this. */
  maxBytes?: number;
  /** The upload's Content-Type must equal this. */
  contentType?: string;
  /** Hex SHA-256 of the exact body (either case; written lower case). */
  sha256?: string;
}

export const DEFAULT_GRANT_TTL_SECONDS = 300;
/** The largest `maxGrantTtlSeconds` an ACL may set; a longer grant is refused everywhere. */
export const MAX_GRANT_TTL_SECONDS = 86400;

const SEEDS = new WeakMap<VendorKey, Uint8Array>();
const KEY_FIELDS = ['kid', 'privateKey', 'publicKey'];
const AUDIENCE = /^[A-Za-z0-9._:-]{1,128}$/;
const HEX64 = /^[0-9A-Fa-f]{64}$/;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function has(o: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, name);
}

/**
 * Reads a key as `gatekeeper keygen` writes it (`{"kid","publicKey","privateKey"}`,
 * publicKey optional). Errors name the field and never quote a value.
 */
export function loadVendorKey(json: string | { kid: string; privateKey: string; publicKey?: string }): VendorKey {
  let fields: Record<string, unknown>;
  if (typeof json === 'string') {
    const parsed = parseJsonObject(json);
    if (!parsed.ok) throw new Error(`loadVendorKey: not a JSON object (${parsed.detail})`);
    fields = parsed.value;
  } else if (isPlainObject(json)) {
    fields = json;
  } else {
    throw new Error('loadVendorKey: expects the key file text or an object {"kid", "privateKey"}');
  }
  for (const name of Object.keys(fields)) {
    if (!KEY_FIELDS.includes(name)) throw new Error(`loadVendorKey: unknown field ${JSON.stringify(name.slice(0, 40))}`);
  }
  if (!has(fields, 'kid')) throw new Error('loadVendorKey: kid is required');
  if (!isKid(fields.kid)) throw new Error('loadVendorKey: kid must be 1-64 characters of [A-Za-z0-9._-]');
  if (!has(fields, 'privateKey')) throw new Error('loadVendorKey: privateKey is required');
  const seed = typeof fields.privateKey === 'string' ? b64uDecode(fields.privateKey) : null;
  if (seed === null || seed.length !== 32) {
    throw new Error('loadVendorKey: privateKey must be the base64url (no padding) of a 32-byte Ed25519 seed');
  }
  const publicKey = b64uEncode(publicKeyOfSeed(seed));
  if (has(fields, 'publicKey') && fields.publicKey !== publicKey) {
    throw new Error('loadVendorKey: publicKey is not the public half of privateKey');
  }
  const key: VendorKey = Object.freeze({ kid: fields.kid, publicKey });
  SEEDS.set(key, new Uint8Array(seed));
  seed.fill(0);
  return key;
}

/** What the core parser says about a payload, in terms of the SDK argument that caused it. */
const PARSE_PROBLEM: Record<string, string> = {
  'bad aud': 'audience must be 1-128 characters of [A-Za-z0-9._:-]',
  'bad key': 'key is not a valid object key',
  'bad prefix': 'prefix is not a valid prefix',
  'bad sub': 'sub must be 1-256 characters without control characters',
  'bad maxBytes': 'maxBytes must be a non-negative integer',
  'bad contentType': 'contentType must be 1-255 printable ASCII characters',
  'bad sha256': 'sha256 must be 64 hex digits',
  'bad iat': 'now() gave a time before 1970 or beyond the safe integer range',
  'bad exp': 'ttlSeconds takes exp beyond the safe integer range',
};

const KEY_RULE = 'a valid object key (no leading "/", no empty, "." or ".." segment, no control character, at most 1024 bytes of UTF-8)';

function checkOptions(method: string, o: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (o === undefined) return {};
  if (!isPlainObject(o)) throw new Error(`${method}: options must be an object`);
  for (const name of Object.keys(o)) {
    // A put-only constraint passed to a get grant would silently not apply; refuse it.
    if (!allowed.includes(name)) throw new Error(`${method}: unknown option ${JSON.stringify(name.slice(0, 40))}`);
  }
  return o;
}

function checkTtl(where: string, ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_GRANT_TTL_SECONDS) {
    throw new Error(`${where}: ttlSeconds must be an integer from 1 to ${MAX_GRANT_TTL_SECONDS}`);
  }
  return ttl;
}

const GET_OPTIONS = ['sub', 'ttlSeconds'] as const;
const PUT_OPTIONS = ['sub', 'ttlSeconds', 'maxBytes', 'contentType', 'sha256'] as const;

export class GrantSigner {
  readonly kid: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  private readonly seed: Uint8Array;
  private readonly now: () => number;

  constructor(key: VendorKey, opts: GrantSignerOptions) {
    const seed = isPlainObject(key) ? SEEDS.get(key) : undefined;
    if (seed === undefined) throw new Error('GrantSigner: key must come from loadVendorKey');
    if (!isPlainObject(opts)) throw new Error('GrantSigner: options {"audience"} are required');
    for (const name of Object.keys(opts)) {
      if (!['audience', 'ttlSeconds', 'now'].includes(name)) {
        throw new Error(`GrantSigner: unknown option ${JSON.stringify(name.slice(0, 40))}`);
      }
    }
    if (typeof opts.audience !== 'string' || !AUDIENCE.test(opts.audience)) {
      throw new Error('GrantSigner: audience must be the gatekeeper id, 1-128 characters of [A-Za-z0-9._:-]');
    }
    if (opts.now !== undefined && typeof opts.now !== 'function') throw new Error('GrantSigner: now must be a function');
    this.kid = key.kid;
    this.audience = opts.audience;
    this.ttlSeconds = opts.ttlSeconds === undefined ? DEFAULT_GRANT_TTL_SECONDS : checkTtl('GrantSigner', opts.ttlSeconds);
    this.seed = seed;
    this.now = opts.now ?? Date.now;
  }

  /** A grant for GET and HEAD of one object. */
  grantGet(key: string, o?: GrantOptions): string {
    const opts = checkOptions('grantGet', o, GET_OPTIONS);
    if (typeof key !== 'string' || !isValidObjectKey(key)) throw new Error(`grantGet: key must be ${KEY_RULE}`);
    return this.sign('grantGet', { op: 'get', key }, opts);
  }

  /** A grant for every object under a prefix (`get`) or for listing it (`list`). */
  grantPrefix(prefix: string, op: 'get' | 'list', o?: GrantOptions): string {
    return this.prefixGrant('grantPrefix', prefix, op, o);
  }

  /** A grant to list a prefix through `POST /_gatekeeper/v1/list`. */
  grantList(prefix: string, o?: GrantOptions): string {
    return this.prefixGrant('grantList', prefix, 'list', o);
  }

  /** A grant to upload one object, optionally bound to a size limit, a content type and a digest. */
  grantPut(key: string, o?: PutGrantOptions): string {
    const opts = checkOptions('grantPut', o, PUT_OPTIONS);
    if (typeof key !== 'string' || !isValidObjectKey(key)) throw new Error(`grantPut: key must be ${KEY_RULE}`);
    const extra: Partial<GrantPayload> = {};
    if (opts.maxBytes !== undefined) {
      if (typeof opts.maxBytes !== 'number' || !Number.isSafeInteger(opts.maxBytes) || opts.maxBytes < 0) {
        throw new Error('grantPut: maxBytes must be a non-negative integer');
      }
      extra.maxBytes = opts.maxBytes;
    }
    if (opts.contentType !== undefined) {
      if (typeof opts.contentType !== 'string') throw new Error('grantPut: contentType must be a string');
      extra.contentType = opts.contentType;
    }
    if (opts.sha256 !== undefined) {
      if (typeof opts.sha256 !== 'string' || !HEX64.test(opts.sha256)) {
        throw new Error('grantPut: sha256 must be the SHA-256 of the body as 64 hex digits');
      }
      extra.sha256 = opts.sha256.toLowerCase();
    }
    return this.sign('grantPut', { op: 'put', key, ...extra }, opts);
  }

  /**
   * One `get` grant per object of a report, keyed by object key (duplicates
   * collapse to one). Every key is checked before any grant is signed.
   */
  grantsForReport(keys: string[], o?: GrantOptions): Record<string, string> {
    const opts = checkOptions('grantsForReport', o, GET_OPTIONS);
    if (!Array.isArray(keys)) throw new Error('grantsForReport: keys must be an array of object keys');
    keys.forEach((key: unknown, i: number) => {
      if (typeof key !== 'string' || !isValidObjectKey(key)) throw new Error(`grantsForReport: keys[${i}] must be ${KEY_RULE}`);
    });
    // No prototype: "__proto__" and "constructor" are valid object keys.
    const out = Object.create(null) as Record<string, string>;
    for (const key of keys) {
      if (!has(out, key)) out[key] = this.sign('grantsForReport', { op: 'get', key }, opts);
    }
    return out;
  }

  private prefixGrant(method: string, prefix: string, op: unknown, o: GrantOptions | undefined): string {
    const opts = checkOptions(method, o, GET_OPTIONS);
    if (op !== 'get' && op !== 'list') throw new Error(`${method}: op must be "get" or "list" (a put grant names one key)`);
    if (typeof prefix !== 'string' || !isValidPrefix(prefix)) {
      throw new Error(`${method}: prefix must end with "/" and, without it, be ${KEY_RULE}`);
    }
    return this.sign(method, { op, prefix }, opts);
  }

  private sign(method: string, scope: Partial<GrantPayload> & { op: Op }, opts: Record<string, unknown>): string {
    const ttl = opts.ttlSeconds === undefined ? this.ttlSeconds : checkTtl(method, opts.ttlSeconds);
    if (opts.sub !== undefined && typeof opts.sub !== 'string') throw new Error(`${method}: sub must be a string`);
    const now = this.now();
    if (typeof now !== 'number' || !Number.isFinite(now) || now < 0) {
      throw new Error(`${method}: now() must return milliseconds since the epoch`);
    }
    const iat = Math.floor(now / 1000);
    const payload: GrantPayload = {
      v: 1,
      kid: this.kid,
      aud: this.audience,
      ...scope,
      iat,
      exp: iat + ttl,
      jti: b64uEncode(randomBytes(16)),
    };
    if (opts.sub !== undefined) payload.sub = opts.sub as string;
    const token = signGrant(payload, ed25519PrivateKey(this.seed));
    const check = parseGrant(token);
    if (!check.ok) throw new Error(`${method}: ${PARSE_PROBLEM[check.detail] ?? `the gatekeeper would refuse this grant (${check.detail})`}`);
    return token;
  }
}
