import { randomUUID } from 'node:crypto';
import { oneLine, type Logger } from '../adapters/log';
import type { CompiledAcl } from '../core/acl';
import type { AuditRecord, Phase } from '../core/audit';
import type { ErrorCode } from '../core/codes';
import type { AnswerContext, CoreConfig } from '../core/decide/context';
import { baseRecord, deny } from '../core/decide/respond';
import type { CoreRequest, ForwardVerdict, RespondVerdict } from '../core/types';
import { applyForward, toCfResponse, type CfRequest, type CfResult } from './cloudfront';

/** Anything that keeps a document and hands out the last good one (CachedSecret). */
export interface SecretSource<T> {
  get(): Promise<{ value: T } | null>;
}

export interface AuditSink {
  /** True when every record was durably accepted; on false the records are in the log already. */
  write(records: AuditRecord[]): Promise<boolean>;
}

/** What every trigger needs; production wiring is in deps.ts, tests inject their own. */
export interface EdgeDeps {
  config: CoreConfig & { auditFailOpen: boolean };
  acl: SecretSource<CompiledAcl>;
  sink: AuditSink;
  /** Wall clock, ms. */
  now: () => number;
  /** Monotonic clock, ns, for duration_us. */
  hrtime: () => bigint;
  log: Logger;
  /** The region the replica runs in (AWS_REGION at the edge). */
  edgeLocation: string | null;
}

export function requestIdOf(fromEvent: string): string {
  return fromEvent !== '' ? fromEvent : randomUUID();
}

/** A deny that happens before (or without) a configuration. */
export function denyWithout(deps: EdgeDeps, req: CoreRequest, phase: Phase, code: ErrorCode, acl: CompiledAcl | null = null): RespondVerdict {
  const ctx: AnswerContext = { now: deps.now(), acl, config: deps.config };
  return deny(req, ctx, baseRecord(req, ctx, phase), code);
}

/**
 * The last step of every invocation: stamp the records, write them, and only
 * then answer. A record that cannot be written turns the answer into 503
 * `audit_unavailable` (unless the customer chose fail-open); the sink has put
 * the record in the function log by then, so nothing is lost.
 */
/** A verdict the handler can answer with directly (listings are resolved first). */
export type FinalVerdict = RespondVerdict | ForwardVerdict;

export async function finish(deps: EdgeDeps, cf: CfRequest, req: CoreRequest, verdict: FinalVerdict, started: bigint): Promise<CfResult> {
  const durationUs = Number((deps.hrtime() - started) / 1000n);
  for (const r of verdict.audit) {
    r.duration_us = durationUs;
    r.edge_location = deps.edgeLocation;
  }
  const written = await deps.sink.write(verdict.audit);
  if (!written && !deps.config.auditFailOpen) {
    deps.log(`GK_AUDIT_UNAVAILABLE request_id=${req.requestId} records=${verdict.audit.length} answered=503`);
    const v = denyWithout(deps, req, verdict.audit[0]?.phase ?? 'access', 'audit_unavailable');
    return toCfResponse(v.status, v.headers, v.body);
  }
  return verdict.action === 'forward' ? applyForward(cf, verdict) : toCfResponse(verdict.status, verdict.headers, verdict.body);
}

/** A document source that throws counts as having none: fail closed, 503. */
export async function safeGet<T>(src: SecretSource<T>, log: Logger, what: string): Promise<{ value: T } | null> {
  try {
    return await src.get();
  } catch (e) {
    logCrash(log, what, e);
    return null;
  }
}

/** One line about an unexpected exception: its name and message, never the request. */
export function logCrash(log: Logger, where: string, e: unknown): void {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : typeof e;
  log(`GK_ERROR ${where} ${oneLine(what, 300)}`);
}
