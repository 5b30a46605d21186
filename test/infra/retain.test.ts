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

  it('an existing data bucket: its policy is kept (never deleted), and nothing else of the data bucket exists', () => {
    // Act
    const all = addresses(synthStack({ dataBucket: { name: 'theirs', existing: true, replaceExistingPolicy: true } }).json);
    const kept = all.filter(retainedOnDestroy);
    // Assess
    expect(all.filter((a) => a.includes('.data_bucket_'))).toEqual(['aws_s3_bucket_policy.data_bucket_policy']);
    expect(kept.filter((a) => !a.includes('.audit_store_'))).toEqual(['aws_s3_bucket_policy.data_bucket_policy']);
  });

  it("the policy of a bucket the stack created is destroyed with the stack's principals", () => {
    expect(retainedOnDestroy('aws_s3_bucket_policy.data_bucket_store_policy')).toBe(false);
    expect(retainedOnDestroy('aws_s3_bucket_policy.data_bucket_policy')).toBe(true);
  });

  it('every bucket but the recomputable Athena results is kept, and Terraform itself refuses to delete them', () => {
    for (const over of [{}, { dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms' } }]) {
      const { json } = synthStack(over);
      const buckets = Object.keys(json.resource.aws_s3_bucket as Json).map((n) => `aws_s3_bucket.${n}`);
      expect(buckets.filter((b) => !retainedOnDestroy(b))).toEqual(['aws_s3_bucket.audit_results_bucket']);
      for (const b of buckets.filter(retainedOnDestroy)) {
        expect({ b, lifecycle: json.resource.aws_s3_bucket[b.split('.')[1]].lifecycle }).toEqual({ b, lifecycle: { prevent_destroy: true } });
      }
      expect(json.resource.aws_s3_bucket.audit_results_bucket.lifecycle).toBeUndefined();
    }
  });
});
