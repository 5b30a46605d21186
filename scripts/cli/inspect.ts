/**
 * `gatekeeper inspect`: decodes a grant or a countersignature and, given an
 * ACL, reports which of the gatekeeper's checks it passes. The verdict comes
 * from the core's own checkGrant / checkCosig; to report every check and not
 * only the first failure, each failure is noted and then set aside (the ACL
 * copy, the clock or the audience is adjusted so that check passes) and the
 * core runs again. A failure that cannot be set aside (an unknown key, a bad
 * signature, a cosig for another grant) ends the list: the checks after it
 * are reported as skipped.
 */
import type { AuditRecord } from '../../edge/core/audit';
import type { AclDocument, CompiledAcl } from '../../edge/core/acl';
import { evaluateAcl } from '../../edge/core/acl';
import { b64uDecode } from '../../edge/core/b64u';
import type { ErrorCode } from '../../edge/core/codes';
import { checkCosig, checkGrant } from '../../edge/core/decide/checks';
import type { DecideContext } from '../../edge/core/decide/context';
import {
  grantHash,
  parseCosig,
  parseGrant,
  verifyToken,
  type CosigPayload,
  type GrantPayload,
  type ParsedToken,
} from '../../edge/core/tokens';
import { countryOption, ipOption, requireAcl } from './acl';
import { EXIT_FAILED, guarded, parseArgs, positionals, stringOption, UsageError, type CliIo } from './args';

export const INSPECT_USAGE = `Usage: gatekeeper inspect TOKEN|- [--acl FILE] [--gatekeeper-id ID] [--ip IP]
                          [--country CC] [--grant GRANT] [--json]

Decodes a grant or a countersignature (cosig) and prints its kind and payload.
With an ACL it runs the gatekeeper's own checks and prints each one as
pass, fail (with the PROTOCOL code) or skipped, then the verdict: "ok" or the
code the gatekeeper would answer. The token itself is only ever printed
redacted. "-" reads the token from standard input (keeps it out of the
process list and the shell history).

Options:
  --acl FILE           the customer's ACL document: trusted keys, revocations, TTLs
  --gatekeeper-id ID   check a grant's audience against this gatekeeper id
  --ip IP              the viewer address: with --acl, a grant is put through the
                       ACL's IP (and, with --country, country) rules; a cosig's ip
                       must equal it
  --country CC         grants only: the viewer country for the ACL's country rules
  --grant GRANT        cosigs only: the grant it countersigns (binding and lifetime)
  --json               JSON lines instead of a table: {"kind",...}, one
                       {"check","result","code"?,"detail"} per check, {"verdict"}
  -h, --help           show this help

Exit status: 0 when no check fails, 1 when one fails, 2 for bad input or a
token that does not parse (malformed_token).
`;

export interface InspectIo extends CliIo {
  /** Milliseconds since the epoch; Date.now when absent. */
  now?: () => number;
  /** The whole of standard input, for TOKEN "-". */
  readStdin?: () => Promise<string>;
}

export type CheckResult = 'pass' | 'fail' | 'skipped';

export interface CheckRow {
  check: string;
  result: CheckResult;
  code?: ErrorCode;
  detail: string;
}

export interface Inspection {
  kind: 'grant' | 'cosig';
  token: string;
  tokenSha256: string;
  /** As the token carries it, members in its order (the parsed payload is the same data). */
  payload: Record<string, unknown>;
  checks: CheckRow[];
  /** "ok", the first failing code, or "unchecked" when no ACL was given. */
  verdict: string;
}

/** Enough of a token to recognise it, never enough to use it. */
export function redactToken(token: string): string {
  return `${token.slice(0, 10)}…[redacted, ${token.length} characters]`;
}

function blankRecord(now: number): AuditRecord {
  return {
    ts: now,
    request_id: 'inspect',
    phase: 'cosign',
    decision: 'deny',
    reason: 'malformed_request',
    status: 400,
    method: 'POST',
    op: null,
    object_key: null,
    viewer_ip: '',
    viewer_country: null,
    user_agent: null,
    vendor_kid: null,
    gatekeeper_kid: null,
    grant_jti: null,
    grant_sub: null,
    grant_exp: null,
    acl_version: null,
    mode: null,
    edge_location: null,
    duration_us: 0,
  };
}

function without(set: ReadonlySet<string>, item: string): ReadonlySet<string> {
  const copy = new Set(set);
  copy.delete(item);
  return copy;
}

function withDoc(acl: CompiledAcl, change: Partial<AclDocument>): CompiledAcl {
  return { ...acl, doc: { ...acl.doc, ...change } };
}

function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

function iso(seconds: number): string {
  const d = new Date(seconds * 1000);
  return Number.isNaN(d.getTime()) ? String(seconds) : d.toISOString().replace('.000Z', 'Z');
}

function timeDetail(iat: number, exp: number, now: number): string {
  const t = Math.floor(now / 1000);
  const where = t < iat ? `starts in ${duration(iat - t)}` : t <= exp ? `expires in ${duration(exp - t)}` : `expired ${duration(t - exp)} ago`;
  return `iat ${iso(iat)}, exp ${iso(exp)}; ${where}`;
}

/** The rows in the order the core checks them, each initially "pass". */
class Rows {
  private readonly rows: CheckRow[];
  constructor(names: Array<[string, string]>) {
    this.rows = names.map(([check, detail]) => ({ check, result: 'pass', detail }));
  }
  private row(name: string): CheckRow {
    const r = this.rows.find((x) => x.check === name);
    if (r === undefined) throw new Error(`inspect: no check ${name}`);
    return r;
  }
  fail(name: string, code: ErrorCode, detail?: string): void {
    const r = this.row(name);
    r.result = 'fail';
    r.code = code;
    if (detail !== undefined) r.detail = detail;
  }
  skip(name: string, detail: string): void {
    const r = this.row(name);
    r.result = 'skipped';
    r.detail = detail;
  }
  /** Every row after `name` is skipped: the core stops at an unrecoverable failure. */
  skipAfter(name: string, detail: string): void {
    const i = this.rows.findIndex((x) => x.check === name);
    for (const r of this.rows.slice(i + 1)) {
      // What the row would have said stays visible (a cosig's expiry, say).
      if (r.result === 'pass') this.skip(r.check, r.detail === '' ? detail : `${detail} (${r.detail})`);
    }
  }
  detail(name: string, detail: string): void {
    this.row(name).detail = detail;
  }
  list(): CheckRow[] {
    return this.rows;
  }
}

const STOPPED = 'not checked: the gatekeeper stops at the failure above';

export interface InspectOptions {
  acl: CompiledAcl | null;
  gatekeeperId?: string;
  /** Normalized. */
  ip?: string;
  country?: string | null;
  grant?: ParsedToken<GrantPayload>;
  now: number;
}

export function inspectGrant(parsed: ParsedToken<GrantPayload>, o: InspectOptions): Omit<Inspection, 'kind' | 'token' | 'tokenSha256' | 'payload'> {
  const g = parsed.payload;
  if (o.acl === null) {
    const checks: CheckRow[] = [{ check: 'parse', result: 'pass', detail: 'a well-formed grant' }];
    if (o.gatekeeperId !== undefined) {
      // Without an ACL there is no context for checkGrant; the audience is a plain comparison.
      checks.push(
        g.aud === o.gatekeeperId
          ? { check: 'audience', result: 'pass', detail: `aud ${JSON.stringify(g.aud)}` }
          : { check: 'audience', result: 'fail', code: 'wrong_audience', detail: `the grant is for ${JSON.stringify(g.aud)}, not ${JSON.stringify(o.gatekeeperId)}` },
      );
    }
    checks.push({ check: 'time', result: 'skipped', detail: `${timeDetail(g.iat, g.exp, o.now)}; give --acl for the TTL and skew limits` });
    const failed = checks.find((c) => c.result === 'fail');
    return { checks, verdict: failed?.code ?? 'unchecked' };
  }

  const acl0 = o.acl;
  const rows = new Rows([
    ['mode', `mode ${acl0.mode}`],
    ['kid_revoked', `kid ${JSON.stringify(g.kid)} is not revoked`],
    ['kid_trusted', `kid ${JSON.stringify(g.kid)} is in vendorKeys`],
    ['signature', 'Ed25519 over GK1-GRANT, verified with the trusted key'],
    ['audience', o.gatekeeperId === undefined ? '' : `aud ${JSON.stringify(g.aud)}`],
    ['ttl', `${g.exp - g.iat} s, at most ${acl0.doc.maxGrantTtlSeconds} s`],
    ['time', `${timeDetail(g.iat, g.exp, o.now)}; skew ${acl0.doc.clockSkewSeconds} s`],
    ['jti_revoked', `jti is not revoked`],
    ['acl', ''],
  ]);
  if (o.gatekeeperId === undefined) rows.skip('audience', `aud ${JSON.stringify(g.aud)}; give --gatekeeper-id to check it`);

  let acl = acl0;
  let now = o.now;
  let gatekeeperId = o.gatekeeperId ?? g.aud;
  let verdict: string | null = null;
  let stopped = false;
  for (let round = 0; round < 12; round++) {
    const ctx: DecideContext = { now, acl, config: { gatekeeperId, vendorOrigins: [] } };
    const r = checkGrant(parsed.token, ctx, blankRecord(now));
    if (r.ok) break;
    verdict ??= r.code;
    const code = r.code;
    if (code === 'deny_all') {
      rows.fail('mode', code, 'mode deny-all: every request is denied');
      acl = { ...acl, mode: 'enforce' };
    } else if (code === 'revoked' && acl.revokedKid.has(g.kid)) {
      rows.fail('kid_revoked', code, `kid ${JSON.stringify(g.kid)} is in revoked.kid`);
      acl = { ...acl, revokedKid: without(acl.revokedKid, g.kid) };
    } else if (code === 'revoked' && acl.revokedJti.has(g.jti)) {
      rows.fail('jti_revoked', code, 'jti is in revoked.jti');
      acl = { ...acl, revokedJti: without(acl.revokedJti, g.jti) };
    } else if (code === 'unknown_kid') {
      rows.fail('kid_trusted', code, `kid ${JSON.stringify(g.kid)} is not in vendorKeys`);
      rows.skipAfter('kid_trusted', STOPPED);
      stopped = true;
      break;
    } else if (code === 'bad_signature') {
      rows.fail('signature', code, 'the signature does not verify with the trusted key of this kid');
      rows.skipAfter('signature', STOPPED);
      stopped = true;
      break;
    } else if (code === 'wrong_audience') {
      rows.fail('audience', code, `the grant is for ${JSON.stringify(g.aud)}, this gatekeeper is ${JSON.stringify(gatekeeperId)}`);
      gatekeeperId = g.aud;
    } else if (code === 'ttl_too_long') {
      rows.fail('ttl', code, `${g.exp - g.iat} s, above maxGrantTtlSeconds ${acl.doc.maxGrantTtlSeconds} s`);
      acl = withDoc(acl, { maxGrantTtlSeconds: g.exp - g.iat });
    } else if (code === 'expired' || code === 'not_yet_valid') {
      rows.fail('time', code);
      now = g.iat * 1000;
    } else {
      // Not a code checkGrant gives for a token that parsed; report it and stop.
      rows.fail('mode', code, `unexpected ${code}`);
      rows.skipAfter('mode', STOPPED);
      stopped = true;
      break;
    }
  }

  if (stopped) {
    // skipAfter has already skipped the ACL row.
  } else if (o.ip === undefined) {
    rows.skip('acl', 'give --ip (and --country) to apply the IP and country rules');
  } else {
    const country = o.country ?? null;
    const a = evaluateAcl(acl0, { ip: o.ip, country, vendorKid: g.kid, jti: g.jti });
    const who = `ip ${o.ip}${country === null ? ', country not given (country rules skipped)' : `, country ${country}`}`;
    if (a.decision === 'deny') {
      rows.fail('acl', a.reason as ErrorCode, `${a.reason} for ${who}`);
      verdict ??= a.reason;
    } else {
      rows.detail('acl', a.decision === 'would_deny' ? `would_deny ${a.reason} for ${who} (mode report-only: allowed)` : `allow for ${who}`);
    }
  }
  return { checks: rows.list(), verdict: verdict ?? 'ok' };
}

export function inspectCosig(parsed: ParsedToken<CosigPayload>, o: InspectOptions): Omit<Inspection, 'kind' | 'token' | 'tokenSha256' | 'payload'> {
  const c = parsed.payload;
  if (o.acl === null) {
    // Without an ACL there are no keys to run checkCosig with; binding and address are plain comparisons.
    const checks: CheckRow[] = [{ check: 'parse', result: 'pass', detail: 'a well-formed countersignature' }];
    if (o.grant !== undefined) {
      checks.push(
        c.gh === grantHash(o.grant.token)
          ? { check: 'binding', result: 'pass', detail: 'gh is the SHA-256 of the given grant' }
          : { check: 'binding', result: 'fail', code: 'bad_cosignature', detail: 'gh is not the SHA-256 of the given grant: this cosig is for another grant' },
      );
    }
    if (o.ip !== undefined) {
      checks.push(
        c.ip === o.ip
          ? { check: 'ip', result: 'pass', detail: `ip ${c.ip}` }
          : { check: 'ip', result: 'fail', code: 'ip_mismatch', detail: `the cosig is for ${c.ip}, the viewer is ${o.ip}: cosign again` },
      );
    }
    checks.push({ check: 'time', result: 'skipped', detail: `${timeDetail(c.iat, c.exp, o.now)}; give --acl for the TTL and skew limits` });
    const failed = checks.find((x) => x.result === 'fail');
    return { checks, verdict: failed?.code ?? 'unchecked' };
  }
  const acl0 = o.acl;
  const rows = new Rows([
    ['kid_revoked', `kid ${JSON.stringify(c.kid)} is not revoked`],
    ['kid_trusted', `kid ${JSON.stringify(c.kid)} is in gatekeeperKeys`],
    ['signature', 'Ed25519 over GK1-COSIGN, verified with the trusted key'],
    ['binding', 'gh is the SHA-256 of the given grant'],
    ['within_grant', 'exp is not after the grant’s exp'],
    ['ttl', `${c.exp - c.iat} s, at most ${acl0.doc.cosignTtlSeconds} s`],
    ['time', `${timeDetail(c.iat, c.exp, o.now)}; skew ${acl0.doc.clockSkewSeconds} s`],
    ['ip', `ip ${c.ip}`],
    ['acl', ''],
  ]);
  if (o.ip === undefined) rows.skip('ip', `cosig ip ${c.ip}; give --ip to compare it with the viewer's`);

  // Without the grant, a stand-in lets the core run up to the binding check.
  let grant: ParsedToken<GrantPayload> = o.grant ?? ({ token: '', payload: { exp: c.exp } } as ParsedToken<GrantPayload>);
  let acl = acl0;
  let now = o.now;
  let viewerIp = o.ip ?? c.ip;
  let verdict: string | null = null;
  let stopped = false;
  for (let round = 0; round < 12; round++) {
    const ctx: DecideContext = { now, acl, config: { gatekeeperId: '', vendorOrigins: [] } };
    const r = checkCosig(parsed.token, grant, viewerIp, ctx, blankRecord(now));
    if (r.ok) break;
    const code = r.code;
    const key = acl.gatekeeperKeys.get(c.kid);
    if (code === 'bad_cosignature' && o.grant === undefined && key !== undefined && verifyToken(parsed, key)) {
      // The stand-in grant is what failed, not the cosig.
      rows.skip('binding', 'give --grant GRANT to check that the cosig is for it');
      rows.skipAfter('binding', 'not checked: needs --grant');
      stopped = true;
      break;
    }
    verdict ??= code;
    if (code === 'revoked') {
      rows.fail('kid_revoked', code, `kid ${JSON.stringify(c.kid)} is in revoked.kid`);
      acl = { ...acl, revokedKid: without(acl.revokedKid, c.kid) };
    } else if (code === 'unknown_kid') {
      rows.fail('kid_trusted', code, `kid ${JSON.stringify(c.kid)} is not in gatekeeperKeys`);
      rows.skipAfter('kid_trusted', STOPPED);
      stopped = true;
      break;
    } else if (code === 'bad_cosignature' && (key === undefined || !verifyToken(parsed, key))) {
      rows.fail('signature', code, 'the signature does not verify with the trusted key of this kid');
      rows.skipAfter('signature', STOPPED);
      stopped = true;
      break;
    } else if (code === 'bad_cosignature' && c.gh !== grantHash(grant.token)) {
      rows.fail('binding', code, 'gh is not the SHA-256 of the given grant: this cosig is for another grant');
      rows.skipAfter('binding', STOPPED);
      stopped = true;
      break;
    } else if (code === 'bad_cosignature') {
      rows.fail('within_grant', code, `exp ${iso(c.exp)} is after the grant's exp ${iso(grant.payload.exp)}`);
      grant = { ...grant, payload: { ...grant.payload, exp: c.exp } };
    } else if (code === 'ttl_too_long') {
      rows.fail('ttl', code, `${c.exp - c.iat} s, above cosignTtlSeconds ${acl.doc.cosignTtlSeconds} s`);
      acl = withDoc(acl, { cosignTtlSeconds: c.exp - c.iat });
    } else if (code === 'expired' || code === 'not_yet_valid') {
      rows.fail('time', code);
      now = c.iat * 1000;
    } else if (code === 'ip_mismatch') {
      rows.fail('ip', code, `the cosig is for ${c.ip}, the viewer is ${viewerIp}: cosign again`);
      viewerIp = c.ip;
    } else {
      rows.fail('kid_revoked', code, `unexpected ${code}`);
      rows.skipAfter('kid_revoked', STOPPED);
      stopped = true;
      break;
    }
  }

  if (stopped) {
    // skipAfter has already skipped the ACL row.
  } else if (o.ip === undefined) {
    rows.skip('acl', 'give --ip to apply the IP rules as at object access');
  } else {
    // At object access the country is no longer decided (it was, when the cosig was made).
    const g = o.grant?.payload;
    const a = evaluateAcl(acl0, { ip: o.ip, country: null, vendorKid: g?.kid ?? null, jti: g?.jti ?? null });
    if (a.decision === 'deny') {
      rows.fail('acl', a.reason as ErrorCode, `${a.reason} for ip ${o.ip}`);
      verdict ??= a.reason;
    } else {
      rows.detail('acl', a.decision === 'would_deny' ? `would_deny ${a.reason} for ip ${o.ip} (mode report-only: allowed)` : `allow for ip ${o.ip}`);
    }
  }
  return { checks: rows.list(), verdict: verdict ?? (stopped ? 'incomplete' : 'ok') };
}

function renderTable(x: Inspection): string {
  const lines: string[] = [];
  lines.push(`kind     ${x.kind}`);
  lines.push(`token    ${redactToken(x.token)}`);
  lines.push(`sha256   ${x.tokenSha256}${x.kind === 'grant' ? '  (the gh of its cosigs)' : ''}`);
  lines.push(`payload  ${JSON.stringify(x.payload)}`);
  lines.push('');
  const width = Math.max(5, ...x.checks.map((c) => c.check.length));
  lines.push(`${'check'.padEnd(width)}  result   detail`);
  for (const c of x.checks) {
    const detail = c.code !== undefined && !c.detail.startsWith(c.code) ? `${c.code}: ${c.detail}` : c.detail;
    lines.push(`${c.check.padEnd(width)}  ${c.result.padEnd(7)}  ${detail}`.trimEnd());
  }
  lines.push('');
  lines.push(`verdict  ${x.verdict}`);
  return lines.join('\n') + '\n';
}

function renderJsonLines(x: Inspection): string {
  const lines = [
    JSON.stringify({ kind: x.kind, token: redactToken(x.token), tokenSha256: x.tokenSha256, payload: x.payload }),
    ...x.checks.map((c) =>
      JSON.stringify(c.code === undefined ? { check: c.check, result: c.result, detail: c.detail } : { check: c.check, result: c.result, code: c.code, detail: c.detail }),
    ),
    JSON.stringify({ verdict: x.verdict }),
  ];
  return lines.join('\n') + '\n';
}

/** Only called on a token that parsed, so the payload is valid b64u of a JSON object. */
function wirePayload(token: string): Record<string, unknown> {
  const bytes = b64uDecode(token.slice(0, token.indexOf('.')));
  return JSON.parse((bytes as Buffer).toString('utf8')) as Record<string, unknown>;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function runInspect(argv: string[], io: InspectIo): Promise<number> {
  return guarded('gatekeeper inspect', io, async () => {
    const p = parseArgs(argv, {
      acl: 'string',
      'gatekeeper-id': 'string',
      ip: 'string',
      country: 'string',
      grant: 'string',
      json: 'boolean',
    });
    if (p.help) {
      io.stdout.write(INSPECT_USAGE);
      return 0;
    }
    let [token] = positionals(p, ['TOKEN']);
    if (token === '-') token = (await (io.readStdin ?? readAllStdin)()).replace(/\r?\n$/, '');
    const gatekeeperId = stringOption(p, 'gatekeeper-id');
    if (gatekeeperId !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(gatekeeperId)) {
      throw new UsageError('--gatekeeper-id must be 1-128 characters of [A-Za-z0-9._:-]');
    }
    const ipText = stringOption(p, 'ip');
    const ip = ipText === undefined ? undefined : ipOption(ipText, '--ip');
    const country = countryOption(stringOption(p, 'country'), '--country');
    const grantText = stringOption(p, 'grant');
    const aclFile = stringOption(p, 'acl');

    const asGrant = parseGrant(token);
    const asCosig = asGrant.ok ? null : parseCosig(token);
    if (!asGrant.ok && (asCosig === null || !asCosig.ok)) {
      const cosigDetail = asCosig !== null && !asCosig.ok ? asCosig.detail : '';
      throw new UsageError(`malformed_token: not a grant (${asGrant.detail}) nor a cosig (${cosigDetail})`);
    }
    if (asGrant.ok && grantText !== undefined) throw new UsageError('--grant is for inspecting a cosig; this token is a grant');
    if (!asGrant.ok && country !== null) throw new UsageError('--country is for grants; a cosig already carries its country');
    if (!asGrant.ok && gatekeeperId !== undefined) throw new UsageError('--gatekeeper-id is for grants; a cosig has no audience');
    if (asGrant.ok && aclFile === undefined && (ip !== undefined || country !== null)) {
      throw new UsageError('--ip and --country need --acl for a grant (the IP and country rules are in the ACL)');
    }
    let grant: ParsedToken<GrantPayload> | undefined;
    if (grantText !== undefined) {
      const g = parseGrant(grantText);
      if (!g.ok) throw new UsageError(`--grant: malformed_token: not a grant (${g.detail})`);
      grant = g.value;
    }
    const acl = aclFile === undefined ? null : (await requireAcl(aclFile, '--acl')).compiled;
    const opts: InspectOptions = { acl, gatekeeperId, ip, country, grant, now: (io.now ?? Date.now)() };

    let x: Inspection;
    if (asGrant.ok) {
      x = { kind: 'grant', token, tokenSha256: grantHash(token), payload: wirePayload(token), ...inspectGrant(asGrant.value, opts) };
    } else {
      const c = (asCosig as { ok: true; value: ParsedToken<CosigPayload> }).value;
      x = { kind: 'cosig', token, tokenSha256: grantHash(token), payload: wirePayload(token), ...inspectCosig(c, opts) };
    }
    io.stdout.write(p.options.has('json') ? renderJsonLines(x) : renderTable(x));
    return x.checks.some((c) => c.result === 'fail') ? EXIT_FAILED : 0;
  });
}
