import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_COLUMNS } from '../../../edge/core/audit';
import { runAudit, USAGE } from '../../../scripts/cli/audit';
import { CONFIG_ENV, defaultLocalConfig } from '../../../scripts/local/config';
import { writeAuditParquet, type AuditRow } from '../../../scripts/local/firehose';
import { auditRecord } from '../local/auditRecords';
import { captureIo } from './io';

describe('gatekeeper audit (local)', () => {
  let root: string;
  let config: string;
  const savedEnv = process.env[CONFIG_ENV];

  function writeConfig(over: Record<string, unknown> = {}): void {
    writeFileSync(config, JSON.stringify({ ...defaultLocalConfig(), dataDir: join(root, 'data'), ...over }));
  }

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gk-cli-'));
    config = join(root, 'gatekeeper.local.json');
    delete process.env[CONFIG_ENV];
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    if (savedEnv === undefined) delete process.env[CONFIG_ENV];
    else process.env[CONFIG_ENV] = savedEnv;
  });

  it('--help prints the usage', async () => {
    const io = captureIo();
    expect(await runAudit(['audit', '--help'], io)).toBe(0);
    expect(io.out.join('')).toBe(USAGE);
    expect(USAGE).toMatch(/--athena --workgroup W --database D/);
  });

  it('list shows every saved query with its description and parameters', async () => {
    const io = captureIo();
    expect(await runAudit(['list'], io)).toBe(0);
    const text = io.out.join('');
    for (const n of ['denied_last_24h', 'decisions_for_key', 'ip_activity', 'subject_activity', 'decisions_by_country', 'would_deny']) {
      expect(text).toMatch(new RegExp(`^${n} +\\S`, 'm'));
    }
    expect(text).toContain('--param ip=203.0.113.10  (default)');
    expect(text).toContain('--param key=reports/2026/q4.pdf  (default)');
  });

  it('queries an empty log: the table exists with PROTOCOL columns plus dt', async () => {
    writeConfig();
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT count(*) AS n FROM audit', '--config', config], io)).toBe(0);
    expect(io.rows()).toEqual([{ n: 0 }]);

    const io2 = captureIo();
    expect(await runAudit(['query', 'SELECT column_name, column_type FROM (DESCRIBE audit)', '--config', config], io2)).toBe(0);
    expect(io2.rows()).toEqual([
      ...AUDIT_COLUMNS.map((c) => ({
        column_name: c,
        column_type: ['ts', 'grant_exp', 'duration_us'].includes(c) ? 'BIGINT' : c === 'status' ? 'INTEGER' : 'VARCHAR',
      })),
      { column_name: 'dt', column_type: 'VARCHAR' },
    ]);
  });

  it('finds the data directory through $GATEKEEPER_LOCAL_CONFIG, and runs saved queries with --param', async () => {
    // Prepare
    writeConfig();
    process.env[CONFIG_ENV] = config;
    const dir = join(root, 'data', 'audit', 'dt=2026-12-04');
    mkdirSync(dir, { recursive: true });
    const rows = [
      auditRecord({ request_id: 'r1', viewer_ip: '198.51.100.1' }),
      auditRecord({ request_id: 'r2', viewer_ip: '198.51.100.2', ts: Date.UTC(2026, 11, 4, 11) }),
    ];
    await writeAuditParquet(join(dir, 'x.parquet'), rows as unknown as AuditRow[]);
    // Act
    const io = captureIo();
    const code = await runAudit(['query', '--saved', 'ip_activity', '--param', 'ip=198.51.100.2', '--param=since=2026-12-04'], io);
    // Assess
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    expect(io.rows()).toEqual([{ ...rows[1], dt: '2026-12-04' }]);
  });

  it('prints 64-bit integers as numbers when exact, as strings otherwise, nested ones too', async () => {
    writeConfig();
    const io = captureIo();
    const sql = `SELECT 9007199254740993::BIGINT AS big, -5::BIGINT AS small, 1.5::DOUBLE AS d, [1::BIGINT, 9007199254740993::BIGINT] AS l, NULL AS n, 'x' AS s, 170141183460469231731687303715884105727::HUGEINT AS h`;
    expect(await runAudit(['query', sql, '--config', config], io)).toBe(0);
    expect(io.out.join('')).toBe('{"big":"9007199254740993","small":-5,"d":1.5,"l":[1,"9007199254740993"],"n":null,"s":"x","h":"170141183460469231731687303715884105727"}\n');
  });

  it('gives DuckDB the Trino time functions the queries use, in UTC', async () => {
    writeConfig();
    const io = captureIo();
    const sql = `SELECT to_unixtime(from_unixtime(1700000000)) AS t, CAST(CAST(from_unixtime(86399) AS date) AS varchar) AS d`;
    expect(await runAudit(['query', sql, '--config', config], io)).toBe(0);
    expect(io.rows()).toEqual([{ t: 1700000000, d: '1970-01-01' }]);
  });

  it('an SQL error is one line on stderr and exit 1', async () => {
    writeConfig();
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT nope FROM audit', '--config', config], io)).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err).toHaveLength(1);
    expect(io.err[0]).toMatch(/^audit: .*nope/);
    expect(io.err[0].trimEnd().includes('\n')).toBe(false);
  });

  it('a missing config is an error, and is not created', async () => {
    const io = captureIo();
    const absent = join(root, 'absent.json');
    expect(await runAudit(['query', 'SELECT 1', '--config', absent], io)).toBe(2);
    expect(io.err.join('')).toMatch(/no local config/);
    const io2 = captureIo();
    expect(await runAudit(['flush', '--config', absent], io2)).toBe(2);
    expect(io2.err).toHaveLength(1);
    expect(existsSync(absent)).toBe(false);
  });

  it('an invalid config names the field', async () => {
    writeConfig({ port: 'x' });
    const io = captureIo();
    expect(await runAudit(['query', 'SELECT 1', '--config', config], io)).toBe(2);
    expect(io.err.join('')).toMatch(/port: must be an integer/);
  });

  describe('flush', () => {
    let server: Server | undefined;
    afterEach(async () => {
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    });

    async function serve(status: number, body: string, seen: IncomingMessage[]): Promise<number> {
      server = createServer((req, res) => {
        seen.push(req);
        req.resume();
        req.on('end', () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(body);
        });
      });
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      return (server.address() as AddressInfo).port;
    }

    it('POSTs to the running stack and prints how many records it wrote', async () => {
      const seen: IncomingMessage[] = [];
      const port = await serve(200, '{"flushed": 3}', seen);
      writeConfig({ port });
      const io = captureIo();
      expect(await runAudit(['flush', '--config', config], io)).toBe(0);
      expect(io.out.join('')).toBe('{"flushed":3}\n');
      expect(seen.map((r) => [r.method, r.url])).toEqual([['POST', '/__local/audit/flush']]);
    });

    it('says clearly when nothing is listening', async () => {
      const port = await serve(200, '{}', []);
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
      writeConfig({ port });
      const io = captureIo();
      expect(await runAudit(['flush', '--config', config], io)).toBe(1);
      expect(io.err).toEqual([`audit flush: nothing is listening on 127.0.0.1:${port}; is the local stack running (npm start)?\n`]);
    });

    it('reports a failed flush', async () => {
      const port = await serve(500, '{"error":"disk full"}', []);
      writeConfig({ port });
      const io = captureIo();
      expect(await runAudit(['flush', '--config', config], io)).toBe(1);
      expect(io.err.join('')).toMatch(/answered 500: \{"error":"disk full"\}/);
    });
  });
});
