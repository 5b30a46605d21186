/**
 * Published test vectors of protocol v1: `npm run vectors` writes
 * test/vectors/protocol-v1.json from fixed seeds and a fixed clock, so a
 * vendor (or anyone re-implementing the gatekeeper) can test code in any
 * language against it. test/vectors/vectors.test.ts regenerates the file,
 * compares it byte for byte and runs every case through the real decisions.
 *
 * Expectations are written by hand from PROTOCOL.md, never read back from
 * the implementation: even the exact cosig of an allowed cosign is signed
 * here from its payload with the gatekeeper seed (Ed25519 is deterministic),
 * not taken from decideCosign, so the test compares two independent results.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { b64uDecode, b64uEncode } from '../edge/core/b64u';
import { ed25519PrivateKey, ed25519Sign, publicKeyOfSeed } from '../edge/core/keys';
import {
  COSIGN_DOMAIN,
  GRANT_DOMAIN,
  grantHash,
  signCosig,
  signGrant,
  signTokenText,
  type CosigPayload,
  type GrantPayload,
} from '../edge/core/tokens';

export const VECTORS_PATH = resolve(__dirname, '..', 'test', 'vectors', 'protocol-v1.json');

/** 2026-11-29T08:53:20Z, unix seconds. */
const NOW = 1_796_000_000;
const GATEKEEPER_ID = 'gk-test-vectors';
const VENDOR_ORIGIN = 'https://vendor.example';
const VIEWER_IP = '203.0.113.7';
const OTHER_IP = '198.51.100.9';
const VIEWER_IP6 = '2001:db8::7';
const HOST = 'd111111abcdef8.cloudfront.net';
const COSIGN_URI = '/_gatekeeper/v1/cosign';
const LIST_URI = '/_gatekeeper/v1/list';

const VENDOR = { kid: 'vendor-vectors-1', seed: Buffer.alloc(32, 0x01) };
const GATEKEEPER = { kid: 'gk-vectors-1', seed: Buffer.alloc(32, 0x02) };
const UNTRUSTED = { kid: 'untrusted-1', seed: Buffer.alloc(32, 0x03) };

const vendorKey = ed25519PrivateKey(VENDOR.seed);
const gkKey = ed25519PrivateKey(GATEKEEPER.seed);
const untrustedKey = ed25519PrivateKey(UNTRUSTED.seed);

/** Ed25519 group order L: S + L is the classic malleated signature (S must be < L). */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

type Headers = Record<string, string[]>;

export interface VectorRequest {
  method: string;
  uri: string;
  querystring: string;
  headers: Headers;
  clientIp: string;
  /** `cloudfront-viewer-country` as the origin-request function sees it; cosign and list only. */
  country?: string | null;
  body?: string;
}

export interface VectorAudit {
  decision: 'allow' | 'deny' | 'would_deny';
  reason: string;
}

export interface VectorCosignResult {
  code: string;
  status: number;
  audit: VectorAudit;
  cosig?: string;
  exp?: number;
}

export interface VectorExpect {
  status: number;
  code: string;
  /** One record per decision (per grant for cosign). */
  audit?: VectorAudit;
  uri?: string;
  querystring?: string;
  forwardedHeaders?: string[];
  prefix?: string;
  results?: VectorCosignResult[];
}

export interface VectorCase {
  name: string;
  phase: 'access' | 'cosign' | 'list';
  aclOverride?: Record<string, unknown>;
  grant?: string;
  cosig?: string;
  grants?: string[];
  request: VectorRequest;
  expect: VectorExpect;
}

type CaseHead = Omit<VectorCase, 'request' | 'expect'>;

function keyEntry(k: { kid: string; seed: Buffer }): { kid: string; seed: string; publicKey: string } {
  return { kid: k.kid, seed: b64uEncode(k.seed), publicKey: b64uEncode(publicKeyOfSeed(k.seed)) };
}

function baseAcl(): Record<string, unknown> {
  return {
    version: 'vectors.1',
    mode: 'enforce',
    vendorKeys: [{ kid: VENDOR.kid, publicKey: b64uEncode(publicKeyOfSeed(VENDOR.seed)) }],
    gatekeeperKeys: [{ kid: GATEKEEPER.kid, publicKey: b64uEncode(publicKeyOfSeed(GATEKEEPER.seed)) }],
    countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
    ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
    revoked: { jti: [], kid: [] },
    maxGrantTtlSeconds: 900,
    cosignTtlSeconds: 300,
    clockSkewSeconds: 30,
  };
}

/** A jti from a label, so adding a case never renumbers the others. */
function jti(label: string): string {
  const slug = label.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 56);
  return `jti-${slug}`.padEnd(16, '0');
}

function grantPayload(label: string, over: Partial<GrantPayload> = {}): GrantPayload {
  const p = {
    v: 1,
    kid: VENDOR.kid,
    aud: GATEKEEPER_ID,
    op: 'get',
    key: 'reports/2026/q4.json',
    iat: NOW - 10,
    exp: NOW + 290,
    jti: jti(label),
    sub: 'user-42',
    ...over,
  } as GrantPayload;
  for (const k of Object.keys(p) as (keyof GrantPayload)[]) if (p[k] === undefined) delete p[k];
  return p;
}

function grant(label: string, over: Partial<GrantPayload> = {}, key: KeyObject = vendorKey): string {
  return signGrant(grantPayload(label, over), key);
}

function cosigPayload(grantToken: string, over: Partial<CosigPayload> = {}): CosigPayload {
  return { v: 1, kid: GATEKEEPER.kid, gh: grantHash(grantToken), ip: VIEWER_IP, ctry: 'US', iat: NOW - 5, exp: NOW + 250, ...over };
}

function cosig(grantToken: string, over: Partial<CosigPayload> = {}, key: KeyObject = gkKey): string {
  return signCosig(cosigPayload(grantToken, over), key);
}

/** The cosig a gatekeeper must answer with at NOW under the base ACL (exp = min(grant.exp, now + cosignTtl)). */
function expectedCosig(grantToken: string, grantExp: number, ip: string, ctry: string): { cosig: string; exp: number } {
  const exp = Math.min(grantExp, NOW + 300);
  return { cosig: signCosig({ v: 1, kid: GATEKEEPER.kid, gh: grantHash(grantToken), ip, ctry, iat: NOW, exp }, gkKey), exp };
}

function b64uText(s: string): string {
  return b64uEncode(Buffer.from(s, 'utf8'));
}

/** A grant whose payload is exactly `json`, signed by the vendor: only the payload is at fault. */
function rawGrant(json: string, key: KeyObject = vendorKey, domain = GRANT_DOMAIN): string {
  return signTokenText(domain, json, key);
}

function grantJson(label: string, over: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = { ...grantPayload(label) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete base[k];
    else base[k] = v;
  }
  return JSON.stringify(base);
}

const DEFAULT_HEADERS = (): Headers => ({ host: [HOST], 'user-agent': ['vectors/1'] });

function accessRequest(a: Access): VectorRequest {
  const headers: Headers = DEFAULT_HEADERS();
  const query: string[] = [];
  const place = a.place ?? 'headers';
  if (a.grant !== null) {
    if (place === 'headers') headers['x-gk-grant'] = [a.grant];
    else query.push(`gk_grant=${a.grant}`);
  }
  if (a.cosig !== null) {
    if (place === 'query') query.push(`gk_cosig=${a.cosig}`);
    else headers['x-gk-cosig'] = [a.cosig];
  }
  if (a.query !== undefined) query.push(a.query);
  return {
    method: 'GET',
    uri: '/reports/2026/q4.json',
    querystring: query.join('&'),
    headers: { ...headers, ...a.headers },
    clientIp: VIEWER_IP,
    ...a.request,
  };
}

function postRequest(uri: string, body: string, over: Partial<VectorRequest> = {}, extra: Headers = {}): VectorRequest {
  return {
    method: 'POST',
    uri,
    querystring: '',
    headers: { host: [HOST], 'content-type': ['application/json'], origin: [VENDOR_ORIGIN], ...extra },
    clientIp: VIEWER_IP,
    country: 'US',
    body,
    ...over,
  };
}

const FORWARDED_BASE = ['host', 'user-agent'];

interface Access {
  name: string;
  code: string;
  status: number;
  grant: string | null;
  cosig: string | null;
  /** Where the tokens travel: both as headers (default), both in the query, or the grant in the query and the cosig in a header. */
  place?: 'headers' | 'query' | 'split';
  /** Query parameters after the tokens. */
  query?: string;
  request?: Partial<VectorRequest>;
  headers?: Headers;
  aclOverride?: Record<string, unknown>;
  /** For an allowed request: what goes on to S3. */
  uri?: string;
  forwardedHeaders?: string[];
  audit?: VectorAudit;
}

function accessCase(a: Access): VectorCase {
  const allowed = a.code === 'ok';
  const expect: VectorExpect = {
    status: a.status,
    code: a.code,
    audit: a.audit ?? { decision: allowed ? 'allow' : 'deny', reason: a.code },
  };
  if (allowed) {
    expect.uri = a.uri ?? '/reports/2026/q4.json';
    expect.querystring = '';
    expect.forwardedHeaders = a.forwardedHeaders ?? FORWARDED_BASE;
  }
  const head: CaseHead = { name: a.name, phase: 'access' };
  if (a.aclOverride !== undefined) head.aclOverride = a.aclOverride;
  if (a.grant !== null) head.grant = a.grant;
  if (a.cosig !== null) head.cosig = a.cosig;
  return { ...head, request: accessRequest(a), expect };
}

function ok(label: string, over: Partial<GrantPayload> = {}): [string, string] {
  const g = grant(label, over);
  return [g, cosig(g)];
}

function accessCases(): VectorCase[] {
  const cases: Access[] = [];
  const add = (a: Access): void => {
    cases.push(a);
  };

  // ---- allowed ----
  {
    const [g, c] = ok('get-headers');
    add({ name: 'get: tokens as headers', code: 'ok', status: 200, grant: g, cosig: c });
  }
  {
    const [g, c] = ok('get-query');
    add({
      name: 'get: tokens as query parameters; response-* overrides dropped',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      place: 'query',
      query: 'response-content-type=text%2Fhtml&x-id=GetObject',
    });
  }
  {
    const [g, c] = ok('head');
    add({ name: 'head with a get grant', code: 'ok', status: 200, grant: g, cosig: c, request: { method: 'HEAD' } });
  }
  {
    const [g, c] = ok('strip-headers');
    add({
      name: 'get: viewer credentials, x-amz-* and cloudfront-viewer-* never reach S3',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      headers: {
        authorization: ['AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/s3/aws4_request'],
        'x-amz-security-token': ['forged'],
        'x-amz-server-side-encryption-customer-algorithm': ['AES256'],
        'x-amz-checksum-sha256': ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='],
        'cloudfront-viewer-country': ['US'],
        range: ['bytes=0-99'],
        'x-forwarded-for': [OTHER_IP],
      },
      forwardedHeaders: ['host', 'range', 'user-agent', 'x-forwarded-for'],
    });
  }
  {
    const [g, c] = ok('over-encoded');
    add({
      name: 'get: an over-encoded URI is forwarded in canonical form',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      request: { uri: '/reports%2F2026/q%34.json' },
    });
  }
  {
    const key = 'reports/Ünïcode file (1)+~.json';
    const [g, c] = ok('unicode-key', { key });
    add({
      name: 'get: a key with UTF-8, space, parentheses, plus and tilde',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      request: { uri: '/reports/%C3%9Cn%C3%AFcode%20file%20(1)+~.json' },
      uri: '/reports/%C3%9Cn%C3%AFcode%20file%20%281%29%2B~.json',
    });
  }
  {
    const [g, c] = ok('prefix-get', { key: undefined, prefix: 'reports/2026/' });
    add({
      name: 'get: a key under a prefix grant',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      request: { uri: '/reports/2026/q4/detail.csv' },
      uri: '/reports/2026/q4/detail.csv',
    });
  }
  {
    const sha = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    const g = grant('put-all', { op: 'put', key: 'uploads/in.csv', maxBytes: 1048576, contentType: 'text/csv', sha256: sha });
    add({
      name: 'put with maxBytes, contentType and sha256',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: cosig(g),
      request: { method: 'PUT', uri: '/uploads/in.csv' },
      headers: {
        'content-length': ['4'],
        'content-type': ['text/csv'],
        'x-amz-checksum-sha256': [Buffer.from(sha, 'hex').toString('base64')],
        'x-amz-meta-owner': ['mallory'],
      },
      uri: '/uploads/in.csv',
      forwardedHeaders: ['content-length', 'content-type', 'host', 'user-agent', 'x-amz-checksum-sha256'],
    });
  }
  {
    const [g] = ok('mapped-ip');
    add({
      name: 'get: an IPv4-mapped IPv6 viewer is its IPv4 address',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: cosig(g),
      request: { clientIp: '::ffff:203.0.113.7' },
    });
  }
  {
    const g = grant('ipv6');
    add({
      name: 'get: an IPv6 viewer is compared in RFC 5952 form',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: cosig(g, { ip: VIEWER_IP6 }),
      request: { clientIp: '2001:DB8:0:0:0:0:0:7' },
    });
  }
  {
    const g = grant('skew-exp', { iat: NOW - 300, exp: NOW - 30 });
    add({
      name: 'get: grant and cosig expired 30 s ago, within clockSkewSeconds',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: cosig(g, { iat: NOW - 100, exp: NOW - 30 }),
    });
  }
  {
    const g = grant('skew-iat', { iat: NOW + 30, exp: NOW + 300 });
    add({ name: 'get: grant issued 30 s in the future, within clockSkewSeconds', code: 'ok', status: 200, grant: g, cosig: cosig(g) });
  }
  {
    const g = grant('ttl-max', { iat: NOW - 10, exp: NOW + 890 });
    add({ name: 'get: grant lifetime exactly maxGrantTtlSeconds', code: 'ok', status: 200, grant: g, cosig: cosig(g) });
  }
  {
    const [g, c] = ok('spoofed-country');
    add({
      name: 'get: a viewer-sent CloudFront-Viewer-Country is ignored at viewer-request',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      aclOverride: { countries: { allow: ['US'], deny: ['KP'] } },
      headers: { 'cloudfront-viewer-country': ['KP'] },
    });
  }
  {
    const [g, c] = ok('report-only-ip');
    add({
      name: 'get: report-only lets an IP denial through, audited as would_deny',
      code: 'ok',
      status: 200,
      grant: g,
      cosig: c,
      aclOverride: { mode: 'report-only', ips: { allow: ['0.0.0.0/0', '::/0'], deny: ['203.0.113.0/24'] } },
      audit: { decision: 'would_deny', reason: 'ip_denied' },
    });
  }

  // ---- missing_token / malformed_request (token placement) ----
  add({ name: 'no tokens', code: 'missing_token', status: 401, grant: null, cosig: null });
  {
    const g = grant('no-cosig');
    add({ name: 'a grant without a cosig', code: 'missing_token', status: 401, grant: g, cosig: null });
  }
  {
    const [g, c] = ok('split');
    add({
      name: 'grant in the query, cosig in a header (one place per request)',
      code: 'malformed_request',
      status: 400,
      grant: g,
      cosig: c,
      place: 'split',
    });
  }
  {
    const [g, c] = ok('unknown-gk-header');
    add({
      name: 'an unknown x-gk-* header (a future field is never silently ignored)',
      code: 'malformed_request',
      status: 400,
      grant: g,
      cosig: c,
      headers: { 'x-gk-debug': ['1'] },
    });
    add({
      name: 'an unknown gk_* query parameter',
      code: 'malformed_request',
      status: 400,
      grant: g,
      cosig: c,
      place: 'query',
      query: 'gk_debug=1',
    });
  }
  {
    const [g, c] = ok('dup-header');
    add({
      name: 'a grant header given twice',
      code: 'malformed_request',
      status: 400,
      grant: g,
      cosig: c,
      headers: { 'x-gk-grant': [g, g] },
    });
  }

  // ---- malformed_token ----
  {
    const g = grant('malformed-base');
    const c = cosig(g);
    const [p, s] = g.split('.');
    const badTail = s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
    const m: [string, string][] = [
      ['not two segments', `${p}.${s}.${s}`],
      ['padding in the payload', `${p}=.${s}`],
      ['signature 63 bytes', `${p}.${s.slice(0, 84)}`],
      ['non-canonical trailing bits in the signature', `${p}.${badTail}`],
      ['base64 (not base64url) alphabet', g.replace(/-/g, '+').replace(/_/g, '/')],
    ];
    for (const [what, token] of m) {
      if (token === g) throw new Error(`vectors: mutation "${what}" left the token unchanged`);
      add({ name: `grant: ${what}`, code: 'malformed_token', status: 400, grant: token, cosig: c });
    }
  }
  const payloadFaults: [string, string][] = [
    ['an unknown field', grantJson('pf-unknown', { scope: 'all' })],
    ['v 2', grantJson('pf-v2', { v: 2 })],
    ['a duplicate member name', grantJson('pf-dup').replace('{"v":1,', '{"v":1,"v":1,')],
    ['both key and prefix', grantJson('pf-both', { prefix: 'reports/' })],
    ['a prefix with op put', grantJson('pf-put-prefix', { op: 'put', key: undefined, prefix: 'uploads/' })],
    ['a key with a dot-dot segment', grantJson('pf-dotdot', { key: 'reports/../secret.json' })],
    ['a key with a leading slash', grantJson('pf-slash', { key: '/reports/2026/q4.json' })],
    ['exp not after iat', grantJson('pf-exp', { iat: NOW, exp: NOW })],
    ['a jti of 15 characters', grantJson('pf-jti', { jti: 'abcdefghijklmno' })],
    ['maxBytes on a get grant', grantJson('pf-maxbytes', { maxBytes: 10 })],
    ['iat as a string', grantJson('pf-iat', { iat: String(NOW - 10) })],
    ['a payload that is a JSON array', '[1]'],
    ['a payload over 4096 bytes', grantJson('pf-big', { sub: 'x'.repeat(200) }).replace('{"v":1,', `{"v":1,${' '.repeat(4000)}`)],
  ];
  for (const [what, json] of payloadFaults) {
    const g = rawGrant(json);
    add({ name: `grant payload: ${what}`, code: 'malformed_token', status: 400, grant: g, cosig: cosig(g) });
  }
  {
    const g = grant('cosig-garbage');
    add({ name: 'cosig: not a token', code: 'malformed_token', status: 400, grant: g, cosig: 'not-a-token' });
    const cp = cosigPayload(g);
    const unknown = signTokenText(COSIGN_DOMAIN, JSON.stringify({ ...cp, sub: 'x' }), gkKey);
    add({ name: 'cosig payload: an unknown field', code: 'malformed_token', status: 400, grant: g, cosig: unknown });
  }
  {
    const [g, c] = ok('swapped');
    add({ name: 'grant and cosig swapped', code: 'malformed_token', status: 400, grant: c, cosig: g });
  }

  // ---- bad_signature ----
  {
    const g = grant('forged', {}, untrustedKey);
    add({ name: 'grant signed by an untrusted key under the vendor kid', code: 'bad_signature', status: 401, grant: g, cosig: cosig(g) });
  }
  {
    const g = grant('tampered');
    const [, s] = g.split('.');
    const tampered = `${b64uText(JSON.stringify({ ...grantPayload('tampered'), key: 'reports/2026/q3.json' }))}.${s}`;
    add({
      name: 'grant payload changed after signing (another key)',
      code: 'bad_signature',
      status: 401,
      grant: tampered,
      cosig: cosig(tampered),
      request: { uri: '/reports/2026/q3.json' },
    });
  }
  {
    const g = grant('reencoded');
    const [, s] = g.split('.');
    const p = grantPayload('reencoded');
    const { jti: first, ...rest } = p;
    const reordered = `${b64uText(JSON.stringify({ jti: first, ...rest }))}.${s}`;
    add({
      name: 'grant payload re-serialized with the same fields in another order',
      code: 'bad_signature',
      status: 401,
      grant: reordered,
      cosig: cosig(reordered),
    });
  }
  {
    const g = grant('malleated');
    const [p, s] = g.split('.');
    const sig = b64uDecode(s) as Buffer;
    const sLe = BigInt('0x' + Buffer.from(sig.subarray(32)).reverse().toString('hex')) + L;
    const sBytes = Buffer.from(sLe.toString(16).padStart(64, '0'), 'hex').reverse();
    const malleated = `${p}.${b64uEncode(Buffer.concat([sig.subarray(0, 32), sBytes]))}`;
    add({
      name: 'grant signature with S + L (non-canonical S; tweetnacl accepts it, RFC 8032 does not)',
      code: 'bad_signature',
      status: 401,
      grant: malleated,
      cosig: cosig(malleated),
    });
  }
  {
    const g = rawGrant(JSON.stringify(grantPayload('domain-grant')), vendorKey, COSIGN_DOMAIN);
    add({ name: 'grant signed under the GK1-COSIGN domain', code: 'bad_signature', status: 401, grant: g, cosig: cosig(g) });
  }

  // ---- bad_cosignature ----
  {
    const g = grant('cosig-forged');
    add({ name: 'cosig signed by an untrusted key under the gatekeeper kid', code: 'bad_cosignature', status: 401, grant: g, cosig: cosig(g, {}, untrustedKey) });
    add({
      name: 'cosig signed by the vendor key under the gatekeeper kid (a vendor cannot countersign)',
      code: 'bad_cosignature',
      status: 401,
      grant: g,
      cosig: cosig(g, {}, vendorKey),
    });
    const other = grant('cosig-other-grant');
    add({ name: 'cosig of another grant (gh differs)', code: 'bad_cosignature', status: 401, grant: g, cosig: cosig(other) });
    add({ name: 'cosig outliving its grant', code: 'bad_cosignature', status: 401, grant: g, cosig: cosig(g, { exp: NOW + 291 }) });
    const domain = signTokenText(GRANT_DOMAIN, JSON.stringify(cosigPayload(g)), gkKey);
    add({ name: 'cosig signed under the GK1-GRANT domain', code: 'bad_cosignature', status: 401, grant: g, cosig: domain });
  }

  // ---- unknown_kid ----
  {
    const g = grant('unknown-vendor-kid', { kid: UNTRUSTED.kid }, untrustedKey);
    add({ name: 'grant from a vendor kid the ACL does not list', code: 'unknown_kid', status: 401, grant: g, cosig: cosig(g) });
    const g2 = grant('unknown-gk-kid');
    add({
      name: 'cosig from a gatekeeper kid the ACL does not list',
      code: 'unknown_kid',
      status: 401,
      grant: g2,
      cosig: cosig(g2, { kid: UNTRUSTED.kid }, untrustedKey),
    });
    const g3 = grant('vendor-kid-as-gk');
    add({
      name: 'cosig signed by the vendor under its own kid (not a gatekeeper key)',
      code: 'unknown_kid',
      status: 401,
      grant: g3,
      cosig: cosig(g3, { kid: VENDOR.kid }, vendorKey),
    });
  }

  // ---- time ----
  {
    const g = grant('expired', { iat: NOW - 400, exp: NOW - 31 });
    add({ name: 'grant expired 31 s ago (beyond the skew)', code: 'expired', status: 401, grant: g, cosig: cosig(g, { iat: NOW - 100, exp: NOW - 31 }) });
    const g2 = grant('cosig-expired');
    add({ name: 'cosig expired 31 s ago', code: 'expired', status: 401, grant: g2, cosig: cosig(g2, { iat: NOW - 200, exp: NOW - 31 }) });
    const g3 = grant('not-yet', { iat: NOW + 31, exp: NOW + 300 });
    add({ name: 'grant issued 31 s in the future', code: 'not_yet_valid', status: 401, grant: g3, cosig: cosig(g3) });
    const g4 = grant('cosig-not-yet');
    add({ name: 'cosig issued 31 s in the future', code: 'not_yet_valid', status: 401, grant: g4, cosig: cosig(g4, { iat: NOW + 31, exp: NOW + 200 }) });
    const g5 = grant('ttl-long', { iat: NOW - 10, exp: NOW + 891 });
    add({ name: 'grant lifetime maxGrantTtlSeconds + 1', code: 'ttl_too_long', status: 403, grant: g5, cosig: cosig(g5) });
    const g6 = grant('cosig-ttl-long');
    add({ name: 'cosig lifetime cosignTtlSeconds + 1', code: 'ttl_too_long', status: 403, grant: g6, cosig: cosig(g6, { iat: NOW - 20, exp: NOW + 281 }) });
  }

  // ---- ip_mismatch ----
  {
    const g = grant('other-ip');
    add({ name: 'cosig for another IP', code: 'ip_mismatch', status: 401, grant: g, cosig: cosig(g, { ip: OTHER_IP }) });
    const g2 = grant('xff');
    add({
      name: 'cosig for another IP, that IP in X-Forwarded-For (ignored)',
      code: 'ip_mismatch',
      status: 401,
      grant: g2,
      cosig: cosig(g2, { ip: OTHER_IP }),
      headers: { 'x-forwarded-for': [OTHER_IP], 'true-client-ip': [OTHER_IP] },
    });
    const g3 = grant('ip-noncanonical');
    add({
      name: 'cosig whose ip is not in normalized form',
      code: 'ip_mismatch',
      status: 401,
      grant: g3,
      cosig: cosig(g3, { ip: '2001:DB8::7' }),
      request: { clientIp: VIEWER_IP6 },
    });
  }

  // ---- audience ----
  {
    const g = grant('aud', { aud: 'gk-someone-else' });
    add({ name: 'grant for another gatekeeper', code: 'wrong_audience', status: 403, grant: g, cosig: cosig(g) });
  }

  // ---- scope ----
  {
    const [g, c] = ok('scope-key');
    add({ name: 'another key than the grant names', code: 'scope_mismatch', status: 403, grant: g, cosig: c, request: { uri: '/reports/2026/q3.json' } });
    add({ name: 'PUT with a get grant', code: 'scope_mismatch', status: 403, grant: g, cosig: c, request: { method: 'PUT' } });
    const [gp, cp] = ok('scope-prefix', { key: undefined, prefix: 'reports/' });
    add({ name: 'a key outside the grant prefix (prefix is not a string prefix of the path)', code: 'scope_mismatch', status: 403, grant: gp, cosig: cp, request: { uri: '/reportsX/a.json' } });
    const [gput, cput] = ok('scope-put', { op: 'put' });
    add({ name: 'GET with a put grant', code: 'scope_mismatch', status: 403, grant: gput, cosig: cput });
    const [gl, cl] = ok('scope-list', { op: 'list', key: undefined, prefix: 'reports/' });
    add({ name: 'GET with a list grant', code: 'scope_mismatch', status: 403, grant: gl, cosig: cl });
    const sha = 'b'.repeat(64);
    const [gs, cs] = ok('scope-sha', { op: 'put', sha256: sha });
    add({ name: 'PUT without the checksum the grant binds', code: 'scope_mismatch', status: 403, grant: gs, cosig: cs, request: { method: 'PUT' } });
    add({
      name: 'PUT with another checksum than the grant binds',
      code: 'scope_mismatch',
      status: 403,
      grant: gs,
      cosig: cs,
      request: { method: 'PUT' },
      headers: { 'x-amz-checksum-sha256': [Buffer.alloc(32).toString('base64')] },
    });
  }
  {
    const [g, c] = ok('traversal');
    add({ name: 'a URI with a dot-dot segment', code: 'malformed_request', status: 400, grant: g, cosig: c, request: { uri: '/reports/2026/../2026/q4.json' } });
    add({ name: 'a URI with an encoded dot-dot segment', code: 'malformed_request', status: 400, grant: g, cosig: c, request: { uri: '/reports/2026/%2E%2E/2026/q4.json' } });
    add({ name: 'a URI with an invalid UTF-8 escape', code: 'malformed_request', status: 400, grant: g, cosig: c, request: { uri: '/reports/2026/q4%C0%AE.json' } });
    add({ name: 'DELETE', code: 'method_not_allowed', status: 405, grant: g, cosig: c, request: { method: 'DELETE' } });
  }

  // ---- put body rules ----
  {
    const [g, c] = ok('too-large', { op: 'put', maxBytes: 1024 });
    add({ name: 'PUT with Content-Length above maxBytes', code: 'too_large', status: 413, grant: g, cosig: c, request: { method: 'PUT' }, headers: { 'content-length': ['1025'] } });
    add({ name: 'PUT without Content-Length when maxBytes is bound', code: 'malformed_request', status: 400, grant: g, cosig: c, request: { method: 'PUT' } });
    const [gc, cc] = ok('ctype', { op: 'put', contentType: 'image/png' });
    add({
      name: 'PUT with another Content-Type',
      code: 'content_type_mismatch',
      status: 403,
      grant: gc,
      cosig: cc,
      request: { method: 'PUT' },
      headers: { 'content-type': ['text/html'] },
    });
    add({ name: 'PUT without Content-Type when contentType is bound', code: 'content_type_mismatch', status: 403, grant: gc, cosig: cc, request: { method: 'PUT' } });
  }

  // ---- ACL-driven (aclOverride replaces top-level fields of `acl`) ----
  {
    const [g, c] = ok('revoked-jti');
    add({ name: 'ACL: revoked jti', code: 'revoked', status: 403, grant: g, cosig: c, aclOverride: { revoked: { jti: [jti('revoked-jti')], kid: [] } } });
    const [g2, c2] = ok('revoked-vendor');
    add({ name: 'ACL: revoked vendor kid', code: 'revoked', status: 403, grant: g2, cosig: c2, aclOverride: { revoked: { jti: [], kid: [VENDOR.kid] } } });
    const [g3, c3] = ok('revoked-gk');
    add({ name: 'ACL: revoked gatekeeper kid', code: 'revoked', status: 403, grant: g3, cosig: c3, aclOverride: { revoked: { jti: [], kid: [GATEKEEPER.kid] } } });
    const [g4, c4] = ok('deny-all');
    add({ name: 'ACL: mode deny-all', code: 'deny_all', status: 403, grant: g4, cosig: c4, aclOverride: { mode: 'deny-all' } });
    add({ name: 'ACL: mode deny-all wins over a missing token', code: 'deny_all', status: 403, grant: null, cosig: null, aclOverride: { mode: 'deny-all' } });
    const [g5, c5] = ok('ip-deny');
    add({ name: 'ACL: viewer IP in ips.deny', code: 'ip_denied', status: 403, grant: g5, cosig: c5, aclOverride: { ips: { allow: ['0.0.0.0/0', '::/0'], deny: ['203.0.113.0/24'] } } });
    add({ name: 'ACL: viewer IP not in ips.allow', code: 'ip_denied', status: 403, grant: g5, cosig: c5, aclOverride: { ips: { allow: ['10.0.0.0/8', '::/0'], deny: [] } } });
    add({
      name: 'ACL: ::/0 does not cover an IPv4 viewer',
      code: 'ip_denied',
      status: 403,
      grant: g5,
      cosig: c5,
      aclOverride: { ips: { allow: ['::/0'], deny: [] } },
    });
    add({
      name: 'ACL: report-only never lifts a signature failure',
      code: 'bad_cosignature',
      status: 401,
      grant: g5,
      cosig: cosig(g5, {}, untrustedKey),
      aclOverride: { mode: 'report-only', ips: { allow: ['0.0.0.0/0', '::/0'], deny: ['203.0.113.0/24'] } },
    });
  }
  return cases.map(accessCase);
}

interface CosignGrant {
  token: string;
  /** For an allowed grant: the grant's exp, the cosig country and IP. */
  allow?: { grantExp: number; ctry: string; ip: string; audit?: VectorAudit };
  deny?: string;
}

const STATUS: Record<string, number> = {
  malformed_token: 400,
  bad_signature: 401,
  unknown_kid: 401,
  expired: 401,
  not_yet_valid: 401,
  wrong_audience: 403,
  ttl_too_long: 403,
  ip_denied: 403,
  country_denied: 403,
  revoked: 403,
  deny_all: 403,
};

function cosignCase(
  name: string,
  grants: CosignGrant[],
  opts: { request?: Partial<VectorRequest>; headers?: Headers; aclOverride?: Record<string, unknown>; body?: string; status?: number; code?: string } = {},
): VectorCase {
  const tokens = grants.map((g) => g.token);
  const body = opts.body ?? JSON.stringify({ grants: tokens });
  const head: CaseHead = { name, phase: 'cosign' };
  if (opts.aclOverride !== undefined) head.aclOverride = opts.aclOverride;
  head.grants = tokens;
  const request = postRequest(COSIGN_URI, body, opts.request, opts.headers);
  if (opts.code !== undefined && opts.code !== 'ok') {
    return { ...head, request, expect: { status: opts.status ?? 400, code: opts.code, audit: { decision: 'deny', reason: opts.code } } };
  }
  const expect: VectorExpect = {
    status: 200,
    code: 'ok',
    results: grants.map((g): VectorCosignResult => {
      if (g.allow !== undefined) {
        const { cosig: token, exp } = expectedCosig(g.token, g.allow.grantExp, g.allow.ip, g.allow.ctry);
        return { code: 'ok', status: 200, audit: g.allow.audit ?? { decision: 'allow', reason: 'ok' }, cosig: token, exp };
      }
      const code = g.deny as string;
      return { code, status: STATUS[code], audit: { decision: 'deny', reason: code } };
    }),
  };
  return { ...head, request, expect };
}

function cosignCases(): VectorCase[] {
  const out: VectorCase[] = [];
  const valid = grant('cosign-ok');
  const allowUs = { grantExp: NOW + 290, ctry: 'US', ip: VIEWER_IP };
  out.push(cosignCase('cosign: one valid grant', [{ token: valid, allow: allowUs }]));
  const short = grant('cosign-short', { iat: NOW - 10, exp: NOW + 60 });
  out.push(cosignCase('cosign: a cosig never outlives its grant (exp = grant.exp)', [{ token: short, allow: { ...allowUs, grantExp: NOW + 60 } }]));
  const long = grant('cosign-long', { iat: NOW - 10, exp: NOW + 890 });
  out.push(cosignCase('cosign: a cosig lives cosignTtlSeconds at most', [{ token: long, allow: { ...allowUs, grantExp: NOW + 890 } }]));
  out.push(
    cosignCase('cosign: IPv6 viewer, bound in RFC 5952 form', [{ token: valid, allow: { ...allowUs, ip: VIEWER_IP6 } }], {
      request: { clientIp: '2001:0DB8:0000::0007' },
    }),
  );
  out.push(
    cosignCase('cosign: IPv4-mapped viewer, bound as IPv4', [{ token: valid, allow: allowUs }], { request: { clientIp: '::ffff:cb00:7107' } }),
  );
  const list = grant('cosign-list', { op: 'list', key: undefined, prefix: 'reports/' });
  const put = grant('cosign-put', { op: 'put', key: 'uploads/in.csv', maxBytes: 1024 });
  out.push(
    cosignCase('cosign: a batch, each grant judged alone, results in order', [
      { token: valid, allow: allowUs },
      { token: grant('batch-expired', { iat: NOW - 400, exp: NOW - 31 }), deny: 'expired' },
      { token: list, allow: allowUs },
      { token: grant('batch-aud', { aud: 'gk-someone-else' }), deny: 'wrong_audience' },
      { token: 'not-a-token', deny: 'malformed_token' },
      { token: put, allow: allowUs },
    ]),
  );
  const denials: [string, string, Partial<GrantPayload>, KeyObject?][] = [
    ['cosign: grant signed by an untrusted key', 'bad_signature', {}, untrustedKey],
    ['cosign: grant from an unknown vendor kid', 'unknown_kid', { kid: UNTRUSTED.kid }, untrustedKey],
    ['cosign: grant issued 31 s in the future', 'not_yet_valid', { iat: NOW + 31, exp: NOW + 300 }],
    ['cosign: grant lifetime above maxGrantTtlSeconds', 'ttl_too_long', { iat: NOW, exp: NOW + 901 }],
    ['cosign: grant expired 1 s ago (within the skew, but no room left for a cosig)', 'expired', { iat: NOW - 200, exp: NOW - 1 }],
  ];
  for (const [name, code, over, key] of denials) {
    out.push(cosignCase(name, [{ token: grant(name.replace('cosign: ', 'c-'), over, key), deny: code }]));
  }
  out.push(cosignCase('cosign: viewer country not in countries.allow', [{ token: valid, deny: 'country_denied' }], { request: { country: 'FR' } }));
  out.push(
    cosignCase('cosign: no CloudFront country is XX, not in the default list', [{ token: valid, deny: 'country_denied' }], {
      request: { country: null },
    }),
  );
  out.push(
    cosignCase('cosign: ACL: country in countries.deny', [{ token: valid, deny: 'country_denied' }], {
      aclOverride: { countries: { allow: ['US'], deny: ['US'] } },
    }),
  );
  out.push(
    cosignCase('cosign: ACL: viewer IP in ips.deny', [{ token: valid, deny: 'ip_denied' }], {
      aclOverride: { ips: { allow: ['0.0.0.0/0', '::/0'], deny: ['203.0.113.7'] } },
    }),
  );
  out.push(
    cosignCase('cosign: ACL: revoked jti', [{ token: valid, deny: 'revoked' }], {
      aclOverride: { revoked: { jti: [jti('cosign-ok')], kid: [] } },
    }),
  );
  out.push(cosignCase('cosign: ACL: deny-all', [{ token: valid, deny: 'deny_all' }], { aclOverride: { mode: 'deny-all' } }));
  out.push(
    cosignCase(
      'cosign: ACL: report-only signs for a denied country, audited as would_deny',
      [{ token: valid, allow: { ...allowUs, ctry: 'FR', audit: { decision: 'would_deny', reason: 'country_denied' } } }],
      { request: { country: 'FR' }, aclOverride: { mode: 'report-only' } },
    ),
  );
  // The body is refused before any grant is read, so short strings suffice.
  out.push(cosignCase('cosign: 51 grants', Array.from({ length: 51 }, (_, i) => ({ token: `g${i}` })), { code: 'malformed_request', status: 400 }));
  out.push(cosignCase('cosign: an unknown body field', [{ token: valid }], { body: JSON.stringify({ grants: [valid], x: 1 }), code: 'malformed_request', status: 400 }));
  out.push(cosignCase('cosign: GET', [{ token: valid }], { request: { method: 'GET' }, code: 'method_not_allowed', status: 405 }));
  out.push(
    cosignCase('cosign: a foreign Origin', [{ token: valid }], {
      headers: { origin: ['https://evil.example'] },
      code: 'origin_not_allowed',
      status: 403,
    }),
  );
  return out;
}

function listCase(name: string, body: Record<string, unknown>, code: string, status: number, opts: { request?: Partial<VectorRequest>; aclOverride?: Record<string, unknown> } = {}): VectorCase {
  const head: CaseHead = { name, phase: 'list' };
  if (opts.aclOverride !== undefined) head.aclOverride = opts.aclOverride;
  if (typeof body.grant === 'string') head.grant = body.grant;
  if (typeof body.cosig === 'string') head.cosig = body.cosig;
  const expect: VectorExpect = { status, code, audit: { decision: code === 'ok' ? 'allow' : 'deny', reason: code } };
  if (code === 'ok') expect.prefix = body.prefix as string;
  return { ...head, request: postRequest(LIST_URI, JSON.stringify(body), opts.request), expect };
}

function listCases(): VectorCase[] {
  const g = grant('list-ok', { op: 'list', key: undefined, prefix: 'reports/' });
  const c = cosig(g);
  const gGet = grant('list-get', { key: undefined, prefix: 'reports/' });
  return [
    listCase('list: a prefix under the grant prefix', { grant: g, cosig: c, prefix: 'reports/2026/', maxKeys: 100 }, 'ok', 200),
    listCase('list: a prefix outside the grant prefix', { grant: g, cosig: c, prefix: 'other/' }, 'scope_mismatch', 403),
    listCase('list: a get grant', { grant: gGet, cosig: cosig(gGet), prefix: 'reports/' }, 'scope_mismatch', 403),
    listCase('list: cosig for another IP', { grant: g, cosig: cosig(g, { ip: OTHER_IP }), prefix: 'reports/' }, 'ip_mismatch', 401),
    listCase('list: no cosig', { grant: g, prefix: 'reports/' }, 'missing_token', 401),
    listCase('list: viewer country not allowed (re-checked at list time)', { grant: g, cosig: c, prefix: 'reports/' }, 'country_denied', 403, {
      request: { country: 'FR' },
    }),
  ];
}

function signatureVectors(): Record<string, unknown> {
  const gp = grantPayload('signature-vector');
  const g = signGrant(gp, vendorKey);
  const [gPart, gSig] = g.split('.');
  const cp: CosigPayload = { v: 1, kid: GATEKEEPER.kid, gh: grantHash(g), ip: VIEWER_IP, ctry: 'US', iat: NOW, exp: NOW + 290 };
  const c = signCosig(cp, gkKey);
  const [cPart, cSig] = c.split('.');
  const check = (domain: string, part: string, key: KeyObject, sig: string): void => {
    if (b64uEncode(ed25519Sign(key, Buffer.from(`${domain}.${part}`, 'latin1'))) !== sig) throw new Error('vectors: signature mismatch');
  };
  check(GRANT_DOMAIN, gPart, vendorKey, gSig);
  check(COSIGN_DOMAIN, cPart, gkKey, cSig);
  return {
    grant: {
      signer: VENDOR.kid,
      payloadJson: Buffer.from(gPart, 'base64url').toString('utf8'),
      payloadB64u: gPart,
      signingInput: `${GRANT_DOMAIN}.${gPart}`,
      signature: gSig,
      token: g,
    },
    grantHash: { grant: g, gh: grantHash(g) },
    cosig: {
      signer: GATEKEEPER.kid,
      payloadJson: Buffer.from(cPart, 'base64url').toString('utf8'),
      payloadB64u: cPart,
      signingInput: `${COSIGN_DOMAIN}.${cPart}`,
      signature: cSig,
      token: c,
    },
  };
}

/** The whole vector document; pure and deterministic (fixed seeds, fixed clock, Ed25519). */
export function buildVectors(): object {
  const cases = [...accessCases(), ...cosignCases(), ...listCases()];
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`vectors: duplicate case name ${c.name}`);
    names.add(c.name);
  }
  return {
    version: 1,
    protocol: 'S3 Gatekeeper wire protocol, version 1 (PROTOCOL.md)',
    description: [
      'Test vectors for grant and countersignature tokens and the gatekeeper decisions.',
      'Generated by scripts/vectors.ts (npm run vectors); do not edit by hand.',
      'Every case is judged with the ACL document `acl`, top-level fields replaced by the case `aclOverride` if any,',
      'the gatekeeper id `gatekeeperId`, the vendor origins `vendorOrigins` and the clock `now` (unix seconds).',
      'Phase `access` is object access at viewer-request (no country); `cosign` and `list` run at origin-request',
      'with `request.country` as CloudFront-Viewer-Country. Headers are lower case, each with its values in order.',
      'An allowed access forwards `expect.uri`, an empty query string and only `expect.forwardedHeaders` to S3.',
      'A cosign answer is 200 with one result per grant; an allowed result carries the exact cosig token',
      '(Ed25519 is deterministic) signed at `now` with exp = min(grant.exp, now + cosignTtlSeconds).',
      '`expect.code` is "ok" when the request is allowed; `audit` is the one audit record each decision yields.',
    ],
    warning: 'TEST KEYS ONLY: the seeds below are public (32 bytes of 0x01, 0x02, 0x03). Never trust them in a real ACL.',
    now: NOW,
    gatekeeperId: GATEKEEPER_ID,
    vendorOrigins: [VENDOR_ORIGIN],
    keys: { vendor: keyEntry(VENDOR), gatekeeper: keyEntry(GATEKEEPER), untrusted: keyEntry(UNTRUSTED) },
    acl: baseAcl(),
    signatures: signatureVectors(),
    cases,
  };
}

/** Pretty-printed with a trailing newline: the exact bytes of the committed file. */
export function renderVectors(v: object = buildVectors()): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

if (require.main === module) {
  const text = renderVectors();
  writeFileSync(VECTORS_PATH, text);
  const count = (JSON.parse(text) as { cases: unknown[] }).cases.length;
  console.log(`vectors: wrote ${join('test', 'vectors', 'protocol-v1.json')} (${count} cases, ${text.length} bytes)`);
}
