import { Construct } from 'constructs';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import type { S3BucketLifecycleConfigurationRule } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import type { StackConfig } from './config';
import { stackNames } from './config';
import { PrivateBucket } from './private-bucket';
import { policyJson, tlsOnlyStatement, type PolicyStatement } from './tf';

export interface DataBucketProps {
  config: StackConfig;
  partition: string;
  accountId: string;
}

export interface DataBucketGrants {
  distributionArn: string;
  cosignerRoleArn: string;
}

/**
 * The customer's objects. Either a private bucket made here or, with
 * `dataBucket.existing`, a bucket the customer already has, to which the stack
 * only adds the policy. The policy admits exactly two principals: CloudFront
 * for this one distribution (objects) and the cosigner's role (listing).
 */
export class DataBucket extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly regionalDomainName: string;
  readonly region: string;
  private readonly created: PrivateBucket | null;
  private readonly key: KmsKey | null;
  private readonly props: DataBucketProps;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    this.props = props;
    const d = props.config.dataBucket;
    this.region = d.region;
    if (d.existing) {
      this.created = null;
      this.key = null;
      this.name = d.name;
      this.arn = `arn:${props.partition}:s3:::${d.name}`;
      this.regionalDomainName = `${d.name}.s3.${d.region}.amazonaws.com`;
      return;
    }
    this.key =
      d.encryption === 'aws:kms'
        ? new KmsKey(this, 'key', {
            description: `${props.config.prefix} data bucket (SSE-KMS)`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
          })
        : null;
    if (this.key) new KmsAlias(this, 'key-alias', { name: stackNames(props.config).dataBucketKeyAlias, targetKeyId: this.key.keyId });
    this.created = new PrivateBucket(this, 'store', {
      name: { bucket: d.name },
      encryption: this.key ? { algorithm: 'aws:kms', kmsKeyArn: this.key.arn } : { algorithm: 'AES256' },
      lifecycleRules: lifecycleRules(props.config),
      preventDestroy: true,
    });
    this.name = this.created.name;
    this.arn = this.created.arn;
    this.regionalDomainName = this.created.bucket.bucketRegionalDomainName;
  }

  /** The bucket policy (and with SSE-KMS the key policy), once the distribution and role exist. */
  grant(g: DataBucketGrants): void {
    const statements: PolicyStatement[] = [
      {
        Sid: 'CloudFrontThisDistributionOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `${this.arn}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': g.distributionArn } },
      },
      {
        Sid: 'CosignerListsBucket',
        Effect: 'Allow',
        Principal: { AWS: g.cosignerRoleArn },
        Action: 's3:ListBucket',
        Resource: this.arn,
      },
    ];
    if (this.created) {
      this.created.addPolicy(statements);
    } else {
      new S3BucketPolicy(this, 'policy', {
        bucket: this.name,
        // Terraform owns a bucket's whole policy: an existing policy is replaced, not merged
        // (hence the required `dataBucket.replaceExistingPolicy: true`). destroy.sh keeps it.
        policy: policyJson([tlsOnlyStatement(this.arn), ...statements]),
        region: this.region === this.props.config.region ? undefined : this.region,
      });
    }
    if (this.key) {
      const { partition, accountId } = this.props;
      new KmsKeyPolicy(this, 'key-policy', {
        keyId: this.key.keyId,
        policy: policyJson([
          {
            // Without an account statement the key could become unmanageable.
            Sid: 'AccountAdministersKey',
            Effect: 'Allow',
            Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'CloudFrontThisDistributionOnly',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'AWS:SourceArn': g.distributionArn } },
          },
        ]),
      });
    }
  }
}

function lifecycleRules(c: StackConfig): S3BucketLifecycleConfigurationRule[] {
  const l = c.dataBucket.lifecycle;
  const rules: S3BucketLifecycleConfigurationRule[] = [];
  if (l.infrequentAccessAfterDays !== null) {
    rules.push({
      id: 'infrequent-access',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      transition: [{ days: l.infrequentAccessAfterDays, storageClass: 'STANDARD_IA' }],
    });
  }
  if (l.expireAfterDays !== null) {
    rules.push({ id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: l.expireAfterDays }] });
  }
  if (l.noncurrentExpireAfterDays !== null) {
    rules.push({
      id: 'expire-noncurrent',
      status: 'Enabled',
      filter: [{ prefix: '' }],
      noncurrentVersionExpiration: [{ noncurrentDays: l.noncurrentExpireAfterDays }],
    });
  }
  return rules;
}
