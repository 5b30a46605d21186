import type { AuditRecord } from '../../../edge/core/audit';

/** A complete audit record; `n` varies the request id so records are told apart. */
export function auditRecord(n: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    ts: 1_796_000_000_000 + n,
    request_id: `req-${n}-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789`,
    phase: 'cosign',
    decision: 'allow',
    reason: 'ok',
    status: 200,
    method: 'POST',
    op: 'get',
    object_key: `reports/2026/${n}.pdf`,
    viewer_ip: '203.0.113.7',
    viewer_country: 'NL',
    user_agent: 'Mozilla/5.0',
    vendor_kid: 'vendor-2026-12',
    gatekeeper_kid: 'gk-2026-12',
    grant_jti: `jti_${String(n).padStart(16, '0')}`,
    grant_sub: 'user-42',
    grant_exp: 1_796_000_900,
    acl_version: '2026-12-04.1',
    mode: 'enforce',
    edge_location: 'AMS1-P1',
    duration_us: 812,
    ...over,
  };
}

/** A logger that keeps its lines. */
export function memoryLog(): { lines: string[]; log: (line: string) => void } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line) };
}

/** A promise that never settles: an endpoint that accepts the connection and never answers. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

export function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}
