import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { startProxy, compileGeo, EDGE_LIMITS, type LocalProxy } from '../../../scripts/local/proxy';
import type { CfEvent, CfRequest } from '../../../edge/triggers/cloudfront';
import { fakeOrigin, send, type FakeOrigin } from './proxyHarness';

const CREDS = { accessKeyId: 'AKIATESTPROXY0000001', secretAccessKey: 'test-secret' };
const VENDOR = 'http://vendor.test';
const GEO = { '127.0.0.0/9': 'US', '127.0.0.3/32': 'KP', '127.0.0.0/24': 'CA' };

type Mode = { kind: 'forward'; rewrite?: (r: CfRequest) => CfRequest } | { kind: 'respond'; status: string; body: string; base64?: boolean };

describe('CloudFront-like proxy', () => {
  let origin: FakeOrigin;
  let proxy: LocalProxy;
  const events: { fn: string; event: CfEvent }[] = [];
  let mode: Mode = { kind: 'forward' };
  let flushed = 0;

  let timeouts: unknown[] | null = null;

  const handler = (fn: string) => async (event: unknown, opts?: { timeoutMs?: number }) => {
    timeouts?.push(opts);
    events.push({ fn, event: JSON.parse(JSON.stringify(event)) as CfEvent });
    const req = (event as CfEvent).Records[0].cf.request;
    if (mode.kind === 'forward') return mode.rewrite ? mode.rewrite(req) : req;
    return {
      status: mode.status,
      statusDescription: 'X',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }], 'x-multi': [{ key: 'X-Multi', value: 'a' }, { key: 'X-Multi', value: 'b' }] },
      body: mode.base64 ? Buffer.from(mode.body).toString('base64') : mode.body,
      bodyEncoding: mode.base64 ? 'base64' : 'text',
    };
  };

  beforeAll(async () => {
    origin = await fakeOrigin();
    proxy = await startProxy({
      gate: handler('gate'),
      cosigner: handler('cosigner'),
      origin: { endpoint: origin.endpoint, bucket: 'bkt', credentials: CREDS },
      geo: GEO,
      vendorOrigins: [VENDOR],
      flush: async () => ++flushed,
      log: () => undefined,
    });
  });

  afterAll(async () => {
    await proxy.stop();
    await origin.close();
  });

  beforeEach(() => {
    events.length = 0;
    origin.seen.length = 0;
    mode = { kind: 'forward' };
  });

  it('listens on 127.0.0.1 only', () => {
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
  });

  it('builds a viewer-request event for the gate: raw uri and query, CloudFront headers, socket peer as clientIp, viewer country passed through', async () => {
    // Act
    await send(`${proxy.url}/a%20b/c.txt?x=1&gk_grant=g`, {
      from: '127.0.0.2',
      headers: { 'X-Gk-Grant': ['one', 'two'], 'CloudFront-Viewer-Country': 'KP', 'X-Forwarded-For': '10.0.0.1' },
    });
    // Assess
    expect(events).toHaveLength(1);
    const { fn, event } = events[0];
    const cf = event.Records[0].cf;
    expect(fn).toBe('gate');
    expect(cf.config.eventType).toBe('viewer-request');
    expect(cf.config.distributionId).toBe('ELOCALGATEKEEPER');
    expect(cf.config.distributionDomainName).toMatch(/\.cloudfront\.net$/);
    expect(cf.config.requestId).toMatch(/^[A-Za-z0-9_-]{56}$/);
    expect(cf.request.clientIp).toBe('127.0.0.2');
    expect(cf.request.method).toBe('GET');
    expect(cf.request.uri).toBe('/a%20b/c.txt');
    expect(cf.request.querystring).toBe('x=1&gk_grant=g');
    expect(cf.request.headers['x-gk-grant']).toEqual([
      { key: 'X-Gk-Grant', value: 'one' },
      { key: 'X-Gk-Grant', value: 'two' },
    ]);
    expect(cf.request.headers['cloudfront-viewer-country']).toEqual([{ key: 'CloudFront-Viewer-Country', value: 'KP' }]);
    expect(cf.request.headers['x-forwarded-for']).toEqual([{ key: 'X-Forwarded-For', value: '10.0.0.1' }]);
    expect(cf.request.headers.host[0].value).toBe(`127.0.0.1:${proxy.port}`);
    expect(cf.request.body).toBeUndefined();
    expect(cf.request.headers.connection).toBeUndefined();
  });

  it('builds an origin-request event for /_gatekeeper/*: base64 body, country from the geo map replacing the viewer\'s', async () => {
    // Prepare
    mode = { kind: 'respond', status: '200', body: '{}' };
    const body = JSON.stringify({ grants: ['x'] });
    // Act
    await send(`${proxy.url}/_gatekeeper/v1/cosign`, {
      method: 'POST',
      from: '127.0.0.3',
      body,
      headers: { 'content-type': 'application/json', 'CloudFront-Viewer-Country': 'US', 'x-forwarded-for': '10.9.9.9' },
    });
    // Assess
    const { fn, event } = events[0];
    const r = event.Records[0].cf.request;
    expect(fn).toBe('cosigner');
    expect(event.Records[0].cf.config.eventType).toBe('origin-request');
    expect(r.clientIp).toBe('127.0.0.3');
    expect(r.uri).toBe('/_gatekeeper/v1/cosign');
    expect(r.body).toEqual({ action: 'read-only', data: Buffer.from(body).toString('base64'), encoding: 'base64', inputTruncated: false });
    expect(r.headers['cloudfront-viewer-country']).toEqual([{ key: 'CloudFront-Viewer-Country', value: 'KP' }]);
    expect(r.headers['x-forwarded-for'][0].value).toBe('10.9.9.9, 127.0.0.3');
    expect(r.headers['content-type'][0].value).toBe('application/json');
  });

  it('passes the cosigner only the headers of the gatekeeper origin request policy, plus Host and X-Forwarded-For', async () => {
    // Prepare
    mode = { kind: 'respond', status: '200', body: '{}' };
    // Act
    await send(`${proxy.url}/_gatekeeper/v1/cosign`, {
      method: 'POST',
      body: '{}',
      headers: {
        'content-type': 'application/json',
        origin: VENDOR,
        'user-agent': 'ua/1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
        cookie: 'session=1',
        authorization: 'Bearer x',
        referer: 'http://vendor.test/page',
        'x-gk-grant': 'g',
        'x-amz-security-token': 't',
        'cloudfront-viewer-address': '1.2.3.4:5',
        'accept-language': 'en',
      },
    });
    // Assess
    const h = events[0].event.Records[0].cf.request.headers;
    expect(Object.keys(h).sort()).toEqual(
      ['access-control-request-headers', 'access-control-request-method', 'cloudfront-viewer-country', 'content-type', 'host', 'origin', 'user-agent', 'x-forwarded-for'].sort(),
    );
    expect(h.origin).toEqual([{ key: 'origin', value: VENDOR }]);
    expect(h['user-agent'][0].value).toBe('ua/1');
    expect(h.host[0].value).toBe('bkt.s3.us-east-1.amazonaws.com');
  });

  it('refuses methods the behaviours do not allow with a JSON 405, before any function', async () => {
    // Act
    const trace = await send(`${proxy.url}/k`, { method: 'TRACE' });
    const propfind = await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'PROPFIND' });
    const tunnel = await new Promise<string>((resolve, reject) => {
      const c = connect(proxy.port, '127.0.0.1', () => c.write(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`));
      let data = '';
      c.on('data', (d: Buffer) => (data += d.toString()));
      c.on('end', () => resolve(data));
      c.on('error', reject);
    });
    // Assess
    for (const r of [trace, propfind]) {
      expect(r.status).toBe(405);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers.allow).toBe('GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE');
      expect(JSON.parse(r.text).error.code).toBe('method_not_allowed');
    }
    expect(tunnel).toMatch(/^HTTP\/1\.1 405 /);
    expect(JSON.parse(tunnel.slice(tunnel.indexOf('\r\n\r\n') + 4)).error.code).toBe('method_not_allowed');
    expect(events).toHaveLength(0);
    expect(origin.seen).toHaveLength(0);
  });

  it('sets the country by longest match, and none for an address outside the map', async () => {
    // Prepare
    mode = { kind: 'respond', status: '200', body: '{}' };
    // Act
    for (const from of ['127.0.0.1', '127.0.0.3', '127.0.1.1', '127.200.0.1']) {
      await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'POST', from, body: '{}', headers: { 'cloudfront-viewer-country': 'GB' } });
    }
    // Assess
    const countries = events.map((e) => e.event.Records[0].cf.request.headers['cloudfront-viewer-country']?.[0].value ?? null);
    expect(countries).toEqual(['CA', 'KP', 'US', null]);
  });

  it('truncates an origin-request body above 1 MB and says so', async () => {
    // Prepare
    mode = { kind: 'respond', status: '200', body: '{}' };
    const big = Buffer.alloc(EDGE_LIMITS.originRequestBodyBytes + 100, 0x61);
    // Act
    await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'POST', body: big });
    // Assess
    const b = events[0].event.Records[0].cf.request.body!;
    expect(b.inputTruncated).toBe(true);
    expect(Buffer.from(b.data!, 'base64').length).toBe(EDGE_LIMITS.originRequestBodyBytes);
  });

  it('sends a generated response as is, with the request id in x-amz-cf-id', async () => {
    // Prepare
    mode = { kind: 'respond', status: '403', body: '{"error":{"code":"scope_mismatch"}}', base64: true };
    // Act
    const r = await send(`${proxy.url}/k`);
    // Assess
    expect(r.status).toBe(403);
    expect(r.text).toBe('{"error":{"code":"scope_mismatch"}}');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-multi']).toBe('a, b');
    expect(r.headers['x-amz-cf-id']).toBe(events[0].event.Records[0].cf.config.requestId);
    expect(r.headers['strict-transport-security']).toBeUndefined();
    expect(origin.seen).toHaveLength(0);
  });

  it('forwards a returned request to /<bucket><uri>, SigV4-signed, with only the policy\'s headers and the body streamed', async () => {
    // Prepare
    mode = { kind: 'forward', rewrite: (r) => ({ ...r, uri: '/reports/a%20b.json', querystring: '' }) };
    const body = Buffer.from('0123456789'.repeat(1000));
    const sha = createHash('sha256').update(body).digest('base64');
    // Act
    const r = await send(`${proxy.url}/reports/a b.json?response-content-type=text/html`.replace(' ', '%20'), {
      method: 'PUT',
      body,
      headers: {
        'content-type': 'application/json',
        'x-amz-checksum-sha256': sha,
        'x-amz-meta-evil': '1',
        'x-gk-grant': 'g',
        cookie: 'c=1',
        authorization: 'Bearer viewer',
        'if-match': '"e0"',
      },
    });
    // Assess
    expect(r.status).toBe(200);
    expect(r.text).toBe('from-origin');
    expect(origin.seen).toHaveLength(1);
    const s = origin.seen[0];
    expect(s.method).toBe('PUT');
    expect(s.url).toBe('/bkt/reports/a%20b.json');
    expect(s.body.equals(body)).toBe(true);
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['content-length']).toBe(String(body.length));
    expect(s.headers['x-amz-checksum-sha256']).toBe(sha);
    expect(s.headers['if-match']).toBe('"e0"');
    for (const h of ['x-amz-meta-evil', 'x-gk-grant', 'cookie']) expect(s.headers[h]).toBeUndefined();
    expect(s.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(s.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDS.accessKeyId}/\\d{8}/us-east-1/s3/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`),
    );
  });

  it('forwards no query string, whatever the function left in the request (the origin request policy forwards none)', async () => {
    // Prepare: a gate that, wrongly, keeps the viewer's query
    mode = { kind: 'forward' };
    // Act
    const r = await send(`${proxy.url}/reports/a.json?response-content-type=text/html&versionId=v1&gk_grant=g`);
    // Assess
    expect(events[0].event.Records[0].cf.request.querystring).toBe('response-content-type=text/html&versionId=v1&gk_grant=g');
    expect(r.status).toBe(200);
    expect(origin.seen[0].url).toBe('/bkt/reports/a.json');
  });

  it('passes each function its timeout: 5 s at viewer-request, 30 s at origin-request', async () => {
    // Prepare
    const seen: unknown[] = [];
    const keep = mode;
    mode = { kind: 'respond', status: '200', body: '{}' };
    timeouts = seen;
    try {
      // Act
      await send(`${proxy.url}/k`);
      await send(`${proxy.url}/_gatekeeper/v1/cosign`, { method: 'POST', body: '{}' });
    } finally {
      timeouts = null;
      mode = keep;
    }
    // Assess
    expect(seen).toEqual([{ timeoutMs: EDGE_LIMITS.viewerRequestTimeoutMs }, { timeoutMs: EDGE_LIMITS.originRequestTimeoutMs }]);
  });

  it('signs correctly: the same request signed independently gives the same Authorization', async () => {
    // Prepare
    mode = { kind: 'forward', rewrite: (r) => ({ ...r, uri: '/x/y.txt', querystring: '' }) };
    // Act
    await send(`${proxy.url}/x/y.txt`, { headers: { range: 'bytes=0-3' } });
    // Assess
    const s = origin.seen[0];
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(s.headers.authorization))![1].split(';');
    const headers: Record<string, string> = {};
    for (const h of signedHeaders) headers[h] = String(s.headers[h]);
    const date = String(s.headers['x-amz-date']);
    const when = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const { Sha256 } = await import('../../../scripts/local/sha256');
    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: CREDS, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const again = await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: origin.port, path: s.url, query: {}, headers },
      { signingDate: when },
    );
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'range', 'x-amz-content-sha256', 'x-amz-date']));
    expect(again.headers.authorization).toBe(s.headers.authorization);
  });

  it('applies the response headers policy to origin answers: security headers, CORS for a vendor origin only', async () => {
    // Act
    const fromVendor = await send(`${proxy.url}/k`, { headers: { origin: VENDOR } });
    const fromOther = await send(`${proxy.url}/k`, { headers: { origin: 'http://evil.test' } });
    // Assess
    for (const r of [fromVendor, fromOther]) {
      expect(r.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers.etag).toBe('"e1"');
      expect(r.headers['x-amz-cf-id']).toMatch(/^[A-Za-z0-9_-]{56}$/);
    }
    expect(fromVendor.headers['access-control-allow-origin']).toBe(VENDOR);
    expect(fromVendor.headers['access-control-expose-headers']).toBe('etag, content-length, content-range, content-type, last-modified, x-amz-version-id');
    expect(fromVendor.headers.vary).toBe('Origin');
    expect(fromOther.headers['access-control-allow-origin']).toBeUndefined();
    expect(fromOther.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('passes an origin error status and body through', async () => {
    // Prepare
    origin.answer = { status: 404, headers: { 'content-type': 'application/xml' }, body: '<Error><Code>NoSuchKey</Code></Error>' };
    try {
      // Act
      const r = await send(`${proxy.url}/missing`);
      // Assess
      expect(r.status).toBe(404);
      expect(r.text).toContain('NoSuchKey');
    } finally {
      origin.answer = { status: 200, headers: { 'content-type': 'text/plain', etag: '"e1"' }, body: 'from-origin' };
    }
  });

  it('answers POST /__local/audit/flush from the flush hook, never through the gate', async () => {
    // Act
    const r = await send(`${proxy.url}/__local/audit/flush`, { method: 'POST' });
    const get = await send(`${proxy.url}/__local/audit/flush`);
    // Assess
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ flushed: flushed });
    expect(get.status).toBe(405);
    expect(events).toHaveLength(0);
  });
});

describe('compileGeo', () => {
  it('picks the longest matching prefix, IPv4-mapped IPv6 included', () => {
    const g = compileGeo({ '10.0.0.0/8': 'US', '10.1.0.0/16': 'CA', '10.1.2.3': 'GB', '2001:db8::/32': 'NL' });
    expect(g.lookup('10.9.9.9')).toBe('US');
    expect(g.lookup('10.1.9.9')).toBe('CA');
    expect(g.lookup('10.1.2.3')).toBe('GB');
    expect(g.lookup('::ffff:10.1.2.3')).toBe('GB');
    expect(g.lookup('2001:db8::1')).toBe('NL');
    expect(g.lookup('11.0.0.1')).toBeNull();
    expect(g.lookup('not-an-ip')).toBeNull();
  });
});
