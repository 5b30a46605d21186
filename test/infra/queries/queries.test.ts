import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_COLUMNS, auditPartition, type AuditRecord } from '../../../edge/core/audit';
import { listSavedQueries, renderSavedQuery, type SavedQuery } from '../../../infra/queries';
import { queryLocalAudit } from '../../../scripts/cli/audit';
import { writeAuditParquet, type AuditRow } from '../../../scripts/local/firehose';
import { auditRecord } from '../../scripts/local/auditRecords';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Relative to the real clock: denied_last_24h reads current_timestamp, as Athena does.
const NOW = Date.now();

const rec = (id: string, ago: number, over: Partial<AuditRecord>): AuditRecord =>
  auditRecord({ request_id: id, ts: NOW - ago, ...over });

const DATA: AuditRecord[] = [
  rec('d1', 1 * HOUR, { phase: 'cosign', method: 'POST', decision: 'deny', reason: 'country_denied', status: 403, viewer_ip: '203.0.113.10', viewer_country: 'FR', grant_sub: 'alice' }),
  rec('d2', 23 * HOUR, { decision: 'deny', reason: 'bad_signature', status: 401, viewer_ip: '198.51.100.7', object_key: 'reports/2026/q3.pdf', grant_sub: 'bob' }),
  rec('d3', 25 * HOUR, { decision: 'deny', reason: 'expired', status: 401, viewer_ip: '203.0.113.10', object_key: 'reports/2025/q4.pdf', grant_sub: 'alice' }),
  rec('a1', 2 * HOUR, { viewer_ip: '203.0.113.10', grant_sub: 'alice' }),
  rec('a2', 30 * DAY, { viewer_ip: '2001:db8::1', viewer_country: 'GB', grant_sub: 'carol' }),
  rec('a3', 60 * DAY, { viewer_ip: '2001:db8::1', viewer_country: 'GB', grant_sub: 'carol', object_key: 'reports/2026/old.pdf' }),
  rec('w1', 3 * HOUR, { decision: 'would_deny', reason: 'ip_denied', mode: 'report-only', viewer_ip: '192.0.2.5', viewer_country: 'CA', object_key: 'other/file.txt', grant_sub: 'bob' }),
  rec('w2', 40 * DAY, { decision: 'would_deny', reason: 'country_denied', mode: 'report-only', viewer_ip: '192.0.2.6', viewer_country: 'XX', object_key: 'reports/2026x.pdf', grant_sub: 'dave' }),
  rec('p1', 4 * HOUR, { phase: 'preflight', method: 'OPTIONS', op: null, object_key: null, viewer_country: null, grant_sub: null, grant_jti: null, grant_exp: null, vendor_kid: null, gatekeeper_kid: null }),
  rec('k1', 5 * HOUR, { object_key: 'reports/20_6/z%.pdf', viewer_country: 'NL', grant_sub: 'erin' }),
];

let root: string;
let queries: Map<string, SavedQuery>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gk-queries-'));
  const byDay = new Map<string, AuditRecord[]>();
  for (const r of DATA) {
    const dt = auditPartition(r.ts);
    byDay.set(dt, [...(byDay.get(dt) ?? []), r]);
  }
  for (const [dt, rows] of byDay) {
    const dir = join(root, `dt=${dt}`);
    mkdirSync(dir, { recursive: true });
    // Two files where a day has two records: readers must union them.
    const half = Math.ceil(rows.length / 2);
    await writeAuditParquet(join(dir, 'a.parquet'), rows.slice(0, half) as unknown as AuditRow[]);
    if (rows.length > half) await writeAuditParquet(join(dir, 'b.parquet'), rows.slice(half) as unknown as AuditRow[]);
  }
  queries = new Map(listSavedQueries().map((q) => [q.name, q]));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(name: string, params: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const q = queries.get(name);
  if (!q) throw new Error(`no saved query ${name}`);
  return queryLocalAudit(root, renderSavedQuery(q, params));
}

const ids = (rows: Record<string, unknown>[]): unknown[] => rows.map((r) => r.request_id);
const day = (agoMs: number): string => auditPartition(NOW - agoMs);

describe('saved audit queries on DuckDB', () => {
  it('are exactly the six of issue 4, each with a description', () => {
    expect([...queries.keys()]).toEqual([
      'decisions_by_country',
      'decisions_for_key',
      'denied_last_24h',
      'ip_activity',
      'subject_activity',
      'would_deny',
    ]);
    for (const q of queries.values()) expect(q.description.length).toBeGreaterThan(10);
  });

  it('denied_last_24h: denials of the last 24 hours only, newest first, every column plus dt', async () => {
    const rows = await run('denied_last_24h');
    expect(ids(rows)).toEqual(['d1', 'd2']);
    expect(rows[0]).toEqual({ ...DATA[0], dt: day(1 * HOUR) });
    expect(Object.keys(rows[0])).toEqual([...AUDIT_COLUMNS, 'dt']);
  });

  it('decisions_for_key: one exact key', async () => {
    expect(ids(await run('decisions_for_key', { key: 'reports/2026/q4.pdf' }))).toEqual(['d1', 'a1', 'a2']);
    // The default is that same example key.
    expect(ids(await run('decisions_for_key'))).toEqual(['d1', 'a1', 'a2']);
  });

  it('decisions_for_key: a prefix written with a trailing *', async () => {
    expect(ids(await run('decisions_for_key', { key: 'reports/2026/*' }))).toEqual(['d1', 'a1', 'd2', 'a2', 'a3']);
    expect(ids(await run('decisions_for_key', { key: 'reports/2026*' }))).toEqual(['d1', 'a1', 'd2', 'a2', 'w2', 'a3']);
  });

  it('decisions_for_key: _ and % in a prefix are literal characters, not patterns', async () => {
    expect(ids(await run('decisions_for_key', { key: 'reports/20_6/*' }))).toEqual(['k1']);
    expect(ids(await run('decisions_for_key', { key: 'reports/20%' }))).toEqual([]);
    expect(ids(await run('decisions_for_key', { key: 'reports/20_6/z%.pdf' }))).toEqual(['k1']);
  });

  it('decisions_for_key: a key that is no prefix and not present matches nothing', async () => {
    expect(await run('decisions_for_key', { key: 'reports/2026/' })).toEqual([]);
  });

  it('ip_activity: everything one IP did', async () => {
    expect(ids(await run('ip_activity', { ip: '203.0.113.10' }))).toEqual(['d1', 'a1', 'd3']);
    expect(ids(await run('ip_activity', { ip: '2001:db8::1' }))).toEqual(['a2', 'a3']);
    expect(await run('ip_activity', { ip: '203.0.113.1' })).toEqual([]);
  });

  it('ip_activity: since / until bound the days read (inclusive)', async () => {
    expect(ids(await run('ip_activity', { ip: '2001:db8::1', since: day(45 * DAY) }))).toEqual(['a2']);
    expect(ids(await run('ip_activity', { ip: '2001:db8::1', until: day(45 * DAY) }))).toEqual(['a3']);
    expect(ids(await run('ip_activity', { ip: '2001:db8::1', since: day(60 * DAY), until: day(30 * DAY) }))).toEqual(['a2', 'a3']);
  });

  it('subject_activity: everything one vendor subject did', async () => {
    expect(ids(await run('subject_activity', { sub: 'bob' }))).toEqual(['w1', 'd2']);
    expect(ids(await run('subject_activity', { sub: 'carol' }))).toEqual(['a2', 'a3']);
    expect(await run('subject_activity', { sub: 'Bob' })).toEqual([]);
  });

  it('decisions_by_country: counts per country and decision, unknown country last', async () => {
    expect(await run('decisions_by_country')).toEqual([
      { viewer_country: 'CA', decision: 'would_deny', decisions: 1 },
      { viewer_country: 'FR', decision: 'deny', decisions: 1 },
      { viewer_country: 'GB', decision: 'allow', decisions: 2 },
      { viewer_country: 'NL', decision: 'allow', decisions: 1 },
      { viewer_country: 'US', decision: 'allow', decisions: 1 },
      { viewer_country: 'US', decision: 'deny', decisions: 2 },
      { viewer_country: 'XX', decision: 'would_deny', decisions: 1 },
      { viewer_country: null, decision: 'allow', decisions: 1 },
    ]);
    expect(await run('decisions_by_country', { until: day(50 * DAY) })).toEqual([
      { viewer_country: 'GB', decision: 'allow', decisions: 1 },
    ]);
  });

  it('would_deny: the report-only records, with the denial code as reason', async () => {
    const rows = await run('would_deny');
    expect(ids(rows)).toEqual(['w1', 'w2']);
    expect(rows.map((r) => [r.reason, r.mode])).toEqual([
      ['ip_denied', 'report-only'],
      ['country_denied', 'report-only'],
    ]);
  });

  it('a parameter cannot break out of its string literal', async () => {
    expect(await run('ip_activity', { ip: "x' OR '1'='1" })).toEqual([]);
    expect(await run('subject_activity', { sub: "'; DROP TABLE audit; --" })).toEqual([]);
  });

  it('every query runs with its defaults on an empty log', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gk-queries-empty-'));
    try {
      for (const q of queries.values()) await expect(queryLocalAudit(empty, renderSavedQuery(q))).resolves.toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
