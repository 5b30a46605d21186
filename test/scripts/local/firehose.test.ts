import { CreateStreamCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_COLUMNS, type AuditRecord } from '../../../edge/core/audit';
import { queryLocalAudit, runAudit } from '../../../scripts/cli/audit';
import { defaultLocalConfig } from '../../../scripts/local/config';
import { LocalFirehose } from '../../../scripts/local/firehose';
import { ensureStream, localKinesisClient, startKinesis, type LocalKinesis } from '../../../scripts/local/kinesis';
import { auditRecord } from './auditRecords';

const STREAM = 'gk-audit';

function put(c: KinesisClient, payloads: (string | Uint8Array)[], stream = STREAM, keys?: string[]): Promise<unknown> {
  return c.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: payloads.map((p, i) => ({
        Data: typeof p === 'string' ? new TextEncoder().encode(p) : p,
        PartitionKey: keys?.[i] ?? `pk-${i}`,
      })),
    }),
  );
}

function parquetFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.parquet'))
    .sort();
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LocalFirehose', () => {
  let k: LocalKinesis;
  let client: KinesisClient;
  let root: string;
  let outDir: string;
  let fh: LocalFirehose | undefined;
  const logs: string[] = [];

  beforeEach(async () => {
    k = await startKinesis({});
    await ensureStream(k.endpoint, STREAM);
    client = localKinesisClient(k.endpoint);
    root = mkdtempSync(join(tmpdir(), 'gk-firehose-'));
    outDir = join(root, 'audit');
    logs.length = 0;
  });

  afterEach(async () => {
    await fh?.stop();
    fh = undefined;
    client.destroy();
    await k.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function firehose(over: Partial<ConstructorParameters<typeof LocalFirehose>[0]> = {}): LocalFirehose {
    fh = new LocalFirehose({
      endpoint: k.endpoint,
      streamName: STREAM,
      outDir,
      flushIntervalMs: 60_000,
      log: (l) => logs.push(l),
      ...over,
    });
    return fh;
  }

  it('writes accepted records as Parquet per UTC day, queryable with the right types', async () => {
    // Prepare: records either side of a UTC midnight, plus two that are not records
    const lastOfDay = auditRecord({ ts: Date.UTC(2026, 11, 4, 23, 59, 59, 999), request_id: 'r-a', user_agent: null });
    const firstOfNext = auditRecord({
      ts: Date.UTC(2026, 11, 5, 0, 0, 0, 0),
      request_id: 'r-b',
      decision: 'deny',
      reason: 'country_denied',
      status: 403,
      viewer_country: 'FR',
      grant_exp: null,
      op: null,
      object_key: null,
      duration_us: 9_007_199_254_740_991,
    });
    const third = auditRecord({ ts: Date.UTC(2026, 11, 4, 8, 0, 0), request_id: 'r-c', phase: 'cosign', method: 'POST' });
    const f = firehose();
    await f.start();
    await put(client, [JSON.stringify(lastOfDay), 'not json {', JSON.stringify(firstOfNext), JSON.stringify({ ...third, status: '200' }), JSON.stringify(third)]);

    // Act
    const written = await f.flush();

    // Assess: files
    expect(written).toBe(3);
    const files = parquetFiles(outDir);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^dt=2026-12-04\/part-[0-9TZ]+-\d+-[0-9a-f]{6}-\d{6}\.parquet$/);
    expect(files[1]).toMatch(/^dt=2026-12-05\/part-.*\.parquet$/);
    expect(readdirSync(join(outDir, 'dt=2026-12-04')).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // Assess: the Parquet schema is PROTOCOL's, with Glue-compatible physical types
    const schema = await queryLocalAudit(
      outDir,
      `SELECT name, type, logical_type IS NOT NULL OR converted_type IS NOT NULL AS annotated FROM parquet_schema('${join(outDir, files[0])}') WHERE name <> 'duckdb_schema'`,
    );
    expect(schema.map((r) => r.name)).toEqual([...AUDIT_COLUMNS]);
    const typeOf = Object.fromEntries(schema.map((r) => [r.name, r.type]));
    expect(typeOf.ts).toBe('INT64');
    expect(typeOf.grant_exp).toBe('INT64');
    expect(typeOf.duration_us).toBe('INT64');
    expect(typeOf.status).toBe('INT32');
    expect(typeOf.request_id).toBe('BYTE_ARRAY');

    // Assess: the query tool returns exactly these rows
    const config = join(root, 'gatekeeper.local.json');
    writeFileSync(config, JSON.stringify({ ...defaultLocalConfig(), dataDir: root }));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAudit(['query', 'SELECT * FROM audit ORDER BY ts', '--config', config], {
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const rows = out.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = (r: AuditRecord, dt: string): Record<string, unknown> => ({ ...r, dt });
    expect(rows).toEqual([expected(third, '2026-12-04'), expected(lastOfDay, '2026-12-04'), expected(firstOfNext, '2026-12-05')]);
    expect(Object.keys(rows[0])).toEqual([...AUDIT_COLUMNS, 'dt']);

    // Assess: the two bad records went to the error output, raw
    const errFiles = readdirSync(join(outDir, 'errors')).filter((n) => n.endsWith('.jsonl'));
    expect(errFiles).toHaveLength(1);
    const errLines = readFileSync(join(outDir, 'errors', errFiles[0]), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(errLines.map((e) => Buffer.from(e.rawData, 'base64').toString('utf8'))).toEqual([
      'not json {',
      JSON.stringify({ ...third, status: '200' }),
    ]);
    expect(errLines.map((e) => e.errorMessage)).toEqual(['not valid JSON', 'status: not an int']);
    expect(errLines[0].errorCode).toBe('DataFormatConversion.MalformedData');
  });

  it('does not write a record twice across flushes, and an idle flush writes nothing', async () => {
    const f = firehose();
    await f.start();
    await put(client, [JSON.stringify(auditRecord({ request_id: 'one' }))]);
    expect(await f.flush()).toBe(1);
    expect(await f.flush()).toBe(0);
    await put(client, [JSON.stringify(auditRecord({ request_id: 'two' }))]);
    expect(await f.flush()).toBe(1);
    expect(parquetFiles(outDir)).toHaveLength(2);
    const rows = await queryLocalAudit(outDir, 'SELECT request_id FROM audit ORDER BY request_id');
    expect(rows).toEqual([{ request_id: 'one' }, { request_id: 'two' }]);
  });

  it('stop() flushes what Kinesis accepted', async () => {
    const f = firehose();
    await f.start();
    await put(client, [JSON.stringify(auditRecord({ request_id: 'at-stop' }))]);
    // Act
    await f.stop();
    fh = undefined;
    // Assess
    expect(await queryLocalAudit(outDir, 'SELECT request_id, dt FROM audit')).toEqual([
      { request_id: 'at-stop', dt: '2026-12-04' },
    ]);
  });

  it('flushes on its own within the interval', async () => {
    const f = firehose({ flushIntervalMs: 100 });
    await f.start();
    await put(client, [JSON.stringify(auditRecord({ request_id: 'timer' }))]);
    await until(() => parquetFiles(outDir).length === 1, 5000);
    expect(await queryLocalAudit(outDir, 'SELECT request_id FROM audit')).toEqual([{ request_id: 'timer' }]);
  });

  it('reads every shard from TRIM_HORIZON, including records put before start', async () => {
    // Prepare: a two-shard stream with records on both shards before the consumer starts
    await client.send(new CreateStreamCommand({ StreamName: 'two-shards', ShardCount: 2 }));
    await ensureStream(k.endpoint, 'two-shards');
    const ids = Array.from({ length: 20 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
    await put(
      client,
      ids.map((id) => JSON.stringify(auditRecord({ request_id: id }))),
      'two-shards',
      ids.map((id) => `partition-${id}`),
    );
    const f = firehose({ streamName: 'two-shards' });
    // Act
    await f.start();
    const n = await f.flush();
    // Assess
    expect(n).toBe(20);
    const rows = await queryLocalAudit(outDir, 'SELECT request_id FROM audit ORDER BY request_id');
    expect(rows.map((r) => r.request_id)).toEqual(ids);
  });

  it('survives the emulator going away and reads the new stream after a restart', async () => {
    const f = firehose();
    await f.start();
    await put(client, [JSON.stringify(auditRecord({ request_id: 'before' }))]);
    expect(await f.flush()).toBe(1);
    const port = k.port;
    await k.stop();
    // Act 1: Kinesis down
    await expect(f.flush()).rejects.toThrow();
    // Act 2: a fresh emulator on the same port, with the stream created again
    k = await startKinesis({ port });
    await ensureStream(k.endpoint, STREAM);
    client.destroy();
    client = localKinesisClient(k.endpoint);
    await put(client, [JSON.stringify(auditRecord({ request_id: 'after' }))]);
    // Assess
    expect(await f.flush()).toBe(1);
    const rows = await queryLocalAudit(outDir, 'SELECT request_id FROM audit ORDER BY request_id');
    expect(rows).toEqual([{ request_id: 'after' }, { request_id: 'before' }]);
  });

  it('on its own: logs an outage once, then picks up the recreated stream', async () => {
    // Prepare
    const f = firehose({ flushIntervalMs: 100, pollIntervalMs: 50 });
    await f.start();
    await put(client, [JSON.stringify(auditRecord({ request_id: 'pre' }))]);
    await until(() => parquetFiles(outDir).length === 1);
    const port = k.port;
    // Act 1: the emulator goes away for a while
    await k.stop();
    await new Promise((r) => setTimeout(r, 700));
    // Assess 1
    expect(logs.filter((l) => /failed/.test(l))).toHaveLength(1);
    // Act 2: it comes back with the stream created again (same shard ids, maybe the same sequence numbers)
    k = await startKinesis({ port });
    await ensureStream(k.endpoint, STREAM);
    client.destroy();
    client = localKinesisClient(k.endpoint);
    await put(client, [JSON.stringify(auditRecord({ request_id: 'post' }))]);
    // Assess 2
    await until(() => parquetFiles(outDir).length === 2);
    expect(await queryLocalAudit(outDir, 'SELECT request_id FROM audit ORDER BY request_id')).toEqual([
      { request_id: 'post' },
      { request_id: 'pre' },
    ]);
    expect(logs).toContain('stream readable again');
    expect(logs).toContain('the stream was created anew: reading it from the start');
  });

  it('logs an unknown field once and still writes the record', async () => {
    const f = firehose();
    await f.start();
    const r = { ...auditRecord({ request_id: 'x1' }), extra: 1 };
    await put(client, [JSON.stringify(r), JSON.stringify({ ...r, request_id: 'x2' })]);
    expect(await f.flush()).toBe(2);
    expect(logs.filter((l) => l.includes('"extra"'))).toHaveLength(1);
  });
});
