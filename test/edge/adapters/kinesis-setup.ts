import { KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { FALLBACK_PREFIX, KinesisAuditSink } from '../../../edge/adapters/kinesis';
import { memoryLog } from './helpers';

export const STREAM = 'gatekeeper-audit';

export function sinkHarness(timeoutMs = 500): {
  sink: KinesisAuditSink;
  mock: AwsClientStub<KinesisClient>;
  lines: string[];
  fallback(): unknown[];
} {
  const client = new KinesisClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  const { lines, log } = memoryLog();
  const sink = new KinesisAuditSink({ client, streamName: STREAM, timeoutMs, log });
  return {
    sink,
    mock,
    lines,
    /** The records of the fallback lines, each checked to be exactly `PREFIX {json}`. */
    fallback: () =>
      lines
        .filter((l) => l.startsWith(FALLBACK_PREFIX))
        .map((l) => {
          expect(l.slice(0, FALLBACK_PREFIX.length + 2)).toBe(`${FALLBACK_PREFIX} {`);
          expect(l).not.toMatch(/[\n\r\u2028\u2029]/);
          return JSON.parse(l.slice(FALLBACK_PREFIX.length + 1)) as unknown;
        }),
  };
}

export const decode = (data: Uint8Array | undefined): unknown => JSON.parse(new TextDecoder().decode(data));

/** A PutRecords answer: `failed` lists the indexes Kinesis refused. */
export function putRecordsOutput(n: number, failed: number[] = []) {
  return {
    FailedRecordCount: failed.length,
    Records: Array.from({ length: n }, (_, i) =>
      failed.includes(i)
        ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' }
        : { SequenceNumber: `4963${i}`, ShardId: 'shardId-000000000000' },
    ),
  };
}
