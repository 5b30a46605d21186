import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLambda } from '../../../scripts/local/lambda';
import { compileGeo, EDGE_LIMITS, startProxy, type EdgeHandler, type LocalProxy } from '../../../scripts/local/proxy';
import { send } from './proxyHarness';

const CREDS = { accessKeyId: 'AKIATESTPROXY0000001', secretAccessKey: 'test-secret' };

function respond(body: string, status = '200'): unknown {
  return { status, statusDescription: 'X', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] }, body, bodyEncoding: 'text' };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Accepts connections and never answers: an origin that hangs. */
async function silentOrigin(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const s: Server = createServer((c) => {
    sockets.add(c);
    c.on('data', () => undefined);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const c of sockets) c.destroy();
        s.close(() => r());
      }),
  };
}

describe('proxy: what CloudFront itself would refuse', () => {
  let proxy: LocalProxy;
  const lines: string[] = [];
  let gate: EdgeHandler = async () => respond('x');
  let cosigner: EdgeHandler = async () => respond('x');

  beforeAll(async () => {
    proxy = await startProxy({
      gate: (e) => gate(e),
      cosigner: (e) => cosigner(e),
      origin: { endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'bkt', credentials: CREDS },
      geo: { '127.0.0.0/8': 'US' },
      vendorOrigins: [],
      log: (l) => lines.push(l),
    });
  });

  afterAll(() => proxy.stop());

  beforeEach(() => {
    lines.length = 0;
  });

  it('a viewer-request response above 40 KB is a 502, logged', async () => {
    // Prepare
    gate = async () => respond('a'.repeat(EDGE_LIMITS.viewerRequestGeneratedBytes + 1));
    // Act
    const r = await send(`${proxy.url}/k`);
    // Assess
    expect(r.status).toBe(502);
    expect(JSON.parse(r.text).error.code).toBe('lambda_validation_error');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(lines.some((l) => /generated a \d+-byte response, above the 40960-byte/.test(l))).toBe(true);
  });

  it('the same size is fine at origin-request (limit 1 MB), and just under 40 KB is fine at viewer-request', async () => {
    // Prepare
    const big = 'a'.repeat(EDGE_LIMITS.viewerRequestGeneratedBytes + 1);
    cosigner = async () => respond(big);
    gate = async () => respond('a'.repeat(EDGE_LIMITS.viewerRequestGeneratedBytes - 100));
    // Act
    const viaCosigner = await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'POST', body: '{}' });
    const viaGate = await send(`${proxy.url}/k`);
    // Assess
    expect(viaCosigner.status).toBe(200);
    expect(viaCosigner.text.length).toBe(big.length);
    expect(viaGate.status).toBe(200);
  });

  it('a function that throws is a 503 lambda_execution_error; an invalid result a 502', async () => {
    // Prepare
    gate = async () => {
      throw new Error('boom');
    };
    cosigner = async () => ({ status: 'abc' });
    // Act
    const thrown = await send(`${proxy.url}/k`);
    const invalid = await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'POST', body: '{}' });
    gate = async () => 42 as unknown;
    const neither = await send(`${proxy.url}/k`);
    // Assess
    expect(thrown.status).toBe(503);
    expect(JSON.parse(thrown.text).error.code).toBe('lambda_execution_error');
    expect(invalid.status).toBe(502);
    expect(JSON.parse(invalid.text).error.code).toBe('lambda_validation_error');
    expect(neither.status).toBe(502);
  });

  it('a request target that is not a path is a 400 without invoking anything', async () => {
    // Prepare
    let called = false;
    gate = async () => {
      called = true;
      return respond('x');
    };
    // Act: absolute-form target, as a forward proxy would receive it
    const r = await new Promise<number>((resolve, reject) => {
      const c = connect(proxy.port, '127.0.0.1', () => {
        c.write('GET http://example.com/k HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      c.on('data', (d: Buffer) => (data += d.toString()));
      c.on('end', () => resolve(Number(data.split(' ')[1])));
      c.on('error', reject);
    });
    // Assess
    expect(r).toBe(400);
    expect(called).toBe(false);
  });

  it('an origin that refuses connections is a 502 origin_unreachable at once', async () => {
    // Prepare
    gate = async (e) => (e as { Records: { cf: { request: unknown } }[] }).Records[0].cf.request;
    const t0 = Date.now();
    // Act
    const r = await send(`${proxy.url}/k`);
    // Assess
    expect(r.status).toBe(502);
    expect(JSON.parse(r.text).error.code).toBe('origin_unreachable');
    expect(JSON.parse(r.text).error.requestId).toBe(r.headers['x-amz-cf-id']);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('proxy: an origin that hangs', () => {
  it('is a 504 origin_timeout after the origin response timeout, not a hang', async () => {
    // Prepare
    const hang = await silentOrigin();
    const proxy = await startProxy({
      gate: async (e) => (e as { Records: { cf: { request: unknown } }[] }).Records[0].cf.request,
      cosigner: async () => respond('x'),
      origin: { endpoint: `http://127.0.0.1:${hang.port}`, bucket: 'bkt', credentials: CREDS },
      geo: {},
      vendorOrigins: [],
      log: () => undefined,
      originResponseTimeoutMs: 400,
    });
    try {
      const t0 = Date.now();
      // Act
      const r = await send(`${proxy.url}/k`);
      const elapsed = Date.now() - t0;
      // Assess
      expect(r.status).toBe(504);
      expect(JSON.parse(r.text).error.code).toBe('origin_timeout');
      expect(elapsed).toBeGreaterThanOrEqual(380);
      expect(elapsed).toBeLessThan(2000);
    } finally {
      await proxy.stop();
      await hang.close();
    }
  });
});

describe('proxy: a function that times out', () => {
  it('is a 503, and its runtime is replaced so that the next request is answered by a fresh one', async () => {
    // Prepare: a bundle that hangs for one key and counts invocations otherwise
    const dir = mkdtempSync(join(tmpdir(), 's3gk-proxy-timeout-'));
    const file = join(dir, 'gate.js');
    writeFileSync(
      file,
      `let n = 0; exports.handler = async (e) => { const uri = e.Records[0].cf.request.uri; if (uri === '/hang') await new Promise(() => {}); n += 1; ` +
        `return { status: '200', headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] }, body: String(process.pid) + ':' + n }; };`,
    );
    const lines: string[] = [];
    const gate = await startLambda({ name: 'gate', bundle: file, env: {}, log: (l) => lines.push(l) });
    const proxy = await startProxy({
      gate: gate.invoke,
      cosigner: async () => respond('x'),
      origin: { endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'bkt', credentials: CREDS },
      geo: {},
      vendorOrigins: [],
      log: (l) => lines.push(l),
      edgeTimeoutsMs: { viewerRequest: 300 },
    });
    try {
      const before = await send(`${proxy.url}/k`);
      // Act
      const t0 = Date.now();
      const hung = await send(`${proxy.url}/hang`);
      const elapsed = Date.now() - t0;
      const after = await send(`${proxy.url}/k`);
      // Assess
      expect(hung.status).toBe(503);
      expect(JSON.parse(hung.text).error.code).toBe('lambda_execution_error');
      expect(elapsed).toBeLessThan(2000);
      const [pidBefore, nBefore] = before.text.split(':');
      const [pidAfter, nAfter] = after.text.split(':');
      expect(nBefore).toBe('1');
      expect(pidAfter).not.toBe(pidBefore);
      expect(nAfter).toBe('1');
      expect(lines.some((l) => /gate: an invocation timed out after 300 ms; runtime killed/.test(l))).toBe(true);
      expect(lines.some((l) => /proxy: gate did not answer within 300 ms/.test(l))).toBe(true);
    } finally {
      await proxy.stop();
      await gate.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('proxy: stop', () => {
  it('waits for invocations still running after the sockets are cut, so their audit records are written before the last flush', async () => {
    // Prepare: a gate that takes 1.8 s, longer than the proxy's 1 s socket cut
    let finished = 0;
    const proxy = await startProxy({
      gate: async () => {
        await new Promise((r) => setTimeout(r, 1800));
        finished += 1;
        return respond('late');
      },
      cosigner: async () => respond('x'),
      origin: { endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'bkt', credentials: CREDS },
      geo: {},
      vendorOrigins: [],
      log: () => undefined,
    });
    const pending = send(`${proxy.url}/k`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    // Act
    const t0 = Date.now();
    await proxy.stop();
    const elapsed = Date.now() - t0;
    // Assess
    expect(finished).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(3000);
    await pending;
  });

  it('waits no longer than its drain timeout for an invocation that never ends', async () => {
    // Prepare
    const lines: string[] = [];
    let release: () => void = () => undefined;
    const proxy = await startProxy({
      gate: () =>
        new Promise((resolve) => {
          release = () => resolve(respond('released'));
        }),
      cosigner: async () => respond('x'),
      origin: { endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'bkt', credentials: CREDS },
      geo: {},
      vendorOrigins: [],
      log: (l) => lines.push(l),
      edgeTimeoutsMs: { viewerRequest: 60_000 },
      drainTimeoutMs: 1500,
    });
    const pending = send(`${proxy.url}/k`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    // Act
    const t0 = Date.now();
    await proxy.stop();
    const elapsed = Date.now() - t0;
    // Assess
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
    expect(lines.some((l) => /1 edge function invocation\(s\) still running after 1500 ms/.test(l))).toBe(true);
    // The stack would now stop the function; here the invocation is let go, so that no timer outlives the test.
    release();
    await pending;
  });
});

describe('compileGeo refusals', () => {
  it('names an entry with host bits set or a bad country', () => {
    expect(() => compileGeo({ '10.0.0.1/8': 'US' })).toThrow('geo["10.0.0.1/8"]: not a CIDR (or host bits are set)');
    expect(() => compileGeo({ '10.0.0.0/8': 'us' })).toThrow('geo["10.0.0.0/8"]: not an upper-case ISO 3166-1 alpha-2 code');
    expect(() => compileGeo({ 'nope': 'US' })).toThrow('geo["nope"]');
  });
});
