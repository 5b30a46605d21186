import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildConfig } from '../../edge/config';
import { buildConfigFor, DEFAULT_COUNTRIES, isB64uKey32, loadStackConfig, parseStackConfig, stackNames } from '../../infra/config';
import { GK_KEY, stackInput, tempDir } from './fixture';

describe('parseStackConfig', () => {
  it('fills every default from a minimal config', () => {
    // Act
    const c = parseStackConfig(stackInput());
    // Assess
    expect(c).toEqual({
      stackName: 'gatekeeper',
      prefix: 'acme-gk',
      region: 'eu-west-1',
      gatekeeperId: 'acme-prod',
      vendorOrigins: ['https://reports.vendor.example'],
      vendorKeys: [expect.objectContaining({ kid: 'vendor-2026-12' })],
      gatekeeperKeys: [{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }],
      acl: {
        countriesAllow: [...DEFAULT_COUNTRIES],
        maxGrantTtlSeconds: 900,
        cosignTtlSeconds: 300,
        clockSkewSeconds: 30,
        refreshSeconds: 60,
        replicaRegions: [],
      },
      dataBucket: {
        name: 'acme-gk-data',
        existing: false,
        replaceExistingPolicy: false,
        region: 'eu-west-1',
        encryption: 'AES256',
        lifecycle: { infrequentAccessAfterDays: null, expireAfterDays: null, noncurrentExpireAfterDays: null },
      },
      distribution: { priceClass: 'PriceClass_100', aliases: [], certificateArn: null, logging: null },
      audit: {
        retentionDays: 400,
        bufferingSizeMb: 64,
        bufferingIntervalSeconds: 300,
        streamRetentionHours: 24,
        timeoutMs: 1500,
        failOpen: false,
        athenaResultsExpireDays: 30,
      },
      secretRecoveryWindowDays: 7,
      tags: {},
      backend: null,
    });
    expect(DEFAULT_COUNTRIES).toEqual(['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL']);
  });

  it('keeps explicit values', () => {
    const c = parseStackConfig(
      stackInput({
        stackName: 'gk-prod',
        acl: { countriesAllow: ['DE', 'FR'], refreshSeconds: 30, replicaRegions: ['us-east-1'] },
        dataBucket: { name: 'x-data', existing: true, replaceExistingPolicy: true, region: 'us-west-2' },
        distribution: { priceClass: 'PriceClass_200', aliases: ['files.acme.example'] },
        audit: { retentionDays: 2555, failOpen: true },
        secretRecoveryWindowDays: 0,
        tags: { team: 'platform' },
        backend: { s3: { bucket: 'acme-tf-state', key: 'gk/terraform.tfstate' } },
      }),
    );
    expect(c.stackName).toBe('gk-prod');
    expect(c.acl).toMatchObject({ countriesAllow: ['DE', 'FR'], refreshSeconds: 30, replicaRegions: ['us-east-1'] });
    expect(c.dataBucket).toMatchObject({ name: 'x-data', existing: true, replaceExistingPolicy: true, region: 'us-west-2' });
    expect(c.distribution).toMatchObject({ priceClass: 'PriceClass_200', aliases: ['files.acme.example'], certificateArn: null });
    expect(c.audit).toMatchObject({ retentionDays: 2555, failOpen: true });
    expect(c.secretRecoveryWindowDays).toBe(0);
    expect(c.tags).toEqual({ team: 'platform' });
    expect(c.backend).toEqual({ s3: { bucket: 'acme-tf-state', key: 'gk/terraform.tfstate', region: 'eu-west-1', useLockfile: true } });
  });

  it('accepts an existing bucket with the explicit consent to replace its policy', () => {
    const c = parseStackConfig(stackInput({ dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true } }));
    expect(c.dataBucket).toMatchObject({ existing: true, replaceExistingPolicy: true });
  });

  it('accepts an audit timeout and ACL regions that exactly fill the gate\'s 4500 ms budget', () => {
    // 3300 + 300 x (1 home + 3 replicas) = 4500
    const c = parseStackConfig(stackInput({ audit: { timeoutMs: 3300 }, acl: { replicaRegions: ['us-east-1', 'ap-southeast-2', 'eu-central-1'] } }));
    expect(c.audit.timeoutMs).toBe(3300);
    // the default 1500 ms leaves room for 10 regions (home + 9 replicas)
    const nine = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-central-1', 'eu-west-2', 'eu-west-3', 'ap-southeast-1', 'ap-southeast-2'];
    expect(parseStackConfig(stackInput({ acl: { replicaRegions: nine } })).acl.replicaRegions).toHaveLength(9);
  });

  it('accepts the shipped example file', () => {
    const c = loadStackConfig(join(__dirname, '..', '..', 'infra', 'gatekeeper.stack.example.json'));
    expect(c.prefix).toBe('acme-gk');
    expect(c.gatekeeperKeys).toHaveLength(1);
  });
});

describe('isB64uKey32', () => {
  it('accepts canonical 32-byte b64u only', () => {
    expect(isB64uKey32(GK_KEY.publicKey)).toBe(true);
    expect(isB64uKey32(`${GK_KEY.publicKey}=`)).toBe(false);
    expect(isB64uKey32(GK_KEY.publicKey.slice(0, 42))).toBe(false);
    // Same bytes, but a non-zero unused trailing bit: not canonical.
    const last = GK_KEY.publicKey.slice(-1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bumped = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) & 3) ^ 1)];
    expect(isB64uKey32(GK_KEY.publicKey.slice(0, 42) + bumped)).toBe(false);
  });
});

describe('names and the build config', () => {
  it('derives every name from the prefix', () => {
    expect(stackNames({ prefix: 'acme-gk' })).toMatchObject({
      aclSecret: 'acme-gk-acl',
      signingKeySecret: 'acme-gk-signing-key',
      auditStream: 'acme-gk-audit',
      gateFunction: 'acme-gk-gate',
      cosignerFunction: 'acme-gk-cosigner',
      glueDatabase: 'acme_gk_audit',
      glueTable: 'audit',
      athenaWorkgroup: 'acme-gk-audit',
    });
  });

  it('builds a config the edge accepts, before any resource exists', () => {
    const c = parseStackConfig(stackInput({ acl: { replicaRegions: ['us-east-1'], refreshSeconds: 45 }, audit: { timeoutMs: 900, failOpen: true } }));
    const bc = buildConfigFor(c);
    expect(bc).toEqual({
      gatekeeperId: 'acme-prod',
      aclSecretId: 'acme-gk-acl',
      aclSecretRegions: ['eu-west-1', 'us-east-1'],
      aclTtlSeconds: 45,
      signingKeySecretId: 'acme-gk-signing-key',
      signingKeySecretRegion: 'eu-west-1',
      auditStreamName: 'acme-gk-audit',
      auditStreamRegion: 'eu-west-1',
      auditTimeoutMs: 900,
      auditFailOpen: true,
      vendorOrigins: ['https://reports.vendor.example'],
      bucket: 'acme-gk-data',
      bucketRegion: 'eu-west-1',
      endpoints: {},
    });
    expect(parseBuildConfig(JSON.parse(JSON.stringify(bc)))).toEqual(bc);
  });

  it('an existing bucket in another region is named with its own region', () => {
    const bc = buildConfigFor(parseStackConfig(stackInput({ dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true, region: 'us-west-2' } })));
    expect(bc.bucket).toBe('theirs');
    expect(bc.bucketRegion).toBe('us-west-2');
  });

  it('loadStackConfig reads a file', () => {
    const dir = tempDir('gk-cfg-');
    const f = join(dir, 'gatekeeper.stack.json');
    writeFileSync(f, JSON.stringify(stackInput({ prefix: 'other-gk' })));
    expect(loadStackConfig(f).prefix).toBe('other-gk');
  });
});
