/**
 * Property test of the three token decisions: random and mutated tokens and
 * requests (fixed seeds, explicit run counts; 11,000 runs in all, most with
 * several tokens). For every verdict: nothing throws, the status and code are
 * PROTOCOL's, there is exactly one audit record per decision (per grant for a
 * cosign), and nothing is allowed unless the tokens it carried are
 * byte-identical to tokens the vendor and gatekeeper really signed.
 *
 * The last property is strict on purpose. A token's signature covers the
 * exact b64u text of its payload under a domain, and Ed25519 signatures are
 * not malleable once S < L is enforced, so no re-encoding of a payload (other
 * field order, whitespace, `1.0` for `1`, a `\u` escape) and no other
 * signature bytes can verify. A query-string token that is percent-encoded is
 * compared after decoding: that is the same bytes, not a mutation.
 */
import fc from 'fast-check';
import type { CompiledAcl } from '../../../edge/core/acl';
import { b64uDecode, b64uEncode } from '../../../edge/core/b64u';
import { STATUS_OF } from '../../../edge/core/codes';
import { decideAccess } from '../../../edge/core/decide/access';
import { signerFromSeed, type DecideContext, type Signer } from '../../../edge/core/decide/context';
import { decideCosign } from '../../../edge/core/decide/cosign';
import { decideList } from '../../../edge/core/decide/list';
import { normalizeIp } from '../../../edge/core/ip';
import { ed25519PublicKey, publicKeyOfSeed } from '../../../edge/core/keys';
import { canonicalKeyUri, keyFromUri } from '../../../edge/core/objectKey';
import { COSIGN_DOMAIN, GRANT_DOMAIN, grantHash, parseCosig, parseGrant, signTokenText, verifyToken } from '../../../edge/core/tokens';
import type { CoreRequest, Verdict } from '../../../edge/core/types';
import type { AuditRecord } from '../../../edge/core/audit';
import {
  acl,
  cosigFor,
  GK_ID,
  GK_KID,
  GK_SEED,
  OTHER_SEED,
  gkKey,
  grant,
  NOW,
  NOW_S,
  otherKey,
  signer,
  VENDOR_ORIGIN,
  VIEWER_IP,
  vendorKey,
} from '../../helpers/world';

/** PROTOCOL "Error answers", written out here rather than imported, so a drift in codes.ts is caught. */
const PROTOCOL_STATUS: Readonly<Record<string, number>> = {
  malformed_request: 400,
  malformed_token: 400,
  missing_token: 401,
  bad_signature: 401,
  bad_cosignature: 401,
  unknown_kid: 401,
  expired: 401,
  not_yet_valid: 401,
  ip_mismatch: 401,
  wrong_audience: 403,
  ttl_too_long: 403,
  scope_mismatch: 403,
  ip_denied: 403,
  country_denied: 403,
  revoked: 403,
  deny_all: 403,
  origin_not_allowed: 403,
  content_type_mismatch: 403,
  method_not_allowed: 405,
  too_large: 413,
  audit_unavailable: 503,
  config_unavailable: 503,
};
const PROTOCOL_STATUSES = new Set(Object.values(PROTOCOL_STATUS));
const isProtocolCode = (c: string): boolean => Object.prototype.hasOwnProperty.call(PROTOCOL_STATUS, c);

const SEED = 0x6b31_2026;

// ---- the valid tokens: the only ones that may ever be allowed ----

interface Pair {
  grant: string;
  cosig: string;
  /** A URI the grant covers. */
  uri: string;
  method: string;
  headers: Record<string, string[]>;
}

const SHA = 'a'.repeat(64);
const pairOf = (over: Parameters<typeof grant>[0], uri: string, method = 'GET', headers: Record<string, string[]> = {}): Pair => {
  const g = grant(over);
  return { grant: g, cosig: cosigFor(g), uri, method, headers };
};
const GET = pairOf({}, '/reports/2026/q4.json');
const PREFIX = pairOf({ key: undefined, prefix: 'reports/' }, '/reports/2026/q4.json', 'HEAD');
const PUT = pairOf({ op: 'put', key: 'uploads/a.csv', maxBytes: 1000, contentType: 'text/csv', sha256: SHA }, '/uploads/a.csv', 'PUT', {
  'content-length': ['10'],
  'content-type': ['text/csv'],
  'x-amz-checksum-sha256': [Buffer.from(SHA, 'hex').toString('base64')],
});
const LIST = pairOf({ op: 'list', key: undefined, prefix: 'reports/' }, '/reports/2026/q4.json');
const OBJECT_PAIRS = [GET, PREFIX, PUT];
const ALL_PAIRS = [GET, PREFIX, PUT, LIST];
const VALID_GRANTS = new Set(ALL_PAIRS.map((p) => p.grant));
const COSIG_OF = new Map(ALL_PAIRS.map((p) => [p.grant, p.cosig]));
const ALL_TOKENS = ALL_PAIRS.flatMap((p) => [p.grant, p.cosig]);
const GK_PUBLIC = ed25519PublicKey(publicKeyOfSeed(GK_SEED));

// ---- contexts: compiled once ----

const config = { gatekeeperId: GK_ID, vendorOrigins: [VENDOR_ORIGIN] };
const contextOf = (a: CompiledAcl): DecideContext => ({ now: NOW, acl: a, config });
const CONTEXTS: DecideContext[] = [
  contextOf(acl()),
  contextOf(acl({ mode: 'report-only', ips: { deny: ['203.0.113.0/24'] }, countries: { allow: ['GB'] } })),
  contextOf(acl({ mode: 'deny-all' })),
  contextOf(acl({ ips: { allow: ['10.0.0.0/8', '2001:db8::/32'] } })),
  contextOf(acl({ revoked: { jti: [], kid: ['vendor-1'] } })),
  contextOf(acl({ clockSkewSeconds: 0, cosignTtlSeconds: 60 })),
];
const SIGNERS: Signer[] = [signer, signerFromSeed('gk-untrusted', OTHER_SEED)];

// ---- token mutations ----

const B64U = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');
const ODD = ['.', '=', '+', '/', ' ', '%', '&', '"', '\\', '\u00e9', '\u0000', '\n', '\ud800', '\u{1f600}'];
const charArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...B64U) },
  { weight: 3, arbitrary: fc.constantFrom(...ODD) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const FIELDS = ['v', 'kid', 'aud', 'op', 'key', 'prefix', 'iat', 'exp', 'jti', 'sub', 'maxBytes', 'contentType', 'sha256', 'gh', 'ip', 'ctry'];
const fieldArb = fc.oneof(fc.constantFrom(...FIELDS, '__proto__', 'constructor', 'x', ''), fc.string({ maxLength: 6 }));
const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(1, 0, -1, 1.5, NOW_S, NOW_S + 1e9, 2 ** 53, '1', 'get', 'put', 'list', 'reports/', '../x', GK_ID, 'vendor-1', 'gk-1', VIEWER_IP, 'US', null, true),
);

function split(t: string): [string, string] {
  const dot = t.indexOf('.');
  return dot < 0 ? [t, ''] : [t.slice(0, dot), t.slice(dot + 1)];
}

function payloadText(t: string): string {
  return Buffer.from(split(t)[0], 'base64url').toString('utf8');
}

/** The token with its payload replaced by `text` and its original signature. */
function withPayload(t: string, text: string): string {
  return `${b64uEncode(Buffer.from(text, 'utf8'))}.${split(t)[1]}`;
}

function editedPayload(t: string, edit: (p: Record<string, unknown>) => void): string {
  const p = JSON.parse(payloadText(t)) as Record<string, unknown>;
  edit(p);
  return withPayload(t, JSON.stringify(p));
}

/** The same JSON value, other bytes: each of these must fail the signature. */
const TEXT_REWRITES: ((s: string) => string)[] = [
  (s) => s.replace('"v":1', '"v":1.0'),
  (s) => s.replace('"v":1', '"v":1e0'),
  (s) => s.replace('{', '{ '),
  (s) => `${s}\n`,
  (s) => s.replace(/"kid":"(.)/, (_m, c: string) => `"kid":"\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  (s) => s.replace(/"(\w+)":/, '"$1" :'),
  (s) => {
    const o = JSON.parse(s) as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(Object.entries(o).reverse()));
  },
];

const L = (1n << 252n) + 27742317777372353535851937790883648493n;
function malleate(t: string): string {
  const [p, s] = split(t);
  const sig = b64uDecode(s);
  if (sig === null || sig.length !== 64) return t;
  const sBig = BigInt('0x' + Buffer.from(sig.subarray(32)).reverse().toString('hex')) + L;
  const sBytes = Buffer.from(sBig.toString(16).padStart(64, '0'), 'hex').reverse();
  return `${p}.${b64uEncode(Buffer.concat([sig.subarray(0, 32), sBytes]))}`;
}

function mutate(base: string): fc.Arbitrary<string> {
  const n = base.length;
  return fc.oneof(
    fc.tuple(fc.nat(), charArb).map(([i, ch]) => base.slice(0, i % n) + ch + base.slice((i % n) + 1)),
    fc.tuple(fc.nat(), charArb).map(([i, ch]) => base.slice(0, i % n) + ch + base.slice(i % n)),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })).map(([i, k]) => base.slice(0, i % n) + base.slice((i % n) + k)),
    fc.nat().map((i) => base.slice(0, i % n)),
    fc.nat().map((i) => {
      const k = i % n;
      const c = base[k];
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return base.slice(0, k) + flipped + base.slice(k + 1);
    }),
    fc.constant(`${split(base)[1]}.${split(base)[0]}`),
    fc.constant(`${base}.${split(base)[1]}`),
    fc.constant(`${base}=`),
    fc.constant(` ${base}`),
    fc.constant(base.replace(/-/g, '+').replace(/_/g, '/')),
    fc.constant(malleate(base)),
    fc.uint8Array({ minLength: 64, maxLength: 64 }).map((sig) => `${split(base)[0]}.${b64uEncode(sig)}`),
    fc.constantFrom(...ALL_TOKENS).map((other) => `${split(base)[0]}.${split(other)[1]}`),
    fc.constantFrom(...ALL_TOKENS).map((other) => `${split(other)[0]}.${split(base)[1]}`),
    fc.jsonValue({ maxDepth: 3 }).map((v) => withPayload(base, JSON.stringify(v) ?? 'null')),
    fc.tuple(fieldArb, valueArb).map(([k, v]) => editedPayload(base, (p) => Object.defineProperty(p, k, { value: v, enumerable: true, writable: true, configurable: true }))),
    fc.constantFrom(...FIELDS).map((k) => editedPayload(base, (p) => delete p[k])),
    fc.constantFrom(...TEXT_REWRITES).map((rw) => withPayload(base, rw(payloadText(base)))),
    // Signed, but by someone else or for the other domain: still never valid.
    fc.tuple(fieldArb, valueArb, fc.constantFrom(otherKey, vendorKey, gkKey), fc.boolean()).map(([k, v, key, keep]) => {
      const p = JSON.parse(payloadText(base)) as Record<string, unknown>;
      if (!keep) Object.defineProperty(p, k, { value: v, enumerable: true, writable: true, configurable: true });
      const isGrant = parseGrant(base).ok;
      // The right key under the wrong domain, or any change under the right domain with the wrong key.
      const domain = isGrant ? COSIGN_DOMAIN : GRANT_DOMAIN;
      const rightKey = isGrant ? vendorKey : gkKey;
      return key === rightKey ? signTokenText(domain, JSON.stringify(p), key) : signTokenText(isGrant ? GRANT_DOMAIN : COSIGN_DOMAIN, JSON.stringify(p), key);
    }),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.constant(''),
  );
}

/** Another token in the slot of `valid`: mostly a mutation of it, sometimes another valid token or a mutation of one. */
function replacementFor(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: mutate(valid) },
    { weight: 1, arbitrary: fc.constantFrom(...ALL_TOKENS) },
    { weight: 2, arbitrary: fc.constantFrom(...ALL_TOKENS).chain(mutate) },
  );
}

/** A grant and cosig for a pair: both real, one replaced, or both replaced. */
function tokensFor(pair: Pair): fc.Arbitrary<[string, string]> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<[string, string]>([pair.grant, pair.cosig]) },
    { weight: 3, arbitrary: fc.tuple(replacementFor(pair.grant), fc.constant(pair.cosig)) },
    { weight: 3, arbitrary: fc.tuple(fc.constant(pair.grant), replacementFor(pair.cosig)) },
    { weight: 2, arbitrary: fc.tuple(replacementFor(pair.grant), replacementFor(pair.cosig)) },
  );
}

const ALL_TOKEN_SET = new Set(ALL_TOKENS);
/** Tokens that were not byte-identical to a signed one, counted across the three properties. */
function countReplaced(...tokens: unknown[]): void {
  for (const t of tokens) if (typeof t === 'string' && !ALL_TOKEN_SET.has(t)) tally.replacedTokens++;
}

/** Percent-encodes every byte that needs it, and optionally a few that do not: decodes to exactly `s`. */
function percentEncode(s: string, extra: boolean): string {
  let out: string;
  try {
    out = encodeURIComponent(s);
  } catch {
    // A lone surrogate cannot be encoded; send it raw, where it can only be refused.
    return s;
  }
  return extra ? out.replace(/[A-Za-z]/g, (c, i: number) => (i % 3 === 0 ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c)) : out;
}

// ---- request parts ----

const ipArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(VIEWER_IP) },
  { weight: 2, arbitrary: fc.constantFrom('::ffff:203.0.113.7', '::FFFF:CB00:7107', '0:0:0:0:0:ffff:203.0.113.7', '203.0.113.07', ' 203.0.113.7') },
  { weight: 2, arbitrary: fc.ipV4() },
  { weight: 2, arbitrary: fc.ipV6() },
  { weight: 1, arbitrary: fc.string({ maxLength: 46 }) },
);
const methodArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('POST', 'DELETE', 'OPTIONS', 'PATCH', 'get', '', 'GET ', 'CONNECT') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);
const HEADER_NAMES = [
  'x-forwarded-for',
  'cloudfront-viewer-country',
  'cloudfront-viewer-address',
  'true-client-ip',
  'x-gk-grant',
  'x-gk-cosig',
  'x-gk-debug',
  'x-amz-checksum-sha256',
  'x-amz-security-token',
  'x-amz-server-side-encryption',
  'authorization',
  'content-length',
  'content-type',
  'transfer-encoding',
  'range',
  'origin',
  'user-agent',
];
const headerValueArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(...ALL_TOKENS, VIEWER_IP, 'US', 'KP', '10', '99999999999', 'text/csv', VENDOR_ORIGIN) },
);
const extraHeadersArb = fc.dictionary(
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HEADER_NAMES) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }).map((s) => s.toLowerCase()) }),
  fc.array(headerValueArb, { minLength: 0, maxLength: 3 }),
  { maxKeys: 4 },
);
/** Other query parameters; none can carry a token the test does not know about. */
const extraQueryArb = fc.oneof(
  fc.constantFrom('response-content-type=text%2Fhtml', 'x-id=GetObject', 'gk_x=1', 'GK_GRANT=abc', 'gk%5Fdebug=1', 'gk_grant', '&&', '=', 'a=%', 'versionId=1'),
  fc.webQueryParameters().filter((q) => !/gk|%/i.test(q)),
);

function uriArb(pair: Pair): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(pair.uri) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        pair.uri.replace('/q4', '/q%34'),
        pair.uri.replace(/\//g, '%2F').replace(/^%2F/, '/'),
        '/reports/2026/../2026/q4.json',
        '/reports/2026/%2e%2e/2026/q4.json',
        '/reports/2026/q4.json/',
        '//reports/2026/q4.json',
        '/reports/2026/q4%00.json',
        '/reports/2026/q4%C0%AE.json',
        '/uploads/b.csv',
        '/reportsX/q4.json',
        '/',
        '',
      ),
    },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

// ---- verdict checks ----

function checkRecord(r: AuditRecord, phase: AuditRecord['phase']): void {
  expect(r.phase).toBe(phase);
  expect(['allow', 'deny', 'would_deny']).toContain(r.decision);
  if (r.decision === 'deny') {
    expect(isProtocolCode(r.reason)).toBe(true);
    expect(r.status).toBe(PROTOCOL_STATUS[r.reason]);
  } else {
    expect(r.status).toBe(200);
    expect(r.reason === 'ok' || (r.decision === 'would_deny' && (r.reason === 'ip_denied' || r.reason === 'country_denied'))).toBe(true);
  }
  expect(r.ts).toBe(NOW);
}

/** A PROTOCOL error answer: status from the table, the code in the body, no-store, one record saying the same. */
function checkErrorAnswer(v: Verdict, phase: AuditRecord['phase']): string {
  expect(v.action).toBe('respond');
  if (v.action !== 'respond') return '';
  expect(PROTOCOL_STATUSES.has(v.status)).toBe(true);
  const code = (JSON.parse(v.body) as { error: { code: string } }).error.code;
  expect(isProtocolCode(code)).toBe(true);
  expect(v.status).toBe(PROTOCOL_STATUS[code]);
  expect(STATUS_OF[code as keyof typeof STATUS_OF]).toBe(v.status);
  expect(v.headers['cache-control']).toBe('no-store');
  expect(v.audit).toHaveLength(1);
  checkRecord(v.audit[0], phase);
  expect(v.audit[0]).toMatchObject({ decision: 'deny', reason: code, status: v.status });
  return code;
}

const tally = { replacedTokens: 0, accessAllowed: 0, accessDenied: 0, cosignSigned: 0, cosignRefused: 0, listAllowed: 0, listDenied: 0 };

// ---- access ----

interface AccessInput {
  pair: Pair;
  tokens: [string, string];
  place: 'headers' | 'query' | 'both' | 'split' | 'none' | 'grant-only';
  overEncode: boolean;
  method: string;
  uri: string;
  clientIp: string;
  extraHeaders: Record<string, string[]>;
  extraQuery: string[];
  ctx: number;
}

/** Everything but the tokens as a browser would send it, so that token mutations decide the outcome. */
const cleanAccessArb: fc.Arbitrary<AccessInput> = fc.constantFrom(...OBJECT_PAIRS).chain((pair) =>
  fc.record({
    pair: fc.constant(pair),
    tokens: tokensFor(pair),
    place: fc.constantFrom<AccessInput['place']>('headers', 'query'),
    overEncode: fc.boolean(),
    method: fc.constant(pair.method),
    uri: fc.constant(pair.uri),
    clientIp: fc.constant(VIEWER_IP),
    extraHeaders: fc.constant({}),
    extraQuery: fc.constant([]),
    ctx: fc.constant(0),
  }),
);

const noisyAccessArb: fc.Arbitrary<AccessInput> = fc.constantFrom(...ALL_PAIRS).chain((pair) =>
  fc.record({
    pair: fc.constant(pair),
    tokens: tokensFor(pair),
    place: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<AccessInput['place']>('headers', 'query') },
      { weight: 1, arbitrary: fc.constantFrom<AccessInput['place']>('both', 'split', 'none', 'grant-only') },
    ),
    overEncode: fc.boolean(),
    method: fc.oneof({ weight: 6, arbitrary: fc.constant(pair.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'HEAD', 'PUT') }, { weight: 1, arbitrary: methodArb }),
    uri: uriArb(pair),
    clientIp: ipArb,
    extraHeaders: fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraHeadersArb }),
    extraQuery: fc.array(extraQueryArb, { maxLength: 2 }),
    ctx: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: CONTEXTS.length - 1 }) }),
  }),
);

const accessArb = fc.oneof({ weight: 1, arbitrary: cleanAccessArb }, { weight: 2, arbitrary: noisyAccessArb });

function buildAccess(a: AccessInput): { req: CoreRequest; grants: string[]; cosigs: string[] } {
  const [grantToken, cosigToken] = a.tokens;
  const headers: Record<string, string[]> = { host: ['d123.cloudfront.net'], ...a.pair.headers, ...a.extraHeaders };
  const query: string[] = [];
  const qGrants: string[] = [];
  const qCosigs: string[] = [];
  const toQuery = (name: 'gk_grant' | 'gk_cosig', t: string): void => {
    query.push(`${name}=${percentEncode(t, a.overEncode)}`);
    // Only a value that survives the round trip is a token the request really carries.
    (name === 'gk_grant' ? qGrants : qCosigs).push(t);
  };
  switch (a.place) {
    case 'headers':
      headers['x-gk-grant'] = [grantToken];
      headers['x-gk-cosig'] = [cosigToken];
      break;
    case 'query':
      toQuery('gk_grant', grantToken);
      toQuery('gk_cosig', cosigToken);
      break;
    case 'both':
      headers['x-gk-grant'] = [grantToken];
      headers['x-gk-cosig'] = [cosigToken];
      toQuery('gk_grant', grantToken);
      toQuery('gk_cosig', cosigToken);
      break;
    case 'split':
      toQuery('gk_grant', grantToken);
      headers['x-gk-cosig'] = [cosigToken];
      break;
    case 'grant-only':
      headers['x-gk-grant'] = [grantToken];
      break;
    case 'none':
      break;
  }
  query.push(...a.extraQuery);
  const req: CoreRequest = {
    requestId: 'prop',
    method: a.method,
    uri: a.uri,
    querystring: query.join('&'),
    headers,
    clientIp: a.clientIp,
    country: null,
    body: null,
    bodyTruncated: false,
    edgeLocation: null,
  };
  return { req, grants: [...(headers['x-gk-grant'] ?? []), ...qGrants], cosigs: [...(headers['x-gk-cosig'] ?? []), ...qCosigs] };
}

// ---- cosign ----

interface CosignInput {
  grants: unknown[];
  shape: 'plain' | 'extra-field' | 'not-array' | 'random-json' | 'random-text' | 'many';
  randomJson: string;
  randomText: string;
  truncated: boolean;
  contentType: string | null;
  origin: string[] | null;
  method: string;
  country: string | null;
  clientIp: string;
  ctx: number;
  signer: number;
}

const cosignGrantArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ALL_PAIRS).map((p) => p.grant) },
  { weight: 6, arbitrary: fc.constantFrom(...ALL_PAIRS).chain((p) => replacementFor(p.grant)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 1 })) },
);

const cosignArb: fc.Arbitrary<CosignInput> = fc.record({
  grants: fc.array(cosignGrantArb, { minLength: 1, maxLength: 6 }),
  shape: fc.oneof(
    { weight: 12, arbitrary: fc.constant<CosignInput['shape']>('plain') },
    { weight: 1, arbitrary: fc.constantFrom<CosignInput['shape']>('extra-field', 'not-array', 'random-json', 'random-text', 'many') },
  ),
  randomJson: fc.json({ maxDepth: 2 }),
  randomText: fc.string({ unit: 'binary', maxLength: 60 }),
  truncated: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  contentType: fc.oneof(
    { weight: 10, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/jsonx', null) },
  ),
  origin: fc.oneof(
    { weight: 10, arbitrary: fc.constant<string[] | null>([VENDOR_ORIGIN]) },
    { weight: 1, arbitrary: fc.constantFrom<string[] | null>([], ['https://evil.example'], [VENDOR_ORIGIN, VENDOR_ORIGIN], [`${VENDOR_ORIGIN}/`], null) },
  ),
  method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: methodArb }),
  country: fc.oneof({ weight: 6, arbitrary: fc.constant('US') }, { weight: 1, arbitrary: fc.constantFrom('FR', 'GB', 'XX', 'us', '', 'USA', null) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }),
  clientIp: ipArb,
  ctx: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: CONTEXTS.length - 1 }) }),
  signer: fc.oneof({ weight: 10, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
});

function cosignBody(c: CosignInput): string {
  switch (c.shape) {
    case 'plain':
      return JSON.stringify({ grants: c.grants });
    case 'extra-field':
      return JSON.stringify({ grants: c.grants, x: 1 });
    case 'not-array':
      return JSON.stringify({ grants: c.grants[0] });
    case 'random-json':
      return c.randomJson;
    case 'random-text':
      return c.randomText;
    case 'many':
      return JSON.stringify({ grants: Array.from({ length: 51 }, () => GET.grant) });
  }
}

// ---- list ----

interface ListInput {
  tokens: [string, string];
  /** Leave the grant or the cosig out of the body. */
  omit: 'none' | 'grant' | 'cosig';
  prefix: unknown;
  extra: Record<string, unknown>;
  country: string | null;
  clientIp: string;
  ctx: number;
  method: string;
}

const listArb: fc.Arbitrary<ListInput> = fc.constantFrom(LIST, LIST, LIST, PREFIX).chain((pair) =>
  fc.record({
    tokens: tokensFor(pair),
    omit: fc.oneof({ weight: 12, arbitrary: fc.constant<ListInput['omit']>('none') }, { weight: 1, arbitrary: fc.constantFrom<ListInput['omit']>('grant', 'cosig') }),
    prefix: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('reports/', 'reports/2026/', 'reports/2026/q') },
      { weight: 2, arbitrary: fc.constantFrom('other/', 'rep', '', '/reports/', 'reports/\u0000', 'reports/../') },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)) },
    ),
    extra: fc.oneof(
      { weight: 8, arbitrary: fc.constant({}) },
      {
        weight: 2,
        arbitrary: fc.record(
          { maxKeys: fc.oneof(fc.integer({ min: -1, max: 1002 }), fc.constant('10')), continuationToken: fc.string({ maxLength: 20 }), x: fc.jsonValue({ maxDepth: 1 }) },
          { requiredKeys: [] },
        ),
      },
    ),
    country: fc.oneof({ weight: 6, arbitrary: fc.constant('US') }, { weight: 1, arbitrary: fc.constantFrom('FR', null, 'us') }),
    clientIp: ipArb,
    ctx: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: CONTEXTS.length - 1 }) }),
    method: fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: methodArb }),
  }),
);

const GK_VALID_IP = normalizeIp(VIEWER_IP);

describe('property: random and mutated tokens and requests', () => {
  afterAll(() => {
    // Without allowed cases the "never allowed unless valid" property would hold vacuously.
    expect(tally.replacedTokens).toBeGreaterThanOrEqual(10_000);
    expect(tally.accessAllowed).toBeGreaterThan(100);
    expect(tally.cosignSigned).toBeGreaterThan(100);
    expect(tally.listAllowed).toBeGreaterThan(50);
    expect(tally.accessDenied).toBeGreaterThan(1000);
    expect(tally.cosignRefused).toBeGreaterThan(1000);
    expect(tally.listDenied).toBeGreaterThan(500);
  });

  it('decideAccess: 6,000 requests; PROTOCOL answers, one record, only valid tokens pass', () => {
    fc.assert(
      fc.property(accessArb, (a) => {
        // Prepare
        const { req, grants, cosigs } = buildAccess(a);
        countReplaced(...a.tokens);
        const ctx = CONTEXTS[a.ctx];
        // Act
        const v = decideAccess(req, ctx);
        // Assess
        if (v.action === 'respond') {
          checkErrorAnswer(v, 'access');
          tally.accessDenied++;
          return;
        }
        expect(v.action).toBe('forward');
        if (v.action !== 'forward') return;
        tally.accessAllowed++;
        expect(v.audit).toHaveLength(1);
        checkRecord(v.audit[0], 'access');
        // Only tokens that were really signed, and the cosig that belongs to the grant.
        expect(grants).toHaveLength(1);
        expect(cosigs).toHaveLength(1);
        expect(VALID_GRANTS.has(grants[0])).toBe(true);
        expect(cosigs[0]).toBe(COSIG_OF.get(grants[0]));
        expect(['GET', 'HEAD', 'PUT']).toContain(req.method);
        expect(normalizeIp(req.clientIp)).toBe(GK_VALID_IP);
        expect(ctx.acl.mode).not.toBe('deny-all');
        // What goes on to S3: the canonical URI, no query, no token or viewer credential headers.
        const key = keyFromUri(req.uri);
        expect(key).not.toBeNull();
        expect(v.uri).toBe(canonicalKeyUri(key as string));
        expect(v.querystring).toBe('');
        for (const name of Object.keys(v.headers)) {
          expect(name.startsWith('x-gk-') || name.startsWith('cloudfront-viewer-') || name === 'authorization').toBe(false);
          if (name.startsWith('x-amz-')) expect(name).toBe('x-amz-checksum-sha256');
        }
      }),
      { seed: SEED, numRuns: 6000 },
    );
  });

  it('decideCosign: 3,000 batches; PROTOCOL answers, one record per grant, cosigs only for valid grants', () => {
    fc.assert(
      fc.property(cosignArb, (c) => {
        // Prepare
        const body = cosignBody(c);
        if (c.shape === 'plain') countReplaced(...c.grants);
        const headers: Record<string, string[]> = {};
        if (c.contentType !== null) headers['content-type'] = [c.contentType];
        if (c.origin !== null) headers.origin = c.origin;
        const req: CoreRequest = {
          requestId: 'prop',
          method: c.method,
          uri: '/_gatekeeper/v1/cosign',
          querystring: '',
          headers,
          clientIp: c.clientIp,
          country: c.country,
          body,
          bodyTruncated: c.truncated,
          edgeLocation: null,
        };
        const ctx = CONTEXTS[c.ctx];
        // Act
        const v = decideCosign(req, ctx, SIGNERS[c.signer]);
        // Assess
        expect(v.action).toBe('respond');
        if (v.action !== 'respond') return;
        if (v.status !== 200) {
          checkErrorAnswer(v, 'cosign');
          tally.cosignRefused++;
          return;
        }
        const sent = (JSON.parse(body) as { grants: string[] }).grants;
        const results = (JSON.parse(v.body) as { results: ({ cosig: string; exp: number } | { error: { code: string; message: string } })[] }).results;
        expect(results).toHaveLength(sent.length);
        expect(v.audit).toHaveLength(sent.length);
        results.forEach((r, i) => {
          const rec = v.audit[i];
          checkRecord(rec, 'cosign');
          if ('error' in r) {
            tally.cosignRefused++;
            expect(isProtocolCode(r.error.code)).toBe(true);
            expect(rec).toMatchObject({ decision: 'deny', reason: r.error.code });
            return;
          }
          tally.cosignSigned++;
          expect(VALID_GRANTS.has(sent[i])).toBe(true);
          expect(rec.decision).not.toBe('deny');
          const parsed = parseCosig(r.cosig);
          expect(parsed.ok).toBe(true);
          if (!parsed.ok) return;
          expect(verifyToken(parsed.value, GK_PUBLIC)).toBe(true);
          const p = parsed.value.payload;
          expect(p.kid).toBe(GK_KID);
          expect(p.gh).toBe(grantHash(sent[i]));
          expect(p.ip).toBe(normalizeIp(c.clientIp));
          expect(p.iat).toBe(NOW_S);
          expect(p.exp).toBe(r.exp);
          const g = parseGrant(sent[i]);
          expect(g.ok && p.exp <= g.value.payload.exp).toBe(true);
          expect(p.exp - p.iat).toBeLessThanOrEqual(ctx.acl.doc.cosignTtlSeconds);
        });
      }),
      { seed: SEED + 1, numRuns: 3000 },
    );
  });

  it('decideList: 2,000 requests; PROTOCOL answers, one record, only a valid list grant lists', () => {
    fc.assert(
      fc.property(listArb, (l) => {
        // Prepare
        const [g, c] = l.tokens;
        const fields: Record<string, unknown> = { ...l.extra, prefix: l.prefix };
        if (l.omit !== 'grant') fields.grant = g;
        if (l.omit !== 'cosig') fields.cosig = c;
        countReplaced(g, c);
        const req: CoreRequest = {
          requestId: 'prop',
          method: l.method,
          uri: '/_gatekeeper/v1/list',
          querystring: '',
          headers: { 'content-type': ['application/json'], origin: [VENDOR_ORIGIN] },
          clientIp: l.clientIp,
          country: l.country,
          body: JSON.stringify(fields),
          bodyTruncated: false,
          edgeLocation: null,
        };
        // Act
        const v = decideList(req, CONTEXTS[l.ctx]);
        // Assess
        if (v.action === 'respond') {
          checkErrorAnswer(v, 'list');
          tally.listDenied++;
          return;
        }
        expect(v.action).toBe('list');
        if (v.action !== 'list') return;
        tally.listAllowed++;
        expect(v.audit).toHaveLength(1);
        checkRecord(v.audit[0], 'list');
        expect(fields.grant).toBe(LIST.grant);
        expect(fields.cosig).toBe(LIST.cosig);
        expect(typeof l.prefix === 'string' && l.prefix.startsWith('reports/')).toBe(true);
        expect(v.prefix).toBe(l.prefix);
        expect(normalizeIp(l.clientIp)).toBe(GK_VALID_IP);
      }),
      { seed: SEED + 2, numRuns: 2000 },
    );
  });
});
