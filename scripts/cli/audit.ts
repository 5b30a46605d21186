import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import {
  DuckDBInstance,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBConnection,
  type DuckDBValueConverter,
  type Json,
} from '@duckdb/node-api';
import { AUDIT_COLUMNS } from '../../edge/core/audit';
import { listSavedQueries, QUERIES_DIR, renderSavedQuery, type SavedQuery } from '../../infra/queries';
import { auditColumnsDdl } from '../local/firehose';
import { readLocalConfig, type LocalConfig } from '../local/config';

export interface AuditIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Seams for tests; production uses the defaults. */
export interface AuditDeps {
  /** Athena client to use instead of a new one for --region. */
  athena?: AthenaClient;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Directory of the saved `.sql` files (default: infra/queries). */
  queriesDir?: string;
}

export const USAGE = `Usage: gatekeeper audit <command> [options]

Commands:
  query "SQL"                      Run SQL over the audit log (table \`audit\`: PROTOCOL's columns plus dt)
  query --saved NAME [--param k=v ...]
                                   Run a saved query (see \`audit list\`); --param overrides a default
  list                             List the saved queries, their parameters and defaults
  flush                            Ask the running local stack to write every audit record sent so far

Where the query runs:
  (default)                        DuckDB over <dataDir>/audit/dt=*/*.parquet of the local stack
  --athena --workgroup W --database D [--region R] [--timeout SECONDS]
                                   Athena (the workgroup's result location and encryption apply)

Options:
  --config PATH                    Local stack config (default: $GATEKEEPER_LOCAL_CONFIG or local/gatekeeper.local.json)
  -h, --help                       This text

Output: one JSON object per result row, on stdout.
Exit status: 0 ok, 1 the query or the stack failed, 2 bad usage or a missing/invalid config.
`;

class UsageError extends Error {}

interface Parsed {
  command: 'query' | 'list' | 'flush' | 'help';
  sql?: string;
  saved?: string;
  params: Record<string, string>;
  config?: string;
  athena: boolean;
  workgroup?: string;
  database?: string;
  region?: string;
  timeoutSeconds: number;
}

const VALUE_OPTIONS = new Set(['--config', '--saved', '--param', '--workgroup', '--database', '--region', '--timeout']);

function parseArgs(argv: string[]): Parsed {
  const args = argv[0] === 'audit' ? argv.slice(1) : argv.slice();
  const p: Parsed = { command: 'help', params: {}, athena: false, timeoutSeconds: 300 };
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value: string | undefined;
    if (a.startsWith('--') && a.includes('=')) {
      value = a.slice(a.indexOf('=') + 1);
      a = a.slice(0, a.indexOf('='));
    }
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    if (a === '--athena') {
      if (value !== undefined) throw new UsageError('--athena takes no value');
      p.athena = true;
      continue;
    }
    if (VALUE_OPTIONS.has(a)) {
      if (value === undefined) {
        if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
        value = args[++i];
      }
      switch (a) {
        case '--config':
          p.config = value;
          break;
        case '--saved':
          p.saved = value;
          break;
        case '--param': {
          const eq = value.indexOf('=');
          if (eq <= 0) throw new UsageError(`--param ${value}: expected name=value`);
          const k = value.slice(0, eq);
          if (k in p.params) throw new UsageError(`--param ${k} given twice`);
          p.params[k] = value.slice(eq + 1);
          break;
        }
        case '--workgroup':
          p.workgroup = value;
          break;
        case '--database':
          p.database = value;
          break;
        case '--region':
          if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value)) throw new UsageError(`--region ${value}: not an AWS region`);
          p.region = value;
          break;
        case '--timeout': {
          const t = Number(value);
          if (!Number.isInteger(t) || t < 1 || t > 86400) throw new UsageError('--timeout: must be whole seconds from 1 to 86400');
          p.timeoutSeconds = t;
          break;
        }
      }
      continue;
    }
    if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    positionals.push(args[i]);
  }
  if (help) return { ...p, command: 'help' };
  const [cmd, ...rest] = positionals;
  if (cmd === undefined) throw new UsageError('missing command (query, list or flush)');
  if (cmd !== 'query' && cmd !== 'list' && cmd !== 'flush' && cmd !== 'help') throw new UsageError(`unknown command "${cmd}"`);
  p.command = cmd;

  const athenaOnly = p.workgroup !== undefined || p.database !== undefined || p.region !== undefined;
  if (cmd === 'query') {
    if (p.saved !== undefined && rest.length > 0) throw new UsageError('give either "SQL" or --saved NAME, not both');
    if (p.saved === undefined) {
      if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'query needs "SQL" or --saved NAME' : 'query takes one SQL argument (quote it)');
      if (rest[0].trim() === '') throw new UsageError('the SQL is empty');
      if (Object.keys(p.params).length > 0) throw new UsageError('--param applies to --saved queries only');
      p.sql = rest[0];
    }
    if (p.athena) {
      if (!p.workgroup) throw new UsageError('--athena needs --workgroup W');
      if (!p.database) throw new UsageError('--athena needs --database D');
    } else if (athenaOnly) {
      throw new UsageError('--workgroup, --database and --region apply to --athena only');
    }
  } else {
    if (rest.length > 0) throw new UsageError(`${cmd} takes no arguments (got "${rest[0]}")`);
    if (p.saved !== undefined || Object.keys(p.params).length > 0) throw new UsageError('--saved and --param apply to query only');
    if (p.athena || athenaOnly) throw new UsageError('--athena and its options apply to query only');
  }
  return p;
}

/** The local config, whose absence or invalidity is bad input (exit 2), as for every gatekeeper command. */
function localConfig(path: string | undefined): LocalConfig {
  try {
    return readLocalConfig(path);
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

function savedQuery(name: string, dir: string): SavedQuery {
  const all = listSavedQueries(dir);
  const q = all.find((s) => s.name === name);
  if (!q) throw new UsageError(`unknown saved query "${name}"; saved queries: ${all.map((s) => s.name).join(', ')}`);
  return q;
}

// ---------------------------------------------------------------- DuckDB

const WIDE_INTS = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

/** JSON values, with 64-bit and wider integers as numbers when exact (strings otherwise). */
export const jsonRowConverter: DuckDBValueConverter<Json> = (value, type) => {
  if (WIDE_INTS.has(type.typeId) && typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  // Nested values recurse through this converter, so a bigint inside a list is treated alike.
  return JsonDuckDBValueConverter(value, type, jsonRowConverter);
};

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function hasParquet(auditDir: string): boolean {
  if (!existsSync(auditDir)) return false;
  for (const d of readdirSync(auditDir, { withFileTypes: true })) {
    if (!d.isDirectory() || !d.name.startsWith('dt=')) continue;
    if (readdirSync(join(auditDir, d.name)).some((f) => f.endsWith('.parquet') && !f.startsWith('.'))) return true;
  }
  return false;
}

/**
 * Macros giving DuckDB the Trino functions the saved queries use, so one SQL
 * file runs on both engines. Trino's from_unixtime/to_unixtime take and give
 * epoch seconds, as DuckDB's to_timestamp/epoch do.
 */
export const TRINO_MACROS = [
  'CREATE MACRO to_unixtime(t) AS epoch(t)',
  'CREATE MACRO from_unixtime(s) AS to_timestamp(s)',
];

export interface LocalAuditDb {
  conn: DuckDBConnection;
  close(): void;
}

/**
 * An in-memory DuckDB with `audit` over the Parquet files under auditDir
 * (hive-partitioned by dt, kept a string as in the Glue table), or an empty
 * table of the same shape when there are no files yet.
 */
export async function openLocalAudit(auditDir: string): Promise<LocalAuditDb> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    // Athena sessions run in UTC; current_date and casts to date must agree with it.
    await conn.run(`SET TimeZone = 'UTC'`);
    for (const m of TRINO_MACROS) await conn.run(m);
    if (hasParquet(auditDir)) {
      const glob = join(resolve(auditDir), 'dt=*', '*.parquet');
      await conn.run(
        `CREATE VIEW audit AS SELECT ${AUDIT_COLUMNS.join(', ')}, dt FROM read_parquet(${sqlString(glob)}, ` +
          `hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = true)`,
      );
    } else {
      await conn.run(`CREATE TABLE audit (${auditColumnsDdl()}, dt VARCHAR)`);
    }
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw err;
  }
  return {
    conn,
    close(): void {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs SQL over the local audit log and returns every row (for tests and tools; the CLI streams). */
export async function queryLocalAudit(auditDir: string, sql: string): Promise<Record<string, Json>[]> {
  const db = await openLocalAudit(auditDir);
  try {
    const result = await db.conn.run(sql);
    return (await result.convertRowObjects(jsonRowConverter)) as Record<string, Json>[];
  } finally {
    db.close();
  }
}

async function runLocal(sql: string, auditDir: string, io: AuditIo): Promise<void> {
  const db = await openLocalAudit(auditDir);
  try {
    const result = await db.conn.stream(sql);
    for await (const rows of result.yieldConvertedRowObjects(jsonRowConverter)) {
      for (const row of rows) io.stdout(JSON.stringify(row) + '\n');
    }
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- Athena

const ATHENA_INTS = new Set(['tinyint', 'smallint', 'integer', 'int']);
const ATHENA_FLOATS = new Set(['double', 'float', 'real']);

/** An Athena cell (always a string, absent for NULL) as a JSON value of its column's type. */
export function athenaValue(v: string | undefined, type: string | undefined): Json {
  if (v === undefined) return null;
  const t = (type ?? 'varchar').toLowerCase();
  if (ATHENA_INTS.has(t) && /^-?\d+$/.test(v)) return Number(v);
  if (t === 'bigint' && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  if (ATHENA_FLOATS.has(t)) {
    const n = Number(v);
    // NaN and Infinity have no JSON form: keep Athena's spelling.
    return Number.isFinite(n) ? n : v;
  }
  if (t === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function uniqueNames(cols: ColumnInfo[]): string[] {
  const seen = new Map<string, number>();
  return cols.map((c, i) => {
    const base = c.Label ?? c.Name ?? `_col${i}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

class QueryFailed extends Error {}

async function runAthena(sql: string, p: Parsed, io: AuditIo, deps: AuditDeps): Promise<void> {
  const client = deps.athena ?? new AthenaClient(p.region ? { region: p.region } : {});
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = deps.now ?? Date.now;
  try {
    const started = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: p.database },
        WorkGroup: p.workgroup,
      }),
    );
    const id = started.QueryExecutionId;
    if (!id) throw new QueryFailed('Athena returned no query execution id');

    const deadline = now() + p.timeoutSeconds * 1000;
    let delay = 200;
    let execution: QueryExecution | undefined;
    for (;;) {
      execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      const state = execution?.Status?.State;
      if (state && TERMINAL.has(state)) break;
      if (now() + delay > deadline) {
        await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new QueryFailed(`query ${id} still ${state ?? 'pending'} after ${p.timeoutSeconds} s; stopped it`);
      }
      await sleep(delay);
      delay = Math.min(Math.round(delay * 1.5), 2000);
    }
    const state = execution?.Status?.State;
    if (state !== 'SUCCEEDED') {
      const reason = execution?.Status?.AthenaError?.ErrorMessage ?? execution?.Status?.StateChangeReason ?? 'no reason given';
      throw new QueryFailed(`query ${id} ${state}: ${reason}`);
    }
    // Only a SELECT-like (DML) result starts with a row of column labels.
    const hasHeader = execution?.StatementType === undefined || execution.StatementType === 'DML';

    let token: string | undefined;
    let first = true;
    let names: string[] | undefined;
    let types: (string | undefined)[] = [];
    do {
      const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1000 }));
      const cols = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      if (!names) {
        names = uniqueNames(cols);
        types = cols.map((c) => c.Type);
      }
      let rows = page.ResultSet?.Rows ?? [];
      if (first && hasHeader) rows = rows.slice(1);
      first = false;
      for (const r of rows) {
        const obj: Record<string, Json> = {};
        (r.Data ?? []).forEach((d, i) => {
          obj[names![i] ?? `_col${i}`] = athenaValue(d.VarCharValue, types[i]);
        });
        io.stdout(JSON.stringify(obj) + '\n');
      }
      token = page.NextToken;
    } while (token);
  } finally {
    if (!deps.athena) client.destroy();
  }
}

// ---------------------------------------------------------------- flush

function postFlush(port: number, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/__local/audit/flush', headers: { 'content-length': '0' }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

async function runFlush(port: number, io: AuditIo): Promise<number> {
  const url = `http://127.0.0.1:${port}/__local/audit/flush`;
  let res: { status: number; body: string };
  try {
    res = await postFlush(port, 30_000);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') {
      io.stderr(`audit flush: nothing is listening on 127.0.0.1:${port}; is the local stack running (npm start)?\n`);
    } else {
      io.stderr(`audit flush: POST ${url} failed: ${code ?? (err as Error).message}\n`);
    }
    return 1;
  }
  let flushed: unknown;
  try {
    flushed = (JSON.parse(res.body) as { flushed?: unknown }).flushed;
  } catch {
    flushed = undefined;
  }
  if (res.status !== 200 || typeof flushed !== 'number') {
    io.stderr(`audit flush: POST ${url} answered ${res.status}: ${res.body.slice(0, 200).replace(/\s+/g, ' ')}\n`);
    return 1;
  }
  io.stdout(JSON.stringify({ flushed }) + '\n');
  return 0;
}

// ---------------------------------------------------------------- entry

function listText(queries: SavedQuery[]): string {
  const width = Math.max(...queries.map((q) => q.name.length));
  return queries
    .map((q) => {
      const params = Object.entries(q.params).map(([k, v]) => `${' '.repeat(width + 2)}--param ${k}=${v || "''"}  (default)\n`);
      return `${q.name.padEnd(width)}  ${q.description}\n${params.join('')}`;
    })
    .join('');
}

/**
 * `gatekeeper audit ...`. argv is what follows `gatekeeper` (a leading
 * "audit" is optional). Returns the exit status: 0 ok, 1 failed, 2 bad usage
 * (including a missing or invalid local config).
 */
export async function runAudit(argv: string[], io: AuditIo, deps: AuditDeps = {}): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`audit: ${err.message} (see --help)\n`);
    return 2;
  }
  const queriesDir = deps.queriesDir ?? QUERIES_DIR;
  try {
    switch (p.command) {
      case 'help':
        io.stdout(USAGE);
        return 0;
      case 'list':
        io.stdout(listText(listSavedQueries(queriesDir)));
        return 0;
      case 'flush':
        return await runFlush(localConfig(p.config).port, io);
      case 'query': {
        let sql = p.sql ?? '';
        if (p.saved !== undefined) {
          const q = savedQuery(p.saved, queriesDir);
          try {
            sql = renderSavedQuery(q, p.params);
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
        }
        if (p.athena) {
          await runAthena(sql, p, io, deps);
        } else {
          const config = localConfig(p.config);
          await runLocal(sql, join(resolve(config.dataDir), 'audit'), io);
        }
        return 0;
      }
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`audit: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    // SDK errors carry their service's code as name (e.g. InvalidRequestException); it helps to see it.
    const where = e instanceof QueryFailed ? 'athena: ' : p.athena && e.name && e.name !== 'Error' ? `athena: ${e.name}: ` : '';
    io.stderr(`audit: ${where}${String(e.message).split('\n')[0]}\n`);
    return 1;
  }
}
