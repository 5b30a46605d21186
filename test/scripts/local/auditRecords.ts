import type { AuditRecord } from '../../../edge/core/audit';

/** A complete, valid audit record; tests override what they look at. */
export function auditRecord(over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    ts: Date.UTC(2026, 11, 4, 10, 0, 0),
    request_id: 'req-0001',
    phase: 'access',
    decision: 'allow',
    reason: 'ok',
    status: 200,
    method: 'GET',
    op: 'get',
    object_key: 'reports/2026/q4.pdf',
    viewer_ip: '127.0.0.1',
    viewer_country: 'US',
    user_agent: 'jest',
    vendor_kid: 'vendor-2026-12',
    gatekeeper_kid: 'gk-2026-12',
    grant_jti: 'jti-0000000000000001',
    grant_sub: 'user-1',
    grant_exp: 1796400000,
    acl_version: '2026-12-04.1',
    mode: 'enforce',
    edge_location: 'local',
    duration_us: 1234,
    ...over,
  };
}
