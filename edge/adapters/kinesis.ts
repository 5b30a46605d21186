import { PutRecordCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { AUDIT_COLUMNS, type AuditRecord } from '../core/audit';
import { describeError, oneLine, type Logger } from './log';

export interface AuditSinkOptions {
  client: KinesisClient;
  streamName: string;
  /** Overall deadline of one write(), every attempt included. */
  timeoutMs: number;
  log: Logger;
}

/**
 * Prefix of the log line that carries a record Kinesis did not accept:
 * `GK_AUDIT_FALLBACK {json}`, one record per line, the JSON exactly as it
 * would have gone to Kinesis.
 */
export const FALLBACK_PREFIX = 'GK_AUDIT_FALLBACK';

/** PutRecords limits: 500 entries, 5 MiB per request (a margin is kept). */
const MAX_BATCH_ENTRIES = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** Kinesis partition keys are 1 to 256 characters. */
const MAX_PARTITION_KEY = 256;

/**
 * One record as JSON with its keys in AUDIT_COLUMNS order and every column
 * present (null when absent), so Kinesis consumers and the fallback log share
 * one shape. U+2028/2029 are escaped so the line stays one line everywhere.
 */
export function auditJson(r: AuditRecord): string {
  const o: Record<string, unknown> = {};
  for (const c of AUDIT_COLUMNS) o[c] = r[c] ?? null;
  return JSON.stringify(o).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function partitionKey(r: AuditRecord): string {
  const k = typeof r.request_id === 'string' ? r.request_id : '';
  return k === '' ? '-' : k.slice(0, MAX_PARTITION_KEY);
}

interface Entry {
  json: string;
  data: Uint8Array;
  key: string;
  accepted: boolean;
}

const encoder = new TextEncoder();

/**
 * The audit sink of a decision. write() resolves within about `timeoutMs`,
 * never throws, and is true only when Kinesis accepted every record. Every
 * record it cannot vouch for goes to the log as a fallback line; a record
 * whose answer arrived too late may therefore be in both places (at least
 * once: deduplicate on request_id + ts).
 */
export class KinesisAuditSink {
  constructor(private readonly o: AuditSinkOptions) {
    if (o.streamName === '') throw new Error('KinesisAuditSink: streamName must not be empty');
    if (!(o.timeoutMs > 0)) throw new Error('KinesisAuditSink: timeoutMs must be positive');
  }

  async write(records: AuditRecord[]): Promise<boolean> {
    const entries: Entry[] = [];
    let allAccepted = false;
    try {
      for (const r of records) {
        const json = auditJson(r);
        entries.push({ json, data: encoder.encode(json), key: partitionKey(r), accepted: false });
      }
      if (entries.length === 0) return true;
      allAccepted = await this.withDeadline(entries);
    } catch (e) {
      this.line(`GK_AUDIT_SINK error=${describeError(e)}`);
    }
    if (allAccepted) return true;
    for (const e of entries) if (!e.accepted) this.line(`${FALLBACK_PREFIX} ${e.json}`);
    // Records after one that could not be serialized were never sent either.
    for (const r of records.slice(entries.length)) this.line(`${FALLBACK_PREFIX} ${safeStringify(r)}`);
    return false;
  }

  private line(s: string): void {
    try {
      this.o.log(s);
    } catch {
      // Nothing else can be done with a broken log; write() must not throw.
    }
  }

  /**
   * Sends until done or the deadline. The signal is aborted at the deadline
   * and nothing is marked accepted after that, so a late answer cannot turn a
   * record already reported lost into an accepted one.
   */
  private async withDeadline(entries: Entry[]): Promise<boolean> {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        ac.abort();
        resolve('timeout');
      }, this.o.timeoutMs);
    });
    let outcome: 'done' | 'timeout';
    try {
      outcome = await Promise.race([this.send(entries, ac.signal).then(() => 'done' as const), deadline]);
    } finally {
      clearTimeout(timer);
    }
    const accepted = entries.map((e) => e.accepted);
    if (outcome === 'timeout') {
      this.line(`GK_AUDIT_SINK timeout after_ms=${this.o.timeoutMs} stream=${oneLine(this.o.streamName)} pending=${accepted.filter((a) => !a).length}`);
    }
    return accepted.every(Boolean);
  }

  private async send(entries: Entry[], signal: AbortSignal): Promise<void> {
    if (entries.length === 1) {
      const e = entries[0];
      try {
        await this.o.client.send(new PutRecordCommand({ StreamName: this.o.streamName, PartitionKey: e.key, Data: e.data }), {
          abortSignal: signal,
        });
        if (!signal.aborted) e.accepted = true;
      } catch (err) {
        if (!signal.aborted) this.line(`GK_AUDIT_SINK put_failed op=PutRecord records=1 error=${describeError(err)}`);
      }
      return;
    }
    await Promise.all(batches(entries).map((b) => this.putBatch(b, signal)));
  }

  /** One PutRecords call, then one retry of only the entries Kinesis refused, if time remains. */
  private async putBatch(batch: Entry[], signal: AbortSignal): Promise<void> {
    let pending = batch;
    for (let attempt = 1; attempt <= 2 && pending.length > 0 && !signal.aborted; attempt++) {
      let results;
      try {
        const out = await this.o.client.send(
          new PutRecordsCommand({
            StreamName: this.o.streamName,
            Records: pending.map((e) => ({ PartitionKey: e.key, Data: e.data })),
          }),
          { abortSignal: signal },
        );
        results = out.Records ?? [];
      } catch (err) {
        // The SDK has already retried the call itself (maxAttempts).
        if (!signal.aborted) this.line(`GK_AUDIT_SINK put_failed op=PutRecords records=${pending.length} error=${describeError(err)}`);
        return;
      }
      if (signal.aborted) return;
      const failed: Entry[] = [];
      const codes = new Set<string>();
      pending.forEach((e, i) => {
        const r = results[i];
        // An entry is accepted only when Kinesis answered for it without an ErrorCode.
        if (r !== undefined && (r.ErrorCode === undefined || r.ErrorCode === null || r.ErrorCode === '')) {
          e.accepted = true;
        } else {
          failed.push(e);
          codes.add(oneLine(r?.ErrorCode ?? 'NoResult', 64));
        }
      });
      if (failed.length > 0) {
        this.line(`GK_AUDIT_SINK partial_failure attempt=${attempt} failed=${failed.length}/${pending.length} codes=${[...codes].join(',')}`);
      }
      pending = failed;
    }
  }
}

function batches(entries: Entry[]): Entry[][] {
  const out: Entry[][] = [];
  let cur: Entry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = e.data.byteLength + e.key.length * 4;
    if (cur.length > 0 && (cur.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(e);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Last resort for a record auditJson refused (a value JSON cannot hold): as much of it as can be kept. */
function safeStringify(r: unknown): string {
  try {
    const json = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  } catch {
    const id = (r as { request_id?: unknown } | null)?.request_id;
    return JSON.stringify({ error: 'unserializable audit record', request_id: typeof id === 'string' ? id : null });
  }
}
