import { b64uEncode } from '../../../edge/core/b64u';
import { ed25519PrivateKey } from '../../../edge/core/keys';
import { COSIGN_DOMAIN, GRANT_DOMAIN, grantHash, signGrant, signTokenText, type GrantPayload } from '../../../edge/core/tokens';
import { runInspect } from '../../../scripts/cli/inspect';
import { aclText, GK_SEED, memoryIo, NOW, tempDir, VENDOR_SEED } from './helpers';

const T = NOW / 1000;
const G: GrantPayload = { v: 1, kid: 'vendor-2026-12', aud: 'gk-acme', op: 'get', key: 'a/b', iat: T, exp: T + 300, jti: 'J'.repeat(22) };
const GRANT = signGrant(G, ed25519PrivateKey(VENDOR_SEED));
const COSIG_JSON = JSON.stringify({ v: 1, kid: 'gk-2026-12', gh: grantHash(GRANT), ip: '203.0.113.7', ctry: 'US', iat: T, exp: T + 300 });
const COSIG = signTokenText(COSIGN_DOMAIN, COSIG_JSON, ed25519PrivateKey(GK_SEED));

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

async function usage(argv: string[]): Promise<string> {
  const m = memoryIo({ now: () => NOW });
  expect(await runInspect(argv, m.io)).toBe(2);
  expect(m.out()).toBe('');
  expect(m.err().split('\n')).toHaveLength(2);
  for (const a of argv) if (a.length > 40) expect(m.err()).not.toContain(a.slice(0, 40));
  return m.err().trimEnd();
}

describe('gatekeeper inspect: a token that does not parse is malformed_token, exit 2', () => {
  const sig = b64uEncode(Buffer.alloc(64, 1));
  it.each<[string, string, string]>([
    ['garbage', 'not-a-token', 'not a grant (not two parts) nor a cosig (not two parts)'],
    ['a truncated signature', GRANT.slice(0, -1), 'not a grant (signature is not 64 bytes) nor a cosig (signature is not 64 bytes)'],
    ['three parts', GRANT + '.x', 'not a grant (not two parts) nor a cosig (not two parts)'],
    ['an unknown grant field', b64uEncode(Buffer.from(JSON.stringify({ ...G, admin: true }))) + '.' + sig, 'not a grant (unknown field) nor a cosig (unknown field)'],
    ['padding', b64uEncode(Buffer.from(JSON.stringify(G))) + '=.' + sig, 'not a grant (payload is not b64u) nor a cosig (payload is not b64u)'],
    ['a payload that is not JSON', b64uEncode(Buffer.from('{"v":1')) + '.' + sig, 'not a grant (payload: invalid JSON) nor a cosig (payload: invalid JSON)'],
  ])('%s', async (_name, token, detail) => {
    expect(await usage([token])).toBe(`gatekeeper inspect: malformed_token: ${detail}`);
  });

  it('an empty token', async () => {
    expect(await usage([''])).toBe('gatekeeper inspect: malformed_token: not a grant (not two parts) nor a cosig (not two parts)');
  });
});

describe('gatekeeper inspect: bad options are one line and exit 2', () => {
  it.each<[string, () => string[], string]>([
    ['no token', () => [], 'TOKEN is required'],
    ['two tokens', () => [GRANT, GRANT], 'unexpected argument #2 (expected TOKEN)'],
    ['a bad --ip', () => [GRANT, '--ip', 'localhost'], '--ip must be an IPv4 or IPv6 address'],
    ['a bad --country', () => [GRANT, '--country', 'UK'], '--country: not an ISO 3166-1 alpha-2 code; use "GB"'],
    ['a bad --gatekeeper-id', () => [GRANT, '--gatekeeper-id', 'a b'], '--gatekeeper-id must be 1-128 characters of [A-Za-z0-9._:-]'],
    ['--grant with a grant', () => [GRANT, '--grant', GRANT], '--grant is for inspecting a cosig; this token is a grant'],
    ['--country with a cosig', () => [COSIG, '--country', 'US'], '--country is for grants; a cosig already carries its country'],
    ['--gatekeeper-id with a cosig', () => [COSIG, '--gatekeeper-id', 'gk'], '--gatekeeper-id is for grants; a cosig has no audience'],
    ['--grant that is not a grant', () => [COSIG, '--grant', COSIG], '--grant: malformed_token: not a grant (unknown field)'],
    ['a missing --acl file', () => [GRANT, '--acl', '/nonexistent/acl.json'], '--acl: cannot read the file (ENOENT)'],
    ['an unknown option', () => [GRANT, '--verbose'], 'unknown option "--verbose"'],
    ['--ip for a grant without --acl', () => [GRANT, '--ip', '1.2.3.4'], '--ip and --country need --acl for a grant (the IP and country rules are in the ACL)'],
  ])('%s', async (_name, argv, line) => {
    expect(await usage(argv())).toBe(`gatekeeper inspect: ${line}`);
  });

  it('an invalid --acl file names its first error', async () => {
    const file = t.file('acl.json', aclText({ ips: { deny: ['10.0.0.0/99'] } }));
    expect(await usage([GRANT, '--acl', file])).toBe(
      'gatekeeper inspect: --acl is not a valid ACL (1 error; first: ips.deny[0]: not a CIDR (the prefix length must be 0-32)); see "gatekeeper acl validate"',
    );
  });
});

describe('gatekeeper inspect: tokens that parse but fail', () => {
  it('a cosig payload signed under the grant domain is a bad cosignature', async () => {
    // The domain separation at work: the right key, the wrong kind of signature.
    const forged = signTokenText(GRANT_DOMAIN, COSIG_JSON, ed25519PrivateKey(GK_SEED));
    const m = memoryIo({ now: () => NOW });
    const code = await runInspect([forged, '--json', '--grant', GRANT, '--acl', t.file('acl.json', aclText())], m.io);
    expect(code).toBe(1);
    expect(m.out()).toContain('{"check":"signature","result":"fail","code":"bad_cosignature"');
    expect(m.out().trimEnd().split('\n').at(-1)).toBe('{"verdict":"bad_cosignature"}');
  });

  it('a grant signed by the gatekeeper key is not trusted as a vendor grant', async () => {
    const token = signGrant({ ...G, kid: 'gk-2026-12' }, ed25519PrivateKey(GK_SEED));
    const m = memoryIo({ now: () => NOW });
    expect(await runInspect([token, '--json', '--acl', t.file('acl.json', aclText())], m.io)).toBe(1);
    expect(m.out()).toContain('{"check":"kid_trusted","result":"fail","code":"unknown_kid"');
  });
});
