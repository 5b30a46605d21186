import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { listObjects } from '../../../edge/adapters/s3-list';

function setup() {
  const client = new S3Client({ region: 'us-east-1' });
  return { client, mock: mockClient(client) };
}

describe('listObjects', () => {
  it('maps a truncated page: keys, sizes, ISO dates, quoted etags and the next token', async () => {
    // Prepare
    const { client, mock } = setup();
    mock.on(ListObjectsV2Command).resolves({
      IsTruncated: true,
      NextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
      Contents: [
        { Key: 'reports/2026/a.pdf', Size: 1234, LastModified: new Date('2026-12-04T10:00:00Z'), ETag: '"9b2cf535f27731c974343645a3985328"' },
        { Key: 'reports/2026/b.pdf', Size: 0, LastModified: new Date('2026-12-04T10:00:01.5Z'), ETag: '"d41d8cd98f00b204e9800998ecf8427e-2"' },
      ],
    });

    // Act
    const got = await listObjects(client, 'customer-data', { prefix: 'reports/2026/', continuationToken: 'prev-token', maxKeys: 2 });

    // Assess
    expect(got).toEqual({
      ok: true,
      value: {
        objects: [
          { key: 'reports/2026/a.pdf', size: 1234, lastModified: '2026-12-04T10:00:00.000Z', etag: '"9b2cf535f27731c974343645a3985328"' },
          { key: 'reports/2026/b.pdf', size: 0, lastModified: '2026-12-04T10:00:01.500Z', etag: '"d41d8cd98f00b204e9800998ecf8427e-2"' },
        ],
        nextContinuationToken: '1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=',
      },
    });
    const calls = mock.commandCalls(ListObjectsV2Command);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ Bucket: 'customer-data', Prefix: 'reports/2026/', MaxKeys: 2, ContinuationToken: 'prev-token' });
  });

  it('sends no ContinuationToken on a first page and has no next token on the last one', async () => {
    const { client, mock } = setup();
    mock.on(ListObjectsV2Command).resolves({ IsTruncated: false, KeyCount: 0 });

    const got = await listObjects(client, 'customer-data', { prefix: 'empty/', maxKeys: 1000 });

    expect(got).toEqual({ ok: true, value: { objects: [] } });
    expect(got.ok && Object.keys(got.value)).toEqual(['objects']);
    expect(mock.commandCalls(ListObjectsV2Command)[0].args[0].input).toEqual({ Bucket: 'customer-data', Prefix: 'empty/', MaxKeys: 1000 });
  });

  it('ignores a next token S3 sends without saying the page is truncated', async () => {
    const { client, mock } = setup();
    mock.on(ListObjectsV2Command).resolves({ IsTruncated: false, NextContinuationToken: 'stray', Contents: [] });

    const got = await listObjects(client, 'b-1', { prefix: 'p/', maxKeys: 10 });

    expect(got).toEqual({ ok: true, value: { objects: [] } });
  });
});
