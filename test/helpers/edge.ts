/** CloudFront events from the fixtures, and in-memory deps for the trigger handlers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../edge/core/audit';
import type { CfEvent, CfRequest, CfResult, CfResponse } from '../../edge/triggers/cloudfront';
import type { CosignerDeps } from '../../edge/triggers/cosigner';
import type { ListOutcome } from '../../edge/adapters/s3-list';
import type { EdgeDeps } from '../../edge/triggers/runtime';
import type { CompiledAcl } from '../../edge/core/acl';
import { acl, GK_ID, NOW, signer, VENDOR_ORIGIN } from './world';

const FIXTURES = join(__dirname, '..', 'fixtures');

export function viewerEvent(mut: (r: CfRequest) => void = () => {}): CfEvent {
  const e = JSON.parse(readFileSync(join(FIXTURES, 'viewer-request.json'), 'utf8')) as CfEvent;
  mut(e.Records[0].cf.request);
  return e;
}

export function originEvent(body: unknown, mut: (r: CfRequest) => void = () => {}): CfEvent {
  const e = JSON.parse(readFileSync(join(FIXTURES, 'origin-request.json'), 'utf8')) as CfEvent;
  const r = e.Records[0].cf.request;
  r.body = { action: 'read-only', encoding: 'base64', inputTruncated: false, data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)).toString('base64') };
  mut(r);
  return e;
}

export function setHeader(r: CfRequest, name: string, value: string): void {
  r.headers[name.toLowerCase()] = [{ key: name, value }];
}

export interface Recorder {
  records: AuditRecord[];
  logs: string[];
  sinkOk: boolean;
}

export function edgeDeps(over: { acl?: CompiledAcl | null; failOpen?: boolean } = {}): EdgeDeps & { rec: Recorder } {
  const rec: Recorder = { records: [], logs: [], sinkOk: true };
  const current = over.acl === undefined ? acl() : over.acl;
  let t = 0n;
  return {
    rec,
    config: { gatekeeperId: GK_ID, vendorOrigins: [VENDOR_ORIGIN], auditFailOpen: over.failOpen ?? false },
    acl: { get: async () => (current === null ? null : { value: current }) },
    sink: {
      write: async (records) => {
        if (!rec.sinkOk) {
          for (const r of records) rec.logs.push(`GK_AUDIT_FALLBACK ${JSON.stringify(r)}`);
          return false;
        }
        rec.records.push(...records);
        return true;
      },
    },
    now: () => NOW,
    hrtime: () => (t += 1500n),
    log: (line) => rec.logs.push(line),
    edgeLocation: 'us-east-1',
  };
}

export function cosignerDeps(
  over: { acl?: CompiledAcl | null; signer?: boolean; list?: (q: { prefix: string; continuationToken?: string; maxKeys: number }) => Promise<ListOutcome> } = {},
): CosignerDeps & { rec: Recorder } {
  const base = edgeDeps(over);
  return {
    ...base,
    signer: { get: async () => (over.signer === false ? null : { value: signer }) },
    list: over.list ?? (async () => ({ ok: true, value: { objects: [] } })),
  };
}

export function isResponse(r: CfResult): r is CfResponse {
  return 'status' in r;
}

export function errorCode(r: CfResult): string | undefined {
  if (!isResponse(r) || r.body === undefined || r.body === '') return undefined;
  return (JSON.parse(r.body) as { error?: { code: string } }).error?.code;
}
