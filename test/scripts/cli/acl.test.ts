import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ACL_PUSH_USAGE,
  ACL_SIMULATE_USAGE,
  ACL_USAGE,
  ACL_VALIDATE_USAGE,
  runAcl,
  runAclPush,
  runAclSimulate,
  runAclValidate,
} from '../../../scripts/cli/acl';
import { aclText, memoryIo, tempDir } from './helpers';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

describe('gatekeeper acl validate', () => {
  it('prints ok with what the document holds', async () => {
    // Prepare
    const file = t.file('acl.json', aclText({ revoked: { jti: ['A'.repeat(22)], kid: [] } }));
    const m = memoryIo();

    // Act
    const code = await runAclValidate([file], m.io);

    // Assess
    expect(code).toBe(0);
    expect(m.err()).toBe('');
    expect(m.out()).toBe(
      'ok: version "2026-12-04.1", mode enforce; 1 vendor key, 1 gatekeeper key; countries: 7 allowed, 0 denied; ' +
        'ips: 2 allowed, 1 denied; revoked: 1 jti, 0 kid; ttl: grant 900 s, cosig 300 s, skew 30 s\n',
    );
  });

  it('counts defaults when optional members are left out', async () => {
    const doc = JSON.parse(aclText());
    delete doc.countries;
    delete doc.ips;
    delete doc.revoked;
    delete doc.maxGrantTtlSeconds;
    const m = memoryIo();
    expect(await runAclValidate([t.file('a.json', JSON.stringify(doc))], m.io)).toBe(0);
    expect(m.out()).toContain('countries: 7 allowed, 0 denied; ips: all allowed, 0 denied; revoked: 0 jti, 0 kid; ttl: grant 900 s');
  });
});

describe('gatekeeper acl simulate', () => {
  async function simulate(doc: string, args: string[]): Promise<unknown> {
    const m = memoryIo();
    const code = await runAclSimulate([t.file('acl.json', doc), ...args], m.io);
    expect(m.err()).toBe('');
    expect(code).toBe(0);
    expect(m.out().endsWith('}\n')).toBe(true);
    const out = JSON.parse(m.out());
    expect(Object.keys(out)).toEqual(['decision', 'reason']);
    return out;
  }

  it.each<[string, Record<string, unknown>, string[], unknown]>([
    ['an allowed viewer', {}, ['--ip', '203.0.113.7', '--country', 'US'], { decision: 'allow', reason: 'ok' }],
    ['no country: the country step is skipped', {}, ['--ip', '203.0.113.7'], { decision: 'allow', reason: 'ok' }],
    ['a denied address', {}, ['--ip', '198.51.100.20', '--country', 'US'], { decision: 'deny', reason: 'ip_denied' }],
    ['a denied IPv4-mapped address', {}, ['--ip', '::ffff:198.51.100.20'], { decision: 'deny', reason: 'ip_denied' }],
    ['a country off the allow list', {}, ['--ip', '203.0.113.7', '--country', 'FR'], { decision: 'deny', reason: 'country_denied' }],
    ['the unknown country', {}, ['--ip', '203.0.113.7', '--country', 'XX'], { decision: 'deny', reason: 'country_denied' }],
    ['an untrusted kid', {}, ['--ip', '203.0.113.7', '--kid', 'someone-else'], { decision: 'deny', reason: 'unknown_kid' }],
    ['a trusted kid', {}, ['--ip', '203.0.113.7', '--kid', 'vendor-2026-12'], { decision: 'allow', reason: 'ok' }],
    ['a revoked jti', { revoked: { jti: ['R'.repeat(22)] } }, ['--ip', '203.0.113.7', '--jti', 'R'.repeat(22)], { decision: 'deny', reason: 'revoked' }],
    ['a revoked kid', { revoked: { kid: ['vendor-2026-12'] } }, ['--ip', '203.0.113.7', '--kid', 'vendor-2026-12'], { decision: 'deny', reason: 'revoked' }],
    ['report-only', { mode: 'report-only' }, ['--ip', '203.0.113.7', '--country', 'FR'], { decision: 'would_deny', reason: 'country_denied' }],
    ['deny-all', { mode: 'deny-all' }, ['--ip', '203.0.113.7', '--country', 'US'], { decision: 'deny', reason: 'deny_all' }],
    ['an IPv6 viewer outside ips.allow', { ips: { allow: ['2001:db8::/32'] } }, ['--ip', '2001:db9::1'], { decision: 'deny', reason: 'ip_denied' }],
    ['an IPv6 viewer inside ips.allow', { ips: { allow: ['2001:db8::/32'] } }, ['--ip', '2001:DB8::1'], { decision: 'allow', reason: 'ok' }],
  ])('%s', async (_name, change, args, expected) => {
    expect(await simulate(aclText(change), args)).toEqual(expected);
  });
});

describe('gatekeeper acl push', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it('writes the exact text of a valid document', async () => {
    // Prepare
    const text = aclText() + '\n\n  '; // trailing whitespace must survive byte for byte
    const file = t.file('acl.json', text);
    sm.on(PutSecretValueCommand).resolves({ VersionId: 'ver-7', Name: 'gatekeeper/acl' });
    const regions: Array<string | undefined> = [];
    const m = memoryIo({
      secretsManager: (region: string | undefined) => {
        regions.push(region);
        return new SecretsManagerClient({ region: region ?? 'us-east-1' });
      },
    });

    // Act
    const code = await runAclPush([file, '--secret-id', 'gatekeeper/acl', '--region', 'eu-west-1'], m.io);

    // Assess
    expect(m.err()).toBe('');
    expect(code).toBe(0);
    expect(regions).toEqual(['eu-west-1']);
    const calls = sm.commandCalls(PutSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ SecretId: 'gatekeeper/acl', SecretString: text });
    expect(m.out()).toBe('pushed ACL version "2026-12-04.1" to "gatekeeper/acl" (secret version ver-7)\n');
  });

  it('builds its own client when none is injected', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    const m = memoryIo();
    const code = await runAclPush([t.file('acl.json', aclText()), '--secret-id', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gk-acl-AbCdEf', '--region', 'us-east-1'], m.io);
    expect(m.err()).toBe('');
    expect(code).toBe(0);
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.SecretId).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:gk-acl-AbCdEf');
  });

  it('reports a failed PutSecretValue in one line and exits 1', async () => {
    const err = Object.assign(new Error('Secrets Manager can’t find the specified secret.\nmore'), { name: 'ResourceNotFoundException' });
    sm.on(PutSecretValueCommand).rejects(err);
    const m = memoryIo({ secretsManager: () => new SecretsManagerClient({ region: 'us-east-1' }) });
    const code = await runAclPush([t.file('acl.json', aclText()), '--secret-id', 'missing'], m.io);
    expect(code).toBe(1);
    expect(m.out()).toBe('');
    expect(m.err()).toBe(
      'gatekeeper acl push: PutSecretValue failed: ResourceNotFoundException: Secrets Manager can’t find the specified secret. more\n',
    );
  });
});

describe('gatekeeper acl help', () => {
  it.each<[string[], string]>([
    [['--help'], ACL_USAGE],
    [['help'], ACL_USAGE],
    [['validate', '--help'], ACL_VALIDATE_USAGE],
    [['simulate', '-h'], ACL_SIMULATE_USAGE],
    [['push', '--help'], ACL_PUSH_USAGE],
  ])('%p', async (argv, usage) => {
    const m = memoryIo();
    expect(await runAcl(argv, m.io)).toBe(0);
    expect(m.out()).toBe(usage);
    expect(m.out()).toMatch(/^Usage: gatekeeper acl/);
  });
});
