import { PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { auditJson, FALLBACK_PREFIX } from '../../../edge/adapters/kinesis';
import { AUDIT_COLUMNS } from '../../../edge/core/audit';
import { auditRecord } from './helpers';
import { decode, putRecordsOutput, sinkHarness, STREAM } from './kinesis-setup';

describe('KinesisAuditSink', () => {
  it('sends one record with PutRecord, partition key the request id, data the JSON in column order', async () => {
    // Prepare
    const h = sinkHarness();
    h.mock.on(PutRecordCommand).resolves({ SequenceNumber: '1', ShardId: 'shardId-000000000000' });
    const rec = auditRecord(1, { grant_sub: null, user_agent: 'curl/8 "quoted" ünïcode' });

    // Act
    const ok = await h.sink.write([rec]);

    // Assess
    expect(ok).toBe(true);
    expect(h.mock.commandCalls(PutRecordsCommand)).toHaveLength(0);
    const calls = h.mock.commandCalls(PutRecordCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.StreamName).toBe(STREAM);
    expect(input.PartitionKey).toBe(rec.request_id);
    const text = new TextDecoder().decode(input.Data);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([...AUDIT_COLUMNS]);
    expect(JSON.parse(text)).toEqual(rec);
    expect(text).toBe(auditJson(rec));
    expect(h.lines).toEqual([]);
  });

  it('writes every column in AUDIT_COLUMNS order whatever the key order of the object', () => {
    const rec = auditRecord(2);
    const shuffled = Object.fromEntries(Object.entries(rec).reverse()) as typeof rec;

    const json = auditJson(shuffled);

    expect(json.startsWith('{"ts":1796000000002,"request_id":"req-2-')).toBe(true);
    expect(json.endsWith(',"edge_location":"AMS1-P1","duration_us":812}')).toBe(true);
  });

  it('sends a batch with one PutRecords, in order, each with its own partition key', async () => {
    const h = sinkHarness();
    h.mock.on(PutRecordsCommand).resolves(putRecordsOutput(3));
    const recs = [auditRecord(1), auditRecord(2), auditRecord(3)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(true);
    expect(h.mock.commandCalls(PutRecordCommand)).toHaveLength(0);
    const calls = h.mock.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.StreamName).toBe(STREAM);
    expect(input.Records?.map((r) => r.PartitionKey)).toEqual(recs.map((r) => r.request_id));
    expect(input.Records?.map((r) => decode(r.Data))).toEqual(recs);
    expect(h.lines).toEqual([]);
  });

  it('splits more than 500 records into batches of at most 500', async () => {
    const h = sinkHarness(2000);
    h.mock.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => Promise.resolve(putRecordsOutput(input.Records.length)));
    const recs = Array.from({ length: 1201 }, (_, i) => auditRecord(i));

    const ok = await h.sink.write(recs);

    expect(ok).toBe(true);
    const sizes = h.mock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records?.length);
    expect(sizes).toEqual([500, 500, 201]);
    const keys = h.mock.commandCalls(PutRecordsCommand).flatMap((c) => c.args[0].input.Records?.map((r) => r.PartitionKey));
    expect(keys).toEqual(recs.map((r) => r.request_id));
  });

  it('retries only the refused entries of a partial failure, once', async () => {
    const h = sinkHarness();
    h.mock
      .on(PutRecordsCommand)
      .resolvesOnce(putRecordsOutput(4, [1, 3]))
      .resolvesOnce(putRecordsOutput(2));
    const recs = [auditRecord(0), auditRecord(1), auditRecord(2), auditRecord(3)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(true);
    const calls = h.mock.commandCalls(PutRecordsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.Records?.map((r) => decode(r.Data))).toEqual([recs[1], recs[3]]);
    expect(h.fallback()).toEqual([]);
    expect(h.lines).toEqual(['GK_AUDIT_SINK partial_failure attempt=1 failed=2/4 codes=ProvisionedThroughputExceededException']);
  });

  it('accepts an empty list with no call', async () => {
    const h = sinkHarness();

    expect(await h.sink.write([])).toBe(true);
    expect(h.mock.calls()).toHaveLength(0);
  });

  it('uses a placeholder partition key for an empty request id and cuts a long one to 256', async () => {
    const h = sinkHarness();
    h.mock.on(PutRecordsCommand).resolves(putRecordsOutput(2));

    await h.sink.write([auditRecord(1, { request_id: '' }), auditRecord(2, { request_id: 'r'.repeat(300) })]);

    const keys = h.mock.commandCalls(PutRecordsCommand)[0].args[0].input.Records?.map((r) => r.PartitionKey);
    expect(keys).toEqual(['-', 'r'.repeat(256)]);
  });

  it('exports the fallback prefix named by the issue', () => {
    expect(FALLBACK_PREFIX).toBe('GK_AUDIT_FALLBACK');
  });
});
