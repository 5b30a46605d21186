/**
 * The published vectors can never drift from the code: the file is
 * regenerated and compared byte for byte, and every case is run through the
 * real decisions. The adapter from a vector to a CoreRequest is written here,
 * independently of the generator, the way an implementer in another language
 * would read the file.
 */
import { readFileSync } from 'node:fs';
import { compileAcl, validateAcl, type CompiledAcl } from '../../edge/core/acl';
import { b64uDecode, b64uEncode } from '../../edge/core/b64u';
import { STATUS_OF } from '../../edge/core/codes';
import { decideAccess } from '../../edge/core/decide/access';
import { signerFromSeed, type DecideContext, type Signer } from '../../edge/core/decide/context';
import { decideCosign } from '../../edge/core/decide/cosign';
import { decideList } from '../../edge/core/decide/list';
import { ed25519PrivateKey, ed25519PublicKey, ed25519Verify, publicKeyOfSeed } from '../../edge/core/keys';
import { grantHash, parseCosig, parseGrant } from '../../edge/core/tokens';
import type { CoreRequest, Verdict } from '../../edge/core/types';
import { buildVectors, renderVectors, VECTORS_PATH, type VectorCase } from '../../scripts/vectors';

interface KeyEntry {
  kid: string;
  seed: string;
  publicKey: string;
}

interface Vectors {
  version: number;
  now: number;
  gatekeeperId: string;
  vendorOrigins: string[];
  keys: { vendor: KeyEntry; gatekeeper: KeyEntry; untrusted: KeyEntry };
  acl: Record<string, unknown>;
  signatures: {
    grant: { payloadJson: string; payloadB64u: string; signingInput: string; signature: string; token: string };
    grantHash: { grant: string; gh: string };
    cosig: { payloadJson: string; payloadB64u: string; signingInput: string; signature: string; token: string };
  };
  cases: VectorCase[];
}

const committed = readFileSync(VECTORS_PATH, 'utf8');
const vectors = JSON.parse(committed) as Vectors;

function seedOf(k: KeyEntry): Buffer {
  const seed = b64uDecode(k.seed);
  if (seed === null) throw new Error(`bad seed for ${k.kid}`);
  return seed;
}

const signer: Signer = signerFromSeed(vectors.keys.gatekeeper.kid, seedOf(vectors.keys.gatekeeper));

const compiled = new Map<string, CompiledAcl>();
function aclFor(c: VectorCase): CompiledAcl {
  const doc = { ...vectors.acl, ...(c.aclOverride ?? {}) };
  const id = JSON.stringify(doc);
  const hit = compiled.get(id);
  if (hit !== undefined) return hit;
  const v = validateAcl(doc);
  if (!v.ok) throw new Error(`${c.name}: ACL invalid: ${v.errors.join('; ')}`);
  const acl = compileAcl(v.acl);
  compiled.set(id, acl);
  return acl;
}

function contextFor(c: VectorCase): DecideContext {
  return { now: vectors.now * 1000, acl: aclFor(c), config: { gatekeeperId: vectors.gatekeeperId, vendorOrigins: vectors.vendorOrigins } };
}

function coreRequest(c: VectorCase): CoreRequest {
  const r = c.request;
  return {
    requestId: 'vector',
    method: r.method,
    uri: r.uri,
    querystring: r.querystring,
    headers: r.headers,
    clientIp: r.clientIp,
    // Object access runs at viewer-request, where the country is never known.
    country: c.phase === 'access' ? null : (r.country ?? null),
    body: r.body ?? null,
    bodyTruncated: false,
    edgeLocation: null,
  };
}

function run(c: VectorCase): Verdict {
  const req = coreRequest(c);
  const ctx = contextFor(c);
  if (c.phase === 'access') return decideAccess(req, ctx);
  if (c.phase === 'list') return decideList(req, ctx);
  return decideCosign(req, ctx, signer);
}

/** The wire status and code of a verdict, as a client would see them. */
function outcome(v: Verdict): { status: number; code: string } {
  if (v.action === 'respond') {
    if (v.status !== 200) return { status: v.status, code: (JSON.parse(v.body) as { error: { code: string } }).error.code };
    return { status: 200, code: 'ok' };
  }
  return { status: 200, code: 'ok' };
}

describe('test/vectors/protocol-v1.json', () => {
  it('is exactly what scripts/vectors.ts generates (run `npm run vectors` after a deliberate change)', () => {
    // Act
    const fresh = renderVectors(buildVectors());
    // Assess
    expect(fresh === committed).toBe(true);
    expect(committed.endsWith('}\n')).toBe(true);
  });

  it('generates the same bytes twice (no clock, no randomness)', () => {
    expect(renderVectors(buildVectors())).toBe(renderVectors(buildVectors()));
  });

  it('publishes the keys of the seeds it names', () => {
    for (const k of Object.values(vectors.keys)) {
      expect(b64uEncode(publicKeyOfSeed(seedOf(k)))).toBe(k.publicKey);
    }
    expect(vectors.keys.vendor.seed).toBe(b64uEncode(Buffer.alloc(32, 1)));
    expect(vectors.keys.gatekeeper.seed).toBe(b64uEncode(Buffer.alloc(32, 2)));
    expect(vectors.keys.untrusted.seed).toBe(b64uEncode(Buffer.alloc(32, 3)));
  });

  it('has unique case names', () => {
    const names = vectors.cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers every code a token, a request or the ACL can cause in the core', () => {
    const seen = new Set<string>();
    for (const c of vectors.cases) {
      seen.add(c.expect.code);
      for (const r of c.expect.results ?? []) seen.add(r.code);
    }
    const required = [
      'ok',
      'malformed_request',
      'malformed_token',
      'missing_token',
      'bad_signature',
      'bad_cosignature',
      'unknown_kid',
      'expired',
      'not_yet_valid',
      'ip_mismatch',
      'wrong_audience',
      'ttl_too_long',
      'scope_mismatch',
      'ip_denied',
      'country_denied',
      'revoked',
      'deny_all',
      'origin_not_allowed',
      'content_type_mismatch',
      'method_not_allowed',
      'too_large',
    ];
    expect(required.filter((code) => !seen.has(code))).toEqual([]);
    expect(vectors.cases.filter((c) => c.phase === 'access' && c.expect.code === 'ok').length).toBeGreaterThanOrEqual(10);
  });
});

describe('signature-level vectors', () => {
  const s = vectors.signatures;

  it('grant: payload, signing input and signature', () => {
    // Prepare
    const pub = ed25519PublicKey(b64uDecode(vectors.keys.vendor.publicKey) as Buffer);
    // Assess
    expect(b64uEncode(Buffer.from(s.grant.payloadJson, 'utf8'))).toBe(s.grant.payloadB64u);
    expect(s.grant.signingInput).toBe(`GK1-GRANT.${s.grant.payloadB64u}`);
    expect(s.grant.token).toBe(`${s.grant.payloadB64u}.${s.grant.signature}`);
    expect(ed25519Verify(pub, Buffer.from(s.grant.signingInput, 'ascii'), b64uDecode(s.grant.signature) as Buffer)).toBe(true);
    expect(ed25519Verify(pub, Buffer.from(`GK1-COSIGN.${s.grant.payloadB64u}`, 'ascii'), b64uDecode(s.grant.signature) as Buffer)).toBe(false);
    expect(parseGrant(s.grant.token).ok).toBe(true);
  });

  it('grant hash: b64u(SHA-256(ASCII of the whole grant token))', () => {
    expect(s.grantHash.gh).toBe(grantHash(s.grantHash.grant));
    expect(s.grantHash.gh).toHaveLength(43);
    expect(JSON.parse(s.cosig.payloadJson).gh).toBe(s.grantHash.gh);
  });

  it('cosig: payload, signing input and signature', () => {
    const pub = ed25519PublicKey(b64uDecode(vectors.keys.gatekeeper.publicKey) as Buffer);
    expect(b64uEncode(Buffer.from(s.cosig.payloadJson, 'utf8'))).toBe(s.cosig.payloadB64u);
    expect(s.cosig.signingInput).toBe(`GK1-COSIGN.${s.cosig.payloadB64u}`);
    expect(s.cosig.token).toBe(`${s.cosig.payloadB64u}.${s.cosig.signature}`);
    expect(ed25519Verify(pub, Buffer.from(s.cosig.signingInput, 'ascii'), b64uDecode(s.cosig.signature) as Buffer)).toBe(true);
    expect(parseCosig(s.cosig.token).ok).toBe(true);
  });
});

describe('every case through the real decisions', () => {
  const byPhase = (phase: VectorCase['phase']): [string, VectorCase][] =>
    vectors.cases.filter((c) => c.phase === phase).map((c) => [c.name, c]);

  it.each(byPhase('access'))('access: %s', (_name, c) => {
    // Act
    const v = run(c);
    // Assess
    expect(outcome(v)).toEqual({ status: c.expect.status, code: c.expect.code });
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'access', decision: c.expect.audit?.decision, reason: c.expect.audit?.reason });
    if (c.expect.code === 'ok') {
      expect(v.action).toBe('forward');
      if (v.action !== 'forward') return;
      expect(v.uri).toBe(c.expect.uri);
      expect(v.querystring).toBe(c.expect.querystring);
      expect(Object.keys(v.headers).sort()).toEqual(c.expect.forwardedHeaders);
    } else {
      expect(v.action).toBe('respond');
      expect(STATUS_OF[c.expect.code as keyof typeof STATUS_OF]).toBe(c.expect.status);
    }
  });

  it.each(byPhase('cosign'))('cosign: %s', (_name, c) => {
    const v = run(c);
    expect(outcome(v)).toEqual({ status: c.expect.status, code: c.expect.code });
    expect(v.action).toBe('respond');
    if (v.action !== 'respond') return;
    if (c.expect.results === undefined) {
      expect(v.audit).toHaveLength(1);
      expect(v.audit[0]).toMatchObject({ phase: 'cosign', decision: 'deny', reason: c.expect.code });
      return;
    }
    const body = JSON.parse(v.body) as { results: ({ cosig: string; exp: number } | { error: { code: string } })[] };
    expect(body.results).toHaveLength(c.expect.results.length);
    expect(v.audit).toHaveLength(c.expect.results.length);
    c.expect.results.forEach((want, i) => {
      const got = body.results[i];
      if (want.code === 'ok') {
        expect(got).toEqual({ cosig: want.cosig, exp: want.exp });
      } else {
        expect(got).toEqual({ error: { code: want.code, message: expect.any(String) } });
        expect(STATUS_OF[want.code as keyof typeof STATUS_OF]).toBe(want.status);
      }
      expect(v.audit[i]).toMatchObject({ phase: 'cosign', decision: want.audit.decision, reason: want.audit.reason, status: want.status });
    });
  });

  it.each(byPhase('list'))('list: %s', (_name, c) => {
    const v = run(c);
    expect(outcome(v)).toEqual({ status: c.expect.status, code: c.expect.code });
    expect(v.audit).toHaveLength(1);
    expect(v.audit[0]).toMatchObject({ phase: 'list', decision: c.expect.audit?.decision, reason: c.expect.audit?.reason });
    if (c.expect.code === 'ok') {
      expect(v.action).toBe('list');
      if (v.action === 'list') expect(v.prefix).toBe(c.expect.prefix);
    }
  });

  it('the allowed cosigns answer tokens that the access decision then accepts', () => {
    // Prepare: the first allowed grant of the single-grant cosign case, with its cosig from the vectors.
    const c = vectors.cases.find((x) => x.name === 'cosign: one valid grant');
    const token = c?.grants?.[0];
    const cosig = c?.expect.results?.[0]?.cosig;
    expect(token).toBeDefined();
    expect(cosig).toBeDefined();
    const access: VectorCase = {
      name: 'round trip',
      phase: 'access',
      request: {
        method: 'GET',
        uri: '/reports/2026/q4.json',
        querystring: '',
        headers: { 'x-gk-grant': [token as string], 'x-gk-cosig': [cosig as string] },
        clientIp: c?.request.clientIp as string,
      },
      expect: { status: 200, code: 'ok' },
    };
    // Act
    const v = run(access);
    // Assess
    expect(v.action).toBe('forward');
  });
});
