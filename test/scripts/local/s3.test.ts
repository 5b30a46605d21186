import { GetObjectCommand, HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_ORIGIN_CREDENTIALS, sigV4KeyId, startS3, type LocalS3 } from '../../../scripts/local/s3';

function s3Client(endpoint: string, creds: { accessKeyId: string; secretAccessKey: string } = LOCAL_ORIGIN_CREDENTIALS): S3Client {
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

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('local S3 origin', () => {
  let dir: string;
  let s3: LocalS3;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3gk-s3-'));
    s3 = await startS3({ directory: join(dir, 's3'), bucket: 'gk-test-bucket' });
  });

  afterAll(async () => {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the bucket, created at start, to SigV4 requests with the origin key id', async () => {
    // Prepare
    const c = s3Client(s3.endpoint);
    try {
      // Act
      await c.send(new HeadBucketCommand({ Bucket: 'gk-test-bucket' }));
      await c.send(new PutObjectCommand({ Bucket: 'gk-test-bucket', Key: 'a/b.txt', Body: 'hello', ContentType: 'text/plain' }));
      const got = await c.send(new GetObjectCommand({ Bucket: 'gk-test-bucket', Key: 'a/b.txt' }));
      // Assess
      expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
      expect(await got.Body?.transformToString()).toBe('hello');
      expect(got.ContentType).toBe('text/plain');
    } finally {
      c.destroy();
    }
  });

  it('refuses unsigned requests with 403 AccessDenied (s3rver alone would serve them)', async () => {
    const r = await rawGet(`${s3.endpoint}/gk-test-bucket/a/b.txt`);
    expect(r.status).toBe(403);
    expect(r.body).toContain('<Code>AccessDenied</Code>');
    expect(r.body).not.toContain('hello');
  });

  it('refuses another key id, s3rver\'s default S3RVER included', async () => {
    for (const accessKeyId of ['S3RVER', 'AKIASOMEONEELSE00001']) {
      const c = s3Client(s3.endpoint, { accessKeyId, secretAccessKey: 'S3RVER' });
      try {
        await expect(c.send(new GetObjectCommand({ Bucket: 'gk-test-bucket', Key: 'a/b.txt' }))).rejects.toMatchObject({
          $metadata: { httpStatusCode: 403 },
        });
      } finally {
        c.destroy();
      }
    }
  });

  it('refuses SigV2 and presigned-style credentials (only a SigV4 header names the key)', async () => {
    const v2 = await rawGet(`${s3.endpoint}/gk-test-bucket/a/b.txt`, { authorization: `AWS ${LOCAL_ORIGIN_CREDENTIALS.accessKeyId}:sig` });
    const presigned = await rawGet(
      `${s3.endpoint}/gk-test-bucket/a/b.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${LOCAL_ORIGIN_CREDENTIALS.accessKeyId}%2F20260101%2Fus-east-1%2Fs3%2Faws4_request`,
    );
    expect(v2.status).toBe(403);
    expect(presigned.status).toBe(403);
  });

  it('keeps its data across a stop and a start on the same port', async () => {
    // Act
    await s3.stop();
    await expect(rawGet(`${s3.endpoint}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    s3 = await startS3({ directory: join(dir, 's3'), bucket: 'gk-test-bucket', port: s3.port });
    const c = s3Client(s3.endpoint);
    try {
      const got = await c.send(new GetObjectCommand({ Bucket: 'gk-test-bucket', Key: 'a/b.txt' }));
      // Assess
      expect(await got.Body?.transformToString()).toBe('hello');
    } finally {
      c.destroy();
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
