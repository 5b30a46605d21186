import type { Reason } from './codes';

/** PROTOCOL "Audit record": column names exactly, lower case, in this order. */
export const AUDIT_COLUMNS = [
  'ts',
  'request_id',
  'phase',
  'decision',
  'reason',
  'status',
  'method',
  'op',
  'object_key',
  'viewer_ip',
  'viewer_country',
  'user_agent',
  'vendor_kid',
  'gatekeeper_kid',
  'grant_jti',
  'grant_sub',
  'grant_exp',
  'acl_version',
  'mode',
  'edge_location',
  'duration_us',
] as const;

export type AuditColumn = (typeof AUDIT_COLUMNS)[number];

/**
 * Column types shared by the Glue table (Hive/Athena types), the local Parquet
 * writer and DuckDB. `ts` is epoch milliseconds.
 */
export const AUDIT_COLUMN_TYPES: Record<AuditColumn, 'bigint' | 'int' | 'string'> = {
  ts: 'bigint',
  request_id: 'string',
  phase: 'string',
  decision: 'string',
  reason: 'string',
  status: 'int',
  method: 'string',
  op: 'string',
  object_key: 'string',
  viewer_ip: 'string',
  viewer_country: 'string',
  user_agent: 'string',
  vendor_kid: 'string',
  gatekeeper_kid: 'string',
  grant_jti: 'string',
  grant_sub: 'string',
  grant_exp: 'bigint',
  acl_version: 'string',
  mode: 'string',
  edge_location: 'string',
  duration_us: 'bigint',
};

export type Phase = 'cosign' | 'access' | 'list' | 'preflight';
export type Decision = 'allow' | 'deny' | 'would_deny';

export interface AuditRecord {
  ts: number;
  request_id: string;
  phase: Phase;
  decision: Decision;
  reason: Reason;
  status: number;
  method: string;
  op: string | null;
  object_key: string | null;
  viewer_ip: string;
  viewer_country: string | null;
  user_agent: string | null;
  vendor_kid: string | null;
  gatekeeper_kid: string | null;
  grant_jti: string | null;
  grant_sub: string | null;
  grant_exp: number | null;
  acl_version: string | null;
  mode: string | null;
  edge_location: string | null;
  duration_us: number;
}

/** Partition value `dt=YYYY-MM-DD` (UTC) of a record. */
export function auditPartition(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}
