import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost, keyIdHint, randomCredentials, sigV4KeyId, verifySigV4, type Credentials } from '../../../scripts/local/sigv4';
import { Sha256 } from '../../../scripts/local/sha256';

const CREDS = randomCredentials();
const secretOf = (id: string): string | undefined => (id === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined);

/** Signs with the SDK's own signer, then returns what a server receives: raw URL and lower-case headers. */
async function wire(
  o: { service: string; method: string; path: string; query?: Record<string, string | string[]>; headers?: Record<string, string>; body?: string; creds?: Credentials; date?: Date; checksum?: boolean },
): Promise<{ url: string; headers: IncomingHttpHeaders }> {
  const signer = new SignatureV4({
    service: o.service,
    region: 'us-east-1',
    credentials: o.creds ?? CREDS,
    sha256: Sha256,
    uriEscapePath: o.service !== 's3',
    // As the SDK clients do: x-amz-content-sha256 is sent and signed.
    applyChecksum: o.checksum ?? true,
  });
  const s = await signer.sign(
    { method: o.method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: o.path, query: o.query ?? {}, headers: { host: '127.0.0.1:9000', ...o.headers }, body: o.body },
    { signingDate: o.date ?? new Date() },
  );
  // As @smithy/querystring-builder writes the query on the wire.
  const esc = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o.query ?? {})) for (const one of Array.isArray(v) ? v : [v]) parts.push(`${esc(k)}=${esc(one)}`);
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = v;
  return { url: parts.length === 0 ? o.path : `${o.path}?${parts.join('&')}`, headers };
}

describe('verifySigV4', () => {
  it('accepts what the SDK signs: S3 with an escaped path and a query needing escapes', async () => {
    // Prepare
    const w = await wire({ service: 's3', method: 'GET', path: '/bkt/', query: { 'list-type': '2', prefix: "a b/+c~(x)!'*", 'continuation-token': 'x/y=', 'max-keys': '10' } });
    const o = await wire({ service: 's3', method: 'PUT', path: '/bkt/a%20b/%E2%82%AC.txt', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'text/plain' } });
    // Act
    const list = verifySigV4('GET', w.url, w.headers, { service: 's3', region: 'us-east-1', secretOf });
    const put = verifySigV4('PUT', o.url, o.headers, { service: 's3', region: 'us-east-1', secretOf });
    // Assess
    expect(list).toEqual({ ok: true, accessKeyId: CREDS.accessKeyId });
    expect(put).toEqual({ ok: true, accessKeyId: CREDS.accessKeyId });
  });

  it('accepts a Secrets Manager POST and checks its body against the signed hash', async () => {
    // Prepare
    const body = '{"SecretId":"gk/acl"}';
    const w = await wire({ service: 'secretsmanager', method: 'POST', path: '/', body, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' } });
    const e = { service: 'secretsmanager', region: 'us-east-1', secretOf };
    // Act + Assess
    expect(verifySigV4('POST', '/', w.headers, { ...e, body: Buffer.from(body) }).ok).toBe(true);
    expect(verifySigV4('POST', '/', w.headers, { ...e, body: Buffer.from('{"SecretId":"gk/signing-key"}') })).toMatchObject({ ok: false, reason: 'payload_mismatch' });
    // Without the header the body's own hash goes into the signature.
    const bare = await wire({ service: 'secretsmanager', method: 'POST', path: '/', body, checksum: false, headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' } });
    expect(bare.headers['x-amz-content-sha256']).toBeUndefined();
    expect(verifySigV4('POST', '/', bare.headers, { ...e, body: Buffer.from(body) }).ok).toBe(true);
    expect(verifySigV4('POST', '/', bare.headers, { ...e, body: Buffer.from('{}') })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses every altered part', async () => {
    const w = await wire({ service: 's3', method: 'GET', path: '/bkt/k', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', range: 'bytes=0-1' } });
    const e = { service: 's3', region: 'us-east-1', secretOf };
    const cases: [string, string, string, IncomingHttpHeaders, object][] = [
      ['another method', 'HEAD', w.url, w.headers, e],
      ['another path', 'GET', '/bkt/other', w.headers, e],
      ['an added query', 'GET', `${w.url}?response-content-type=text%2Fhtml`, w.headers, e],
      ['a changed signed header', 'GET', w.url, { ...w.headers, range: 'bytes=0-100' }, e],
      ['a changed Host', 'GET', w.url, { ...w.headers, host: 'evil.example:9000' }, e],
    ];
    for (const [what, method, url, headers, exp] of cases) {
      expect([what, verifySigV4(method, url, headers, exp as typeof e)]).toEqual([what, expect.objectContaining({ ok: false, reason: 'bad_signature' })]);
    }
    expect(verifySigV4('GET', w.url, w.headers, { ...e, secretOf: () => 'another-secret' })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifySigV4('GET', w.url, w.headers, { ...e, secretOf: () => undefined })).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(verifySigV4('GET', w.url, w.headers, { ...e, region: 'eu-west-1' })).toMatchObject({ ok: false, reason: 'wrong_scope' });
    expect(verifySigV4('GET', w.url, w.headers, { ...e, service: 'secretsmanager' })).toMatchObject({ ok: false, reason: 'wrong_scope' });
    expect(verifySigV4('GET', w.url, w.headers, { ...e, nowMs: Date.now() + 16 * 60_000 })).toMatchObject({ ok: false, reason: 'skewed' });
    expect(verifySigV4('GET', w.url, { ...w.headers, authorization: undefined }, e)).toMatchObject({ ok: false, reason: 'missing', accessKeyId: null });
    const noHost = String(w.headers.authorization).replace('host;', '');
    expect(verifySigV4('GET', w.url, { ...w.headers, authorization: noHost }, e)).toMatchObject({ ok: false, reason: 'malformed' });
    const { 'x-amz-content-sha256': _dropped, ...noHash } = w.headers;
    expect(verifySigV4('GET', w.url, noHash, e)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('randomCredentials', () => {
  it('is fresh each time and shaped like an IAM key pair', () => {
    const a = randomCredentials();
    const b = randomCredentials();
    expect(a.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(a.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect(a.secretAccessKey).not.toBe(b.secretAccessKey);
    expect(keyIdHint(a.accessKeyId)).toBe(`AKIA…${a.accessKeyId.slice(-4)}`);
  });
});

describe('isLoopbackHost', () => {
  it('takes 127.0.0.1:<port> and localhost:<port> only', () => {
    expect(isLoopbackHost('127.0.0.1:9000', 9000)).toBe(true);
    expect(isLoopbackHost('localhost:9000', 9000)).toBe(true);
    for (const h of ['127.0.0.1', '127.0.0.1:9001', 'attacker.example:9000', 'localhost.attacker.example:9000', '127.0.0.2:9000', '[::1]:9000', undefined]) {
      expect([h, isLoopbackHost(h, 9000)]).toEqual([h, false]);
    }
  });
});

describe('sigV4KeyId', () => {
  it('reads the key id of a SigV4 Authorization header only', () => {
    expect(sigV4KeyId('AWS4-HMAC-SHA256 Credential=AKIAGKLOCALORIGIN001/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab')).toBe(
      'AKIAGKLOCALORIGIN001',
    );
    expect(sigV4KeyId(undefined)).toBeNull();
    expect(sigV4KeyId('AWS AKIAGKLOCALORIGIN001:x')).toBeNull();
    expect(sigV4KeyId('AWS4-HMAC-SHA256 Credential=short/2026')).toBeNull();
    expect(sigV4KeyId('Bearer x')).toBeNull();
  });
});
