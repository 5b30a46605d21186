import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  InvalidArgumentException,
  KinesisClient,
  ListShardsCommand,
  ListTagsForStreamCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { AUDIT_COLUMNS, AUDIT_COLUMN_TYPES, auditPartition, type AuditColumn } from '../../edge/core/audit';
import { INCARNATION_TAG, localKinesisClient } from './kinesis';

/**
 * A local stand-in for the Firehose delivery stream of the AWS stack: reads
 * the audit stream and writes Parquet under `<outDir>/dt=YYYY-MM-DD/`, the
 * layout (and column types) the Glue table and the Athena queries expect.
 */
export interface LocalFirehoseOptions {
  /** Kinesis endpoint, e.g. http://127.0.0.1:4567 */
  endpoint: string;
  streamName: string;
  /** e.g. local/audit */
  outDir: string;
  /** How often buffered records are written; default 1000. */
  flushIntervalMs?: number;
  /** How often the shards are polled; default 200. */
  pollIntervalMs?: number;
  log?: (line: string) => void;
  /** For tests: a client of one's own (it is not destroyed by stop()). */
  client?: KinesisClient;
}

/** DuckDB type of each PROTOCOL column (all nullable, as in the Glue table). */
export const DUCKDB_TYPE: Record<'bigint' | 'int' | 'string', 'BIGINT' | 'INTEGER' | 'VARCHAR'> = {
  bigint: 'BIGINT',
  int: 'INTEGER',
  string: 'VARCHAR',
};

/** `CREATE TABLE` column list with PROTOCOL's names and types. */
export function auditColumnsDdl(): string {
  return AUDIT_COLUMNS.map((c) => `${c} ${DUCKDB_TYPE[AUDIT_COLUMN_TYPES[c]]}`).join(', ');
}

export type AuditRow = Record<AuditColumn, string | number | null>;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * One decoded Kinesis record as a row, or why it cannot be one. Like Firehose's
 * format conversion: an absent column is null, unknown fields are ignored, and a
 * value of the wrong type fails the record. `ts` is required because it names
 * the partition.
 */
export function auditRowOf(text: string): { row: AuditRow; unknown: string[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const row = {} as AuditRow;
  for (const c of AUDIT_COLUMNS) {
    const v = o[c];
    if (v === undefined || v === null) {
      row[c] = null;
      continue;
    }
    switch (AUDIT_COLUMN_TYPES[c]) {
      case 'string':
        if (typeof v !== 'string') return { error: `${c}: not a string` };
        break;
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) return { error: `${c}: not an int` };
        break;
      case 'bigint':
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) return { error: `${c}: not a bigint` };
        break;
    }
    row[c] = v as string | number;
  }
  if (row.ts === null) return { error: 'ts: missing' };
  // Outside 0000-9999 the partition name would not be YYYY-MM-DD.
  if ((row.ts as number) < -62167219200000 || (row.ts as number) > 253402300799999) return { error: 'ts: out of range' };
  const known = new Set<string>(AUDIT_COLUMNS);
  return { row, unknown: Object.keys(o).filter((k) => !known.has(k)) };
}

interface ShardState {
  /** Tells one incarnation of a shard from the next (an emulator restarted with the stream recreated). */
  startingSeq: string | undefined;
  iterator: string | undefined;
  /** Last sequence number taken into the buffer; the resume point when an iterator is lost. */
  lastSeq: string | undefined;
  closed: boolean;
}

interface ErrorLine {
  errorCode: string;
  errorMessage: string;
  rawData: string;
  sequenceNumber: string | undefined;
  shardId: string;
  arrivalTimestamp: number | undefined;
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('.', '');
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export class LocalFirehose {
  private readonly endpoint: string;
  private readonly streamName: string;
  private readonly outDir: string;
  private readonly flushIntervalMs: number;
  private readonly pollIntervalMs: number;
  private readonly log: (line: string) => void;
  private readonly ownClient: boolean;
  private client: KinesisClient | undefined;
  private readonly shards = new Map<string, ShardState>();
  private incarnation: string | undefined;
  private buffer = new Map<string, AuditRow[]>();
  private errors: ErrorLine[] = [];
  private readonly warnedFields = new Set<string>();
  private lastProblem = '';
  private fileCounter = 0;
  private readonly instanceTag = randomBytes(3).toString('hex');
  /** Serializes polls, flushes and stop: they share the shard iterators and the buffer. */
  private chain: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private running = false;
  private db: { instance: DuckDBInstance; conn: DuckDBConnection } | undefined;

  constructor(opts: LocalFirehoseOptions) {
    if (!/^https?:\/\/\S+$/.test(opts.endpoint)) throw new Error('endpoint: must be an http(s) URL');
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(opts.streamName)) throw new Error('streamName: not a Kinesis stream name');
    if (!opts.outDir) throw new Error('outDir: required');
    const interval = opts.flushIntervalMs ?? 1000;
    if (!Number.isInteger(interval) || interval < 10) throw new Error('flushIntervalMs: must be an integer >= 10');
    const poll = opts.pollIntervalMs ?? 200;
    if (!Number.isInteger(poll) || poll < 10) throw new Error('pollIntervalMs: must be an integer >= 10');
    this.endpoint = opts.endpoint;
    this.streamName = opts.streamName;
    this.outDir = opts.outDir;
    this.flushIntervalMs = interval;
    this.pollIntervalMs = poll;
    this.log = opts.log ?? ((line) => process.stderr.write(`[firehose] ${line}\n`));
    this.client = opts.client;
    this.ownClient = opts.client === undefined;
  }

  /** Finds the shards (reading each from TRIM_HORIZON the first time) and starts polling and flushing. */
  async start(): Promise<void> {
    if (this.running) return;
    this.client ??= localKinesisClient(this.endpoint);
    await mkdir(this.outDir, { recursive: true });
    // A stream that cannot be reached at start is a setup error worth failing on; later outages are only logged.
    await this.exclusive(() => this.discover());
    this.running = true;
    this.schedulePoll();
    this.scheduleFlush();
  }

  /**
   * Reads until the stream is caught up, then writes everything buffered.
   * Records that could not be read stay in Kinesis and the error is thrown
   * after what was buffered has been written.
   */
  flush(): Promise<number> {
    return this.exclusive(() => this.drainAndWrite());
  }

  /** Stops polling and writes what is left (flushing first as far as Kinesis still answers). */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.flushTimer);
    if (wasRunning) {
      await this.exclusive(async () => {
        try {
          await this.drainAndWrite();
        } catch (err) {
          this.log(`final flush incomplete: ${(err as Error).message}`);
        }
      });
    }
    await this.chain.catch(() => undefined);
    if (this.ownClient) {
      this.client?.destroy();
      this.client = undefined;
    }
    if (this.db) {
      this.db.conn.closeSync();
      this.db.instance.closeSync();
      this.db = undefined;
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private schedulePoll(): void {
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      void this.exclusive(() => this.pollOnce())
        .then(() => this.clearProblem(), (err: unknown) => this.problem('read', err))
        .finally(() => this.schedulePoll());
    }, this.pollIntervalMs);
    this.pollTimer.unref();
  }

  private scheduleFlush(): void {
    if (!this.running) return;
    this.flushTimer = setTimeout(() => {
      void this.exclusive(() => this.drainAndWrite())
        .then(() => this.clearProblem(), (err: unknown) => this.problem('flush', err))
        .finally(() => this.scheduleFlush());
    }, this.flushIntervalMs);
    this.flushTimer.unref();
  }

  /** Logs the start of an outage, not every 200 ms of it. */
  private problem(what: string, err: unknown): void {
    // One line per outage: polls and flushes fail alike, and the error changes as sockets die.
    if (!this.lastProblem) this.log(`${what} failed: ${(err as Error).name}: ${(err as Error).message} (retrying quietly)`);
    this.lastProblem = String((err as Error).message);
  }

  private clearProblem(): void {
    if (this.lastProblem) this.log('stream readable again');
    this.lastProblem = '';
  }

  private kinesis(): KinesisClient {
    if (!this.client) throw new Error('LocalFirehose is not started');
    return this.client;
  }

  /**
   * Lists the shards. A stream created anew (the in-memory emulator restarted)
   * reuses shard ids and, within the same second, even sequence numbers, so
   * it is told apart by the tag ensureStream gives each stream it creates.
   */
  private async discover(): Promise<void> {
    const k = this.kinesis();
    const tags = await k.send(new ListTagsForStreamCommand({ StreamName: this.streamName }));
    const incarnation = tags.Tags?.find((t) => t.Key === INCARNATION_TAG)?.Value;
    // undefined → X is the tag arriving just after creation, on the same stream.
    if (this.incarnation !== undefined && incarnation !== this.incarnation) {
      this.log('the stream was created anew: reading it from the start');
      this.shards.clear();
    }
    this.incarnation = incarnation;
    const found: Shard[] = [];
    let token: string | undefined;
    do {
      const r = await k.send(
        token ? new ListShardsCommand({ NextToken: token }) : new ListShardsCommand({ StreamName: this.streamName }),
      );
      found.push(...(r.Shards ?? []));
      token = r.NextToken;
    } while (token);
    for (const s of found) {
      if (!s.ShardId) continue;
      const startingSeq = s.SequenceNumberRange?.StartingSequenceNumber;
      const known = this.shards.get(s.ShardId);
      if (known && known.startingSeq !== startingSeq) this.log(`${s.ShardId} was recreated: reading it from the start`);
      if (!known || known.startingSeq !== startingSeq) {
        this.shards.set(s.ShardId, { startingSeq, iterator: undefined, lastSeq: undefined, closed: false });
      }
    }
  }

  private async iteratorFor(shardId: string, st: ShardState): Promise<string | undefined> {
    if (st.iterator) return st.iterator;
    const k = this.kinesis();
    if (st.lastSeq) {
      try {
        const r = await k.send(
          new GetShardIteratorCommand({
            StreamName: this.streamName,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            StartingSequenceNumber: st.lastSeq,
          }),
        );
        st.iterator = r.ShardIterator;
        return st.iterator;
      } catch (err) {
        // The sequence number belongs to an earlier incarnation of the stream.
        if (!(err instanceof InvalidArgumentException)) throw err;
        st.lastSeq = undefined;
      }
    }
    const r = await k.send(
      new GetShardIteratorCommand({ StreamName: this.streamName, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    st.iterator = r.ShardIterator;
    return st.iterator;
  }

  /** One GetRecords per open shard; true when every shard is caught up. */
  private async pollOnce(): Promise<boolean> {
    // Every time: an old iterator on a new stream would silently skip its first records.
    await this.discover();
    let caughtUp = true;
    for (const [shardId, st] of this.shards) {
      if (st.closed) continue;
      let it: string | undefined;
      try {
        it = await this.iteratorFor(shardId, st);
        if (!it) {
          st.closed = true;
          continue;
        }
        const r = await this.kinesis().send(new GetRecordsCommand({ ShardIterator: it, Limit: 10000 }));
        const records = r.Records ?? [];
        for (const rec of records) this.take(shardId, rec.Data, rec.SequenceNumber, rec.ApproximateArrivalTimestamp);
        st.iterator = r.NextShardIterator;
        if (!r.NextShardIterator) st.closed = true;
        if (records.length > 0 || (r.MillisBehindLatest ?? 0) > 0) caughtUp = false;
      } catch (err) {
        // Expired iterator, emulator restarted, ...: resume from the last record taken.
        st.iterator = undefined;
        throw err;
      }
    }
    return caughtUp;
  }

  private take(shardId: string, data: Uint8Array | undefined, seq: string | undefined, arrival: Date | undefined): void {
    const bytes = data ?? new Uint8Array();
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
    const parsed = text === undefined ? { error: 'not UTF-8' } : auditRowOf(text);
    if ('error' in parsed) {
      this.errors.push({
        errorCode: 'DataFormatConversion.MalformedData',
        errorMessage: parsed.error,
        rawData: Buffer.from(bytes).toString('base64'),
        sequenceNumber: seq,
        shardId,
        arrivalTimestamp: arrival?.getTime(),
      });
    } else {
      for (const f of parsed.unknown) {
        if (!this.warnedFields.has(f)) this.log(`ignoring field "${f}": not an audit column`);
        this.warnedFields.add(f);
      }
      const dt = auditPartition(parsed.row.ts as number);
      let rows = this.buffer.get(dt);
      if (!rows) this.buffer.set(dt, (rows = []));
      rows.push(parsed.row);
    }
    if (seq) this.shards.get(shardId)!.lastSeq = seq;
  }

  private async drainAndWrite(): Promise<number> {
    let readError: unknown;
    try {
      // Bounded so a producer faster than us cannot keep a flush going forever.
      for (let i = 0; i < 1000; i++) if (await this.pollOnce()) break;
    } catch (err) {
      readError = err;
      // An iterator may outlive the stream it came from; resume from sequence numbers instead.
      for (const st of this.shards.values()) st.iterator = undefined;
    }
    const written = await this.write();
    if (readError) throw readError;
    return written;
  }

  private nextName(prefix: 'part' | 'errors'): string {
    this.fileCounter += 1;
    return `${prefix}-${stamp(new Date())}-${process.pid}-${this.instanceTag}-${String(this.fileCounter).padStart(6, '0')}`;
  }

  /** Writes the buffer: one Parquet file per partition, plus one error file. */
  private async write(): Promise<number> {
    let written = 0;
    for (const [dt, rows] of [...this.buffer]) {
      const dir = join(this.outDir, `dt=${dt}`);
      await mkdir(dir, { recursive: true });
      const name = this.nextName('part');
      const tmp = join(dir, `.${name}.parquet.tmp`);
      try {
        await this.writeParquet(tmp, rows);
        await rename(tmp, join(dir, `${name}.parquet`));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      this.buffer.delete(dt);
      written += rows.length;
    }
    if (this.errors.length > 0) {
      const dir = join(this.outDir, 'errors');
      await mkdir(dir, { recursive: true });
      const name = this.nextName('errors');
      const tmp = join(dir, `.${name}.jsonl.tmp`);
      await writeFile(tmp, this.errors.map((e) => JSON.stringify(e)).join('\n') + '\n');
      await rename(tmp, join(dir, `${name}.jsonl`));
      this.log(`${this.errors.length} malformed record(s) written to ${join(dir, `${name}.jsonl`)}`);
      this.errors = [];
    }
    return written;
  }

  private async writeParquet(path: string, rows: AuditRow[]): Promise<void> {
    if (!this.db) {
      const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
      this.db = { instance, conn: await instance.connect() };
    }
    await writeAuditParquet(path, rows, this.db.conn);
  }
}

/**
 * Writes rows as one Parquet file with PROTOCOL's columns and types (all
 * nullable). Uses the given connection, or a throwaway in-memory DuckDB.
 */
export async function writeAuditParquet(path: string, rows: readonly AuditRow[], conn?: DuckDBConnection): Promise<void> {
  if (!conn) {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const own = await instance.connect();
    try {
      await writeAuditParquet(path, rows, own);
    } finally {
      own.closeSync();
      instance.closeSync();
    }
    return;
  }
  await conn.run(`CREATE OR REPLACE TABLE audit_buffer (${auditColumnsDdl()})`);
  const appender: DuckDBAppender = await conn.createAppender('audit_buffer');
  try {
    for (const row of rows) {
      for (const c of AUDIT_COLUMNS) {
        const v = row[c];
        if (v === null || v === undefined) appender.appendNull();
        else if (AUDIT_COLUMN_TYPES[c] === 'bigint') appender.appendBigInt(BigInt(v));
        else if (AUDIT_COLUMN_TYPES[c] === 'int') appender.appendInteger(v as number);
        else appender.appendVarchar(v as string);
      }
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
  await conn.run(`COPY audit_buffer TO ${sqlString(path)} (FORMAT PARQUET)`);
  await conn.run('DROP TABLE audit_buffer');
}
