/**
 * KinesisAuditSink through makeClients against kinesalite (the local stack's
 * Kinesis) on 127.0.0.1: the HTTP/1.1 handler, the endpoint override and what
 * a consumer reads back.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { makeClients } from '../../../edge/adapters/clients';
import { KinesisAuditSink } from '../../../edge/adapters/kinesis';
import type { BuildConfig } from '../../../edge/config';
import { auditRecord, memoryLog } from './helpers';

// kinesalite has no type declarations.
const kinesalite = require('kinesalite') as (o: Record<string, unknown>) => Server;

const STREAM = 'gatekeeper-audit';

async function readAll(client: KinesisClient): Promise<{ key: string | undefined; data: unknown }[]> {
  const desc = await client.send(new DescribeStreamCommand({ StreamName: STREAM }));
  const out: { key: string | undefined; data: unknown }[] = [];
  for (const shard of desc.StreamDescription?.Shards ?? []) {
    const it = await client.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    for (const r of got.Records ?? []) out.push({ key: r.PartitionKey, data: JSON.parse(new TextDecoder().decode(r.Data)) });
  }
  return out;
}

describe('KinesisAuditSink against kinesalite', () => {
  const savedEnv = { ...process.env };
  let server: Server;
  let client: KinesisClient;

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret';
    server = kinesalite({ createStreamMs: 0, updateStreamMs: 0, deleteStreamMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const cfg = { auditStreamRegion: 'us-east-1', auditTimeoutMs: 1500, endpoints: { kinesis: `http://127.0.0.1:${port}` } } as BuildConfig;
    client = makeClients(cfg).kinesis();
    await client.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
    for (let i = 0; i < 50; i++) {
      const d = await client.send(new DescribeStreamCommand({ StreamName: STREAM }));
      if (d.StreamDescription?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(async () => {
    process.env = savedEnv;
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('writes one record and a batch that a consumer reads back in column order, keyed by request id', async () => {
    // Prepare
    const { lines, log } = memoryLog();
    const sink = new KinesisAuditSink({ client, streamName: STREAM, timeoutMs: 1500, log });
    const one = auditRecord(1);
    const batch = [auditRecord(2), auditRecord(3, { user_agent: 'ünïcode\u2028line' })];

    // Act
    const okOne = await sink.write([one]);
    const okBatch = await sink.write(batch);
    const read = await readAll(client);

    // Assess
    expect([okOne, okBatch]).toEqual([true, true]);
    expect(lines).toEqual([]);
    expect(read).toEqual([one, ...batch].map((r) => ({ key: r.request_id, data: r })));
  });

  it('sends every record of a missing stream to the log', async () => {
    const { lines, log } = memoryLog();
    const sink = new KinesisAuditSink({ client, streamName: 'no-such-stream', timeoutMs: 1500, log });

    const ok = await sink.write([auditRecord(9)]);

    expect(ok).toBe(false);
    expect(lines.filter((l) => l.startsWith('GK_AUDIT_FALLBACK {'))).toHaveLength(1);
    expect(lines[0]).toMatch(/^GK_AUDIT_SINK put_failed op=PutRecord records=1 error=ResourceNotFoundException \(400\)/);
  });
});
