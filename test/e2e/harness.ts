/**
 * End-to-end harness: a whole local stack on free ports in a temporary data
 * directory, HTTP from chosen loopback source addresses, grant and cosig
 * builders, and a ledger of the audit records each request must leave.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { b64uDecode } from '../../edge/core/b64u';
import { ed25519PrivateKey } from '../../edge/core/keys';
import { canonicalKeyUri } from '../../edge/core/objectKey';
import { grantHash, parseGrant, signCosig, type GrantPayload } from '../../edge/core/tokens';
import type { AuditColumn } from '../../edge/core/audit';
import { defaultLocalConfig, parseLocalConfig, type LocalConfig } from '../../scripts/local/config';
import { startStack, type LocalStack } from '../../scripts/local/stack';
import { GrantSigner, loadVendorKey } from '../../sdk/vendor';

export const VENDOR_ORIGIN = 'http://vendor.test';
export const GK_ID = 'gk-e2e';
/** 127.0.0.3 is in a country outside the allow list, 127.0.0.4 in one on the deny list, 127.200.0.1 in none. */
export const GEO = { '127.0.0.0/9': 'US', '127.0.0.3/32': 'KP', '127.0.0.4/32': 'RU' };
export const IP = {
  main: '127.0.0.1',
  other: '127.0.0.2',
  kp: '127.0.0.3',
  ru: '127.0.0.4',
  denied: '127.0.0.5',
  later: '127.0.0.6',
  unknown: '127.200.0.1',
} as const;
export const ACL_TTL_SECONDS = 1;

export type Row = Partial<Record<AuditColumn, string | number | null>>;

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  requestId: string;
  /** The error code of a PROTOCOL error answer, else null. */
  code: string | null;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  from?: string;
  agent?: Agent;
}

export function payloadOf(grant: string): GrantPayload {
  const p = parseGrant(grant);
  if (!p.ok) throw new Error(`test grant does not parse: ${p.detail}`);
  return p.value.payload;
}

/** Replaces one character in the middle of the signature: still canonical b64u, no longer valid. */
export function tamper(token: string): string {
  const [p, s] = token.split('.');
  const i = 20;
  const c = s[i] === 'A' ? 'B' : 'A';
  return `${p}.${s.slice(0, i)}${c}${s.slice(i + 1)}`;
}

export function send(url: string, o: CallOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      { method: o.method ?? 'GET', headers: o.headers, localAddress: o.from ?? IP.main, agent: o.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let code: string | null = null;
          if (String(res.headers['content-type'] ?? '').startsWith('application/json')) {
            try {
              code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? null;
            } catch {
              code = null;
            }
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text,
            requestId: String(res.headers['x-amz-cf-id'] ?? ''),
            code,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(o.body);
  });
}

export interface Expectation {
  requestId: string;
  rows: Row[];
}

export interface Harness {
  dir: string;
  cfgPath: string;
  config: LocalConfig;
  stack: LocalStack;
  /** Lines the stack logged (its own log, not the bundles'). */
  logs: string[];
  vendor: GrantSigner;
  /** Every gatekeeper request id answered so far (flush calls excluded). */
  seen: string[];
  /** Audit rows each request must have left. */
  ledger: Map<string, Row[]>;
  /** Every error code answered: HTTP errors as `code@status`, per-grant cosign errors as `code@cosign`. */
  codes: Set<string>;
  gk(path: string, o?: CallOptions): Promise<Reply>;
  object(key: string, t: { grant: string; cosig: string; inQuery?: boolean }, o?: CallOptions): Promise<Reply>;
  cosign(grants: string[], o?: CallOptions): Promise<Reply & { results: ({ cosig: string; exp: number } | { error: { code: string } })[] }>;
  list(body: Record<string, unknown>, o?: CallOptions): Promise<Reply>;
  /** A cosig as the gatekeeper would have signed it for `ip` (for a viewer the ACL has denied since). */
  handCosig(grant: string, ip: string, ctry: string): string;
  expect(reply: Reply, rows: Row[]): void;
  writeAcl(over: Record<string, unknown>): void;
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  name: string;
  demo?: boolean;
  originResponseTimeoutMs?: number;
  auditTimeoutMs?: number;
}

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), `s3gk-e2e-${o.name}-`));
  const base = defaultLocalConfig();
  const acl = {
    ...base.acl,
    version: 'e2e.1',
    countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: ['RU'] },
    ips: { allow: ['0.0.0.0/0', '::/0'], deny: [`${IP.denied}/32`] },
  };
  const config = parseLocalConfig({
    ...base,
    gatekeeperId: GK_ID,
    port: 0,
    demoPort: 0,
    vendorOrigins: [VENDOR_ORIGIN],
    geo: GEO,
    acl,
    dataDir: join(dir, 'data'),
    aclTtlSeconds: ACL_TTL_SECONDS,
  });
  const cfgPath = join(dir, 'gatekeeper.local.json');
  writeFileSync(cfgPath, JSON.stringify(config, null, 2));
  const logs: string[] = [];
  const stack = await startStack({
    config,
    log: (l) => logs.push(l),
    demo: o.demo === false ? false : {},
    aclWatchIntervalMs: 100,
    originResponseTimeoutMs: o.originResponseTimeoutMs,
    auditTimeoutMs: o.auditTimeoutMs,
  });
  const vendor = new GrantSigner(loadVendorKey(config.vendorKey), { audience: GK_ID });
  const gkSeed = b64uDecode(config.signingKey.privateKey)!;
  const seen: string[] = [];
  const ledger = new Map<string, Row[]>();
  const codes = new Set<string>();

  const gk = async (path: string, c: CallOptions = {}): Promise<Reply> => {
    const r = await send(`${stack.urls.gatekeeper}${path}`, c);
    if (!path.startsWith('/__local/')) {
      seen.push(r.requestId);
      if (r.code !== null && r.status >= 400) codes.add(`${r.code}@${r.status}`);
    }
    return r;
  };

  const h: Harness = {
    dir,
    cfgPath,
    config,
    stack,
    logs,
    vendor,
    seen,
    ledger,
    codes,
    gk,
    object(key, t, c = {}) {
      const path = canonicalKeyUri(key);
      if (t.inQuery) {
        return gk(`${path}?gk_grant=${encodeURIComponent(t.grant)}&gk_cosig=${encodeURIComponent(t.cosig)}`, c);
      }
      return gk(path, { ...c, headers: { 'x-gk-grant': t.grant, 'x-gk-cosig': t.cosig, ...(c.headers ?? {}) } });
    },
    async cosign(grants, c = {}) {
      const r = await gk('/_gatekeeper/v1/cosign', {
        method: 'POST',
        body: JSON.stringify({ grants }),
        ...c,
        headers: { 'content-type': 'application/json', ...(c.headers ?? {}) },
      });
      const results = r.status === 200 ? r.json<{ results: [] }>().results : [];
      for (const x of results as { error?: { code: string } }[]) if (x.error) codes.add(`${x.error.code}@cosign`);
      return Object.assign(r, { results });
    },
    list(body, c = {}) {
      return gk('/_gatekeeper/v1/list', {
        method: 'POST',
        body: JSON.stringify(body),
        ...c,
        headers: { 'content-type': 'application/json', ...(c.headers ?? {}) },
      });
    },
    handCosig(grant, ip, ctry) {
      const iat = Math.floor(Date.now() / 1000);
      const exp = Math.min(payloadOf(grant).exp, iat + 300);
      return signCosig({ v: 1, kid: config.signingKey.kid, gh: grantHash(grant), ip, ctry, iat, exp }, ed25519PrivateKey(gkSeed));
    },
    expect(reply, rows) {
      if (reply.requestId === '') throw new Error('a reply without x-amz-cf-id');
      if (ledger.has(reply.requestId)) throw new Error('request id answered twice');
      ledger.set(reply.requestId, rows);
    },
    writeAcl(over) {
      writeFileSync(stack.files.acl, JSON.stringify({ ...acl, ...over }, null, 2));
    },
    async waitForLog(re, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = logs.find((l) => re.test(l));
        if (hit !== undefined) return hit;
        if (Date.now() > deadline) throw new Error(`no stack log line matches ${re}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      try {
        await stack.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

/** Polls `probe` until `done(reply)` or the deadline; every reply goes to `each` (for the ledger). */
export async function until(
  probe: () => Promise<Reply>,
  done: (r: Reply) => boolean,
  each: (r: Reply) => void,
  timeoutMs: number,
  everyMs = 100,
): Promise<{ reply: Reply; elapsedMs: number }> {
  const t0 = Date.now();
  for (;;) {
    const r = await probe();
    each(r);
    if (done(r)) return { reply: r, elapsedMs: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not reached within ${timeoutMs} ms (last status ${r.status} ${r.text.slice(0, 200)})`);
    await new Promise((res) => setTimeout(res, everyMs));
  }
}

/** The PROTOCOL error codes and their statuses (edge/core/codes.ts without the upstream extension). */
export const PROTOCOL_CODES: Record<string, number> = {
  malformed_request: 400,
  malformed_token: 400,
  missing_token: 401,
  bad_signature: 401,
  bad_cosignature: 401,
  unknown_kid: 401,
  expired: 401,
  not_yet_valid: 401,
  ip_mismatch: 401,
  wrong_audience: 403,
  ttl_too_long: 403,
  scope_mismatch: 403,
  ip_denied: 403,
  country_denied: 403,
  revoked: 403,
  deny_all: 403,
  origin_not_allowed: 403,
  content_type_mismatch: 403,
  method_not_allowed: 405,
  too_large: 413,
  audit_unavailable: 503,
  config_unavailable: 503,
};
