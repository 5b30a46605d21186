import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration, type S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { policyJson, tlsOnlyStatement, type PolicyStatement } from './tf';

export interface PrivateBucketProps {
  /** Exact name, or a prefix Terraform completes with a unique suffix. */
  name: { bucket: string } | { bucketPrefix: string };
  encryption: { algorithm: 'AES256' } | { algorithm: 'aws:kms'; kmsKeyArn: string };
  /** Compliance-mode Object Lock: no one, root included, can delete or overwrite a locked version. */
  objectLockRetentionDays?: number;
  lifecycleRules?: S3BucketLifecycleConfigurationRule[];
  /** Only for buckets whose content can be recreated (Athena results). */
  forceDestroy?: boolean;
  /**
   * Terraform refuses any plan that would delete the bucket (a renamed prefix,
   * a config switched to `existing`); scripts/infra/destroy.sh removes such
   * buckets from the state before it destroys the rest.
   */
  preventDestroy?: boolean;
}

/**
 * A bucket with every guard on: all four Block Public Access settings,
 * BucketOwnerEnforced (ACLs off), default encryption, versioning, and a policy
 * that denies any request without TLS.
 */
export class PrivateBucket extends Construct {
  readonly bucket: S3Bucket;
  private readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, props: PrivateBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, 'bucket', {
      ...props.name,
      objectLockEnabled: props.objectLockRetentionDays !== undefined ? true : undefined,
      forceDestroy: props.forceDestroy ?? false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public-access-block', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    const enc = props.encryption;
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [
        enc.algorithm === 'AES256'
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: enc.kmsKeyArn }, bucketKeyEnabled: true },
      ],
    });
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    if (props.objectLockRetentionDays !== undefined) {
      new S3BucketObjectLockConfigurationA(this, 'object-lock', {
        bucket: this.bucket.id,
        rule: { defaultRetention: { mode: 'COMPLIANCE', days: props.objectLockRetentionDays } },
        dependsOn: [versioning],
      });
    }
    if (props.lifecycleRules && props.lifecycleRules.length > 0) {
      new S3BucketLifecycleConfiguration(this, 'lifecycle', {
        bucket: this.bucket.id,
        rule: props.lifecycleRules,
        dependsOn: [versioning],
      });
    }
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get name(): string {
    return this.bucket.bucket;
  }

  /** The bucket policy: TLS-only deny plus the given statements. Call once. */
  addPolicy(statements: PolicyStatement[] = []): S3BucketPolicy {
    return new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyJson([tlsOnlyStatement(this.bucket.arn), ...statements]),
      // S3 rejects a policy written while Block Public Access is still being applied.
      dependsOn: [this.publicAccessBlock],
    });
  }
}
