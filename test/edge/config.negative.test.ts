import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseBuildConfig } from '../../edge/config';

const example = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '..', '..', 'gatekeeper.build.example.json'), 'utf8'));

const CASES: [string, Record<string, unknown>, string][] = [
  ['an unknown field', { gatekeeperID: 'x' }, 'gatekeeperID: unknown field'],
  ['a bad gatekeeper id', { gatekeeperId: 'has space' }, 'gatekeeperId:'],
  ['no regions', { aclSecretRegions: [] }, 'aclSecretRegions:'],
  ['a bad region', { aclSecretRegions: ['us-east-1', 'mars'] }, 'aclSecretRegions[1]: not an AWS region'],
  ['a TTL of 0', { aclTtlSeconds: 0 }, 'aclTtlSeconds:'],
  ['an audit timeout beyond the viewer-request budget', { auditTimeoutMs: 5000 }, 'auditTimeoutMs:'],
  ['a vendor origin with a path', { vendorOrigins: ['https://v.example/app'] }, 'vendorOrigins[0]:'],
  ['a vendor origin with a trailing slash', { vendorOrigins: ['https://v.example/'] }, 'vendorOrigins[0]:'],
  ['a wildcard origin', { vendorOrigins: ['*'] }, 'vendorOrigins[0]:'],
  ['a string for fail-open', { auditFailOpen: 'yes' }, 'auditFailOpen:'],
  ['an unknown endpoint', { endpoints: { athena: 'http://x' } }, 'endpoints.athena: unknown field'],
  ['an audit timeout that leaves too little for 3 ACL regions', { auditTimeoutMs: 3700, aclSecretRegions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] }, 'auditTimeoutMs: with 3 ACL region(s) must be at most 3600'],
  ['a bucket name with capitals', { bucket: 'My-Bucket' }, 'bucket:'],
];

describe('parseBuildConfig rejects, naming the field', () => {
  it.each(CASES)('%s', (_n, over, message) => {
    const run = () => parseBuildConfig({ ...example(), ...over });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => parseBuildConfig([])).toThrow('(root): must be a JSON object');
  });
});
