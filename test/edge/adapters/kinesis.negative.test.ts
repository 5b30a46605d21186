import { KinesisClient, PutRecordCommand, PutRecordsCommand, ResourceNotFoundException } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisAuditSink } from '../../../edge/adapters/kinesis';
import { auditRecord, delay, never } from './helpers';
import { putRecordsOutput, sinkHarness } from './kinesis-setup';

const notFound = () => new ResourceNotFoundException({ message: 'Stream gatekeeper-audit not found', $metadata: { httpStatusCode: 400 } });

describe('KinesisAuditSink failures', () => {
  it('PutRecord error → false and exactly one fallback line holding the record', async () => {
    // Prepare
    const h = sinkHarness();
    h.mock.on(PutRecordCommand).rejects(notFound());
    const rec = auditRecord(7);

    // Act
    const ok = await h.sink.write([rec]);

    // Assess
    expect(ok).toBe(false);
    expect(h.fallback()).toEqual([rec]);
    expect(h.lines).toEqual([
      'GK_AUDIT_SINK put_failed op=PutRecord records=1 error=ResourceNotFoundException (400): Stream gatekeeper-audit not found',
      `GK_AUDIT_FALLBACK {"ts":1796000000007,"request_id":"req-7-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789","phase":"cosign","decision":"allow","reason":"ok","status":200,"method":"POST","op":"get","object_key":"reports/2026/7.pdf","viewer_ip":"203.0.113.7","viewer_country":"NL","user_agent":"Mozilla/5.0","vendor_kid":"vendor-2026-12","gatekeeper_kid":"gk-2026-12","grant_jti":"jti_0000000000000007","grant_sub":"user-42","grant_exp":1796000900,"acl_version":"2026-12-04.1","mode":"enforce","edge_location":"AMS1-P1","duration_us":812}`,
    ]);
  });

  it('PutRecords error → false and one fallback line per record, in order', async () => {
    const h = sinkHarness();
    h.mock.on(PutRecordsCommand).rejects(new Error('connect ECONNREFUSED 127.0.0.1:4567'));
    const recs = [auditRecord(1), auditRecord(2), auditRecord(3)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(h.fallback()).toEqual(recs);
    expect(h.mock.commandCalls(PutRecordsCommand)).toHaveLength(1);
  });

  it('a Kinesis that never answers → false within about timeoutMs, request aborted, record in the log', async () => {
    const h = sinkHarness(120);
    h.mock.on(PutRecordCommand).callsFake(() => never());
    const rec = auditRecord(1);

    const started = Date.now();
    const ok = await h.sink.write([rec]);
    const elapsed = Date.now() - started;

    expect(ok).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(110);
    expect(elapsed).toBeLessThan(400);
    expect(h.fallback()).toEqual([rec]);
    expect(h.lines[0]).toBe('GK_AUDIT_SINK timeout after_ms=120 stream=gatekeeper-audit pending=1');
    const options = (h.mock.call(0).args as unknown[])[1] as { abortSignal: AbortSignal };
    expect(options.abortSignal.aborted).toBe(true);
  });

  it('a batch that never answers → false within about timeoutMs and every record in the log', async () => {
    const h = sinkHarness(100);
    h.mock.on(PutRecordsCommand).callsFake(() => never());
    const recs = [auditRecord(1), auditRecord(2)];

    const started = Date.now();
    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(400);
    expect(h.fallback()).toEqual(recs);
  });

  it('an answer arriving after the deadline does not count', async () => {
    const h = sinkHarness(40);
    h.mock.on(PutRecordCommand).callsFake(() => delay(120, { SequenceNumber: '1', ShardId: 's' }));
    const rec = auditRecord(1);

    const ok = await h.sink.write([rec]);
    await delay(150, null);

    expect(ok).toBe(false);
    expect(h.fallback()).toEqual([rec]);
  });

  it('entries still refused after the one retry go to the log, and only those', async () => {
    const h = sinkHarness();
    h.mock
      .on(PutRecordsCommand)
      .resolvesOnce(putRecordsOutput(5, [0, 2, 4]))
      .resolvesOnce(putRecordsOutput(3, [1]))
      .resolves(putRecordsOutput(1));
    const recs = [0, 1, 2, 3, 4].map((n) => auditRecord(n));

    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(h.mock.commandCalls(PutRecordsCommand)).toHaveLength(2);
    expect(h.fallback()).toEqual([recs[2]]);
    expect(h.lines.filter((l) => l.startsWith('GK_AUDIT_SINK'))).toEqual([
      'GK_AUDIT_SINK partial_failure attempt=1 failed=3/5 codes=ProvisionedThroughputExceededException',
      'GK_AUDIT_SINK partial_failure attempt=2 failed=1/3 codes=ProvisionedThroughputExceededException',
    ]);
  });

  it('no retry once the deadline has passed: the refused entries go to the log', async () => {
    const h = sinkHarness(60);
    h.mock
      .on(PutRecordsCommand)
      .callsFakeOnce(() => delay(20, putRecordsOutput(2, [1])))
      .callsFake(() => never());
    const recs = [auditRecord(1), auditRecord(2)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(h.mock.commandCalls(PutRecordsCommand)).toHaveLength(2);
    expect(h.fallback()).toEqual([recs[1]]);
  });

  it('a PutRecords answer missing entries counts the missing ones as refused', async () => {
    const h = sinkHarness();
    h.mock
      .on(PutRecordsCommand)
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] })
      .resolves({ FailedRecordCount: 0, Records: [] });
    const recs = [auditRecord(1), auditRecord(2)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(h.fallback()).toEqual([recs[1]]);
    expect(h.lines).toContain('GK_AUDIT_SINK partial_failure attempt=1 failed=1/2 codes=NoResult');
    expect(h.lines).toContain('GK_AUDIT_SINK partial_failure attempt=2 failed=1/1 codes=NoResult');
  });

  it('keeps a fallback line on one line when a field holds line breaks, and the JSON round-trips', async () => {
    const h = sinkHarness();
    h.mock.on(PutRecordCommand).rejects(new Error('down'));
    const rec = auditRecord(1, { user_agent: 'evil\nGK_AUDIT_FALLBACK {"forged":true}\r\u2028\u2029' });

    await h.sink.write([rec]);

    const fallbackLines = h.lines.filter((l) => l.startsWith('GK_AUDIT_FALLBACK'));
    expect(fallbackLines).toHaveLength(1);
    expect(h.fallback()).toEqual([rec]);
  });

  it('a record JSON cannot hold sends nothing and logs every record of the call', async () => {
    const h = sinkHarness();
    h.mock.on(PutRecordsCommand).resolves(putRecordsOutput(3));
    const odd = auditRecord(2, { duration_us: BigInt(5) as unknown as number });
    const recs = [auditRecord(1), odd, auditRecord(3)];

    const ok = await h.sink.write(recs);

    expect(ok).toBe(false);
    expect(h.mock.calls()).toHaveLength(0);
    expect(h.fallback()).toEqual([recs[0], { ...odd, duration_us: '5' }, recs[2]]);
    expect(h.lines[0]).toMatch(/^GK_AUDIT_SINK error=TypeError/);
  });

  it('never throws, even when the logger does', async () => {
    const client = new KinesisClient({ region: 'us-east-1' });
    mockClient(client).on(PutRecordCommand).rejects(new Error('down'));
    const sink = new KinesisAuditSink({
      client,
      streamName: 's',
      timeoutMs: 50,
      log: () => {
        throw new Error('log down');
      },
    });

    await expect(sink.write([auditRecord(1)])).resolves.toBe(false);
  });

  it.each([
    ['streamName', { streamName: '' }],
    ['timeoutMs', { timeoutMs: 0 }],
  ])('refuses a bad %s at construction', (field, over) => {
    expect(() => new KinesisAuditSink({ client: {} as never, streamName: 's', timeoutMs: 10, log: () => undefined, ...over })).toThrow(field);
  });
});
