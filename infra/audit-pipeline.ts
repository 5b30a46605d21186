import { Construct } from 'constructs';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogStream } from '@cdktf/provider-aws/lib/cloudwatch-log-stream';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { AUDIT_COLUMNS, AUDIT_COLUMN_TYPES } from '../edge/core/audit';
import { listSavedQueries, renderSavedQuery } from './queries';
import type { StackConfig, StackNames } from './config';
import { PrivateBucket } from './private-bucket';
import { policyJson, tfLiteral, trustPolicy, type PolicyStatement } from './tf';

export interface AuditPipelineProps {
  config: StackConfig;
  names: StackNames;
  partition: string;
  accountId: string;
  /** Directory of the saved queries (infra/queries by default). */
  queriesDir?: string;
}

/** Where Firehose writes: Hive-style `dt=` partitions, UTC days of arrival. */
export const AUDIT_PREFIX = 'audit/dt=!{timestamp:yyyy-MM-dd}/';
export const AUDIT_ERROR_PREFIX = 'audit-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/';
/** First day the `dt` partition projection covers. */
export const AUDIT_PROJECTION_START = '2026-01-01';
export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';

/**
 * Object-level actions that would hide or unprotect an audit record. Object
 * Lock stops the deletion of a locked *version*, but a DeleteObject without a
 * version id still succeeds: it adds a delete marker, and Athena (which reads
 * current versions) no longer sees the record.
 */
export const AUDIT_RECORD_PROTECTED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
];

/**
 * The audit bucket's policy beside the TLS deny: nobody (root and the
 * Terraform deployer included) may delete, re-lock or unlock a record or put a
 * lifecycle rule on the bucket (expiry writes delete markers too), and only
 * Firehose's role may write objects, so no one can drop forged Parquet under
 * `audit/`. Changing this takes a bucket-policy change, which CloudTrail records.
 * Firehose needs only PutObject, AbortMultipartUpload, GetObject, ListBucket*
 * and GetBucketLocation, none of which is denied to it.
 */
export function auditStoreStatements(bucketArn: string, firehoseRoleArn: string): PolicyStatement[] {
  return [
    { Sid: 'DenyAuditRecordRemoval', Effect: 'Deny', Principal: '*', Action: AUDIT_RECORD_PROTECTED_ACTIONS, Resource: `${bucketArn}/*` },
    { Sid: 'DenyLifecycleExpiry', Effect: 'Deny', Principal: '*', Action: 's3:PutLifecycleConfiguration', Resource: bucketArn },
    {
      Sid: 'OnlyFirehoseWritesRecords',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${bucketArn}/*`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': firehoseRoleArn } },
    },
  ];
}

/**
 * Edge → Kinesis (on-demand, KMS) → Firehose (JSON → Parquet through the Glue
 * schema) → an Object Lock (compliance) bucket, queried through Athena with
 * partition projection on `dt` and the saved queries of infra/queries.
 */
export class AuditPipeline extends Construct {
  readonly stream: KinesisStream;
  readonly store: PrivateBucket;
  readonly results: PrivateBucket;
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly firehose: KinesisFirehoseDeliveryStream;
  readonly workgroup: AthenaWorkgroup;
  readonly namedQueries: AthenaNamedQuery[];

  constructor(scope: Construct, id: string, p: AuditPipelineProps) {
    super(scope, id);
    const { config: c, names: n } = p;

    this.stream = new KinesisStream(this, 'stream', {
      name: n.auditStream,
      streamModeDetails: { streamMode: 'ON_DEMAND' },
      encryptionType: 'KMS',
      // The AWS managed key needs no extra grants for producers or Firehose.
      kmsKeyId: 'alias/aws/kinesis',
      retentionPeriod: c.audit.streamRetentionHours,
    });

    this.store = new PrivateBucket(this, 'store', {
      name: { bucketPrefix: n.auditBucketPrefix },
      encryption: { algorithm: 'AES256' },
      objectLockRetentionDays: c.audit.retentionDays,
      preventDestroy: true,
    });

    this.database = new GlueCatalogDatabase(this, 'database', {
      name: n.glueDatabase,
      description: 'S3 Gatekeeper audit log',
    });
    const location = `s3://${this.store.name}/audit/`;
    this.table = new GlueCatalogTable(this, 'table', {
      name: n.glueTable,
      databaseName: this.database.name,
      tableType: 'EXTERNAL_TABLE',
      description: 'One row per gatekeeper decision (PROTOCOL "Audit record")',
      parameters: {
        EXTERNAL: 'TRUE',
        classification: 'parquet',
        'parquet.compression': 'SNAPPY',
        'projection.enabled': 'true',
        'projection.dt.type': 'date',
        'projection.dt.format': 'yyyy-MM-dd',
        'projection.dt.range': `${AUDIT_PROJECTION_START},NOW`,
        'projection.dt.interval': '1',
        'projection.dt.interval.unit': 'DAYS',
        // `${dt}` is Athena's placeholder, escaped so Terraform leaves it alone (`location` holds a reference).
        'storage.location.template': `${location}dt=${tfLiteral('${dt}')}/`,
      },
      partitionKeys: [{ name: 'dt', type: 'string', comment: 'UTC day, YYYY-MM-DD' }],
      storageDescriptor: {
        location,
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serDeInfo: {
          name: 'parquet',
          serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          parameters: { 'serialization.format': '1' },
        },
        columns: AUDIT_COLUMNS.map((name) => ({ name, type: AUDIT_COLUMN_TYPES[name] })),
      },
    });

    const logGroup = new CloudwatchLogGroup(this, 'firehose-logs', { name: n.firehoseLogGroup, retentionInDays: 90 });
    const logStream = new CloudwatchLogStream(this, 'firehose-log-stream', { name: 'delivery', logGroupName: logGroup.name });

    const role = new IamRole(this, 'firehose-role', {
      name: n.firehoseRole,
      // Firehose passes the stream owner's account as sts:ExternalId (its documented trust policy); aws:SourceAccount
      // is checked too wherever the service supplies it, so no other account's stream can make Firehose assume this role.
      assumeRolePolicy: trustPolicy(['firehose.amazonaws.com'], {
        StringEquals: { 'sts:ExternalId': p.accountId },
        StringEqualsIfExists: { 'aws:SourceAccount': p.accountId },
      }),
    });
    this.store.addPolicy(auditStoreStatements(this.store.arn, role.arn));
    const glue = (r: string): string => `arn:${p.partition}:glue:${c.region}:${p.accountId}:${r}`;
    const rolePolicy = new IamRolePolicy(this, 'firehose-policy', {
      name: `${n.firehoseRole}-least-privilege`,
      role: role.id,
      policy: policyJson([
        {
          Sid: 'ReadStream',
          Effect: 'Allow',
          Action: ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'],
          Resource: this.stream.arn,
        },
        {
          Sid: 'WriteAuditObjects',
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'],
          Resource: [this.store.arn, `${this.store.arn}/*`],
        },
        {
          Sid: 'ReadSchema',
          Effect: 'Allow',
          Action: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
          Resource: [glue('catalog'), glue(`database/${n.glueDatabase}`), glue(`table/${n.glueDatabase}/${n.glueTable}`)],
        },
        { Sid: 'DeliveryErrors', Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `${logGroup.arn}:*` },
      ]),
    });

    this.firehose = new KinesisFirehoseDeliveryStream(this, 'firehose', {
      name: n.firehose,
      destination: 'extended_s3',
      kinesisSourceConfiguration: { kinesisStreamArn: this.stream.arn, roleArn: role.arn },
      extendedS3Configuration: {
        roleArn: role.arn,
        bucketArn: this.store.arn,
        prefix: AUDIT_PREFIX,
        errorOutputPrefix: AUDIT_ERROR_PREFIX,
        bufferingSize: c.audit.bufferingSizeMb,
        bufferingInterval: c.audit.bufferingIntervalSeconds,
        // Parquet compresses itself; Firehose requires UNCOMPRESSED with format conversion.
        compressionFormat: 'UNCOMPRESSED',
        cloudwatchLoggingOptions: { enabled: true, logGroupName: logGroup.name, logStreamName: logStream.name },
        dataFormatConversionConfiguration: {
          enabled: true,
          inputFormatConfiguration: { deserializer: { openXJsonSerDe: { caseInsensitive: false } } },
          outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
          schemaConfiguration: {
            databaseName: this.database.name,
            tableName: this.table.name,
            roleArn: role.arn,
            region: c.region,
          },
        },
      },
      // The role's permissions must exist before Firehose validates them.
      dependsOn: [rolePolicy],
    });

    this.results = new PrivateBucket(this, 'results', {
      name: { bucketPrefix: n.athenaResultsBucketPrefix },
      encryption: { algorithm: 'AES256' },
      // Query results can always be recomputed from the locked audit objects.
      forceDestroy: true,
      lifecycleRules: [
        {
          id: 'expire-results',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: c.audit.athenaResultsExpireDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
    });
    this.results.addPolicy();

    this.workgroup = new AthenaWorkgroup(this, 'workgroup', {
      name: n.athenaWorkgroup,
      description: 'S3 Gatekeeper audit queries (results encrypted, settings enforced)',
      forceDestroy: true,
      configuration: {
        // Pinned so the saved queries always run on the Trino dialect they are written (and tested) for.
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${this.results.name}/results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });

    this.namedQueries = listSavedQueries(p.queriesDir).map(
      (q) =>
        new AthenaNamedQuery(this, `query-${q.name}`, {
          name: q.name,
          description: q.description.slice(0, 1024),
          database: this.database.name,
          workgroup: this.workgroup.name,
          query: tfLiteral(renderSavedQuery(q)),
        }),
    );
  }
}
