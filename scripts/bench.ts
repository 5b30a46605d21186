/**
 * The benchmark of issues 2 and 3 (a script, not a test):
 *
 *   npm run bench              a table with each figure, its target and whether it is met
 *   npm run bench -- --json    the same, then one JSON object on the last line
 *
 * Everything that is compared is measured side by side in one run: each
 * group of contenders runs in short interleaved batches (A B, then B A, ...);
 * a time is the median of its batches and a ratio the median of the per-round
 * ratios, so that a noisy, shared 2-core machine skews both sides of a ratio
 * alike.
 */
import { createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { compileAcl, validateAcl, type CompiledAcl } from '../edge/core/acl';
import { b64uEncode } from '../edge/core/b64u';
import { decideAccess } from '../edge/core/decide/access';
import { signerFromSeed, type DecideContext, type Signer } from '../edge/core/decide/context';
import { decideCosign } from '../edge/core/decide/cosign';
import { compileIpSet, normalizeIp } from '../edge/core/ip';
import { ed25519PrivateKey, publicKeyOfSeed } from '../edge/core/keys';
import { grantHash, parseCosig, parseGrant, signCosig, signGrant } from '../edge/core/tokens';
import type { CoreRequest } from '../edge/core/types';
import { createGateHandler } from '../edge/triggers/gate';
import type { EdgeDeps } from '../edge/triggers/runtime';
import { buildEdge, loadBuildConfig, ROOT } from './build';

// ---- a fixed world (the same seeds as the test vectors) ----

const NOW_S = 1_796_000_000;
const NOW = NOW_S * 1000;
const GK_ID = 'gk-bench';
const VIEWER_IP = '203.0.113.7';
const VENDOR_ORIGIN = 'https://vendor.example';
const vendorSeed = Buffer.alloc(32, 1);
const gkSeed = Buffer.alloc(32, 2);
const vendorKey = ed25519PrivateKey(vendorSeed);
const gkKey = ed25519PrivateKey(gkSeed);
const signer: Signer = signerFromSeed('gk-1', gkSeed);

function compiledAcl(extra: Record<string, unknown> = {}): CompiledAcl {
  const v = validateAcl({
    version: 'bench.1',
    mode: 'enforce',
    vendorKeys: [{ kid: 'vendor-1', publicKey: b64uEncode(publicKeyOfSeed(vendorSeed)) }],
    gatekeeperKeys: [{ kid: 'gk-1', publicKey: b64uEncode(publicKeyOfSeed(gkSeed)) }],
    ...extra,
  });
  if (!v.ok) throw new Error(`bench: ACL invalid: ${v.errors.join('; ')}`);
  return compileAcl(v.acl);
}

const ctx: DecideContext = { now: NOW, acl: compiledAcl(), config: { gatekeeperId: GK_ID, vendorOrigins: [VENDOR_ORIGIN] } };
const GRANT = signGrant(
  { v: 1, kid: 'vendor-1', aud: GK_ID, op: 'get', key: 'reports/2026/q4.json', iat: NOW_S - 10, exp: NOW_S + 290, jti: 'bench-jti-0000000001', sub: 'user-42' },
  vendorKey,
);
const COSIG = signCosig({ v: 1, kid: 'gk-1', gh: grantHash(GRANT), ip: VIEWER_IP, ctry: 'US', iat: NOW_S - 5, exp: NOW_S + 250 }, gkKey);

/** A browser's GET, roughly as CloudFront passes it on. */
const VIEWER_HEADERS: Record<string, string> = {
  host: 'd111111abcdef8.cloudfront.net',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  accept: '*/*',
  'accept-encoding': 'gzip, deflate, br',
  'accept-language': 'en-US,en;q=0.9',
  origin: VENDOR_ORIGIN,
  referer: `${VENDOR_ORIGIN}/`,
  'x-gk-grant': GRANT,
  'x-gk-cosig': COSIG,
};

const accessReq: CoreRequest = {
  requestId: 'bench',
  method: 'GET',
  uri: '/reports/2026/q4.json',
  querystring: '',
  headers: Object.fromEntries(Object.entries(VIEWER_HEADERS).map(([k, v]) => [k, [v]])),
  clientIp: VIEWER_IP,
  country: null,
  body: null,
  bodyTruncated: false,
  edgeLocation: null,
};

const cosignReq: CoreRequest = {
  ...accessReq,
  method: 'POST',
  uri: '/_gatekeeper/v1/cosign',
  headers: { host: [VIEWER_HEADERS.host], 'content-type': ['application/json'], origin: [VENDOR_ORIGIN] },
  country: 'US',
  body: JSON.stringify({ grants: [GRANT] }),
};

// ---- timing ----

const hr = (): bigint => process.hrtime.bigint();
/** Keeps results alive so the JIT cannot drop the work. */
let sink = 0;

interface Contender {
  name: string;
  /** Operations per timed batch. */
  n: number;
  run: () => unknown;
}

function batch(c: Contender): number {
  const t0 = hr();
  for (let i = 0; i < c.n; i++) if (c.run()) sink++;
  return Number(hr() - t0) / c.n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Comparison {
  /** Median ns per op of each contender. */
  ns: Record<string, number>;
  /** Median over rounds of a/b within the same round: both sides of one ratio ran milliseconds apart. */
  ratio(a: string, b: string): number;
}

/** A warm-up, then `rounds` interleaved batches of every contender, the order alternating from round to round. */
function compare(contenders: Contender[], rounds: number): Comparison {
  for (const c of contenders) for (let w = 0; w < 3; w++) batch(c);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) samples.get(c.name)?.push(batch(c));
  }
  const of = (name: string): number[] => {
    const xs = samples.get(name);
    if (xs === undefined) throw new Error(`bench: no contender ${name}`);
    return xs;
  };
  return {
    ns: Object.fromEntries(contenders.map((c) => [c.name, median(of(c.name))])),
    ratio: (a, b) => median(of(a).map((x, i) => x / of(b)[i])),
  };
}

/** Like compare, for one async contender (awaited one call after another) against a sync partner. */
async function compareAsync(name: string, n: number, run: () => Promise<unknown>, partner: Contender, rounds: number): Promise<Comparison> {
  const one = async (): Promise<number> => {
    const t0 = hr();
    for (let i = 0; i < n; i++) if (await run()) sink++;
    return Number(hr() - t0) / n;
  };
  for (let w = 0; w < 3; w++) {
    await one();
    batch(partner);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      a.push(await one());
      b.push(batch(partner));
    } else {
      b.push(batch(partner));
      a.push(await one());
    }
  }
  return {
    ns: { [name]: median(a), [partner.name]: median(b) },
    ratio: () => median(a.map((x, i) => x / b[i])),
  };
}

// ---- 1. decisions against bare crypto ----

function cryptoFigures(): Comparison {
  const g = parseGrant(GRANT);
  const c = parseCosig(COSIG);
  if (!g.ok || !c.ok) throw new Error('bench: fixture tokens do not parse');
  const vendorPub = createPublicKey(vendorKey);
  const gkPub = createPublicKey(gkKey);
  const gMsg = g.value.signingInput;
  const gSig = g.value.signature;
  const cMsg = c.value.signingInput;
  const cSig = c.value.signature;
  if (decideAccess(accessReq, ctx).action !== 'forward') throw new Error('bench: the access fixture is not allowed');
  const cos = decideCosign(cosignReq, ctx, signer);
  if (cos.action !== 'respond' || !cos.body.includes('"cosig"')) throw new Error('bench: the cosign fixture is not allowed');

  // Small batches (2-3 ms) and many rounds: each ratio pairs batches that ran next to each other.
  const n = 20;
  return compare(
    [
      { name: 'access', n, run: () => decideAccess(accessReq, ctx).action === 'forward' },
      { name: 'verify2', n, run: () => nodeVerify(null, gMsg, vendorPub, gSig) && nodeVerify(null, cMsg, gkPub, cSig) },
      { name: 'cosign', n, run: () => decideCosign(cosignReq, ctx, signer).action === 'respond' },
      { name: 'verifySign', n, run: () => nodeVerify(null, gMsg, vendorPub, gSig) && nodeSign(null, cMsg, gkKey).length === 64 },
    ],
    151,
  );
}

function tweetnaclFigures(): Comparison {
  const g = parseGrant(GRANT);
  if (!g.ok) throw new Error('bench: fixture grant does not parse');
  const msg = new Uint8Array(g.value.signingInput);
  const sig = new Uint8Array(g.value.signature);
  const pub = new Uint8Array(publicKeyOfSeed(vendorSeed));
  const vendorPub = createPublicKey(vendorKey);
  if (!nacl.sign.detached.verify(msg, sig, pub)) throw new Error('bench: tweetnacl rejects the fixture');
  return compare(
    [
      { name: 'tweetnacl', n: 4, run: () => nacl.sign.detached.verify(msg, sig, pub) },
      { name: 'node', n: 200, run: () => nodeVerify(null, g.value.signingInput, vendorPub, g.value.signature) },
    ],
    15,
  );
}

// ---- 2. the ACL's IP lists ----

/** mulberry32: a fixed sequence, so every run looks up the same addresses in the same lists. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function v4(r: () => number): number {
  return Math.floor(r() * 2 ** 32);
}

function v4Text(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

function v6Groups(r: () => number): number[] {
  // Global unicast 2000::/3, like real viewer addresses.
  const g = Array.from({ length: 8 }, () => Math.floor(r() * 65536));
  g[0] = 0x2000 | (g[0] & 0x1fff);
  return g;
}

function cidrs(count: number, seed: number): string[] {
  const r = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const prefix = 8 + Math.floor(r() * 25);
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      out.push(`${v4Text((v4(r) & mask) >>> 0)}/${prefix}`);
    } else {
      const prefix = 16 + Math.floor(r() * 113);
      const g = v6Groups(r);
      for (let k = 0; k < 8; k++) {
        const bits = Math.max(0, Math.min(16, prefix - 16 * k));
        g[k] &= bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
      }
      out.push(`${g.map((x) => x.toString(16)).join(':')}/${prefix}`);
    }
  }
  return out;
}

function addresses(count: number, seed: number): string[] {
  const r = prng(seed);
  return Array.from({ length: count }, (_, i) => (i % 2 === 0 ? v4Text(v4(r)) : v6Groups(r).map((x) => x.toString(16)).join(':')));
}

const IP_SIZES = [10, 1000, 10000, 100000] as const;

function ipFigures(): Comparison {
  const lookups = addresses(4096, 7);
  const contenders: Contender[] = IP_SIZES.map((size) => {
    const set = compileIpSet(cidrs(size, size));
    let i = 0;
    return {
      name: String(size),
      n: 20000,
      run: () => {
        const ip = normalizeIp(lookups[i++ & 4095]);
        return ip !== null && set.has(ip);
      },
    };
  });
  return compare(contenders, 11);
}

function aclCompileFigures(): { compileMs: number; validateMs: number; allowed: number } {
  const entries = cidrs(100000, 100000);
  const doc = {
    version: 'bench.big',
    mode: 'enforce',
    vendorKeys: [{ kid: 'vendor-1', publicKey: b64uEncode(publicKeyOfSeed(vendorSeed)) }],
    gatekeeperKeys: [{ kid: 'gk-1', publicKey: b64uEncode(publicKeyOfSeed(gkSeed)) }],
    ips: { allow: entries, deny: [] },
  };
  const compile: number[] = [];
  const validate: number[] = [];
  let allowed = 0;
  for (let r = 0; r < 7; r++) {
    const t0 = hr();
    const v = validateAcl(doc);
    const t1 = hr();
    if (!v.ok) throw new Error(`bench: big ACL invalid: ${v.errors[0]}`);
    const acl = compileAcl(v.acl);
    const t2 = hr();
    validate.push(Number(t1 - t0) / 1e6);
    compile.push(Number(t2 - t1) / 1e6);
    allowed = acl.ipAllow?.size ?? 0;
  }
  return { compileMs: median(compile), validateMs: median(validate), allowed };
}

// ---- 3. the gate handler in-process ----

async function handlerFigures(): Promise<Comparison> {
  const deps: EdgeDeps = {
    config: { gatekeeperId: GK_ID, vendorOrigins: [VENDOR_ORIGIN], auditFailOpen: false },
    acl: { get: async () => ({ value: ctx.acl }) },
    sink: { write: async () => true },
    now: () => NOW,
    hrtime: hr,
    log: () => undefined,
    edgeLocation: 'bench',
  };
  const handler = createGateHandler(deps);
  const cfHeaders = Object.fromEntries(
    Object.entries(VIEWER_HEADERS).map(([k, v]) => [k, [{ key: k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()), value: v }]]),
  );
  const event = {
    Records: [
      {
        cf: {
          config: { distributionDomainName: VIEWER_HEADERS.host, distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'bench-request-1' },
          request: { clientIp: VIEWER_IP, headers: cfHeaders, method: 'GET', querystring: '', uri: '/reports/2026/q4.json' },
        },
      },
    ],
  };
  const first = (await handler(event)) as { uri?: string; status?: string };
  if (first.uri !== '/reports/2026/q4.json') throw new Error(`bench: the handler did not forward (${first.status ?? '?'})`);
  return compareAsync('handler', 60, () => handler(event), { name: 'access', n: 60, run: () => decideAccess(accessReq, ctx).action === 'forward' }, 31);
}

// ---- 4. bundles ----

type Loaded = 'gate' | 'cosigner';

async function bundleFigures(): Promise<{
  zip: Record<Loaded, number>;
  raw: Record<Loaded | 'empty', number>;
  requireMs: Record<Loaded, number>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-bench-'));
  try {
    const built = await buildEdge({ config: loadBuildConfig(join(ROOT, 'gatekeeper.build.example.json')), outDir: dir });
    /** Wall time of a whole `node -e` process, and what the script itself printed (its own require time). */
    const load = (script: string): { ms: number; out: string } => {
      const t0 = hr();
      // --no-warnings: on Node 20 the AWS SDK prints a deprecation notice when a client is built; Lambda's nodejs22.x does not.
      const r = spawnSync(process.execPath, ['--no-warnings', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });
      const ms = Number(hr() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`bench: node -e failed: ${r.stderr.toString().slice(0, 300)}`);
      return { ms, out: r.stdout.toString() };
    };
    const requiring = (fn: Loaded): string =>
      `const t=process.hrtime.bigint();require(${JSON.stringify(join(dir, fn, 'index.js'))});` +
      'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))';
    const scripts: Record<Loaded | 'empty', string> = { empty: '', gate: requiring('gate'), cosigner: requiring('cosigner') };
    const names = ['empty', 'gate', 'cosigner'] as const;
    const samples: Record<Loaded | 'empty', number[]> = { empty: [], gate: [], cosigner: [] };
    const inner: Record<Loaded, number[]> = { gate: [], cosigner: [] };
    for (const n of names) load(scripts[n]);
    for (let r = 0; r < 11; r++) {
      // Rotate the order so that no contender always runs first (or right after another's disk reads).
      for (let k = 0; k < names.length; k++) {
        const n = names[(r + k) % names.length];
        const got = load(scripts[n]);
        samples[n].push(got.ms);
        if (n !== 'empty') inner[n].push(Number(got.out));
      }
    }
    return {
      zip: { gate: built.sizes.gate, cosigner: built.sizes.cosigner },
      raw: { empty: median(samples.empty), gate: median(samples.gate), cosigner: median(samples.cosigner) },
      requireMs: { gate: median(inner.gate), cosigner: median(inner.cosigner) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- report ----

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const log = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  log(`bench: node ${process.version}, ${process.platform}/${process.arch}; medians of interleaved rounds`);

  const cc = cryptoFigures();
  const c = cc.ns;
  const tc = tweetnaclFigures();
  const t = tc.ns;
  const ip = ipFigures().ns;
  const acl = aclCompileFigures();
  const hc = await handlerFigures();
  const h = hc.ns;
  const b = await bundleFigures();

  const accessUs = c.access / 1000;
  const cosignUs = c.cosign / 1000;
  const ipLookupNs = Object.fromEntries(IP_SIZES.map((s) => [String(s), round(ip[String(s)], 0)])) as Record<string, number>;
  const ipFlatness = ip['100000'] / ip['10'];
  const coldLoadMs = { gate: round(b.raw.gate - b.raw.empty), cosigner: round(b.raw.cosigner - b.raw.empty) };
  const figures = {
    accessUs: round(accessUs),
    accessRatio: round(cc.ratio('access', 'verify2'), 2),
    cosignUs: round(cosignUs),
    cosignRatio: round(cc.ratio('cosign', 'verifySign'), 2),
    tweetnaclVerifyRatio: round(tc.ratio('tweetnacl', 'node'), 0),
    ipLookupNs,
    aclCompileMs: round(acl.compileMs),
    bundleZipBytes: b.zip,
    coldLoadMs,
    handlerAccessUs: round(h.handler / 1000),
    // Context for the figures above.
    baselines: {
      verify2Us: round(c.verify2 / 1000),
      verifySignUs: round(c.verifySign / 1000),
      nodeVerifyUs: round(t.node / 1000),
      tweetnaclVerifyUs: round(t.tweetnacl / 1000),
      accessUsBesideHandler: round(h.access / 1000),
      handlerOverAccessRatio: round(hc.ratio('handler', 'access'), 2),
      aclValidateMs: round(acl.validateMs),
      coldLoadRawMs: { empty: round(b.raw.empty), gate: round(b.raw.gate), cosigner: round(b.raw.cosigner) },
      /** The require() alone, timed inside the fresh process: less exposed to process start-up noise. */
      coldRequireMs: { gate: round(b.requireMs.gate), cosigner: round(b.requireMs.cosigner) },
    },
  };
  const ZIP_LIMIT = 300 * 1024;
  const targets: [string, string, string, boolean | null][] = [
    ['accessUs', `${figures.accessUs} µs`, '-', null],
    ['accessRatio', `${figures.accessRatio} (2 × verify = ${figures.baselines.verify2Us} µs)`, '≤ 1.3', figures.accessRatio <= 1.3],
    ['cosignUs', `${figures.cosignUs} µs`, '-', null],
    ['cosignRatio', `${figures.cosignRatio} (verify + sign = ${figures.baselines.verifySignUs} µs)`, '≤ 1.3', figures.cosignRatio <= 1.3],
    [
      'tweetnaclVerifyRatio',
      `${figures.tweetnaclVerifyRatio} (${figures.baselines.tweetnaclVerifyUs} µs vs ${figures.baselines.nodeVerifyUs} µs)`,
      'report (issue: ~128)',
      null,
    ],
    ...IP_SIZES.map((s): [string, string, string, boolean | null] => [
      `ipLookupNs[${s}]`,
      `${ipLookupNs[String(s)]} ns`,
      s === 100000 ? '< 1000' : 'flat',
      s === 100000 ? ipLookupNs[String(s)] < 1000 : null,
    ]),
    ['ipLookup flatness', `${round(ipFlatness, 2)} × (100,000 vs 10 CIDRs)`, '≤ 2 ×', ipFlatness <= 2],
    ['aclCompileMs', `${figures.aclCompileMs} ms (${acl.allowed} CIDRs; validate ${figures.baselines.aclValidateMs} ms)`, '≤ 100', figures.aclCompileMs <= 100],
    ['bundleZipBytes.gate', `${b.zip.gate} B`, '≤ 300 KB', b.zip.gate <= ZIP_LIMIT],
    ['bundleZipBytes.cosigner', `${b.zip.cosigner} B`, '≤ 300 KB', b.zip.cosigner <= ZIP_LIMIT],
    [
      'coldLoadMs.gate',
      `${coldLoadMs.gate} ms net (raw ${figures.baselines.coldLoadRawMs.gate}, empty node ${figures.baselines.coldLoadRawMs.empty}; require alone ${figures.baselines.coldRequireMs.gate})`,
      '≤ 60 net',
      coldLoadMs.gate <= 60,
    ],
    [
      'coldLoadMs.cosigner',
      `${coldLoadMs.cosigner} ms net (raw ${figures.baselines.coldLoadRawMs.cosigner}; require alone ${figures.baselines.coldRequireMs.cosigner})`,
      '≤ 60 net',
      coldLoadMs.cosigner <= 60,
    ],
    [
      'handlerAccessUs',
      `${figures.handlerAccessUs} µs (${figures.baselines.handlerOverAccessRatio} × decideAccess run beside it, ${figures.baselines.accessUsBesideHandler} µs)`,
      '-',
      null,
    ],
  ];
  const w0 = Math.max(...targets.map((r) => r[0].length));
  const w1 = Math.max(...targets.map((r) => r[1].length));
  const w2 = Math.max(...targets.map((r) => r[2].length));
  log('');
  log(`${'figure'.padEnd(w0)}  ${'measured'.padEnd(w1)}  ${'target'.padEnd(w2)}  met`);
  log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ${'-'.repeat(w2)}  ---`);
  for (const [name, value, target, met] of targets) {
    log(`${name.padEnd(w0)}  ${value.padEnd(w1)}  ${target.padEnd(w2)}  ${met === null ? '' : met ? 'yes' : 'NO'}`);
  }
  const targetsMet = targets.filter((r) => r[3] !== null).every((r) => r[3] === true);
  log('');
  log(`bench: ${targetsMet ? 'all targets met' : 'some targets missed'} (sink ${sink > 0 ? 'ok' : 'empty'})`);
  if (json) log(JSON.stringify({ ...figures, targetsMet }));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
