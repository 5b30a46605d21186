import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBuildConfig } from '../../edge/config';

const example = (): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '..', '..', 'gatekeeper.build.example.json'), 'utf8'));

describe('parseBuildConfig', () => {
  it('accepts the shipped example and fills defaults', () => {
    const c = parseBuildConfig(example());
    expect(c).toMatchObject({ gatekeeperId: 'gk-example', aclTtlSeconds: 60, auditTimeoutMs: 1500, auditFailOpen: false, endpoints: {} });
  });

  it('defaults the regions of the signing key and bucket to the first ACL region', () => {
    const e = example();
    delete e.signingKeySecretRegion;
    delete e.bucketRegion;
    e.aclSecretRegions = ['eu-west-1', 'us-east-1'];
    const c = parseBuildConfig(e);
    expect([c.signingKeySecretRegion, c.bucketRegion]).toEqual(['eu-west-1', 'eu-west-1']);
  });

  it('takes local endpoints', () => {
    const c = parseBuildConfig({ ...example(), endpoints: { kinesis: 'http://127.0.0.1:4567' } });
    expect(c.endpoints).toEqual({ kinesis: 'http://127.0.0.1:4567' });
  });
});
