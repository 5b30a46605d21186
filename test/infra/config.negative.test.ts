import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig, parseStackConfig, StackConfigError } from '../../infra/config';
import { GK_KEY, stackInput, tempDir, VENDOR_KEY } from './fixture';

function fieldOf(input: unknown): string {
  try {
    parseStackConfig(input);
  } catch (e) {
    if (e instanceof StackConfigError) return e.field;
    throw e;
  }
  throw new Error('accepted');
}

const TEN_REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-central-1', 'eu-west-2', 'eu-west-3', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1'];

describe('parseStackConfig refuses, naming the field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown top-level field', { colour: 'blue' }, 'colour'],
    ['bad region', { region: 'Europe' }, 'region'],
    ['bad prefix', { prefix: 'Acme_GK' }, 'prefix'],
    ['prefix too long', { prefix: 'a'.repeat(25) }, 'prefix'],
    ['no vendor origins', { vendorOrigins: [] }, 'vendorOrigins'],
    ['origin with a path', { vendorOrigins: ['https://vendor.example/app'] }, 'vendorOrigins[0]'],
    ['duplicate origin', { vendorOrigins: ['https://a.example', 'https://a.example'] }, 'vendorOrigins[1]'],
    ['no gatekeeper key', { gatekeeperKeys: [] }, 'gatekeeperKeys'],
    ['bad kid', { gatekeeperKeys: [{ kid: 'has space', publicKey: GK_KEY.publicKey }] }, 'gatekeeperKeys[0].kid'],
    ['short public key', { gatekeeperKeys: [{ kid: 'k', publicKey: 'abc' }] }, 'gatekeeperKeys[0].publicKey'],
    ['padded public key', { vendorKeys: [{ kid: 'v', publicKey: `${VENDOR_KEY.publicKey}=` }] }, 'vendorKeys[0].publicKey'],
    ['unknown key field', { vendorKeys: [{ kid: 'v', publicKey: VENDOR_KEY.publicKey, privateKey: 'x' }] }, 'vendorKeys[0].privateKey'],
    [
      'duplicate kid',
      { gatekeeperKeys: [{ kid: 'k', publicKey: GK_KEY.publicKey }, { kid: 'k', publicKey: VENDOR_KEY.publicKey }] },
      'gatekeeperKeys[1].kid',
    ],
    ['no data bucket', { dataBucket: undefined }, 'dataBucket'],
    ['bad bucket name', { dataBucket: { name: 'Bad_Bucket' } }, 'dataBucket.name'],
    ['unknown encryption', { dataBucket: { name: 'abc', encryption: 'aws:kms:dsse' } }, 'dataBucket.encryption'],
    ['IA before 30 days', { dataBucket: { name: 'abc', lifecycle: { infrequentAccessAfterDays: 10 } } }, 'dataBucket.lifecycle.infrequentAccessAfterDays'],
    [
      'expiry before IA',
      { dataBucket: { name: 'abc', lifecycle: { infrequentAccessAfterDays: 60, expireAfterDays: 30 } } },
      'dataBucket.lifecycle.expireAfterDays',
    ],
    ['other region for a new bucket', { dataBucket: { name: 'abc', region: 'us-west-2' } }, 'dataBucket.region'],
    ['lifecycle on an existing bucket', { dataBucket: { name: 'abc', existing: true, lifecycle: { expireAfterDays: 5 } } }, 'dataBucket.existing'],
    ['existing bucket without consent to replace its policy', { dataBucket: { name: 'abc', existing: true } }, 'dataBucket.replaceExistingPolicy'],
    ['existing bucket with consent false', { dataBucket: { name: 'abc', existing: true, replaceExistingPolicy: false } }, 'dataBucket.replaceExistingPolicy'],
    ['consent given as a string', { dataBucket: { name: 'abc', existing: true, replaceExistingPolicy: 'yes' } }, 'dataBucket.replaceExistingPolicy'],
    ['consent on a bucket the stack creates', { dataBucket: { name: 'abc', replaceExistingPolicy: true } }, 'dataBucket.replaceExistingPolicy'],
    ['audit timeout leaving no room for one ACL fetch', { audit: { timeoutMs: 4300 } }, 'audit.timeoutMs'],
    ['audit timeout too long for the replicas', { audit: { timeoutMs: 3700 }, acl: { replicaRegions: ['us-east-1', 'ap-southeast-2', 'eu-central-1'] } }, 'audit.timeoutMs'],
    ['default audit timeout with too many replicas', { acl: { replicaRegions: TEN_REGIONS } }, 'audit.timeoutMs'],
    ['more replicas than any audit timeout allows', { audit: { timeoutMs: 50 }, acl: { replicaRegions: [...TEN_REGIONS, 'sa-east-1', 'ca-central-1', 'eu-north-1', 'me-south-1'] } }, 'acl.replicaRegions'],
    ['bad country', { acl: { countriesAllow: ['usa'] } }, 'acl.countriesAllow[0]'],
    ['replica in the home region', { acl: { replicaRegions: ['eu-west-1'] } }, 'acl.replicaRegions[0]'],
    ['cosign TTL out of range', { acl: { cosignTtlSeconds: 0 } }, 'acl.cosignTtlSeconds'],
    ['unknown acl field', { acl: { mode: 'deny-all' } }, 'acl.mode'],
    ['buffer below 64 MiB', { audit: { bufferingSizeMb: 5 } }, 'audit.bufferingSizeMb'],
    ['retention 0', { audit: { retentionDays: 0 } }, 'audit.retentionDays'],
    ['bad price class', { distribution: { priceClass: 'cheap' } }, 'distribution.priceClass'],
    ['upper-case alias', { distribution: { aliases: ['Files.Acme.example'] } }, 'distribution.aliases[0]'],
    [
      'certificate outside us-east-1',
      { distribution: { aliases: ['f.acme.example'], certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' } },
      'distribution.certificateArn',
    ],
    ['certificate without aliases', { distribution: { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' } }, 'distribution.certificateArn'],
    ['recovery window 3', { secretRecoveryWindowDays: 3 }, 'secretRecoveryWindowDays'],
    ['aws: tag', { tags: { 'aws:owner': 'x' } }, 'tags.aws:owner'],
    ['backend without key', { backend: { s3: { bucket: 'state-bucket' } } }, 'backend.s3.key'],
    ['bad gatekeeper id', { gatekeeperId: 'has space' }, 'gatekeeperId'],
    ['bad stack name', { stackName: '1stack' }, 'stackName'],
    ['same key for vendor and gatekeeper', { vendorKeys: [{ kid: 'v', publicKey: GK_KEY.publicKey }] }, '(initial ACL)'],
  ];

  it.each(cases)('%s', (_name, over, field) => {
    expect(fieldOf(stackInput(over))).toBe(field);
  });

  it('refuses a non-object', () => {
    expect(fieldOf([])).toBe('(root)');
    expect(() => parseStackConfig(null)).toThrow('(root): must be a JSON object');
  });

  it('explains why an existing bucket needs the consent', () => {
    expect(() => parseStackConfig(stackInput({ dataBucket: { name: 'abc', existing: true } }))).toThrow(
      /^dataBucket\.replaceExistingPolicy: must be true with an existing bucket: the stack's bucket policy replaces the bucket's whole policy/,
    );
  });

  it('the time budget message gives the largest audit.timeoutMs that fits', () => {
    // 1 home + 3 replicas = 4 regions x 300 ms: 4500 - 1200 = 3300
    expect(() => parseStackConfig(stackInput({ audit: { timeoutMs: 3301 }, acl: { replicaRegions: ['us-east-1', 'ap-southeast-2', 'eu-central-1'] } }))).toThrow(
      /^audit\.timeoutMs: must be at most 3300 with 4 ACL regions/,
    );
  });

  it('the message names the field and the problem', () => {
    expect(() => parseStackConfig(stackInput({ audit: { bufferingSizeMb: 5 } }))).toThrow('audit.bufferingSizeMb: must be an integer from 64 to 128');
  });
});

describe('loadStackConfig refuses', () => {
  it('a missing file, pointing at the example', () => {
    expect(() => loadStackConfig('/nonexistent/gatekeeper.stack.json')).toThrow(/cannot read .*gatekeeper\.stack\.example\.json/);
  });

  it('a file that is not JSON', () => {
    const f = join(tempDir('gk-cfg-'), 'bad.json');
    writeFileSync(f, '{ prefix: ');
    expect(() => loadStackConfig(f)).toThrow(/bad\.json is not JSON/);
  });
});
