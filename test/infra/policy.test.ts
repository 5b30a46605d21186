import { Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { parseStackConfig } from '../../infra/config';
import { checkPolicy, formatViolation, POLICY_EXCEPTIONS } from '../../infra/policy';
import { GatekeeperStack } from '../../infra/stack';
import { dummyBundles, stackInput, synthStack, testApp } from './fixture';

describe('the stack passes its own policy', () => {
  const variants: [string, Record<string, unknown>, { detachEdge?: boolean }][] = [
    ['defaults', {}, {}],
    ['SSE-KMS, lifecycle, replicas', { dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms', lifecycle: { expireAfterDays: 30 } }, acl: { replicaRegions: ['us-east-1'] } }, {}],
    ['existing bucket', { dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true, region: 'us-west-2' } }, {}],
    ['aliases, certificate request, logging', { distribution: { aliases: ['f.acme.example'], logging: { bucket: 'acme-logs' } } }, {}],
    ['detached for destroy', {}, { detachEdge: true }],
  ];

  it.each(variants)('%s', (_name, over, opts) => {
    // Act
    const { json } = synthStack(over, opts);
    // Assess
    expect(checkPolicy(json).map(formatViolation)).toEqual([]);
  });

  it('runs as a stack validation at synth', () => {
    const stack = new GatekeeperStack(testApp(), 'gatekeeper', { config: parseStackConfig(stackInput()), edgeBundles: dummyBundles() });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it('fails synth when a construct breaks a rule', () => {
    // Prepare: a bucket added without public access block or encryption
    const stack = new GatekeeperStack(testApp(), 'gatekeeper', { config: parseStackConfig(stackInput()), edgeBundles: dummyBundles() });
    new S3Bucket(stack, 'stray', { bucket: 'stray-bucket' });
    // Act, Assess
    expect(() => Testing.synth(stack, true)).toThrow(/\[bucket-public-access\] aws_s3_bucket\.stray: needs a public access block/);
    expect(() => Testing.synth(stack, true)).toThrow(/\[bucket-encryption\] aws_s3_bucket\.stray/);
  });

  it('documents its exceptions', () => {
    expect(POLICY_EXCEPTIONS).toEqual([expect.objectContaining({ rule: 'iam-wildcard', resourceTypes: ['aws_kms_key', 'aws_kms_key_policy'] })]);
  });
});
