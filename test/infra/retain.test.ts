import { retainedOnDestroy } from '../../infra/retain';
import { synthStack, type Json } from './fixture';

function addresses(json: Json): string[] {
  return Object.entries(json.resource as Json).flatMap(([type, byName]) => Object.keys(byName as Json).map((n) => `${type}.${n}`));
}

describe('what destroy.sh keeps', () => {
  it('the data bucket with its settings and KMS key, and the whole audit bucket; nothing else', () => {
    // Act
    const kept = addresses(synthStack({ dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms', lifecycle: { expireAfterDays: 90 } } }).json)
      .filter(retainedOnDestroy)
      .sort();
    // Assess
    expect(kept).toEqual([
      'aws_kms_alias.data_bucket_key_alias',
      'aws_kms_key.data_bucket_key',
      'aws_kms_key_policy.data_bucket_key_policy',
      'aws_s3_bucket.audit_store_bucket',
      'aws_s3_bucket.data_bucket_store_bucket',
      'aws_s3_bucket_lifecycle_configuration.data_bucket_store_lifecycle',
      'aws_s3_bucket_object_lock_configuration.audit_store_object_lock',
      'aws_s3_bucket_ownership_controls.audit_store_ownership',
      'aws_s3_bucket_ownership_controls.data_bucket_store_ownership',
      'aws_s3_bucket_policy.audit_store_policy',
      'aws_s3_bucket_public_access_block.audit_store_public_access_block',
      'aws_s3_bucket_public_access_block.data_bucket_store_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration.audit_store_encryption',
      'aws_s3_bucket_server_side_encryption_configuration.data_bucket_store_encryption',
      'aws_s3_bucket_versioning.audit_store_versioning',
      'aws_s3_bucket_versioning.data_bucket_store_versioning',
    ]);
  });

  it('an existing data bucket keeps nothing of ours but the audit bucket', () => {
    const kept = addresses(synthStack({ dataBucket: { name: 'theirs', existing: true } }).json).filter(retainedOnDestroy);
    expect(kept.every((a) => a.includes('.audit_store_'))).toBe(true);
    expect(kept).not.toContain('aws_s3_bucket_policy.data_bucket_policy');
  });
});
