import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseStackConfig } from '../../../infra/config';
import { shellQuote, stackInfo } from '../../../scripts/infra/stack-info';
import { stackInput } from '../../infra/fixture';
import { ROOT } from './stubs';

describe('stack-info', () => {
  it('derives what the runbooks need from the stack config', () => {
    const info = stackInfo(parseStackConfig(stackInput({ stackName: 'gk-prod', acl: { refreshSeconds: 45 } })), '/x/cdktf.out');
    expect(info).toEqual({
      GK_STACK_NAME: 'gk-prod',
      GK_STACK_DIR: '/x/cdktf.out/stacks/gk-prod',
      GK_REGION: 'eu-west-1',
      GK_EDGE_REGION: 'us-east-1',
      GK_ACL_SECRET: 'acme-gk-acl',
      GK_ACL_REPLICA_REGIONS: '',
      GK_SIGNING_SECRET: 'acme-gk-signing-key',
      GK_GATE_FUNCTION: 'acme-gk-gate',
      GK_COSIGNER_FUNCTION: 'acme-gk-cosigner',
      GK_ACL_REFRESH_SECONDS: '45',
      GK_COSIGN_TTL_SECONDS: '300',
      GK_CLOCK_SKEW_SECONDS: '30',
      GK_GATEKEEPER_ID: 'acme-prod',
      GK_DATA_BUCKET: 'acme-gk-data',
      GK_DATA_BUCKET_EXISTING: 'false',
    });
  });

  it('lists the ACL replica regions and says when the data bucket is not the stack\'s', () => {
    const info = stackInfo(
      parseStackConfig(stackInput({ acl: { replicaRegions: ['us-east-1', 'ap-southeast-2'] }, dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true } })),
      '/x/cdktf.out',
    );
    expect(info).toMatchObject({ GK_ACL_REPLICA_REGIONS: 'us-east-1 ap-southeast-2', GK_DATA_BUCKET: 'theirs', GK_DATA_BUCKET_EXISTING: 'true' });
  });

  it('quotes values so bash reads them back unchanged', () => {
    const nasty = `a'b "c" $(rm -rf x) \`d\` \\ e`;
    const r = spawnSync('bash', ['-c', `eval "V=${shellQuote(nasty).replace(/(["$`\\])/g, '\\$1')}"; printf %s "$V"`], { encoding: 'utf8' });
    expect(r.stdout).toBe(nasty);
  });

  it('--retain filters terraform state list output', () => {
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'infra', 'stack-info.ts'), '--retain'], {
      input: 'aws_s3_bucket.data_bucket_store_bucket\naws_s3_bucket_policy.data_bucket_store_policy\naws_s3_bucket_policy.data_bucket_policy\naws_lambda_function.edge_gate\naws_s3_bucket.audit_store_bucket\n',
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('aws_s3_bucket.data_bucket_store_bucket\naws_s3_bucket_policy.data_bucket_policy\naws_s3_bucket.audit_store_bucket\n');
  });
});
