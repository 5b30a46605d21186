import { ed25519PrivateKey } from '../../../edge/core/keys';
import { grantHash, signCosig, signGrant, type CosigPayload, type GrantPayload } from '../../../edge/core/tokens';
import { runGrant } from '../../../scripts/cli/grant';
import { INSPECT_USAGE, runInspect } from '../../../scripts/cli/inspect';
import { runKeygen } from '../../../scripts/cli/keys';
import { aclText, GK_SEED, memoryIo, NOW, tempDir, VENDOR_SEED } from './helpers';

const T = NOW / 1000;
const GRANT: GrantPayload = {
  v: 1,
  kid: 'vendor-2026-12',
  aud: 'gk-acme',
  op: 'get',
  key: 'reports/q4.pdf',
  iat: T,
  exp: T + 300,
  jti: 'J'.repeat(22),
  sub: 'alice',
};
const grantToken = (change: Partial<GrantPayload> = {}, seed: Buffer = VENDOR_SEED): string =>
  signGrant({ ...GRANT, ...change }, ed25519PrivateKey(seed));
const cosigToken = (grant: string, change: Partial<CosigPayload> = {}, seed: Buffer = GK_SEED): string =>
  signCosig({ v: 1, kid: 'gk-2026-12', gh: grantHash(grant), ip: '203.0.113.7', ctry: 'US', iat: T, exp: T + 300, ...change }, ed25519PrivateKey(seed));

interface Row {
  check: string;
  result: string;
  code?: string;
  detail: string;
}
interface Report {
  code: number;
  head: { kind: string; token: string; tokenSha256: string; payload: Record<string, unknown> };
  rows: Record<string, Row>;
  verdict: string;
  out: string;
}

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

async function inspect(token: string, args: string[], acl: string | null = aclText(), now = NOW): Promise<Report> {
  const m = memoryIo({ now: () => now });
  const argv = [token, '--json', ...args, ...(acl === null ? [] : ['--acl', t.file('acl.json', acl)])];
  const code = await runInspect(argv, m.io);
  expect(m.err()).toBe('');
  const lines = m.out().trimEnd().split('\n').map((l) => JSON.parse(l));
  const rows: Record<string, Row> = {};
  for (const r of lines.slice(1, -1)) rows[r.check] = r;
  expect(m.out()).not.toContain(token); // only ever redacted
  return { code, head: lines[0], rows, verdict: lines[lines.length - 1].verdict, out: m.out() };
}

function results(r: Report): Record<string, string> {
  return Object.fromEntries(Object.values(r.rows).map((x) => [x.check, x.code === undefined ? x.result : `${x.result} ${x.code}`]));
}

describe('gatekeeper inspect: a round trip keygen → grant → inspect', () => {
  it('passes every check with an ACL that trusts the key, and reports a wrong audience', async () => {
    // Prepare: a vendor key from keygen, a grant from grant, an ACL trusting the key.
    const kg = memoryIo();
    expect(await runKeygen(['--kid', 'vendor-rt'], kg.io)).toBe(0);
    const pair = JSON.parse(kg.out());
    const keyFile = t.file('vendor.json', kg.out());
    const g = memoryIo({ now: () => NOW });
    expect(await runGrant(['--key-file', keyFile, '--aud', 'gk-acme', '--op', 'get', '--key', 'reports/q4.pdf', '--sub', 'alice'], g.io)).toBe(0);
    const token = g.out().trim();
    const acl = aclText({ vendorKeys: [{ kid: 'vendor-rt', publicKey: pair.publicKey }] });

    // Act
    const ok = await inspect(token, ['--gatekeeper-id', 'gk-acme'], acl, NOW + 10_000);
    const wrong = await inspect(token, ['--gatekeeper-id', 'gk-other'], acl, NOW + 10_000);

    // Assess
    expect(ok.code).toBe(0);
    expect(ok.head.kind).toBe('grant');
    expect(ok.head.payload).toMatchObject({ v: 1, kid: 'vendor-rt', aud: 'gk-acme', op: 'get', key: 'reports/q4.pdf', sub: 'alice', iat: T, exp: T + 300 });
    expect(results(ok)).toEqual({
      mode: 'pass',
      kid_revoked: 'pass',
      kid_trusted: 'pass',
      signature: 'pass',
      audience: 'pass',
      ttl: 'pass',
      time: 'pass',
      jti_revoked: 'pass',
      acl: 'skipped',
    });
    expect(ok.verdict).toBe('ok');

    expect(wrong.code).toBe(1);
    expect(wrong.rows.signature.result).toBe('pass');
    expect(wrong.rows.audience).toEqual({
      check: 'audience',
      result: 'fail',
      code: 'wrong_audience',
      detail: 'the grant is for "gk-acme", this gatekeeper is "gk-other"',
    });
    expect(wrong.rows.time.result).toBe('pass');
    expect(wrong.verdict).toBe('wrong_audience');
  });
});

describe('gatekeeper inspect: grants', () => {
  it('redacts the token and prints its hash, the gh of its cosigs', async () => {
    const token = grantToken();
    const r = await inspect(token, []);
    expect(r.head.token).toBe(`${token.slice(0, 10)}…[redacted, ${token.length} characters]`);
    expect(r.head.tokenSha256).toBe(grantHash(token));
    expect(Object.keys(r.head.payload)).toEqual(['v', 'kid', 'aud', 'op', 'key', 'iat', 'exp', 'jti', 'sub']);
    expect(r.rows.audience.result).toBe('skipped');
  });

  it('reports an expired grant and still checks the rest', async () => {
    const r = await inspect(grantToken(), ['--gatekeeper-id', 'gk-acme'], aclText(), NOW + 3_600_000);
    expect(results(r)).toMatchObject({ signature: 'pass', audience: 'pass', ttl: 'pass', time: 'fail expired', jti_revoked: 'pass' });
    expect(r.rows.time.detail).toContain('expired 55 min ago');
    expect(r.verdict).toBe('expired');
    expect(r.code).toBe(1);
  });

  it('reports a grant that is not yet valid', async () => {
    const r = await inspect(grantToken({ iat: T + 120, exp: T + 400 }), [], aclText());
    expect(r.rows.time.code).toBe('not_yet_valid');
  });

  it('reports a ttl above the ACL limit', async () => {
    const r = await inspect(grantToken({ exp: T + 901 }), [], aclText());
    expect(r.rows.ttl).toMatchObject({ result: 'fail', code: 'ttl_too_long', detail: '901 s, above maxGrantTtlSeconds 900 s' });
    expect(r.rows.time.result).toBe('pass');
  });

  it('lists every failure of deny-all, a wrong audience and a revoked jti, in the core order', async () => {
    const r = await inspect(grantToken(), ['--gatekeeper-id', 'x'], aclText({ mode: 'deny-all', revoked: { jti: ['J'.repeat(22)] } }));
    expect(results(r)).toMatchObject({
      mode: 'fail deny_all',
      kid_trusted: 'pass',
      signature: 'pass',
      audience: 'fail wrong_audience',
      jti_revoked: 'fail revoked',
    });
    expect(r.verdict).toBe('deny_all');
  });

  it('reports a revoked vendor key', async () => {
    const r = await inspect(grantToken(), [], aclText({ revoked: { kid: ['vendor-2026-12'] } }));
    expect(results(r)).toMatchObject({ kid_revoked: 'fail revoked', kid_trusted: 'pass', signature: 'pass', jti_revoked: 'pass' });
  });

  it('stops at an untrusted key and skips what follows', async () => {
    const r = await inspect(grantToken({ kid: 'stranger' }), ['--gatekeeper-id', 'gk-acme', '--ip', '203.0.113.7'], aclText());
    expect(results(r)).toEqual({
      mode: 'pass',
      kid_revoked: 'pass',
      kid_trusted: 'fail unknown_kid',
      signature: 'skipped',
      audience: 'skipped',
      ttl: 'skipped',
      time: 'skipped',
      jti_revoked: 'skipped',
      acl: 'skipped',
    });
    expect(r.verdict).toBe('unknown_kid');
  });

  it('stops at a signature by another key under a trusted kid', async () => {
    const r = await inspect(grantToken({}, Buffer.alloc(32, 1)), [], aclText());
    expect(results(r)).toMatchObject({ kid_trusted: 'pass', signature: 'fail bad_signature', time: 'skipped' });
    expect(r.verdict).toBe('bad_signature');
  });

  it.each<[string, Record<string, unknown>, string[], string, string]>([
    ['an allowed viewer', {}, ['--ip', '203.0.113.7', '--country', 'US'], 'pass', 'allow for ip 203.0.113.7, country US'],
    ['a denied address', {}, ['--ip', '198.51.100.1', '--country', 'US'], 'fail ip_denied', 'ip_denied for ip 198.51.100.1, country US'],
    ['a denied country', {}, ['--ip', '203.0.113.7', '--country', 'FR'], 'fail country_denied', 'country_denied for ip 203.0.113.7, country FR'],
    ['no country', {}, ['--ip', '::ffff:203.0.113.7'], 'pass', 'allow for ip 203.0.113.7, country not given (country rules skipped)'],
    ['report-only', { mode: 'report-only' }, ['--ip', '203.0.113.7', '--country', 'FR'], 'pass', 'would_deny country_denied for ip 203.0.113.7, country FR (mode report-only: allowed)'],
  ])('applies the ACL to --ip: %s', async (_name, change, args, result, detail) => {
    const r = await inspect(grantToken(), args, aclText(change));
    expect(results(r).acl).toBe(result);
    expect(r.rows.acl.detail).toBe(detail);
    expect(r.code).toBe(result === 'pass' ? 0 : 1);
  });

  it('without an ACL decodes and checks only the audience', async () => {
    const ok = await inspect(grantToken(), ['--gatekeeper-id', 'gk-acme'], null);
    const wrong = await inspect(grantToken(), ['--gatekeeper-id', 'gk-b'], null);
    expect(results(ok)).toEqual({ parse: 'pass', audience: 'pass', time: 'skipped' });
    expect(ok.verdict).toBe('unchecked');
    expect(ok.code).toBe(0);
    expect(results(wrong).audience).toBe('fail wrong_audience');
    expect(wrong.verdict).toBe('wrong_audience');
    expect(wrong.code).toBe(1);
  });

  it('prints a readable table by default', async () => {
    const token = grantToken();
    const m = memoryIo({ now: () => NOW });
    const code = await runInspect([token, '--acl', t.file('acl.json', aclText({ revoked: { jti: ['J'.repeat(22)] } })), '--gatekeeper-id', 'gk-acme'], m.io);
    const out = m.out();
    expect(code).toBe(1);
    expect(out).toContain('kind     grant\n');
    expect(out).toContain(`token    ${token.slice(0, 10)}…[redacted, ${token.length} characters]\n`);
    expect(out).toMatch(/^signature    pass     Ed25519 over GK1-GRANT, verified with the trusted key$/m);
    expect(out).toMatch(/^jti_revoked  fail     revoked: jti is in revoked.jti$/m);
    expect(out).toMatch(/^time         pass     iat 2026-12-04T00:00:00Z, exp 2026-12-04T00:05:00Z; expires in 5 min; skew 30 s$/m);
    expect(out.endsWith('verdict  revoked\n')).toBe(true);
    expect(out).not.toContain(token);
  });

  it('reads the token from standard input with "-"', async () => {
    const token = grantToken();
    const m = memoryIo({ now: () => NOW, readStdin: async () => token + '\n' });
    expect(await runInspect(['-', '--json', '--acl', t.file('acl.json', aclText())], m.io)).toBe(0);
    expect(m.out().split('\n').at(-2)).toBe('{"verdict":"ok"}');
  });

  it('--help prints the usage and exits 0', async () => {
    const m = memoryIo();
    expect(await runInspect(['--help'], m.io)).toBe(0);
    expect(m.out()).toBe(INSPECT_USAGE);
  });
});

describe('gatekeeper inspect: cosigs', () => {
  const grant = grantToken();

  it('passes every check for the right grant and viewer', async () => {
    const r = await inspect(cosigToken(grant), ['--grant', grant, '--ip', '203.0.113.7'], aclText(), NOW + 5000);
    expect(r.head.kind).toBe('cosig');
    expect(r.head.payload).toEqual({ v: 1, kid: 'gk-2026-12', gh: grantHash(grant), ip: '203.0.113.7', ctry: 'US', iat: T, exp: T + 300 });
    expect(results(r)).toEqual({
      kid_revoked: 'pass',
      kid_trusted: 'pass',
      signature: 'pass',
      binding: 'pass',
      within_grant: 'pass',
      ttl: 'pass',
      time: 'pass',
      ip: 'pass',
      acl: 'pass',
    });
    expect(r.verdict).toBe('ok');
    expect(r.out).not.toContain(grant);
  });

  it('reports a cosig made for another address', async () => {
    const r = await inspect(cosigToken(grant), ['--grant', grant, '--ip', '2001:db8::1'], aclText());
    expect(r.rows.ip).toEqual({ check: 'ip', result: 'fail', code: 'ip_mismatch', detail: 'the cosig is for 203.0.113.7, the viewer is 2001:db8::1: cosign again' });
    expect(r.verdict).toBe('ip_mismatch');
  });

  it('reports a cosig for another grant', async () => {
    const other = grantToken({ jti: 'K'.repeat(22) });
    const r = await inspect(cosigToken(grant), ['--grant', other], aclText());
    expect(results(r)).toMatchObject({ signature: 'pass', binding: 'fail bad_cosignature', within_grant: 'skipped', time: 'skipped' });
  });

  it('reports a cosig that outlives its grant and one above the cosign ttl', async () => {
    const r = await inspect(cosigToken(grant, { exp: T + 400 }), ['--grant', grant], aclText());
    expect(results(r)).toMatchObject({ binding: 'pass', within_grant: 'fail bad_cosignature', ttl: 'fail ttl_too_long', time: 'pass', ip: 'skipped' });
    expect(r.verdict).toBe('bad_cosignature');
  });

  it('checks trust and signature without the grant, and skips the rest', async () => {
    const r = await inspect(cosigToken(grant), [], aclText(), NOW + 400_000);
    expect(results(r)).toEqual({
      kid_revoked: 'pass',
      kid_trusted: 'pass',
      signature: 'pass',
      binding: 'skipped',
      within_grant: 'skipped',
      ttl: 'skipped',
      time: 'skipped',
      ip: 'skipped',
      acl: 'skipped',
    });
    expect(r.rows.time.detail).toContain('expired 100 s ago');
    expect(r.verdict).toBe('incomplete');
    expect(r.code).toBe(0);
  });

  it('reports a cosig by a key the ACL does not trust as a gatekeeper key', async () => {
    const r = await inspect(cosigToken(grant, { kid: 'vendor-2026-12' }, VENDOR_SEED), ['--grant', grant], aclText());
    expect(results(r).kid_trusted).toBe('fail unknown_kid');
    expect(r.verdict).toBe('unknown_kid');
  });

  it('without an ACL compares binding and address only', async () => {
    const ok = await inspect(cosigToken(grant), ['--grant', grant, '--ip', '203.0.113.7'], null);
    const bad = await inspect(cosigToken(grant), ['--grant', grantToken({ sub: 'mallory' }), '--ip', '203.0.113.8'], null);
    expect(results(ok)).toEqual({ parse: 'pass', binding: 'pass', ip: 'pass', time: 'skipped' });
    expect(ok.verdict).toBe('unchecked');
    expect(results(bad)).toEqual({ parse: 'pass', binding: 'fail bad_cosignature', ip: 'fail ip_mismatch', time: 'skipped' });
    expect(bad.verdict).toBe('bad_cosignature');
    expect(bad.code).toBe(1);
  });

  it('applies the IP rules as at object access', async () => {
    const cosig = cosigToken(grant, { ip: '198.51.100.9' });
    const r = await inspect(cosig, ['--grant', grant, '--ip', '198.51.100.9'], aclText());
    expect(results(r)).toMatchObject({ ip: 'pass', acl: 'fail ip_denied' });
    expect(r.verdict).toBe('ip_denied');
  });
});
