import { ListObjectsV2Command, NoSuchBucket, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { listObjects } from '../../../edge/adapters/s3-list';
import { memoryLog } from './helpers';

function s3Error(name: string, status: number, message = 'x'): S3ServiceException {
  return new S3ServiceException({ name, $fault: status < 500 ? 'client' : 'server', $metadata: { httpStatusCode: status }, message });
}

async function listWith(failure: Error) {
  const client = new S3Client({ region: 'us-east-1' });
  mockClient(client).on(ListObjectsV2Command).rejects(failure);
  const { lines, log } = memoryLog();
  const got = await listObjects(client, 'customer-data', { prefix: 'p/', continuationToken: 'bogus', maxKeys: 10 }, log);
  return { got, lines };
}

describe('listObjects failures', () => {
  it('a bad continuation token (S3 400 InvalidArgument) is malformed_request', async () => {
    const { got, lines } = await listWith(s3Error('InvalidArgument', 400, 'The continuation token provided is incorrect'));

    expect(got).toEqual({ ok: false, code: 'malformed_request' });
    expect(lines).toEqual([
      'GK_S3_LIST rejected bucket=customer-data error=InvalidArgument (400): The continuation token provided is incorrect',
    ]);
  });

  it.each([
    ['AccessDenied', 403],
    ['SlowDown', 503],
    ['InternalError', 500],
    // 400s caused by the gatekeeper's own credentials or connection, not by the viewer.
    ['ExpiredToken', 400],
    ['AuthorizationHeaderMalformed', 400],
    ['RequestTimeout', 400],
  ])('%s (%i) is upstream_error', async (name, status) => {
    const { got, lines } = await listWith(s3Error(name, status));

    expect(got).toEqual({ ok: false, code: 'upstream_error' });
    expect(lines[0]).toMatch(new RegExp(`^GK_S3_LIST failed bucket=customer-data error=${name} \\(${status}\\)`));
  });

  it('a missing bucket is upstream_error', async () => {
    const { got } = await listWith(new NoSuchBucket({ message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }));

    expect(got).toEqual({ ok: false, code: 'upstream_error' });
  });

  it('a network error or timeout (no HTTP status) is upstream_error', async () => {
    const { got } = await listWith(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));

    expect(got).toEqual({ ok: false, code: 'upstream_error' });
  });

  it('an answer with an entry missing its key or date is upstream_error, not a partial listing', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    mockClient(client)
      .on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'p/a', LastModified: new Date(0), Size: 1, ETag: '"e"' }, { Size: 1 }] })
      .resolvesOnce({ Contents: [{ Key: 'p/a', LastModified: new Date('invalid') }] });

    const first = await listObjects(client, 'b-1', { prefix: 'p/', maxKeys: 10 });
    const second = await listObjects(client, 'b-1', { prefix: 'p/', maxKeys: 10 });

    expect(first).toEqual({ ok: false, code: 'upstream_error' });
    expect(second).toEqual({ ok: false, code: 'upstream_error' });
  });

  it('works without a logger', async () => {
    const client = new S3Client({ region: 'us-east-1' });
    mockClient(client).on(ListObjectsV2Command).rejects(s3Error('InvalidArgument', 400));

    await expect(listObjects(client, 'b-1', { prefix: 'p/', continuationToken: 'x', maxKeys: 1 })).resolves.toEqual({
      ok: false,
      code: 'malformed_request',
    });
  });
});

describe('listObjects deadline', () => {
  it('answers upstream_error at its deadline when S3 never answers', async () => {
    // Prepare: a server that accepts and stays silent
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    const { S3Client: RealS3 } = await import('@aws-sdk/client-s3');
    const client = new RealS3({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    });
    try {
      // Act
      const started = Date.now();
      const out = await listObjects(client, 'b', { prefix: 'p/', maxKeys: 10 }, undefined, 300);
      // Assess
      expect(out).toEqual({ ok: false, code: 'upstream_error' });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(3000);
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
