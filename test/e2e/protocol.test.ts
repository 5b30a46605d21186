/**
 * The whole gatekeeper over HTTP: the local stack on free ports, driven from
 * several loopback source addresses, then its audit log read back through
 * DuckDB. Every request registers the audit rows it must leave; the last test
 * checks that the log holds exactly those.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createHash } from 'node:crypto';
import { runAudit, queryLocalAudit } from '../../scripts/cli/audit';
import { generateEd25519 } from '../../scripts/local/config';
import { DEMO_OBJECTS } from '../../scripts/local/demo/report';
import { ACL_SECRET_ID, SIGNING_KEY_SECRET_ID } from '../../scripts/local/stack';
import { GrantSigner, loadVendorKey } from '../../sdk/vendor';
import { AUDIT_COLUMNS } from '../../edge/core/audit';
import { ACL_TTL_SECONDS, GK_ID, IP, PROTOCOL_CODES, VENDOR_ORIGIN, payloadOf, send, startHarness, tamper, until, type Harness, type Reply, type Row } from './harness';

jest.setTimeout(60_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ name: 'protocol' });
});

afterAll(async () => {
  await h?.stop();
});

const KEY = 'e2e/data/report.json';
const BODY = JSON.stringify({ quarter: 'Q4', total: 563680 });
const SHA_HEX = createHash('sha256').update(BODY).digest('hex');
const SHA_B64 = Buffer.from(SHA_HEX, 'hex').toString('base64');

/** Grants and cosigs shared by the tests (filled by the first one). */
const t = {} as { put: string; get: string; list: string; putCosig: string; getCosig: string; listCosig: string; etag: string };

function common(): Row {
  return { edge_location: 'us-east-1', mode: 'enforce', acl_version: 'e2e.1' };
}

function grantRow(grant: string): Row {
  const g = payloadOf(grant);
  return { vendor_kid: g.kid, grant_jti: g.jti, grant_sub: g.sub ?? null, grant_exp: g.exp, op: g.op };
}

function allowAccess(method: string, grant: string, key: string, ip: string = IP.main): Row {
  return {
    ...common(),
    ...grantRow(grant),
    phase: 'access',
    decision: 'allow',
    reason: 'ok',
    status: 200,
    method,
    object_key: key,
    viewer_ip: ip,
    viewer_country: 'US',
    gatekeeper_kid: h.config.signingKey.kid,
  };
}

function denyRow(phase: string, code: string, method: string, ip: string, extra: Row = {}): Row {
  return { ...common(), phase, decision: 'deny', reason: code, status: PROTOCOL_CODES[code], method, viewer_ip: ip, ...extra };
}

describe('object flows', () => {
  it('cosigns a put, a get and a list grant in one call, from a vendor origin', async () => {
    // Prepare
    t.put = h.vendor.grantPut(KEY, { sub: 'alice', maxBytes: Buffer.byteLength(BODY), contentType: 'application/json', sha256: SHA_HEX });
    t.get = h.vendor.grantGet(KEY, { sub: 'alice' });
    t.list = h.vendor.grantList('e2e/data/', { sub: 'alice' });
    // Act
    const r = await h.cosign([t.put, t.get, t.list], { headers: { origin: VENDOR_ORIGIN, 'user-agent': 'e2e-agent/1' } });
    // Assess
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(VENDOR_ORIGIN);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.results).toHaveLength(3);
    [t.putCosig, t.getCosig, t.listCosig] = r.results.map((x) => ('cosig' in x ? x.cosig : ''));
    expect([t.putCosig, t.getCosig, t.listCosig].every((c) => c.length > 0)).toBe(true);
    const cosig = JSON.parse(Buffer.from(t.getCosig.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    expect(cosig).toMatchObject({ v: 1, kid: h.config.signingKey.kid, ip: IP.main, ctry: 'US' });
    h.expect(
      r,
      [t.put, t.get, t.list].map((g) => ({
        ...common(),
        ...grantRow(g),
        phase: 'cosign',
        decision: 'allow',
        reason: 'ok',
        status: 200,
        method: 'POST',
        object_key: payloadOf(g).key ?? payloadOf(g).prefix,
        viewer_ip: IP.main,
        viewer_country: 'US',
        user_agent: 'e2e-agent/1',
        gatekeeper_kid: h.config.signingKey.kid,
      })),
    );
  });

  it('puts an object bound to size, type and digest; headers a viewer adds do not reach S3', async () => {
    // Act
    const r = await h.object(
      KEY,
      { grant: t.put, cosig: t.putCosig },
      {
        method: 'PUT',
        body: BODY,
        headers: { 'content-type': 'application/json', 'x-amz-checksum-sha256': SHA_B64, 'x-amz-meta-evil': 'yes', 'content-length': String(Buffer.byteLength(BODY)) },
      },
    );
    // Assess
    expect(r.status).toBe(200);
    expect(r.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    t.etag = String(r.headers.etag);
    h.expect(r, [allowAccess('PUT', t.put, KEY)]);
  });

  it('gets it back with the tokens in the query; response-* parameters are dropped', async () => {
    // Act
    const r = await h.gk(`/${KEY}?gk_grant=${t.get}&gk_cosig=${t.getCosig}&response-content-type=text%2Fhtml`, {
      headers: { origin: VENDOR_ORIGIN },
    });
    // Assess
    expect(r.status).toBe(200);
    expect(r.text).toBe(BODY);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.etag).toBe(t.etag);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(r.headers['strict-transport-security']).toMatch(/^max-age=/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['access-control-allow-origin']).toBe(VENDOR_ORIGIN);
    expect(r.headers['access-control-expose-headers']).toContain('etag');
    h.expect(r, [allowAccess('GET', t.get, KEY)]);
  });

  it('heads it: size and etag, and no viewer metadata stored', async () => {
    // Act
    const r = await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { method: 'HEAD' });
    // Assess
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(BODY)));
    expect(r.headers.etag).toBe(t.etag);
    expect(r.headers['x-amz-meta-evil']).toBeUndefined();
    expect(r.body.length).toBe(0);
    h.expect(r, [allowAccess('HEAD', t.get, KEY)]);
  });

  it('gets a byte range (Range is forwarded)', async () => {
    const r = await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { headers: { range: 'bytes=0-9' } });
    expect(r.status).toBe(206);
    expect(r.text).toBe(BODY.slice(0, 10));
    h.expect(r, [allowAccess('GET', t.get, KEY)]);
  });

  it('lists the prefix through the cosigner', async () => {
    // Act
    const r = await h.list({ grant: t.list, cosig: t.listCosig, prefix: 'e2e/data/' }, { headers: { origin: VENDOR_ORIGIN } });
    // Assess
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(VENDOR_ORIGIN);
    const objects = r.json<{ objects: { key: string; size: number; etag: string; lastModified: string }[] }>().objects;
    expect(objects).toEqual([{ key: KEY, size: Buffer.byteLength(BODY), etag: t.etag, lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    h.expect(r, [
      {
        ...common(),
        ...grantRow(t.list),
        phase: 'list',
        decision: 'allow',
        reason: 'ok',
        status: 200,
        method: 'POST',
        object_key: 'e2e/data/',
        viewer_ip: IP.main,
        viewer_country: 'US',
        gatekeeper_kid: h.config.signingKey.kid,
      },
    ]);
  });

  it('answers the preflights for a vendor origin only', async () => {
    // Act
    const obj = await h.gk(`/${KEY}`, {
      method: 'OPTIONS',
      headers: { origin: VENDOR_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-gk-grant, x-gk-cosig, content-type, x-amz-checksum-sha256' },
    });
    const gkCall = await h.gk('/_gatekeeper/v1/cosign', {
      method: 'OPTIONS',
      headers: { origin: VENDOR_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    const evil = await h.gk(`/${KEY}`, { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' } });
    // Assess
    expect(obj.status).toBe(204);
    expect(obj.headers['access-control-allow-origin']).toBe(VENDOR_ORIGIN);
    expect(obj.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT');
    expect(obj.headers['access-control-allow-headers']).toContain('x-gk-cosig');
    expect(obj.headers['access-control-expose-headers']).toContain('etag');
    expect(gkCall.status).toBe(204);
    expect(gkCall.headers['access-control-allow-methods']).toBe('POST');
    expect(evil.status).toBe(403);
    expect(evil.code).toBe('origin_not_allowed');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const ok = { ...common(), phase: 'preflight', decision: 'allow', reason: 'ok', status: 204, method: 'OPTIONS', viewer_ip: IP.main };
    h.expect(obj, [{ ...ok, viewer_country: null }]);
    h.expect(gkCall, [{ ...ok, viewer_country: 'US' }]);
    h.expect(evil, [denyRow('preflight', 'origin_not_allowed', 'OPTIONS', IP.main, { viewer_country: null })]);
  });

  it('serves the demo vendor flow: grants from the vendor, cosigs and objects from the gatekeeper', async () => {
    // Prepare
    const demo = h.stack.urls.demo!;
    const origin = demo.replace(/\/$/, '');
    const g = (await send(`${demo}api/grants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json<{
      report: { objects: { key: string; grant: string }[] };
    }>();
    // Act
    const c = await h.cosign(
      g.report.objects.map((o) => o.grant),
      { headers: { origin } },
    );
    // Assess
    expect(c.status).toBe(200);
    expect(c.headers['access-control-allow-origin']).toBe(origin);
    h.expect(c, g.report.objects.map((o) => ({ ...grantRow(o.grant), phase: 'cosign', decision: 'allow', reason: 'ok', viewer_country: 'US' })));
    for (const [i, o] of g.report.objects.entries()) {
      const cosig = (c.results[i] as { cosig: string }).cosig;
      const r = await h.object(o.key, { grant: o.grant, cosig }, { headers: { origin } });
      expect(r.status).toBe(200);
      expect(r.text).toBe(DEMO_OBJECTS[i].body);
      expect(r.headers['access-control-allow-origin']).toBe(origin);
      h.expect(r, [allowAccess('GET', o.grant, o.key)]);
    }
  });
});

describe('every PROTOCOL error reachable over HTTP', () => {
  const other = 'e2e/data/other.json';

  it('400 malformed_request: tokens in both places, duplicate token headers, a bad cosign body', async () => {
    const both = await h.gk(`/${KEY}?gk_grant=${t.get}&gk_cosig=${t.getCosig}`, { headers: { 'x-gk-grant': t.get, 'x-gk-cosig': t.getCosig } });
    const dup = await h.gk(`/${KEY}`, { headers: { 'x-gk-grant': [t.get, t.get], 'x-gk-cosig': t.getCosig } });
    const body = await h.gk('/_gatekeeper/v1/cosign', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grants": [' });
    for (const r of [both, dup, body]) {
      expect(r.status).toBe(400);
      expect(r.code).toBe('malformed_request');
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.json<{ error: { requestId: string } }>().error.requestId).toBe(r.requestId);
    }
    h.expect(both, [denyRow('access', 'malformed_request', 'GET', IP.main, { object_key: KEY })]);
    h.expect(dup, [denyRow('access', 'malformed_request', 'GET', IP.main, { object_key: KEY })]);
    h.expect(body, [denyRow('cosign', 'malformed_request', 'POST', IP.main, { viewer_country: 'US' })]);
  });

  it('400 malformed_token, 401 missing_token', async () => {
    const garbage = await h.object(KEY, { grant: 'abc', cosig: 'def', inQuery: true });
    const none = await h.gk(`/${KEY}`);
    expect([garbage.status, garbage.code]).toEqual([400, 'malformed_token']);
    expect([none.status, none.code]).toEqual([401, 'missing_token']);
    h.expect(garbage, [denyRow('access', 'malformed_token', 'GET', IP.main, { object_key: KEY, viewer_country: null })]);
    h.expect(none, [denyRow('access', 'missing_token', 'GET', IP.main, { object_key: KEY, viewer_country: null, grant_jti: null })]);
  });

  it('401 bad_signature, bad_cosignature, unknown_kid, expired, not_yet_valid, ip_mismatch', async () => {
    // Prepare
    const rogue = new GrantSigner(loadVendorKey({ kid: 'vendor-rogue', privateKey: generateEd25519().privateKey }), { audience: GK_ID });
    const past = new GrantSigner(loadVendorKey(h.config.vendorKey), { audience: GK_ID, now: () => Date.now() - 2 * 3600_000 });
    const future = new GrantSigner(loadVendorKey(h.config.vendorKey), { audience: GK_ID, now: () => Date.now() + 3600_000 });
    const cases: [string, string, string, string, Row][] = [
      ['bad_signature', tamper(t.get), t.getCosig, IP.main, {}],
      ['bad_cosignature', t.get, t.listCosig, IP.main, { gatekeeper_kid: h.config.signingKey.kid }],
      ['unknown_kid', rogue.grantGet(KEY), t.getCosig, IP.main, { vendor_kid: 'vendor-rogue' }],
      ['expired', past.grantGet(KEY), t.getCosig, IP.main, {}],
      ['not_yet_valid', future.grantGet(KEY), t.getCosig, IP.main, {}],
      ['ip_mismatch', t.get, t.getCosig, IP.other, { viewer_country: 'US', gatekeeper_kid: h.config.signingKey.kid }],
    ];
    for (const [code, grant, cosig, from, extra] of cases) {
      // Act
      const r = await h.object(KEY, { grant, cosig }, { from });
      // Assess
      expect([code, r.status, r.code]).toEqual([code, 401, code]);
      h.expect(r, [denyRow('access', code, 'GET', from, { ...grantRow(grant), object_key: KEY, ...extra })]);
    }
  });

  it('403 wrong_audience, ttl_too_long, scope_mismatch, content_type_mismatch; 405; 413', async () => {
    // Prepare
    const key = loadVendorKey(h.config.vendorKey);
    const otherAud = new GrantSigner(key, { audience: 'someone-else' }).grantGet(KEY);
    const tooLong = new GrantSigner(key, { audience: GK_ID, ttlSeconds: 3600 }).grantGet(KEY);
    const textOnly = h.vendor.grantPut(other, { contentType: 'text/plain' });
    const tiny = h.vendor.grantPut(other, { maxBytes: 10 });
    const c = await h.cosign([textOnly, tiny]);
    h.expect(c, [textOnly, tiny].map((g) => ({ ...grantRow(g), phase: 'cosign', decision: 'allow', reason: 'ok' })));
    const [textCosig, tinyCosig] = c.results.map((x) => (x as { cosig: string }).cosig);
    // Act
    const r = {
      wrong_audience: await h.object(KEY, { grant: otherAud, cosig: t.getCosig }),
      ttl_too_long: await h.object(KEY, { grant: tooLong, cosig: t.getCosig }),
      scope_op: await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { method: 'PUT', body: 'x', headers: { 'content-type': 'application/json' } }),
      scope_key: await h.object(other, { grant: t.get, cosig: t.getCosig }),
      content_type_mismatch: await h.object(other, { grant: textOnly, cosig: textCosig }, { method: 'PUT', body: 'x', headers: { 'content-type': 'application/json' } }),
      method_not_allowed: await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { method: 'DELETE' }),
      method_cosign: await h.gk('/_gatekeeper/v1/cosign'),
      too_large: await h.object(other, { grant: tiny, cosig: tinyCosig }, { method: 'PUT', body: 'x'.repeat(100), headers: { 'content-length': '100' } }),
    };
    // Assess
    const want: Record<keyof typeof r, [number, string]> = {
      wrong_audience: [403, 'wrong_audience'],
      ttl_too_long: [403, 'ttl_too_long'],
      scope_op: [403, 'scope_mismatch'],
      scope_key: [403, 'scope_mismatch'],
      content_type_mismatch: [403, 'content_type_mismatch'],
      method_not_allowed: [405, 'method_not_allowed'],
      method_cosign: [405, 'method_not_allowed'],
      too_large: [413, 'too_large'],
    };
    for (const [name, [status, code]] of Object.entries(want) as [keyof typeof r, [number, string]][]) {
      expect([name, r[name].status, r[name].code]).toEqual([name, status, code]);
    }
    h.expect(r.wrong_audience, [denyRow('access', 'wrong_audience', 'GET', IP.main, grantRow(otherAud))]);
    h.expect(r.ttl_too_long, [denyRow('access', 'ttl_too_long', 'GET', IP.main, grantRow(tooLong))]);
    h.expect(r.scope_op, [denyRow('access', 'scope_mismatch', 'PUT', IP.main, { ...grantRow(t.get), object_key: KEY })]);
    h.expect(r.scope_key, [denyRow('access', 'scope_mismatch', 'GET', IP.main, { ...grantRow(t.get), object_key: other })]);
    h.expect(r.content_type_mismatch, [denyRow('access', 'content_type_mismatch', 'PUT', IP.main, grantRow(textOnly))]);
    h.expect(r.method_not_allowed, [denyRow('access', 'method_not_allowed', 'DELETE', IP.main, { grant_jti: null })]);
    h.expect(r.method_cosign, [denyRow('cosign', 'method_not_allowed', 'GET', IP.main, { viewer_country: 'US' })]);
    h.expect(r.too_large, [denyRow('access', 'too_large', 'PUT', IP.main, grantRow(tiny))]);
  });

  it('403 origin_not_allowed on a cosign from a foreign origin', async () => {
    const r = await h.cosign([t.get], { headers: { origin: 'http://evil.test' } });
    expect([r.status, r.code]).toEqual([403, 'origin_not_allowed']);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    h.expect(r, [denyRow('cosign', 'origin_not_allowed', 'POST', IP.main, { viewer_country: 'US' })]);
  });

  it('country and address: cosign refuses them per grant; a list with an older cosig is 403', async () => {
    // Act: cosign from a country outside the allow list, one on the deny list, none, and a denied address
    const kp = await h.cosign([t.list], { from: IP.kp });
    const ru = await h.cosign([t.list], { from: IP.ru });
    const xx = await h.cosign([t.list], { from: IP.unknown });
    const denied = await h.cosign([t.list], { from: IP.denied });
    // The list runs at origin-request and checks the whole ACL again, whatever cosig the viewer holds.
    const listKp = await h.list({ grant: t.list, cosig: h.handCosig(t.list, IP.kp, 'US'), prefix: 'e2e/data/' }, { from: IP.kp });
    const listDenied = await h.list({ grant: t.list, cosig: h.handCosig(t.list, IP.denied, 'US'), prefix: 'e2e/data/' }, { from: IP.denied });
    // Assess
    for (const [r, code] of [[kp, 'country_denied'], [ru, 'country_denied'], [xx, 'country_denied'], [denied, 'ip_denied']] as const) {
      expect(r.status).toBe(200);
      expect(r.results).toEqual([{ error: { code, message: expect.any(String) } }]);
    }
    expect([listKp.status, listKp.code]).toEqual([403, 'country_denied']);
    expect([listDenied.status, listDenied.code]).toEqual([403, 'ip_denied']);
    const g = grantRow(t.list);
    h.expect(kp, [denyRow('cosign', 'country_denied', 'POST', IP.kp, { ...g, viewer_country: 'KP' })]);
    h.expect(ru, [denyRow('cosign', 'country_denied', 'POST', IP.ru, { ...g, viewer_country: 'RU' })]);
    h.expect(xx, [denyRow('cosign', 'country_denied', 'POST', IP.unknown, { ...g, viewer_country: 'XX' })]);
    h.expect(denied, [denyRow('cosign', 'ip_denied', 'POST', IP.denied, { ...g, viewer_country: 'US' })]);
    h.expect(listKp, [denyRow('list', 'country_denied', 'POST', IP.kp, { ...g, viewer_country: 'KP' })]);
    h.expect(listDenied, [denyRow('list', 'ip_denied', 'POST', IP.denied, { ...g, viewer_country: 'US' })]);
  });
});

describe('spoofing', () => {
  it('a viewer-sent CloudFront-Viewer-Country is replaced at cosign and ignored at access', async () => {
    // Act
    const asUs = await h.cosign([t.get], { from: IP.kp, headers: { 'CloudFront-Viewer-Country': 'US' } });
    const asKp = await h.cosign([t.get], { from: IP.main, headers: { 'CloudFront-Viewer-Country': 'KP' } });
    const access = await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { headers: { 'CloudFront-Viewer-Country': 'KP' } });
    // Assess
    expect(asUs.results).toEqual([{ error: { code: 'country_denied', message: expect.any(String) } }]);
    const cosig = (asKp.results[0] as { cosig: string }).cosig;
    expect(JSON.parse(Buffer.from(cosig.split('.')[0], 'base64url').toString())).toMatchObject({ ip: IP.main, ctry: 'US' });
    expect(access.status).toBe(200);
    h.expect(asUs, [denyRow('cosign', 'country_denied', 'POST', IP.kp, { ...grantRow(t.get), viewer_country: 'KP' })]);
    h.expect(asKp, [{ ...grantRow(t.get), phase: 'cosign', decision: 'allow', viewer_ip: IP.main, viewer_country: 'US' }]);
    h.expect(access, [allowAccess('GET', t.get, KEY)]);
  });

  it('X-Forwarded-For never stands in for the socket address', async () => {
    // Act: cosign from .2 claiming .1; use it from .1; use .1's cosig from .2 claiming .1
    const c = await h.cosign([t.get], { from: IP.other, headers: { 'X-Forwarded-For': IP.main } });
    const cosigOther = (c.results[0] as { cosig: string }).cosig;
    const fromMain = await h.object(KEY, { grant: t.get, cosig: cosigOther }, { from: IP.main });
    const claimMain = await h.object(KEY, { grant: t.get, cosig: t.getCosig }, { from: IP.other, headers: { 'X-Forwarded-For': IP.main } });
    const own = await h.object(KEY, { grant: t.get, cosig: cosigOther }, { from: IP.other, headers: { 'X-Forwarded-For': '203.0.113.9' } });
    // Assess
    expect(JSON.parse(Buffer.from(cosigOther.split('.')[0], 'base64url').toString()).ip).toBe(IP.other);
    expect([fromMain.status, fromMain.code]).toEqual([401, 'ip_mismatch']);
    expect([claimMain.status, claimMain.code]).toEqual([401, 'ip_mismatch']);
    expect(own.status).toBe(200);
    h.expect(c, [{ ...grantRow(t.get), phase: 'cosign', decision: 'allow', viewer_ip: IP.other }]);
    h.expect(fromMain, [denyRow('access', 'ip_mismatch', 'GET', IP.main, grantRow(t.get))]);
    h.expect(claimMain, [denyRow('access', 'ip_mismatch', 'GET', IP.other, grantRow(t.get))]);
    h.expect(own, [allowAccess('GET', t.get, KEY, IP.other)]);
  });
});

describe('around the gate', () => {
  /** A client of one of the stack's principals, as a process that stole its key pair would use it. */
  function s3As(creds: { accessKeyId: string; secretAccessKey: string }): S3Client {
    return new S3Client({
      endpoint: h.stack.urls.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { ...creds },
      requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
      maxAttempts: 1,
    });
  }
  function smAs(creds: { accessKeyId: string; secretAccessKey: string }): SecretsManagerClient {
    return new SecretsManagerClient({
      endpoint: h.stack.urls.secrets,
      region: 'us-east-1',
      credentials: { ...creds },
      requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
      maxAttempts: 1,
    });
  }
  const status = (p: Promise<unknown>): Promise<number | string> =>
    p.then(
      () => 200,
      (e: { $metadata?: { httpStatusCode?: number }; name?: string }) => e.name ?? e.$metadata?.httpStatusCode ?? 'error',
    );

  it('every party has its own random key pair for this run, none the old fixed one', () => {
    const c = h.stack.credentials;
    const ids = [c.origin, c.gate, c.cosigner, c.owner].map((k) => k.accessKeyId);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(ids).not.toContain('AKIAGKLOCALORIGIN001');
  });

  it("the signing key is the cosigner's alone; the ACL is readable by both functions", async () => {
    // Prepare
    const gate = smAs(h.stack.credentials.gate);
    const cosigner = smAs(h.stack.credentials.cosigner);
    try {
      // Act
      const got = await Promise.all([
        status(gate.send(new GetSecretValueCommand({ SecretId: SIGNING_KEY_SECRET_ID }))),
        status(gate.send(new GetSecretValueCommand({ SecretId: ACL_SECRET_ID }))),
        status(cosigner.send(new GetSecretValueCommand({ SecretId: SIGNING_KEY_SECRET_ID }))),
        status(cosigner.send(new GetSecretValueCommand({ SecretId: ACL_SECRET_ID }))),
      ]);
      // Assess
      expect(got).toEqual(['AccessDeniedException', 200, 200, 200]);
    } finally {
      gate.destroy();
      cosigner.destroy();
    }
  });

  it("no function's key reads an object from S3 directly; the cosigner's only lists; the origin key does not list", async () => {
    // Prepare
    const [gate, cosigner, origin] = [h.stack.credentials.gate, h.stack.credentials.cosigner, h.stack.credentials.origin].map(s3As);
    try {
      // Act
      const got = await Promise.all([
        status(gate.send(new GetObjectCommand({ Bucket: h.config.bucket, Key: KEY }))),
        status(gate.send(new ListObjectsV2Command({ Bucket: h.config.bucket, Prefix: 'e2e/' }))),
        status(cosigner.send(new GetObjectCommand({ Bucket: h.config.bucket, Key: KEY }))),
        status(cosigner.send(new PutObjectCommand({ Bucket: h.config.bucket, Key: 'e2e/evil.txt', Body: 'x' }))),
        status(cosigner.send(new ListObjectsV2Command({ Bucket: h.config.bucket, Prefix: 'e2e/' }))),
        status(origin.send(new ListObjectsV2Command({ Bucket: h.config.bucket, Prefix: 'e2e/' }))),
        // The SDK adds ?x-id=GetObject: the origin key takes no query string.
        status(origin.send(new GetObjectCommand({ Bucket: h.config.bucket, Key: KEY }))),
      ]);
      // Assess
      expect(got).toEqual(['AccessDenied', 'AccessDenied', 'AccessDenied', 'AccessDenied', 200, 'AccessDenied', 'AccessDenied']);
    } finally {
      for (const c of [gate, cosigner, origin]) c.destroy();
    }
  });

  it('a page driven through DNS rebinding reaches neither emulator', async () => {
    // Act
    const s3 = await send(`${h.stack.urls.s3}/${h.config.bucket}/${KEY}`, { headers: { host: 'rebind.attacker.example' } });
    const secrets = await send(`${h.stack.urls.secrets}/`, { method: 'POST', headers: { host: 'rebind.attacker.example', 'x-amz-target': 'secretsmanager.GetSecretValue' }, body: '{"SecretId":"x"}' });
    // Assess
    expect(s3.status).toBe(400);
    expect(s3.text).toContain('InvalidHostHeader');
    expect(secrets.status).toBe(400);
    expect(secrets.text).not.toContain('privateKey');
  });
});

describe('ACL edits', () => {
  const ttlMs = ACL_TTL_SECONDS * 1000;
  // One refresh after the TTL, plus the watcher and a request round: generous, but far below a default TTL.
  const withinMs = ttlMs + 1500;

  it('an address deny and a revocation take effect within the TTL; report-only and deny-all too', async () => {
    // Prepare: a viewer at .6 with a valid cosig, and a grant that will be revoked
    const later = h.vendor.grantGet(KEY, { sub: 'bob' });
    const doomed = h.vendor.grantGet(KEY, { sub: 'carol' });
    const c6 = await h.cosign([later], { from: IP.later });
    const c1 = await h.cosign([doomed]);
    h.expect(c6, [{ ...grantRow(later), phase: 'cosign', decision: 'allow', viewer_ip: IP.later }]);
    h.expect(c1, [{ ...grantRow(doomed), phase: 'cosign', decision: 'allow', viewer_ip: IP.main }]);
    const tok6 = { grant: later, cosig: (c6.results[0] as { cosig: string }).cosig };
    const tok1 = { grant: doomed, cosig: (c1.results[0] as { cosig: string }).cosig };
    const first = await h.object(KEY, tok6, { from: IP.later });
    expect(first.status).toBe(200);
    h.expect(first, [allowAccess('GET', later, KEY, IP.later)]);
    const polled = (grant: string, ip: string, deniedAs: string, allowedAs: 'allow' | 'would_deny' = 'allow') => (r: Reply) =>
      h.expect(r, [
        r.status === 200
          ? { ...grantRow(grant), phase: 'access', decision: allowedAs, reason: allowedAs === 'allow' ? 'ok' : deniedAs, status: 200, viewer_ip: ip }
          : {
              // deny-all is decided before the grant is read
              ...(r.code === 'deny_all' ? { grant_jti: null, vendor_kid: null } : grantRow(grant)),
              phase: 'access',
              decision: 'deny',
              reason: r.code,
              status: r.status,
              viewer_ip: ip,
            },
      ]);

    // Act 1: deny .6, revoke one jti
    h.writeAcl({ version: 'e2e.2', ips: { allow: ['0.0.0.0/0', '::/0'], deny: [`${IP.denied}/32`, `${IP.later}/32`] }, revoked: { jti: [payloadOf(doomed).jti], kid: [] } });
    const denied = await until(() => h.object(KEY, tok6, { from: IP.later }), (r) => r.status !== 200, polled(later, IP.later, 'ip_denied'), withinMs);
    const revoked = await h.object(KEY, tok1);
    // Assess 1
    expect([denied.reply.status, denied.reply.code]).toEqual([403, 'ip_denied']);
    expect(denied.elapsedMs).toBeLessThanOrEqual(withinMs);
    expect([revoked.status, revoked.code]).toEqual([403, 'revoked']);
    h.expect(revoked, [denyRow('access', 'revoked', 'GET', IP.main, { ...grantRow(doomed), acl_version: 'e2e.2' })]);
    expect(await h.waitForLog(/acl: .* changed, valid \(version "e2e\.2"/)).toContain('enforce');

    // Act 2: report-only turns the address deny into an audited would_deny, not the revocation
    h.writeAcl({ version: 'e2e.3', mode: 'report-only', ips: { allow: ['0.0.0.0/0', '::/0'], deny: [`${IP.later}/32`] }, revoked: { jti: [payloadOf(doomed).jti], kid: [] } });
    const reportOnly = await until(() => h.object(KEY, tok6, { from: IP.later }), (r) => r.status === 200, polled(later, IP.later, 'ip_denied', 'would_deny'), withinMs);
    const stillRevoked = await h.object(KEY, tok1);
    expect(reportOnly.elapsedMs).toBeLessThanOrEqual(withinMs);
    expect([stillRevoked.status, stillRevoked.code]).toEqual([403, 'revoked']);
    h.expect(stillRevoked, [denyRow('access', 'revoked', 'GET', IP.main, { ...grantRow(doomed), acl_version: 'e2e.3', mode: 'report-only' })]);

    // Act 3: the emergency switch
    h.writeAcl({ version: 'e2e.4', mode: 'deny-all' });
    const off = await until(() => h.object(KEY, { grant: t.get, cosig: t.getCosig }), (r) => r.status !== 200, polled(t.get, IP.main, 'deny_all'), withinMs);
    const cosignOff = await h.cosign([t.get]);
    expect([off.reply.status, off.reply.code]).toEqual([403, 'deny_all']);
    expect(off.elapsedMs).toBeLessThanOrEqual(withinMs);
    expect(cosignOff.results).toEqual([{ error: { code: 'deny_all', message: expect.any(String) } }]);
    h.expect(cosignOff, [denyRow('cosign', 'deny_all', 'POST', IP.main, { ...grantRow(t.get), acl_version: 'e2e.4', mode: 'deny-all' })]);

    // Act 4: back to the start
    h.writeAcl({ version: 'e2e.1' });
    const back = await until(() => h.object(KEY, { grant: t.get, cosig: t.getCosig }), (r) => r.status === 200, polled(t.get, IP.main, 'deny_all'), withinMs);
    expect(back.elapsedMs).toBeLessThanOrEqual(withinMs);
  });

  it('covered every PROTOCOL error code but the two 503s (those are in faults.test.ts), each with its status', () => {
    for (const [code, status] of Object.entries(PROTOCOL_CODES)) {
      if (status === 503) continue;
      expect([code, h.codes.has(`${code}@${status}`)]).toEqual([code, true]);
    }
  });
});

describe('the audit log', () => {
  it('holds exactly one record per decision, with the right fields, queryable through DuckDB', async () => {
    // Act: the CLI's flush path (the proxy's /__local/audit/flush), then SQL
    const flushed = await send(`${h.stack.urls.gatekeeper}/__local/audit/flush`, { method: 'POST' });
    expect(flushed.status).toBe(200);
    expect(typeof flushed.json<{ flushed: number }>().flushed).toBe('number');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAudit(['query', 'SELECT count(*) AS n, count(DISTINCT request_id) AS ids FROM audit', '--config', h.cfgPath], {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
    });
    const rows = await queryLocalAudit(h.stack.files.auditDir, 'SELECT * FROM audit ORDER BY ts');
    // Assess
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const expected = [...h.ledger.values()].reduce((n, r) => n + r.length, 0);
    expect(JSON.parse(out.join(''))).toEqual({ n: expected, ids: h.ledger.size });
    // Every gatekeeper answer was accounted for in the ledger, and nothing else is in the log.
    expect([...new Set(h.seen)].sort()).toEqual([...h.ledger.keys()].sort());
    const byId = new Map<string, Record<string, unknown>[]>();
    for (const r of rows) {
      const id = String(r.request_id);
      byId.set(id, [...(byId.get(id) ?? []), r]);
    }
    expect([...byId.keys()].sort()).toEqual([...h.ledger.keys()].sort());
    for (const [id, want] of h.ledger) {
      const got = byId.get(id)!;
      expect([id, got.length]).toEqual([id, want.length]);
      for (const w of want) {
        const match = w.grant_jti ? got.filter((g) => g.grant_jti === w.grant_jti) : got;
        expect([id, match.length]).toEqual([id, 1]);
        expect(match[0]).toMatchObject(w);
      }
    }
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual([...AUDIT_COLUMNS, 'dt'].sort());
      expect(r.dt).toBe(new Date(Number(r.ts)).toISOString().slice(0, 10));
      expect(Number(r.duration_us)).toBeGreaterThanOrEqual(0);
      expect(r.edge_location).toBe('us-east-1');
    }
    // Nothing secret in any record: no token or signature is a column value.
    expect(JSON.stringify(rows)).not.toContain(t.getCosig.split('.')[1]);
    expect(h.logs.some((l) => l.startsWith('gate: GK_SECRET loaded'))).toBe(true);
    expect(h.logs.some((l) => l.includes(t.getCosig) || l.includes(t.get))).toBe(false);
  });
});
