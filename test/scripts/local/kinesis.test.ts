import { DescribeStreamSummaryCommand, ListShardsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:net';
import { ensureStream, localKinesisClient, startKinesis, type LocalKinesis } from '../../../scripts/local/kinesis';

describe('startKinesis / ensureStream', () => {
  let k: LocalKinesis | undefined;
  afterEach(async () => {
    await k?.stop();
    k = undefined;
  });

  it('listens on a free loopback port and creates an ACTIVE one-shard stream', async () => {
    // Act
    k = await startKinesis({ port: 0 });
    await ensureStream(k.endpoint, 'audit-test');
    // Assess
    expect(k.endpoint).toBe(`http://127.0.0.1:${k.port}`);
    expect(k.port).toBeGreaterThan(0);
    const c = localKinesisClient(k.endpoint);
    try {
      const d = await c.send(new DescribeStreamSummaryCommand({ StreamName: 'audit-test' }));
      expect(d.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
      const shards = await c.send(new ListShardsCommand({ StreamName: 'audit-test' }));
      expect(shards.Shards).toHaveLength(1);
      const put = await c.send(
        new PutRecordCommand({ StreamName: 'audit-test', PartitionKey: 'p', Data: new TextEncoder().encode('{}') }),
      );
      expect(put.ShardId).toBe('shardId-000000000000');
    } finally {
      c.destroy();
    }
  });

  it('ensureStream is idempotent', async () => {
    k = await startKinesis({});
    await ensureStream(k.endpoint, 's1');
    await expect(ensureStream(k.endpoint, 's1')).resolves.toBeUndefined();
  });

  it('binds the requested port, and stop() frees it (twice is harmless)', async () => {
    // Prepare: find a free port
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    // Act
    k = await startKinesis({ port });
    await ensureStream(k.endpoint, 's2');
    await k.stop();
    await k.stop();
    // Assess: the port can be bound again
    const again = createServer();
    await new Promise<void>((resolve, reject) => {
      again.once('error', reject);
      again.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => again.close(() => r()));
    k = undefined;
  });

  it('startKinesis rejects when the port is taken', async () => {
    k = await startKinesis({});
    await expect(startKinesis({ port: k.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('ensureStream fails clearly when nothing listens', async () => {
    k = await startKinesis({});
    const endpoint = k.endpoint;
    await k.stop();
    k = undefined;
    await expect(ensureStream(endpoint, 's3')).rejects.toThrow(/ECONNREFUSED/);
  });
});
