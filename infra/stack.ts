import type { Construct, Node } from 'constructs';
import { S3Backend, TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AuditPipeline } from './audit-pipeline';
import { stackNames, type StackConfig, type StackNames } from './config';
import { DataBucket } from './data-bucket';
import { Distribution } from './distribution';
import { EdgeFunctions, type EdgeBundles } from './edge-functions';
import { PolicyValidation } from './policy';
import { Secrets } from './secrets';
import { EDGE_REGION } from './tf';

export interface GatekeeperStackProps {
  config: StackConfig;
  /** Zips built from `buildConfigFor(config)`; tests pass small stand-ins. */
  edgeBundles: EdgeBundles;
  /** Remove both functions from the distribution and disable it (first step of a destroy). */
  detachEdge?: boolean;
  /** Saved queries directory (default infra/queries). */
  queriesDir?: string;
}

/** Oldest Terraform that applies the synthesized JSON (S3 backend `use_lockfile` arrived in 1.10). */
export const TERRAFORM_REQUIRED_VERSION = '>= 1.10.0';

/** Alias of the us-east-1 provider in the synthesized JSON (`aws.us_east_1`). */
export const EDGE_PROVIDER_ALIAS = 'us_east_1';

/**
 * The whole gatekeeper for one customer account: providers (home region and a
 * us-east-1 alias for Lambda@Edge and ACM), the constructs, the outputs, and
 * a validation that runs infra/policy.ts over the synthesized JSON.
 */
export class GatekeeperStack extends TerraformStack {
  readonly names: StackNames;
  readonly dataBucket: DataBucket;
  readonly secrets: Secrets;
  readonly audit: AuditPipeline;
  readonly edge: EdgeFunctions;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: GatekeeperStackProps) {
    super(scope, id);
    const c = props.config;
    const names = (this.names = stackNames(c));
    const defaultTags = [{ tags: { ...c.tags, 'gatekeeper:id': c.gatekeeperId, 'gatekeeper:stack': id } }];

    new AwsProvider(this, 'aws', { region: c.region, defaultTags });
    const edgeProvider = new AwsProvider(this, 'aws-us-east-1', { alias: EDGE_PROVIDER_ALIAS, region: EDGE_REGION, defaultTags });
    // The S3 backend's use_lockfile needs Terraform 1.10; plain `terraform` gets the same floor from the JSON.
    this.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
    if (c.backend) {
      const b = c.backend.s3;
      new S3Backend(this, { bucket: b.bucket, key: b.key, region: b.region, encrypt: true });
      if (b.useLockfile) this.addOverride('terraform.backend.s3.use_lockfile', true);
    }

    const partition = new DataAwsPartition(this, 'partition').partition;
    const accountId = new DataAwsCallerIdentity(this, 'caller').accountId;

    this.dataBucket = new DataBucket(this, 'data-bucket', { config: c, partition, accountId });
    this.secrets = new Secrets(this, 'secrets', { config: c, names, partition, accountId });
    this.audit = new AuditPipeline(this, 'audit', { config: c, names, partition, accountId, queriesDir: props.queriesDir });
    this.edge = new EdgeFunctions(this, 'edge', {
      names,
      bundles: props.edgeBundles,
      edgeProvider,
      partition,
      accountId,
      auditStreamArn: this.audit.stream.arn,
      aclSecretArns: this.secrets.aclSecretArns,
      signingKeySecretArn: this.secrets.signingKey.arn,
      dataBucketArn: this.dataBucket.arn,
    });
    this.distribution = new Distribution(this, 'cdn', {
      config: c,
      names,
      dataBucketDomain: this.dataBucket.regionalDomainName,
      edge: props.detachEdge ? null : { gateArn: this.edge.gate.qualifiedArn, cosignerArn: this.edge.cosigner.qualifiedArn },
      edgeProvider,
    });
    this.dataBucket.grant({ distributionArn: this.distribution.distribution.arn, cosignerRoleArn: this.edge.cosignerRole.arn });
    this.secrets.restrictSigningKey(this.edge.cosignerRole.arn);

    const out = (name: string, value: string, description: string): void => {
      new TerraformOutput(this, name, { value, description });
    };
    out('distribution_domain', this.distribution.distribution.domainName, 'CloudFront domain the browser talks to (hand it to the vendor)');
    out('distribution_id', this.distribution.distribution.id, 'CloudFront distribution id');
    out('gatekeeper_id', c.gatekeeperId, 'The grant audience (hand it to the vendor)');
    out('acl_secret_arn', this.secrets.acl.arn, 'Secrets Manager ARN of the ACL document');
    out('signing_key_secret_arn', this.secrets.signingKey.arn, 'Secrets Manager ARN of the cosigning key (written by scripts/infra/put-signing-key.sh)');
    out('audit_stream_name', this.audit.stream.name, 'Kinesis stream of audit records');
    out('audit_bucket', this.audit.store.name, 'Object Lock bucket holding the Parquet audit log');
    out('athena_workgroup', this.audit.workgroup.name, 'Athena workgroup for the saved audit queries');
    out('athena_database', this.audit.database.name, 'Glue database of the audit table');
    out('data_bucket', this.dataBucket.name, 'Bucket behind the gatekeeper');
    if (this.distribution.certificate) {
      new TerraformOutput(this, 'certificate_validation', {
        value: this.distribution.certificate.domainValidationOptions,
        description: 'DNS records to create so ACM can issue the certificate for the aliases',
      });
    }

    this.node.addValidation(new PolicyValidation(() => this.toTerraform()));
  }

  /**
   * Readable, stable Terraform addresses (`aws_s3_bucket.audit_store_bucket`)
   * instead of hashed ones, so the JSON reads well without CDKTF and the
   * runbook scripts can name resources. Construct ids are chosen so that the
   * joined path is unique.
   */
  override allocateLogicalId(tfElement: TerraformElement | Node): string {
    const node = TerraformElement.isTerraformElement(tfElement) ? tfElement.node : tfElement;
    const parts = node.scopes.slice(node.scopes.indexOf(this) + 1).map((s) => s.node.id);
    return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
  }
}
