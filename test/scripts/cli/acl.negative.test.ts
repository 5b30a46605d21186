import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { runAcl, runAclPush, runAclSimulate, runAclValidate } from '../../../scripts/cli/acl';
import { aclText, memoryIo, tempDir } from './helpers';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

function withDoc(edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(aclText());
  edit(doc);
  return JSON.stringify(doc, null, 2);
}

describe('gatekeeper acl validate on bad documents: every error, each naming its field, exit 1', () => {
  it.each<[string, string, string[]]>([
    ['an unknown top-level field', withDoc((d) => (d.allowAll = true)), ['allowAll: unknown field']],
    ['an unknown nested field', withDoc((d) => (d.ips.block = [])), ['ips.block: unknown field']],
    ['the UK country hint', withDoc((d) => (d.countries.allow = ['US', 'UK'])), ['countries.allow[1]: "UK" is not ISO 3166-1; use "GB"']],
    ['a lower-case country', withDoc((d) => (d.countries.deny = ['fr'])), ['countries.deny[0]: "fr" is not ISO 3166-1; use "FR"']],
    ['a bad CIDR', withDoc((d) => (d.ips.deny = ['10.0.0.0/8', '10.0.0.0/33'])), ['ips.deny[1]:']],
    ['a CIDR with host bits', withDoc((d) => (d.ips.allow = ['192.0.2.1/24'])), ['ips.allow[0]:']],
    ['a bad mode', withDoc((d) => (d.mode = 'audit')), ['mode: must be one of "enforce", "report-only", "deny-all"']],
    ['a short public key', withDoc((d) => (d.vendorKeys[0].publicKey = 'AAAA')), ['vendorKeys[0].publicKey: not 32 bytes of base64url']],
    ['no gatekeeper key', withDoc((d) => (d.gatekeeperKeys = [])), ['gatekeeperKeys: at least one key is required']],
    ['a ttl out of range', withDoc((d) => (d.maxGrantTtlSeconds = 0)), ['maxGrantTtlSeconds: must be an integer from 1 to 86400']],
    ['no version', withDoc((d) => delete d.version), ['version: required']],
    ['not JSON', '{"version": "1",', ['(root): not valid JSON']],
    ['a duplicate member', '{"version":"a","version":"b"}', ['(root): not valid JSON for an ACL (a member name appears twice in one object)']],
    ['a byte order mark', '\ufeff' + aclText(), ['(root): starts with a byte order mark; save the file as UTF-8 without BOM']],
    [
      'several problems at once',
      withDoc((d) => {
        d.extra = 1;
        d.countries.allow = ['UK'];
        d.ips.deny = ['nope'];
      }),
      ['extra: unknown field', 'countries.allow[0]: "UK" is not ISO 3166-1; use "GB"', 'ips.deny[0]:'],
    ],
  ])('%s', async (_name, text, expected) => {
    // Prepare
    const m = memoryIo();

    // Act
    const code = await runAclValidate([t.file('acl.json', text)], m.io);

    // Assess
    expect(code).toBe(1);
    const lines = m.out().trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(lines[i].startsWith(e)).toBe(true));
    expect(m.err()).toBe(`gatekeeper acl validate: not a valid ACL (${expected.length} error${expected.length === 1 ? '' : 's'})\n`);
  });

  it('says what is wrong with a bad CIDR', async () => {
    const m = memoryIo();
    await runAclValidate([t.file('acl.json', withDoc((d) => (d.ips.deny = ['10.0.0.0/33'])))], m.io);
    expect(m.out()).toMatch(/^ips\.deny\[0\]: .*\S/);
    expect(m.out()).not.toMatch(/^ips\.deny\[0\]: $/m);
  });

  it('refuses a document above the Secrets Manager limit', async () => {
    const big = withDoc((d) => (d.revoked.jti = Array.from({ length: 3000 }, (_, i) => `jti-${String(i).padStart(20, '0')}`)));
    const m = memoryIo();
    expect(await runAclValidate([t.file('acl.json', big)], m.io)).toBe(1);
    expect(m.out()).toBe(`(root): ${Buffer.byteLength(big)} bytes; a Secrets Manager secret holds at most 65536\n`);
  });
});

describe('gatekeeper acl: bad input is one line and exit 2', () => {
  it.each<[string, (f: string) => string[], string]>([
    ['validate without FILE', () => ['validate'], 'gatekeeper acl validate: FILE is required'],
    ['validate with two files', (f) => ['validate', f, f], 'gatekeeper acl validate: unexpected argument #2 (expected FILE)'],
    ['validate of a missing file', () => ['validate', '/nonexistent/acl.json'], 'gatekeeper acl validate: FILE: cannot read the file (ENOENT)'],
    ['simulate without --ip', (f) => ['simulate', f], 'gatekeeper acl simulate: --ip is required'],
    ['simulate with a bad ip', (f) => ['simulate', f, '--ip', '300.1.1.1'], 'gatekeeper acl simulate: --ip must be an IPv4 or IPv6 address'],
    ['simulate with a CIDR as ip', (f) => ['simulate', f, '--ip', '10.0.0.0/8'], 'gatekeeper acl simulate: --ip must be an IPv4 or IPv6 address'],
    ['simulate with UK', (f) => ['simulate', f, '--ip', '1.2.3.4', '--country', 'UK'], 'gatekeeper acl simulate: --country: not an ISO 3166-1 alpha-2 code; use "GB"'],
    ['simulate with a lower-case country', (f) => ['simulate', f, '--ip', '1.2.3.4', '--country', 'us'], 'gatekeeper acl simulate: --country: not an ISO 3166-1 alpha-2 code; use "US"'],
    ['simulate with a made-up country', (f) => ['simulate', f, '--ip', '1.2.3.4', '--country', 'QQ'], 'gatekeeper acl simulate: --country must be an ISO 3166-1 alpha-2 code in upper case (XX: unknown)'],
    ['simulate with a bad kid', (f) => ['simulate', f, '--ip', '1.2.3.4', '--kid', 'a b'], 'gatekeeper acl simulate: --kid must be 1-64 characters of [A-Za-z0-9._-]'],
    ['simulate with a short jti', (f) => ['simulate', f, '--ip', '1.2.3.4', '--jti', 'abc'], 'gatekeeper acl simulate: --jti must be 16-64 characters of [A-Za-z0-9_-]'],
    ['push without --secret-id', (f) => ['push', f], 'gatekeeper acl push: --secret-id is required'],
    ['push with a bad region', (f) => ['push', f, '--secret-id', 's', '--region', 'EU West'], 'gatekeeper acl push: --region must be an AWS region such as us-east-1'],
    ['an unknown subcommand', () => ['check'], 'gatekeeper acl: unknown command; use validate, simulate or push (see "gatekeeper acl --help")'],
    ['no subcommand', () => [], 'gatekeeper acl: a command is required (validate, simulate or push); see "gatekeeper acl --help"'],
  ])('%s', async (_name, argv, line) => {
    const m = memoryIo();
    expect(await runAcl(argv(t.file('acl.json', aclText())), m.io)).toBe(2);
    expect(m.err()).toBe(line + '\n');
    expect(m.out()).toBe('');
  });

  it('simulate on an invalid document names the first error', async () => {
    const m = memoryIo();
    const file = t.file('bad.json', withDoc((d) => (d.countries.allow = ['UK'])));
    expect(await runAclSimulate([file, '--ip', '1.2.3.4'], m.io)).toBe(2);
    expect(m.err()).toBe(
      'gatekeeper acl simulate: FILE is not a valid ACL (1 error; first: countries.allow[0]: "UK" is not ISO 3166-1; use "GB"); see "gatekeeper acl validate"\n',
    );
  });
});

describe('gatekeeper acl push never sends an invalid document', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => {
    sm.reset();
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'v' });
  });

  it.each<[string, string]>([
    ['an unknown field', withDoc((d) => (d.extra = 1))],
    ['the UK country', withDoc((d) => (d.countries.allow = ['UK']))],
    ['a bad CIDR', withDoc((d) => (d.ips.deny = ['1.2.3.4/40']))],
    ['not JSON', 'mode: enforce'],
    ['a BOM', '\ufeff' + aclText()],
  ])('%s', async (_name, text) => {
    // Prepare
    let built = 0;
    const m = memoryIo({
      secretsManager: () => {
        built++;
        return new SecretsManagerClient({ region: 'us-east-1' });
      },
    });

    // Act
    const code = await runAclPush([t.file('acl.json', text), '--secret-id', 'gatekeeper/acl'], m.io);

    // Assess
    expect(code).toBe(2);
    expect(m.err()).toMatch(/^gatekeeper acl push: FILE is not a valid ACL \(\d+ errors?; first: .+\); see "gatekeeper acl validate"\n$/);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(built).toBe(0);
  });

  it('does not send an unreadable file', async () => {
    const m = memoryIo();
    expect(await runAclPush(['/nonexistent/acl.json', '--secret-id', 's'], m.io)).toBe(2);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
