/**
 * Grant and countersignature tokens (PROTOCOL "Token shape", "Grant payload",
 * "Countersignature payload"). Parsing checks structure only; time, audience,
 * TTL bounds and key trust depend on the configuration and are decided later.
 */
import { createHash, KeyObject } from 'crypto';
import { b64uDecode, b64uEncode } from './b64u';
import { parseJsonObject } from './json';
import { ed25519Sign, ed25519Verify, isKid } from './keys';
import { isValidObjectKey, isValidPrefix } from './objectKey';

export { COSIGN_DOMAIN, GRANT_DOMAIN, grantJson, type CosigPayload, type GrantPayload, type Op } from './payload';
import { COSIGN_DOMAIN, GRANT_DOMAIN, grantJson, type CosigPayload, type GrantPayload } from './payload';

export interface ParsedToken<P> {
  token: string;
  payload: P;
  /** ASCII of DOMAIN "." b64u(payload): what the signature covers. */
  signingInput: Buffer;
  signature: Buffer;
}

export type TokenResult<P> = { ok: true; value: ParsedToken<P> } | { ok: false; code: 'malformed_token'; detail: string };

const MAX_PAYLOAD_BYTES = 4096;
const SIGNATURE_BYTES = 64;

function b64uLength(bytes: number): number {
  return Math.floor(bytes / 3) * 4 + [0, 2, 3][bytes % 3];
}

/** Longest possible token: b64u of a 4096-byte payload, ".", b64u of 64 bytes (5462 + 1 + 86). */
export const MAX_TOKEN_CHARS: number = b64uLength(MAX_PAYLOAD_BYTES) + 1 + b64uLength(SIGNATURE_BYTES);
const SIGNATURE_CHARS = b64uLength(SIGNATURE_BYTES);

/** fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a BOM stays in the text, so JSON rejects it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Fields = Record<string, unknown>;
type Check<P> = { ok: true; payload: P } | { ok: false; detail: string };

function malformed(detail: string): { ok: false; code: 'malformed_token'; detail: string } {
  return { ok: false, code: 'malformed_token', detail };
}

function parseToken<P>(token: string, domain: string, check: (fields: Fields) => Check<P>): TokenResult<P> {
  if (typeof token !== 'string') return malformed('not a string');
  if (token.length > MAX_TOKEN_CHARS) return malformed('token too long');
  const dot = token.indexOf('.');
  if (dot < 0 || token.indexOf('.', dot + 1) >= 0) return malformed('not two parts');
  const payloadPart = token.slice(0, dot);
  const signaturePart = token.slice(dot + 1);
  if (signaturePart.length !== SIGNATURE_CHARS) return malformed('signature is not 64 bytes');
  const signature = b64uDecode(signaturePart);
  if (signature === null) return malformed('signature is not b64u');
  if (signature.length !== SIGNATURE_BYTES) return malformed('signature is not 64 bytes');
  const payloadBytes = b64uDecode(payloadPart);
  if (payloadBytes === null) return malformed('payload is not b64u');
  if (payloadBytes.length > MAX_PAYLOAD_BYTES) return malformed('payload too large');
  let text: string;
  try {
    text = UTF8.decode(payloadBytes);
  } catch {
    return malformed('payload is not UTF-8');
  }
  const json = parseJsonObject(text, { integersOnly: true });
  if (!json.ok) return malformed('payload: ' + json.detail);
  const checked = check(json.value);
  if (!checked.ok) return malformed(checked.detail);
  return {
    ok: true,
    value: {
      token,
      payload: checked.payload,
      signingInput: Buffer.from(domain + '.' + payloadPart, 'latin1'),
      signature,
    },
  };
}

const GRANT_FIELDS = new Set(['v', 'kid', 'aud', 'op', 'key', 'prefix', 'iat', 'exp', 'jti', 'sub', 'maxBytes', 'contentType', 'sha256']);
const COSIG_FIELDS = new Set(['v', 'kid', 'gh', 'ip', 'ctry', 'iat', 'exp']);

function unknownField(fields: Fields, allowed: Set<string>): boolean {
  for (const name of Object.keys(fields)) if (!allowed.has(name)) return true;
  return false;
}

function has(fields: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name);
}

function isTime(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Every code unit is accepted by `ok`; length bounds in code units. */
function isAsciiString(x: unknown, min: number, max: number, ok: (c: number) => boolean): x is string {
  if (typeof x !== 'string' || x.length < min || x.length > max) return false;
  for (let i = 0; i < x.length; i++) if (!ok(x.charCodeAt(i))) return false;
  return true;
}

const isAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
const isAudChar = (c: number): boolean => isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x3a || c === 0x2d;
const isJtiChar = (c: number): boolean => isAlnum(c) || c === 0x5f || c === 0x2d;
const isPrintable = (c: number): boolean => c >= 0x20 && c <= 0x7e;
const isLowerHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
const isIpChar = (c: number): boolean => (c >= 0x30 && c <= 0x3a) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x2e;
const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;

/** 1-256 code points, no C0, DEL or C1 control. JSON parsing already refused lone surrogates. */
function isSub(x: unknown): x is string {
  if (typeof x !== 'string' || x.length === 0) return false;
  let points = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
    if (c >= 0xdc00 && c <= 0xdfff) continue; // second half of a pair, already counted
    if (++points > 256) return false;
  }
  return true;
}

function checkGrant(f: Fields): Check<GrantPayload> {
  if (unknownField(f, GRANT_FIELDS)) return { ok: false, detail: 'unknown field' };
  if (f.v !== 1) return { ok: false, detail: 'v is not 1' };
  if (!isKid(f.kid)) return { ok: false, detail: 'bad kid' };
  if (!isAsciiString(f.aud, 1, 128, isAudChar)) return { ok: false, detail: 'bad aud' };
  const op = f.op;
  if (op !== 'get' && op !== 'put' && op !== 'list') return { ok: false, detail: 'bad op' };
  const hasKey = has(f, 'key');
  const hasPrefix = has(f, 'prefix');
  if (hasKey === hasPrefix) return { ok: false, detail: 'not exactly one of key and prefix' };
  if (hasKey && !(typeof f.key === 'string' && isValidObjectKey(f.key))) return { ok: false, detail: 'bad key' };
  if (hasPrefix) {
    if (!(typeof f.prefix === 'string' && isValidPrefix(f.prefix))) return { ok: false, detail: 'bad prefix' };
    if (op === 'put') return { ok: false, detail: 'prefix with op put' };
  } else if (op === 'list') {
    return { ok: false, detail: 'op list without prefix' };
  }
  if (!isTime(f.iat)) return { ok: false, detail: 'bad iat' };
  if (!isTime(f.exp)) return { ok: false, detail: 'bad exp' };
  if (f.exp <= f.iat) return { ok: false, detail: 'exp not after iat' };
  if (!isAsciiString(f.jti, 16, 64, isJtiChar)) return { ok: false, detail: 'bad jti' };
  const hasSub = has(f, 'sub');
  if (hasSub && !isSub(f.sub)) return { ok: false, detail: 'bad sub' };
  const hasMaxBytes = has(f, 'maxBytes');
  const hasContentType = has(f, 'contentType');
  const hasSha256 = has(f, 'sha256');
  if (op !== 'put' && (hasMaxBytes || hasContentType || hasSha256)) return { ok: false, detail: 'put field without op put' };
  if (hasMaxBytes && !isTime(f.maxBytes)) return { ok: false, detail: 'bad maxBytes' };
  if (hasContentType && !isAsciiString(f.contentType, 1, 255, isPrintable)) return { ok: false, detail: 'bad contentType' };
  if (hasSha256 && !isAsciiString(f.sha256, 64, 64, isLowerHex)) return { ok: false, detail: 'bad sha256' };

  const payload: GrantPayload = { v: 1, kid: f.kid, aud: f.aud, op, iat: f.iat, exp: f.exp, jti: f.jti };
  if (hasKey) payload.key = f.key as string;
  if (hasPrefix) payload.prefix = f.prefix as string;
  if (hasSub) payload.sub = f.sub as string;
  if (hasMaxBytes) payload.maxBytes = f.maxBytes as number;
  if (hasContentType) payload.contentType = f.contentType as string;
  if (hasSha256) payload.sha256 = f.sha256 as string;
  return { ok: true, payload };
}

function checkCosig(f: Fields): Check<CosigPayload> {
  if (unknownField(f, COSIG_FIELDS)) return { ok: false, detail: 'unknown field' };
  if (f.v !== 1) return { ok: false, detail: 'v is not 1' };
  if (!isKid(f.kid)) return { ok: false, detail: 'bad kid' };
  if (!(typeof f.gh === 'string' && f.gh.length === 43 && b64uDecode(f.gh)?.length === 32)) return { ok: false, detail: 'bad gh' };
  if (!isAsciiString(f.ip, 2, 45, isIpChar)) return { ok: false, detail: 'bad ip' };
  if (!isAsciiString(f.ctry, 2, 2, isUpper)) return { ok: false, detail: 'bad ctry' };
  if (!isTime(f.iat)) return { ok: false, detail: 'bad iat' };
  if (!isTime(f.exp)) return { ok: false, detail: 'bad exp' };
  if (f.exp <= f.iat) return { ok: false, detail: 'exp not after iat' };
  return { ok: true, payload: { v: 1, kid: f.kid, gh: f.gh, ip: f.ip, ctry: f.ctry, iat: f.iat, exp: f.exp } };
}

export function parseGrant(token: string): TokenResult<GrantPayload> {
  return parseToken(token, GRANT_DOMAIN, checkGrant);
}

export function parseCosig(token: string): TokenResult<CosigPayload> {
  return parseToken(token, COSIGN_DOMAIN, checkCosig);
}

/** The domain was fixed by the parser that built `t`, so a cosig never verifies as a grant or the reverse. */
export function verifyToken(t: ParsedToken<unknown>, publicKey: KeyObject): boolean {
  return ed25519Verify(publicKey, t.signingInput, t.signature);
}

/**
 * Signs an exact payload text under a domain. Exported for tools and tests that
 * need a token the typed signers cannot produce (unknown fields,
 * deliberately malformed payloads); production code uses signGrant/signCosig.
 */
export function signTokenText(domain: string, payloadJson: string, privateKey: KeyObject): string {
  const payloadPart = b64uEncode(Buffer.from(payloadJson, 'utf8'));
  const signature = ed25519Sign(privateKey, Buffer.from(domain + '.' + payloadPart, 'latin1'));
  return payloadPart + '.' + b64uEncode(signature);
}

/**
 * Serializes and signs without validating: a payload that parseGrant would
 * refuse still yields a token (which the gatekeeper then rejects), so tests
 * can produce such tokens. Callers that want a guarantee parse the result.
 */
export function signGrant(payload: GrantPayload, privateKey: KeyObject): string {
  return signTokenText(GRANT_DOMAIN, grantJson(payload), privateKey);
}

export function signCosig(payload: CosigPayload, privateKey: KeyObject): string {
  const ordered: CosigPayload = {
    v: payload.v,
    kid: payload.kid,
    gh: payload.gh,
    ip: payload.ip,
    ctry: payload.ctry,
    iat: payload.iat,
    exp: payload.exp,
  };
  return signTokenText(COSIGN_DOMAIN, JSON.stringify(ordered), privateKey);
}

/** b64u(SHA-256(bytes of the whole grant token)); the token is ASCII, so its UTF-8 is its ASCII. */
export function grantHash(grantToken: string): string {
  return b64uEncode(createHash('sha256').update(grantToken, 'utf8').digest());
}
