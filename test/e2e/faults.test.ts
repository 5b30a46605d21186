/**
 * Faults of the local stack, each undone before the next: no configuration
 * yet (the two 503 config_unavailable paths), an invalid ACL edit, the audit
 * stream down, the origin down or hanging.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { queryLocalAudit } from '../../scripts/cli/audit';
import { DEMO_OBJECTS } from '../../scripts/local/demo/report';
import { ACL_TTL_SECONDS, IP, payloadOf, startHarness, until, type Harness, type Reply } from './harness';

jest.setTimeout(60_000);

const ORIGIN_TIMEOUT_MS = 1500;
const AUDIT_TIMEOUT_MS = 800;
const KEY = DEMO_OBJECTS[0].key;

let h: Harness;
const tok = { grant: '', cosig: '' };

beforeAll(async () => {
  h = await startHarness({ name: 'faults', originResponseTimeoutMs: ORIGIN_TIMEOUT_MS, auditTimeoutMs: AUDIT_TIMEOUT_MS });
});

afterAll(async () => {
  await h?.stop();
});

function fallbackRecords(): Record<string, unknown>[] {
  return h.logs
    .filter((l) => /^(gate|cosigner): GK_AUDIT_FALLBACK \{/.test(l))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))) as Record<string, unknown>);
}

describe('no configuration yet: fail closed with 503 config_unavailable', () => {
  it('a signing key that never loaded stops cosigning; an ACL that never loaded stops the gate', async () => {
    // Prepare: break both secrets before either function has read them
    const goodKey = JSON.stringify(h.config.signingKey);
    writeFileSync(h.stack.files.signingKey, '{"kid": "gk-broken"}');
    tok.grant = h.vendor.grantGet(KEY, { sub: 'faults' });
    // Act
    const cosign = await h.cosign([tok.grant]);
    h.writeAcl({ version: 'broken', mode: 'deny-some' });
    const get = await h.object(KEY, { grant: tok.grant, cosig: 'x.y' });
    // Assess
    expect([cosign.status, cosign.code]).toEqual([503, 'config_unavailable']);
    expect([get.status, get.code]).toEqual([503, 'config_unavailable']);
    expect(get.headers['cache-control']).toBe('no-store');
    expect(h.logs.some((l) => /^cosigner: GK_SECRET invalid .*secret=gatekeeper-local\/signing-key/.test(l))).toBe(true);
    expect(h.logs.some((l) => /^gate: GK_SECRET invalid .*mode.*keeping=none secret=gatekeeper-local\/acl/.test(l))).toBe(true);
    expect(await h.waitForLog(/acl: .* INVALID: .*mode/)).toContain('keeps its last good ACL');
    // Neither log line quotes the key material.
    expect(h.logs.some((l) => l.includes(h.config.signingKey.privateKey))).toBe(false);

    // Act: repair; after the functions' retry delay both work again
    writeFileSync(h.stack.files.signingKey, goodKey);
    h.writeAcl({});
    const ok = await until(() => h.cosign([tok.grant]), (r) => r.status === 200, () => undefined, 10_000, 250);
    tok.cosig = (ok.reply.json<{ results: { cosig: string }[] }>().results[0]).cosig;
    const got = await until(() => h.object(KEY, tok), (r) => r.status === 200, () => undefined, 10_000, 250);
    // Assess
    expect(got.reply.text).toBe(DEMO_OBJECTS[0].body);
  });
});

describe('an invalid ACL edit', () => {
  it('is reported at once and never replaces the last good ACL', async () => {
    // Prepare: a document that would deny everything if it were taken
    h.writeAcl({ version: 'e2e.bad', mode: 'deny-all', bogus: true });
    const reported = await h.waitForLog(/acl: .* INVALID: .*bogus/);
    // Act: wait past the TTL so that the functions have fetched it
    await new Promise((r) => setTimeout(r, ACL_TTL_SECONDS * 1000 + 500));
    const get = await h.object(KEY, tok);
    // Assess
    expect(reported).toContain('bogus: unknown field');
    expect(get.status).toBe(200);
    expect(h.logs.some((l) => /^gate: GK_SECRET invalid .*bogus.*keeping=last_good/.test(l))).toBe(true);
    h.writeAcl({});
  });
});

describe('the audit stream down', () => {
  it('answers 503 audit_unavailable with the records as GK_AUDIT_FALLBACK lines, then recovers', async () => {
    // Prepare
    await h.stack.faults.stopKinesis();
    const before = fallbackRecords().length;
    // Act
    const t0 = Date.now();
    const allowed = await h.object(KEY, tok);
    const elapsed = Date.now() - t0;
    const denied = await h.gk(`/${KEY}`);
    const cosign = await h.cosign([tok.grant, h.vendor.grantList('reports/', { sub: 'faults' })]);
    // Assess
    for (const r of [allowed, denied, cosign]) expect([r.status, r.code]).toEqual([503, 'audit_unavailable']);
    expect(elapsed).toBeLessThan(AUDIT_TIMEOUT_MS + 1500);
    const lost = fallbackRecords().slice(before);
    const of = (r: Reply) => lost.filter((x) => x.request_id === r.requestId);
    expect(of(allowed)).toEqual([
      expect.objectContaining({ phase: 'access', decision: 'allow', reason: 'ok', status: 200, object_key: KEY, viewer_ip: IP.main, grant_jti: payloadOf(tok.grant).jti }),
    ]);
    expect(of(denied)).toEqual([expect.objectContaining({ phase: 'access', decision: 'deny', reason: 'missing_token', status: 401 })]);
    expect(of(cosign)).toHaveLength(2);
    expect(of(cosign).every((x) => x.phase === 'cosign' && x.decision === 'allow')).toBe(true);
    expect(h.logs.some((l) => l.startsWith(`gate: GK_AUDIT_UNAVAILABLE request_id=${allowed.requestId}`))).toBe(true);

    // Act: the stream is back
    await h.stack.faults.startKinesis();
    const back = await until(() => h.object(KEY, tok), (r) => r.status === 200, () => undefined, 10_000, 200);
    await h.stack.flushAudit();
    const rows = await queryLocalAudit(h.stack.files.auditDir, `SELECT decision, reason FROM audit WHERE request_id = '${back.reply.requestId}'`);
    // Assess
    expect(back.reply.text).toBe(DEMO_OBJECTS[0].body);
    expect(rows).toEqual([{ decision: 'allow', reason: 'ok' }]);
  });
});

describe('the origin down', () => {
  it('a stopped S3 is a clean 502 from the proxy (objects) and upstream_error from the cosigner (lists), within seconds', async () => {
    // Prepare
    const list = h.vendor.grantList('reports/', { sub: 'faults' });
    const c = await h.cosign([list]);
    const listCosig = c.json<{ results: { cosig: string }[] }>().results[0].cosig;
    await h.stack.faults.stopOrigin();
    try {
      // Act
      const t0 = Date.now();
      const get = await h.object(KEY, tok);
      const getMs = Date.now() - t0;
      const t1 = Date.now();
      const listed = await h.list({ grant: list, cosig: listCosig, prefix: 'reports/' });
      const listMs = Date.now() - t1;
      // Assess
      expect([get.status, get.code]).toEqual([502, 'origin_unreachable']);
      expect(get.headers['cache-control']).toBe('no-store');
      expect(getMs).toBeLessThan(2000);
      expect([listed.status, listed.code]).toEqual([502, 'upstream_error']);
      expect(listMs).toBeLessThan(8000);
    } finally {
      await h.stack.faults.startOrigin();
    }
    const again = await h.object(KEY, tok);
    expect(again.status).toBe(200);
  });

  it('an origin that accepts and never answers is a 504 after the origin timeout, not a hang', async () => {
    // Prepare: something silent on the origin's port
    const port = Number(new URL(h.stack.urls.s3).port);
    await h.stack.faults.stopOrigin();
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => {
      sockets.add(s);
      s.on('data', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    try {
      // Act
      const t0 = Date.now();
      const get = await h.object(KEY, tok);
      const ms = Date.now() - t0;
      // Assess
      expect([get.status, get.code]).toEqual([504, 'origin_timeout']);
      expect(ms).toBeGreaterThanOrEqual(ORIGIN_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(ORIGIN_TIMEOUT_MS + 2000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
      await h.stack.faults.startOrigin();
    }
    const again = await h.object(KEY, tok);
    expect(again.status).toBe(200);
  });
});
