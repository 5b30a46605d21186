import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { athenaValue, runAudit, type AuditDeps } from '../../../scripts/cli/audit';
import { CONFIG_ENV } from '../../../scripts/local/config';
import { captureIo } from './io';

const ATHENA = ['--athena', '--workgroup', 'gk-compliance', '--database', 'gk_audit'];

const COLUMNS = [
  { Name: 'request_id', Label: 'request_id', Type: 'varchar' },
  { Name: 'ts', Label: 'ts', Type: 'bigint' },
  { Name: 'status', Label: 'status', Type: 'integer' },
  { Name: 'ratio', Label: 'ratio', Type: 'double' },
  { Name: 'ok', Label: 'ok', Type: 'boolean' },
];

function row(...cells: (string | undefined)[]): { Data: { VarCharValue?: string }[] } {
  return { Data: cells.map((c) => (c === undefined ? {} : { VarCharValue: c })) };
}

function page(rows: ReturnType<typeof row>[], next?: string): Partial<GetQueryResultsCommandOutput> {
  return { ResultSet: { ResultSetMetadata: { ColumnInfo: COLUMNS }, Rows: rows }, NextToken: next };
}

describe('gatekeeper audit query --athena', () => {
  const client = new AthenaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const athena = mockClient(client);
  let delays: number[];
  let clock: number;
  let deps: AuditDeps;
  const savedEnv = process.env[CONFIG_ENV];

  beforeEach(() => {
    athena.reset();
    delays = [];
    clock = 1_000_000;
    deps = {
      athena: client,
      now: () => clock,
      sleep: async (ms) => {
        delays.push(ms);
        clock += ms;
      },
    };
    // No local config is needed on this path.
    process.env[CONFIG_ENV] = '/nonexistent/gatekeeper.local.json';
  });
  afterAll(() => {
    if (savedEnv === undefined) delete process.env[CONFIG_ENV];
    else process.env[CONFIG_ENV] = savedEnv;
    client.destroy();
  });

  it('starts, polls with backoff, pages through the results and prints typed rows', async () => {
    // Prepare
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves(page([row('request_id', 'ts', 'status', 'ratio', 'ok'), row('r1', '1796400000000', '200', '0.5', 'true'), row('r2', '9007199254740993', '403', 'NaN', 'false')], 'tok-2'))
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 'tok-2' })
      .resolves(page([row('r3', undefined, '', undefined, undefined)]));
    const io = captureIo();

    // Act
    const code = await runAudit(['query', 'SELECT request_id, ts, status, ratio, ok FROM audit', ...ATHENA, '--region', 'eu-west-1'], io, deps);

    // Assess
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    expect(io.rows()).toEqual([
      { request_id: 'r1', ts: 1796400000000, status: 200, ratio: 0.5, ok: true },
      { request_id: 'r2', ts: '9007199254740993', status: 403, ratio: 'NaN', ok: false },
      { request_id: 'r3', ts: null, status: '', ratio: null, ok: null },
    ]);
    const start = athena.commandCalls(StartQueryExecutionCommand);
    expect(start).toHaveLength(1);
    expect(start[0].args[0].input).toEqual({
      QueryString: 'SELECT request_id, ts, status, ratio, ok FROM audit',
      QueryExecutionContext: { Database: 'gk_audit' },
      WorkGroup: 'gk-compliance',
    });
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(delays).toEqual([200, 300]);
    expect(athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'tok-2']);
  });

  it('runs a saved query with its parameters filled in', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-2' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'DML', Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves(page([row('request_id', 'ts', 'status', 'ratio', 'ok')]));
    const io = captureIo();
    expect(await runAudit(['query', '--saved', 'ip_activity', '--param', 'ip=192.0.2.1', ...ATHENA], io, deps)).toBe(0);
    expect(io.out).toEqual([]);
    const sql = athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input.QueryString!;
    expect(sql).toContain("viewer_ip = '192.0.2.1'");
    expect(sql).toContain("dt BETWEEN '1970-01-01' AND '9999-12-31'");
    expect(sql).not.toContain('{{');
  });

  it('a non-DML result has no header row to skip', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { StatementType: 'UTILITY', Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] }, Rows: [row('audit')] },
    });
    const io = captureIo();
    expect(await runAudit(['query', 'SHOW TABLES', ...ATHENA], io, deps)).toBe(0);
    expect(io.rows()).toEqual([{ tab_name: 'audit' }]);
  });

  it('FAILED: exit 1 with Athena\'s reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-4' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: {
          State: 'FAILED',
          StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
          AthenaError: { ErrorCategory: 2, ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved" },
        },
      },
    });
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT nope FROM audit', ...ATHENA], io, deps)).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err).toEqual(["audit: athena: query q-4 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved\n"]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('CANCELLED: exit 1', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-5' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } } });
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT 1', ...ATHENA], io, deps)).toBe(1);
    expect(io.err).toEqual(['audit: athena: query q-5 CANCELLED: Query cancelled by user\n']);
  });

  it('stops a query that outlives --timeout, and exits 1', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-6' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT 1', ...ATHENA, '--timeout', '5'], io, deps)).toBe(1);
    expect(io.err).toEqual(['audit: athena: query q-6 still RUNNING after 5 s; stopped it\n']);
    expect(athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input)).toEqual([{ QueryExecutionId: 'q-6' }]);
    // Backoff grows and is capped, and the waits stay within the timeout.
    expect(delays.slice(0, 4)).toEqual([200, 300, 450, 675]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000);
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5000);
  });

  it('a rejected start is one line naming the service error, exit 1', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'WorkGroup gk-compliance is not found.', $metadata: {} }));
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT 1', ...ATHENA], io, deps)).toBe(1);
    expect(io.err).toEqual(['audit: athena: InvalidRequestException: WorkGroup gk-compliance is not found.\n']);
  });
});

describe('athenaValue', () => {
  it.each([
    [undefined, 'varchar', null],
    ['', 'varchar', ''],
    ['12', 'integer', 12],
    ['-3', 'tinyint', -3],
    ['9007199254740991', 'bigint', 9007199254740991],
    ['9007199254740992', 'bigint', '9007199254740992'],
    ['1.25', 'double', 1.25],
    ['Infinity', 'double', 'Infinity'],
    ['true', 'boolean', true],
    ['12.50', 'decimal', '12.50'],
    ['2026-12-04', 'date', '2026-12-04'],
    ['x', undefined, 'x'],
  ])('%j as %s', (v, t, expected) => {
    expect(athenaValue(v, t)).toEqual(expected);
  });
});
