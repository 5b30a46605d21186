/**
 * The customer's ACL document (PROTOCOL "ACL document", "ACL decision order"):
 * validation with every error named by its JSONPath, compilation into lookup
 * structures, and the decision itself.
 *
 * Choices where PROTOCOL is silent (always the stricter reading):
 * - `gatekeeperKeys` needs at least one key: without one no cosig can ever be
 *   checked, which is a broken document rather than a policy. `vendorKeys` may
 *   be empty: "trust no vendor" is a policy (every grant is `unknown_kid`).
 * - A key listed in both `vendorKeys` and `gatekeeperKeys` is refused: the
 *   vendor would hold the private half and could countersign its own grants.
 * - `XX` (unknown country) is accepted in `countries.allow` and
 *   `countries.deny`, and only when written: the default list leaves it out.
 * - Duplicate entries in a list are harmless and accepted; duplicate member
 *   names in the JSON text are refused (two readers could pick different ones).
 * - `ips.allow: null` is refused: absence, not null, means "every address".
 * - `version` may not contain control characters (it lands in every audit record).
 * - A viewer IP that does not parse is `ip_denied` (fail closed), although
 *   callers are expected to pass `normalizeIp` output.
 */
import type { KeyObject } from 'crypto';
import { b64uDecode } from './b64u';
import { countryHint, DEFAULT_ALLOWED_COUNTRIES, ISO_COUNTRIES, UNKNOWN_COUNTRY } from './countries';
import { cidrError, compileIpSet, parseIp, type IpSet } from './ip';
import { parseJsonObject } from './json';
import { ed25519PublicKey, isKid } from './keys';

export type AclMode = 'enforce' | 'report-only' | 'deny-all';

export interface AclKey {
  kid: string;
  publicKey: string;
}

export interface AclDocument {
  version: string;
  mode: AclMode;
  vendorKeys: AclKey[];
  gatekeeperKeys: AclKey[];
  /** After defaults. */
  countries: { allow: string[]; deny: string[] };
  /** `allow: null` = absent = every address. */
  ips: { allow: string[] | null; deny: string[] };
  revoked: { jti: string[]; kid: string[] };
  maxGrantTtlSeconds: number;
  cosignTtlSeconds: number;
  clockSkewSeconds: number;
}

export type AclValidation = { ok: true; acl: AclDocument } | { ok: false; errors: string[] };

export interface CompiledAcl {
  doc: AclDocument;
  version: string;
  mode: AclMode;
  vendorKeys: ReadonlyMap<string, KeyObject>;
  gatekeeperKeys: ReadonlyMap<string, KeyObject>;
  revokedJti: ReadonlySet<string>;
  revokedKid: ReadonlySet<string>;
  ipAllow: IpSet | null;
  ipDeny: IpSet;
  countryAllow: ReadonlySet<string>;
  countryDeny: ReadonlySet<string>;
}

export interface AclSubject {
  /** Normalized (`normalizeIp`). */
  ip: string;
  /** Upper-case code, `XX` when CloudFront gave none; null = not decided in this trigger (viewer-request). */
  country: string | null;
  vendorKid?: string | null;
  jti?: string | null;
}

export type AclOutcome = {
  decision: 'allow' | 'deny' | 'would_deny';
  reason: 'ok' | 'deny_all' | 'revoked' | 'unknown_kid' | 'ip_denied' | 'country_denied';
};

export const ACL_MODES: readonly AclMode[] = ['enforce', 'report-only', 'deny-all'];

export const ACL_DEFAULTS = Object.freeze({
  maxGrantTtlSeconds: 900,
  cosignTtlSeconds: 300,
  clockSkewSeconds: 30,
});

const INTEGER_FIELDS = [
  { name: 'maxGrantTtlSeconds', min: 1, max: 86400 },
  { name: 'cosignTtlSeconds', min: 1, max: 3600 },
  { name: 'clockSkewSeconds', min: 0, max: 300 },
] as const;

const TOP_FIELDS = [
  'version',
  'mode',
  'vendorKeys',
  'gatekeeperKeys',
  'countries',
  'ips',
  'revoked',
  'maxGrantTtlSeconds',
  'cosignTtlSeconds',
  'clockSkewSeconds',
];

const MAX_VERSION_LENGTH = 128;
/** Enough to fix any real document in one pass, without an unbounded report. */
const MAX_ERRORS = 1000;
const JTI = /^[A-Za-z0-9_-]{16,64}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Json, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, name);
}

/** A value from the document, quoted for an error; long ones are cut so errors stay short. */
function show(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function member(parent: string, name: string): string {
  if (IDENTIFIER.test(name)) return parent === '' ? name : `${parent}.${name}`;
  return `${parent}[${show(name)}]`;
}

class Errors {
  readonly list: string[] = [];
  private dropped = 0;

  add(path: string, message: string): void {
    if (this.list.length < MAX_ERRORS) this.list.push(`${path === '' ? '(root)' : path}: ${message}`);
    else this.dropped++;
  }

  result(): string[] {
    return this.dropped === 0 ? this.list : [...this.list, `(root): ${this.dropped} more errors not shown`];
  }
}

function rejectUnknown(o: Json, path: string, known: readonly string[], errors: Errors): void {
  for (const name of Object.keys(o)) {
    if (!known.includes(name)) errors.add(member(path, name), 'unknown field');
  }
}

function stringArray(
  o: Json,
  name: string,
  path: string,
  errors: Errors,
  check: (s: string, at: string) => void
): string[] | undefined {
  const at = member(path, name);
  const v = o[name];
  if (!Array.isArray(v)) {
    errors.add(at, 'must be an array');
    return undefined;
  }
  const out: string[] = [];
  v.forEach((item: unknown, i: number) => {
    const itemAt = `${at}[${i}]`;
    if (typeof item !== 'string') {
      errors.add(itemAt, 'must be a string');
      return;
    }
    check(item, itemAt);
    out.push(item);
  });
  return out;
}

function checkCountry(errors: Errors): (code: string, at: string) => void {
  return (code, at) => {
    if (ISO_COUNTRIES.has(code) || code === UNKNOWN_COUNTRY) return;
    const hint = countryHint(code);
    errors.add(at, hint === null ? `${show(code)} is not ISO 3166-1 alpha-2` : `${show(code)} is not ISO 3166-1; use "${hint}"`);
  };
}

function checkCidrEntry(errors: Errors): (entry: string, at: string) => void {
  return (entry, at) => {
    const problem = cidrError(entry);
    if (problem !== null) errors.add(at, problem);
  };
}

function readKeys(doc: Json, name: string, errors: Errors): AclKey[] {
  const keys: AclKey[] = [];
  if (!has(doc, name)) {
    errors.add(name, 'required');
    return keys;
  }
  const v = doc[name];
  if (!Array.isArray(v)) {
    errors.add(name, 'must be an array of {"kid", "publicKey"}');
    return keys;
  }
  const seen = new Map<string, number>();
  v.forEach((item: unknown, i: number) => {
    const at = `${name}[${i}]`;
    if (!isObject(item)) {
      errors.add(at, 'must be an object {"kid", "publicKey"}');
      return;
    }
    rejectUnknown(item, at, ['kid', 'publicKey'], errors);
    let ok = true;
    const kid = item.kid;
    if (!has(item, 'kid')) {
      errors.add(`${at}.kid`, 'required');
      ok = false;
    } else if (!isKid(kid)) {
      errors.add(`${at}.kid`, 'must be 1-64 characters of [A-Za-z0-9._-]');
      ok = false;
    } else {
      const first = seen.get(kid);
      if (first !== undefined) {
        errors.add(`${at}.kid`, `duplicate kid ${show(kid)} (also ${name}[${first}])`);
        ok = false;
      } else {
        seen.set(kid, i);
      }
    }
    const publicKey = item.publicKey;
    if (!has(item, 'publicKey')) {
      errors.add(`${at}.publicKey`, 'required');
      ok = false;
    } else if (typeof publicKey !== 'string' || b64uDecode(publicKey)?.length !== 32) {
      errors.add(`${at}.publicKey`, 'not 32 bytes of base64url');
      ok = false;
    }
    if (ok) keys.push({ kid: kid as string, publicKey: publicKey as string });
  });
  return keys;
}

function readCountries(doc: Json, errors: Errors): AclDocument['countries'] {
  const out = { allow: [...DEFAULT_ALLOWED_COUNTRIES], deny: [] as string[] };
  if (!has(doc, 'countries')) return out;
  const v = doc.countries;
  if (!isObject(v)) {
    errors.add('countries', 'must be an object {"allow"?, "deny"?}');
    return out;
  }
  rejectUnknown(v, 'countries', ['allow', 'deny'], errors);
  const check = checkCountry(errors);
  if (has(v, 'allow')) out.allow = stringArray(v, 'allow', 'countries', errors, check) ?? [];
  if (has(v, 'deny')) out.deny = stringArray(v, 'deny', 'countries', errors, check) ?? [];
  return out;
}

function readIps(doc: Json, errors: Errors): AclDocument['ips'] {
  const out: AclDocument['ips'] = { allow: null, deny: [] };
  if (!has(doc, 'ips')) return out;
  const v = doc.ips;
  if (!isObject(v)) {
    errors.add('ips', 'must be an object {"allow"?, "deny"?}');
    return out;
  }
  rejectUnknown(v, 'ips', ['allow', 'deny'], errors);
  const check = checkCidrEntry(errors);
  if (has(v, 'allow')) {
    if (v.allow === null) errors.add('ips.allow', 'must be an array (leave it out to allow every address)');
    else out.allow = stringArray(v, 'allow', 'ips', errors, check) ?? [];
  }
  if (has(v, 'deny')) out.deny = stringArray(v, 'deny', 'ips', errors, check) ?? [];
  return out;
}

function readRevoked(doc: Json, errors: Errors): AclDocument['revoked'] {
  const out: AclDocument['revoked'] = { jti: [], kid: [] };
  if (!has(doc, 'revoked')) return out;
  const v = doc.revoked;
  if (!isObject(v)) {
    errors.add('revoked', 'must be an object {"jti"?, "kid"?}');
    return out;
  }
  rejectUnknown(v, 'revoked', ['jti', 'kid'], errors);
  if (has(v, 'jti')) {
    out.jti =
      stringArray(v, 'jti', 'revoked', errors, (s, at) => {
        if (!JTI.test(s)) errors.add(at, 'must be 16-64 characters of [A-Za-z0-9_-]');
      }) ?? [];
  }
  if (has(v, 'kid')) {
    out.kid =
      stringArray(v, 'kid', 'revoked', errors, (s, at) => {
        if (!isKid(s)) errors.add(at, 'must be 1-64 characters of [A-Za-z0-9._-]');
      }) ?? [];
  }
  return out;
}

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/** Checks a parsed document and fills in the defaults. Collects every error; never throws. */
export function validateAcl(doc: unknown): AclValidation {
  const errors = new Errors();
  if (!isObject(doc)) return { ok: false, errors: ['(root): must be an object'] };
  rejectUnknown(doc, '', TOP_FIELDS, errors);

  const version = doc.version;
  if (!has(doc, 'version')) errors.add('version', 'required');
  else if (typeof version !== 'string' || version.length === 0 || version.length > MAX_VERSION_LENGTH) {
    errors.add('version', `must be a non-empty string of at most ${MAX_VERSION_LENGTH} characters`);
  } else if (hasControlCharacter(version)) {
    errors.add('version', 'must not contain control characters');
  }

  const mode = doc.mode;
  if (!has(doc, 'mode')) errors.add('mode', 'required');
  else if (!ACL_MODES.includes(mode as AclMode))
    errors.add('mode', `must be one of ${ACL_MODES.map((m) => `"${m}"`).join(', ')}`);

  const vendorKeys = readKeys(doc, 'vendorKeys', errors);
  const gatekeeperKeys = readKeys(doc, 'gatekeeperKeys', errors);
  if (has(doc, 'gatekeeperKeys') && Array.isArray(doc.gatekeeperKeys) && doc.gatekeeperKeys.length === 0) {
    errors.add('gatekeeperKeys', 'at least one key is required (no countersignature could be checked)');
  }
  const vendorIndex = new Map<string, number>();
  if (Array.isArray(doc.vendorKeys)) {
    doc.vendorKeys.forEach((k: unknown, i: number) => {
      if (isObject(k) && typeof k.publicKey === 'string' && !vendorIndex.has(k.publicKey)) vendorIndex.set(k.publicKey, i);
    });
  }
  if (Array.isArray(doc.gatekeeperKeys)) {
    doc.gatekeeperKeys.forEach((k: unknown, i: number) => {
      if (!isObject(k) || typeof k.publicKey !== 'string') return;
      const j = vendorIndex.get(k.publicKey);
      if (j !== undefined && b64uDecode(k.publicKey)?.length === 32) {
        errors.add(
          `gatekeeperKeys[${i}].publicKey`,
          `the same key as vendorKeys[${j}]; the vendor must never hold a cosigning key`
        );
      }
    });
  }

  const countries = readCountries(doc, errors);
  const ips = readIps(doc, errors);
  const revoked = readRevoked(doc, errors);

  const numbers: Record<(typeof INTEGER_FIELDS)[number]['name'], number> = { ...ACL_DEFAULTS };
  for (const { name, min, max } of INTEGER_FIELDS) {
    if (!has(doc, name)) continue;
    const v = doc[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      errors.add(name, `must be an integer from ${min} to ${max}`);
    } else {
      numbers[name] = v;
    }
  }

  if (errors.list.length > 0) return { ok: false, errors: errors.result() };
  return {
    ok: true,
    acl: {
      version: version as string,
      mode: mode as AclMode,
      vendorKeys,
      gatekeeperKeys,
      countries,
      ips,
      revoked,
      maxGrantTtlSeconds: numbers.maxGrantTtlSeconds,
      cosignTtlSeconds: numbers.cosignTtlSeconds,
      clockSkewSeconds: numbers.clockSkewSeconds,
    },
  };
}

const JSON_PROBLEM: Record<string, string> = {
  'invalid JSON': 'not valid JSON',
  'top level is not an object': 'must be an object',
  'duplicate key': 'not valid JSON for an ACL (a member name appears twice in one object)',
  'lone surrogate': 'not valid JSON for an ACL (a lone surrogate)',
};

/** The text of the secret: strict JSON (one object, no duplicate member names), then `validateAcl`. Never throws. */
export function parseAclText(text: string): AclValidation {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return { ok: false, errors: [`(root): ${JSON_PROBLEM[parsed.detail] ?? 'not valid JSON'}`] };
  return validateAcl(parsed.value);
}

function keyMap(keys: readonly AclKey[], list: string): ReadonlyMap<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  keys.forEach((k, i) => {
    const raw = b64uDecode(k.publicKey);
    if (raw === null || raw.length !== 32) throw new Error(`compileAcl: ${list}[${i}].publicKey is not 32 bytes of base64url`);
    out.set(k.kid, ed25519PublicKey(raw));
  });
  return out;
}

/** Builds the lookup structures of a document that `validateAcl` accepted (throws on one it would refuse). */
export function compileAcl(doc: AclDocument): CompiledAcl {
  return {
    doc,
    version: doc.version,
    mode: doc.mode,
    vendorKeys: keyMap(doc.vendorKeys, 'vendorKeys'),
    gatekeeperKeys: keyMap(doc.gatekeeperKeys, 'gatekeeperKeys'),
    revokedJti: new Set(doc.revoked.jti),
    revokedKid: new Set(doc.revoked.kid),
    ipAllow: doc.ips.allow === null ? null : compileIpSet(doc.ips.allow),
    ipDeny: compileIpSet(doc.ips.deny),
    countryAllow: new Set(doc.countries.allow),
    countryDeny: new Set(doc.countries.deny),
  };
}

// Fresh objects each time: a caller may annotate the outcome it was given.
const outcome = (decision: AclOutcome['decision'], reason: AclOutcome['reason']): AclOutcome => ({ decision, reason });

/** Steps 3 and 4: the only denials that report-only turns into `would_deny`. */
function aclDenial(acl: CompiledAcl, reason: 'ip_denied' | 'country_denied'): AclOutcome {
  return outcome(acl.mode === 'report-only' ? 'would_deny' : 'deny', reason);
}

/**
 * PROTOCOL "ACL decision order". Signatures, times and scope are the caller's
 * checks; this is the ACL part only.
 */
export function evaluateAcl(acl: CompiledAcl, s: AclSubject): AclOutcome {
  if (acl.mode === 'deny-all') return outcome('deny', 'deny_all');
  if (s.jti != null && acl.revokedJti.has(s.jti)) return outcome('deny', 'revoked');
  if (s.vendorKid != null) {
    if (acl.revokedKid.has(s.vendorKid)) return outcome('deny', 'revoked');
    if (!acl.vendorKeys.has(s.vendorKid)) return outcome('deny', 'unknown_kid');
  }
  const address = parseIp(s.ip);
  if (address === null || acl.ipDeny.hasAddress(address)) return aclDenial(acl, 'ip_denied');
  if (acl.ipAllow !== null && !acl.ipAllow.hasAddress(address)) return aclDenial(acl, 'ip_denied');
  if (s.country !== null) {
    if (acl.countryDeny.has(s.country) || !acl.countryAllow.has(s.country)) return aclDenial(acl, 'country_denied');
  }
  return outcome('allow', 'ok');
}

/**
 * A cache of one: remembers the last text it compiled and its result, so a
 * configuration refresh that returns the same secret does not validate and
 * compile it again. It does not keep the last good document; the caller does.
 */
export function createAclCache(): { compile(text: string): AclValidation & { compiled?: CompiledAcl } } {
  let lastText: string | null = null;
  let last: (AclValidation & { compiled?: CompiledAcl }) | null = null;
  return {
    compile(text: string) {
      if (last !== null && text === lastText) return last;
      const v = parseAclText(text);
      let result: AclValidation & { compiled?: CompiledAcl };
      if (!v.ok) {
        result = v;
      } else {
        try {
          result = { ...v, compiled: compileAcl(v.acl) };
        } catch {
          result = { ok: false, errors: ['(root): the document could not be compiled'] };
        }
      }
      lastText = typeof text === 'string' ? text : null;
      last = result;
      return result;
    },
  };
}
