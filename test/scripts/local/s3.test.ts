import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3Allows, startS3, type LocalS3, type S3Principal } from '../../../scripts/local/s3';
import { randomCredentials, type Credentials } from '../../../scripts/local/sigv4';
import { Sha256 } from '../../../scripts/local/sha256';

const BUCKET = 'gk-test-bucket';
const ORIGIN = randomCredentials();
const LISTER = randomCredentials();
const OWNER = randomCredentials();
const PRINCIPALS: S3Principal[] = [
  { credentials: ORIGIN, access: 'objects' },
  { credentials: LISTER, access: 'list' },
  { credentials: OWNER, access: 'admin' },
];

function s3Client(endpoint: string, creds: Credentials): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...creds },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
    maxAttempts: 1,
  });
}

interface Raw {
  status: number;
  body: string;
}

function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** A request signed as the proxy signs it (OAC): raw path, UNSIGNED-PAYLOAD. */
async function signed(
  port: number,
  creds: Credentials,
  method: string,
  path: string,
  o: { query?: Record<string, string>; host?: string; body?: string; date?: Date } = {},
): Promise<Raw> {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: creds, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const host = o.host ?? `127.0.0.1:${port}`;
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  const s = await signer.sign(
    { method, protocol: 'http:', hostname: '127.0.0.1', port, path, query: o.query ?? {}, headers },
    { signingDate: o.date ?? new Date() },
  );
  const qs = new URLSearchParams(o.query ?? {}).toString().replace(/\+/g, '%20');
  return raw(port, method, qs === '' ? path : `${path}?${qs}`, s.headers, o.body);
}

describe('local S3 origin', () => {
  let dir: string;
  let s3: LocalS3;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-s3-'));
    s3 = await startS3({ directory: join(dir, 's3'), bucket: BUCKET, principals: PRINCIPALS, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the bucket, created at start, to the owner key through the SDK', async () => {
    // Prepare
    const c = s3Client(s3.endpoint, OWNER);
    try {
      // Act
      await c.send(new HeadBucketCommand({ Bucket: BUCKET }));
      await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a/b.txt', Body: 'hello', ContentType: 'text/plain' }));
      const got = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.txt' }));
      // Assess
      expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
      expect(await got.Body?.transformToString()).toBe('hello');
      expect(got.ContentType).toBe('text/plain');
    } finally {
      c.destroy();
    }
  });

  it('the origin key reads, heads and writes objects without a query string', async () => {
    // Act
    const get = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`);
    const head = await signed(s3.port, ORIGIN, 'HEAD', `/${BUCKET}/a/b.txt`);
    const put = await signed(s3.port, ORIGIN, 'PUT', `/${BUCKET}/a/c.txt`, { body: 'written' });
    const back = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/c.txt`);
    // Assess
    expect([get.status, head.status, put.status, back.status]).toEqual([200, 200, 200, 200]);
    expect(get.body).toBe('hello');
    expect(back.body).toBe('written');
  });

  it('the origin key may not list, delete, or add a query string (a response-* override, a subresource)', async () => {
    // Act
    const list = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/`, { query: { 'list-type': '2' } });
    const override = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { query: { 'response-content-type': 'text/html' } });
    const acl = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { query: { acl: '' } });
    const del = await signed(s3.port, ORIGIN, 'DELETE', `/${BUCKET}/a/b.txt`);
    const sdk = s3Client(s3.endpoint, ORIGIN);
    try {
      // The SDK adds ?x-id=GetObject: refused as well.
      await expect(sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    } finally {
      sdk.destroy();
    }
    // Assess
    for (const r of [list, override, acl, del]) {
      expect(r.status).toBe(403);
      expect(r.body).toContain('<Code>AccessDenied</Code>');
    }
    expect(override.body).not.toContain('hello');
    expect((await signed(s3.port, OWNER, 'GET', `/${BUCKET}/a/b.txt`)).status).toBe(200);
  });

  it('the cosigner key lists (ListObjectsV2 only) and reads no object', async () => {
    // Prepare
    const sdk = s3Client(s3.endpoint, LISTER);
    try {
      // Act
      const listed = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a/', MaxKeys: 10 }));
      const get = await signed(s3.port, LISTER, 'GET', `/${BUCKET}/a/b.txt`);
      const v1 = await signed(s3.port, LISTER, 'GET', `/${BUCKET}/`, { query: { prefix: 'a/' } });
      const put = await signed(s3.port, LISTER, 'PUT', `/${BUCKET}/a/d.txt`, { body: 'x' });
      // Assess
      expect((listed.Contents ?? []).map((c) => c.Key)).toEqual(['a/b.txt', 'a/c.txt']);
      expect([get.status, v1.status, put.status]).toEqual([403, 403, 403]);
      await expect(sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    } finally {
      sdk.destroy();
    }
  });

  it('refuses unsigned requests with 403 AccessDenied (s3rver alone would serve them)', async () => {
    const r = await raw(s3.port, 'GET', `/${BUCKET}/a/b.txt`, { host: `127.0.0.1:${s3.port}` });
    expect(r.status).toBe(403);
    expect(r.body).toContain('<Code>AccessDenied</Code>');
    expect(r.body).not.toContain('hello');
  });

  it('refuses a known key id with the wrong secret: the signature is checked, not only the key id', async () => {
    // Act
    const forged = await signed(s3.port, { accessKeyId: ORIGIN.accessKeyId, secretAccessKey: 'guessed' }, 'GET', `/${BUCKET}/a/b.txt`);
    // Assess
    expect(forged.status).toBe(403);
    expect(forged.body).not.toContain('hello');
    expect(lines.some((l) => /s3: refused GET \(AKIA…\w{4}: bad_signature\)/.test(l))).toBe(true);
    expect(lines.join('\n')).not.toContain(ORIGIN.accessKeyId);
  });

  it('refuses a signature older than 15 minutes', async () => {
    const old = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { date: new Date(Date.now() - 16 * 60_000) });
    expect(old.status).toBe(403);
  });

  it("refuses another key id, s3rver's default S3RVER included", async () => {
    for (const accessKeyId of ['S3RVER', 'AKIASOMEONEELSE00001']) {
      const c = s3Client(s3.endpoint, { accessKeyId, secretAccessKey: 'S3RVER' });
      try {
        await expect(c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a/b.txt' }))).rejects.toMatchObject({
          $metadata: { httpStatusCode: 403 },
        });
      } finally {
        c.destroy();
      }
    }
  });

  it('refuses SigV2 and presigned-style credentials (only a SigV4 header names the key)', async () => {
    const host = { host: `127.0.0.1:${s3.port}` };
    const v2 = await raw(s3.port, 'GET', `/${BUCKET}/a/b.txt`, { ...host, authorization: `AWS ${ORIGIN.accessKeyId}:sig` });
    const presigned = await raw(
      s3.port,
      'GET',
      `/${BUCKET}/a/b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${ORIGIN.accessKeyId}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request`,
      host,
    );
    expect(v2.status).toBe(403);
    expect(presigned.status).toBe(403);
  });

  it('refuses a Host header that does not name the loopback (DNS rebinding), even correctly signed', async () => {
    // Act
    const rebound = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { host: `attacker.example:${s3.port}` });
    const otherPort = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { host: `127.0.0.1:${s3.port + 1}` });
    const localhost = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`, { host: `localhost:${s3.port}` });
    // Assess
    expect(rebound.status).toBe(400);
    expect(rebound.body).toContain('InvalidHostHeader');
    expect(rebound.body).not.toContain('hello');
    expect(otherPort.status).toBe(400);
    expect(localhost.status).toBe(200);
  });

  it('keeps its data across a stop and a start on the same port', async () => {
    // Act
    await s3.stop();
    await expect(raw(s3.port, 'GET', '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    s3 = await startS3({ directory: join(dir, 's3'), bucket: BUCKET, port: s3.port, principals: PRINCIPALS });
    // Assess
    const got = await signed(s3.port, ORIGIN, 'GET', `/${BUCKET}/a/b.txt`);
    expect(got.body).toBe('hello');
  });
});

describe('s3Allows', () => {
  it('objects: GET, HEAD, PUT of a key in the bucket, no query string', () => {
    expect(s3Allows('objects', 'GET', '/b/k', 'b')).toBe(true);
    expect(s3Allows('objects', 'PUT', '/b/a/k%20x', 'b')).toBe(true);
    expect(s3Allows('objects', 'GET', '/b/', 'b')).toBe(false);
    expect(s3Allows('objects', 'GET', '/b/k?', 'b')).toBe(false);
    expect(s3Allows('objects', 'GET', '/other/k', 'b')).toBe(false);
    expect(s3Allows('objects', 'GET', '/bb/k', 'b')).toBe(false);
    expect(s3Allows('objects', 'POST', '/b/k', 'b')).toBe(false);
  });

  it('list: GET of the bucket with list-type=2 and ListObjectsV2 parameters only, once each', () => {
    expect(s3Allows('list', 'GET', '/b/?list-type=2&prefix=a%2F&max-keys=10', 'b')).toBe(true);
    expect(s3Allows('list', 'GET', '/b?continuation-token=x&list-type=2', 'b')).toBe(true);
    expect(s3Allows('list', 'GET', '/b/?prefix=a', 'b')).toBe(false);
    expect(s3Allows('list', 'GET', '/b/?list-type=2&list-type=1', 'b')).toBe(false);
    expect(s3Allows('list', 'GET', '/b/?list-type=2&versions', 'b')).toBe(false);
    expect(s3Allows('list', 'GET', '/b/k?list-type=2', 'b')).toBe(false);
    expect(s3Allows('list', 'DELETE', '/b/?list-type=2', 'b')).toBe(false);
  });
});
