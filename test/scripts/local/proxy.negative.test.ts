import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
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

describe('compileGeo refusals', () => {
  it('names an entry with host bits set or a bad country', () => {
    expect(() => compileGeo({ '10.0.0.1/8': 'US' })).toThrow('geo["10.0.0.1/8"]: not a CIDR (or host bits are set)');
    expect(() => compileGeo({ '10.0.0.0/8': 'us' })).toThrow('geo["10.0.0.0/8"]: not an upper-case ISO 3166-1 alpha-2 code');
    expect(() => compileGeo({ 'nope': 'US' })).toThrow('geo["nope"]');
  });
});
