/**
 * SigV4 for the local emulators: random per-run credentials, and a verifier
 * that recomputes the signature of a request as received on the wire.
 *
 * Why verify here: s3rver checks only that a SigV4 header names a key id it
 * knows, never the signature, so a key id seen once (in a log, a process
 * list, an Authorization header) would open the bucket. With the signature
 * checked, only a holder of the secret gets in, as with IAM.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh key pair shaped like an IAM user's (`AKIA` + 16 characters, 40-character secret). */
export function randomCredentials(): Credentials {
  const id = [...randomBytes(16)].map((b) => ID_ALPHABET[b % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** Only the key id, for log lines: `AKIA…WXYZ`. */
export function keyIdHint(accessKeyId: string): string {
  return accessKeyId.length > 8 ? `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}` : '…';
}

/** The key id of a SigV4 Authorization header, or null for anything else (unsigned, SigV2, presigned). */
export function sigV4KeyId(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const m = /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\//.exec(authorization);
  return m === null ? null : m[1];
}

/**
 * The Host header an emulator on 127.0.0.1:<port> accepts. Anything else
 * (a name that resolves to 127.0.0.1 only since a moment ago) is a browser
 * being used against the loopback: DNS rebinding.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export type SigV4Refusal =
  /** No SigV4 Authorization header at all. */
  | 'missing'
  /** A SigV4 header that does not parse, or a request it cannot describe. */
  | 'malformed'
  | 'unknown_key'
  /** Another region or service in the credential scope. */
  | 'wrong_scope'
  /** x-amz-date more than 15 minutes away from now (S3's RequestTimeTooSkewed). */
  | 'skewed'
  /** x-amz-content-sha256 is not the hash of the body received. */
  | 'payload_mismatch'
  | 'bad_signature';

export type SigV4Check = { ok: true; accessKeyId: string } | { ok: false; reason: SigV4Refusal; accessKeyId: string | null };

export interface SigV4Expect {
  service: string;
  region: string;
  /** The secret of a known key id, else undefined. */
  secretOf(accessKeyId: string): string | undefined;
  /** Default Date.now(). */
  nowMs?: number;
  /** The whole body as received, when the caller read it (checked against x-amz-content-sha256). */
  body?: Buffer;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_SKEW_MS = 15 * 60 * 1000;
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** RFC 3986 unreserved characters stay, everything else is %XX (upper case), as SigV4 canonicalizes. */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(raw: string): string | null {
  const pairs: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
      pairs.push([escapeUri(k), escapeUri(v)]);
    } catch {
      return null;
    }
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** S3 signs the path as sent; every other service normalizes it and escapes it once more. */
function canonicalPath(rawPath: string, service: string): string {
  if (service === 's3') return rawPath;
  const segments: string[] = [];
  for (const s of rawPath.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  const s = Array.isArray(v) ? v.join(',') : v;
  return s.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim();
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Checks the SigV4 Authorization header of a request as received (method, raw URL, headers). */
export function verifySigV4(method: string, rawUrl: string, headers: IncomingHttpHeaders, e: SigV4Expect): SigV4Check {
  const auth = headers.authorization;
  if (auth === undefined || !auth.startsWith('AWS4-HMAC-SHA256 ')) return { ok: false, reason: 'missing', accessKeyId: null };
  const m = AUTH_RE.exec(auth);
  if (m === null) return { ok: false, reason: 'malformed', accessKeyId: sigV4KeyId(auth) };
  const [, keyId, scopeDate, region, service, signedList, signature] = m;
  const refuse = (reason: SigV4Refusal): SigV4Check => ({ ok: false, reason, accessKeyId: keyId });

  const secret = e.secretOf(keyId);
  if (secret === undefined) return refuse('unknown_key');
  if (region !== e.region || service !== e.service) return refuse('wrong_scope');

  const amzDate = headerValue(headers, 'x-amz-date');
  const d = amzDate === null ? null : DATE_RE.exec(amzDate);
  if (amzDate === null || d === null || amzDate.slice(0, 8) !== scopeDate) return refuse('malformed');
  const when = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(d[4]), Number(d[5]), Number(d[6]));
  if (Math.abs((e.nowMs ?? Date.now()) - when) > MAX_SKEW_MS) return refuse('skewed');

  const signed = signedList.split(';');
  const sorted = [...signed].sort();
  if (!signed.includes('host') || !signed.includes('x-amz-date') || signed.some((h, i) => h !== sorted[i] || h === '')) {
    return refuse('malformed');
  }
  const canonicalHeaders: string[] = [];
  for (const name of signed) {
    const v = headerValue(headers, name);
    if (v === null) return refuse('malformed');
    canonicalHeaders.push(`${name}:${v}`);
  }

  // S3 requires the header; other services hash the body when it is absent.
  // A body the caller did not read (an S3 upload streamed on) is not checked
  // against it here: the signature still covers the declared hash.
  const declared = headerValue(headers, 'x-amz-content-sha256');
  if (declared === null && e.service === 's3') return refuse('malformed');
  const bodyHash = e.body === undefined ? null : createHash('sha256').update(e.body).digest('hex');
  if (declared !== null && declared !== 'UNSIGNED-PAYLOAD' && bodyHash !== null && bodyHash !== declared) return refuse('payload_mismatch');
  const payloadHash = declared ?? bodyHash ?? EMPTY_SHA256;

  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = canonicalQuery(q < 0 ? '' : rawUrl.slice(q + 1));
  if (query === null || !rawPath.startsWith('/')) return refuse('malformed');

  const canonicalRequest = [method, canonicalPath(rawPath, service), query, ...canonicalHeaders, '', signedList, payloadHash].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('bad_signature');
  return { ok: true, accessKeyId: keyId };
}
