import 'cdktf/lib/testing/adapters/jest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { CloudfrontDistribution } from '@cdktf/provider-aws/lib/cloudfront-distribution';
import { CloudfrontOriginAccessControl } from '@cdktf/provider-aws/lib/cloudfront-origin-access-control';
import { GlueCatalogTable } from '@cdktf/provider-aws/lib/glue-catalog-table';
import { KinesisFirehoseDeliveryStream } from '@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream';
import { KinesisStream } from '@cdktf/provider-aws/lib/kinesis-stream';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { AUDIT_COLUMNS, AUDIT_COLUMN_TYPES } from '../../edge/core/audit';
import { parseAclText } from '../../edge/core/acl';
import { buildConfigFor, parseStackConfig } from '../../infra/config';
import { GATEKEEPER_ORIGIN_HEADERS, S3_ORIGIN_HEADERS } from '../../infra/distribution';
import { listSavedQueries, renderSavedQuery } from '../../infra/queries';
import { CACHING_DISABLED_POLICY_ID } from '../../infra/tf';
import { dummyBundles, GK_KEY, names, policyOf, res, sha256b64, stackInput, statement, synthStack, VENDOR_KEY, tempDir, type Synthesized } from './fixture';

beforeAll(() => Testing.setupJest());

const LIFECYCLE = { infrequentAccessAfterDays: 30, expireAfterDays: 367, noncurrentExpireAfterDays: 30 };

let base: Synthesized;
beforeAll(() => {
  base = synthStack({
    acl: { replicaRegions: ['us-east-1', 'ap-southeast-2'] },
    dataBucket: { name: 'acme-gk-data', lifecycle: LIFECYCLE },
  });
});

describe('providers', () => {
  it('has the home region provider and a us-east-1 alias', () => {
    expect(base.text).toHaveProviderWithProperties(AwsProvider, { region: 'eu-west-1' });
    expect(base.text).toHaveProviderWithProperties(AwsProvider, { alias: 'us_east_1', region: 'us-east-1' });
  });
});

describe('1. data bucket', () => {
  const bucket = 'data_bucket_store_bucket';

  it('is private: all four public access blocks, BucketOwnerEnforced, versioned', () => {
    expect(base.text).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      bucket: `\${aws_s3_bucket.${bucket}.id}`,
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(base.text).toHaveResourceWithProperties(S3BucketOwnershipControls, {
      bucket: `\${aws_s3_bucket.${bucket}.id}`,
      rule: { object_ownership: 'BucketOwnerEnforced' },
    });
    expect(base.text).toHaveResourceWithProperties(S3BucketVersioningA, {
      bucket: `\${aws_s3_bucket.${bucket}.id}`,
      versioning_configuration: { status: 'Enabled' },
    });
    expect(res(base.json, 'aws_s3_bucket', bucket)).toMatchObject({ bucket: 'acme-gk-data', force_destroy: false });
  });

  it('defaults to SSE-S3 (AES256)', () => {
    const enc = res(base.json, 'aws_s3_bucket_server_side_encryption_configuration', 'data_bucket_store_encryption');
    expect(enc.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
    expect(names(base.json, 'aws_kms_key')).toEqual([]);
  });

  it('has a policy: TLS-only deny, CloudFront for this distribution, ListBucket for the cosigner role, nothing else', () => {
    const p = policyOf(res(base.json, 'aws_s3_bucket_policy', 'data_bucket_store_policy'));
    const arn = `\${aws_s3_bucket.${bucket}.arn}`;
    expect(p.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'CloudFrontThisDistributionOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `${arn}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': '${aws_cloudfront_distribution.cdn_distribution.arn}' } },
      },
      {
        Sid: 'CosignerListsBucket',
        Effect: 'Allow',
        Principal: { AWS: '${aws_iam_role.edge_cosigner_role.arn}' },
        Action: 's3:ListBucket',
        Resource: arn,
      },
    ]);
  });

  it('applies the configured lifecycle rules (infrequent access at 30 days, expiry at 367)', () => {
    const rules = res(base.json, 'aws_s3_bucket_lifecycle_configuration', 'data_bucket_store_lifecycle').rule as Record<string, unknown>[];
    expect(rules).toEqual([
      { id: 'infrequent-access', status: 'Enabled', filter: [{ prefix: '' }], transition: [{ days: 30, storage_class: 'STANDARD_IA' }] },
      { id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: 367 }] },
      { id: 'expire-noncurrent', status: 'Enabled', filter: [{ prefix: '' }], noncurrent_version_expiration: [{ noncurrent_days: 30 }] },
    ]);
  });

  it('has no lifecycle rules unless configured', () => {
    const { json } = synthStack();
    expect(names(json, 'aws_s3_bucket_lifecycle_configuration')).toEqual(['audit_results_lifecycle']);
  });

  it('with SSE-KMS: a rotating key whose policy admits CloudFront for this distribution only', () => {
    const { json } = synthStack({ dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms' } });
    expect(res(json, 'aws_kms_key', 'data_bucket_key')).toMatchObject({ enable_key_rotation: true });
    const enc = res(json, 'aws_s3_bucket_server_side_encryption_configuration', 'data_bucket_store_encryption');
    expect(enc.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.data_bucket_key.arn}' }, bucket_key_enabled: true },
    ]);
    const kp = res(json, 'aws_kms_key_policy', 'data_bucket_key_policy');
    expect(statement(kp, 'CloudFrontThisDistributionOnly')).toEqual({
      Sid: 'CloudFrontThisDistributionOnly',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'AWS:SourceArn': '${aws_cloudfront_distribution.cdn_distribution.arn}' } },
    });
    expect(policyOf(kp).Statement.map((s) => s.Sid)).toEqual(['AccountAdministersKey', 'CloudFrontThisDistributionOnly']);
  });

  it('bring your own bucket: no bucket resources, only the policy statements', () => {
    const { json } = synthStack({ dataBucket: { name: 'customer-existing', existing: true, replaceExistingPolicy: true, region: 'eu-central-1' } });
    expect(names(json, 'aws_s3_bucket')).toEqual(['audit_results_bucket', 'audit_store_bucket']);
    expect(names(json, 'aws_s3_bucket_public_access_block')).not.toContain('data_bucket_store_public_access_block');
    const pol = res(json, 'aws_s3_bucket_policy', 'data_bucket_policy');
    expect(pol.bucket).toBe('customer-existing');
    expect(pol.region).toBe('eu-central-1');
    expect(policyOf(pol).Statement.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', 'CloudFrontThisDistributionOnly', 'CosignerListsBucket']);
    const origin = res(json, 'aws_cloudfront_distribution', 'cdn_distribution').origin[0];
    expect(origin.domain_name).toBe('customer-existing.s3.eu-central-1.amazonaws.com');
  });
});

describe('2. CloudFront distribution', () => {
  let dist: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(() => {
    dist = res(base.json, 'aws_cloudfront_distribution', 'cdn_distribution');
  });

  it('reaches the bucket through an OAC (s3, sigv4, always)', () => {
    expect(base.text).toHaveResourceWithProperties(CloudfrontOriginAccessControl, {
      origin_access_control_origin_type: 's3',
      signing_protocol: 'sigv4',
      signing_behavior: 'always',
    });
    expect(dist.origin).toEqual([
      {
        origin_id: 'data-bucket',
        domain_name: '${aws_s3_bucket.data_bucket_store_bucket.bucket_regional_domain_name}',
        origin_access_control_id: '${aws_cloudfront_origin_access_control.cdn_oac.id}',
      },
    ]);
  });

  it('default behaviour: all methods, https only, CachingDisabled, S3-only headers, gate at viewer-request', () => {
    expect(dist.default_cache_behavior).toEqual({
      target_origin_id: 'data-bucket',
      allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
      cached_methods: ['GET', 'HEAD'],
      viewer_protocol_policy: 'https-only',
      compress: false,
      cache_policy_id: CACHING_DISABLED_POLICY_ID,
      origin_request_policy_id: '${aws_cloudfront_origin_request_policy.cdn_s3_origin_policy.id}',
      response_headers_policy_id: '${aws_cloudfront_response_headers_policy.cdn_response_headers.id}',
      lambda_function_association: [
        { event_type: 'viewer-request', lambda_arn: '${aws_lambda_function.edge_gate.qualified_arn}', include_body: false },
      ],
    });
    expect(res(base.json, 'aws_cloudfront_origin_request_policy', 'cdn_s3_origin_policy')).toMatchObject({
      cookies_config: { cookie_behavior: 'none' },
      query_strings_config: { query_string_behavior: 'none' },
      headers_config: { header_behavior: 'whitelist', headers: { items: S3_ORIGIN_HEADERS } },
    });
    // CloudFront header names are case-insensitive; the list is shared with the preflight and the local proxy.
    expect(S3_ORIGIN_HEADERS).toEqual([
      'content-type',
      'content-length',
      'x-amz-checksum-sha256',
      'range',
      'if-match',
      'if-none-match',
      'if-modified-since',
      'if-unmodified-since',
    ]);
  });

  it('/_gatekeeper/* goes to the cosigner at origin-request with the body and the viewer country', () => {
    expect(dist.ordered_cache_behavior).toHaveLength(1);
    expect(dist.ordered_cache_behavior[0]).toMatchObject({
      path_pattern: '/_gatekeeper/*',
      allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
      viewer_protocol_policy: 'https-only',
      cache_policy_id: CACHING_DISABLED_POLICY_ID,
      origin_request_policy_id: '${aws_cloudfront_origin_request_policy.cdn_gatekeeper_origin_policy.id}',
      lambda_function_association: [
        { event_type: 'origin-request', lambda_arn: '${aws_lambda_function.edge_cosigner.qualified_arn}', include_body: true },
      ],
    });
    const orp = res(base.json, 'aws_cloudfront_origin_request_policy', 'cdn_gatekeeper_origin_policy');
    expect(orp.headers_config.headers.items).toEqual(GATEKEEPER_ORIGIN_HEADERS);
    expect(orp.headers_config.headers.items.map((h: string) => h.toLowerCase())).toContain('cloudfront-viewer-country');
    expect(orp).toMatchObject({ cookies_config: { cookie_behavior: 'none' }, query_strings_config: { query_string_behavior: 'none' } });
  });

  it('response headers: HSTS, nosniff, CSP sandbox, no-referrer, CORS for the vendor origins', () => {
    const rh = res(base.json, 'aws_cloudfront_response_headers_policy', 'cdn_response_headers');
    expect(rh.security_headers_config).toMatchObject({
      strict_transport_security: { access_control_max_age_sec: 63072000, override: true },
      content_type_options: { override: true },
      content_security_policy: { content_security_policy: "default-src 'none'; sandbox", override: true },
      referrer_policy: { referrer_policy: 'no-referrer', override: true },
    });
    expect(rh.cors_config).toMatchObject({
      access_control_allow_credentials: false,
      access_control_allow_origins: { items: ['https://reports.vendor.example'] },
    });
    expect(rh.cors_config.access_control_allow_headers.items).toEqual(expect.arrayContaining(['x-gk-grant', 'x-gk-cosig', 'x-amz-checksum-sha256']));
  });

  it('IPv6 on, price class from config, default certificate without aliases, no logging by default', () => {
    expect(base.text).toHaveResourceWithProperties(CloudfrontDistribution, { is_ipv6_enabled: true, price_class: 'PriceClass_100', enabled: true });
    expect(dist.viewer_certificate).toEqual({ cloudfront_default_certificate: true, minimum_protocol_version: 'TLSv1' });
    expect(dist.logging_config).toBeUndefined();
    expect(dist.restrictions).toEqual({ geo_restriction: { restriction_type: 'none' } });
  });

  it('aliases without a certificate: requests a DNS-validated ACM certificate in us-east-1, TLS 1.2 minimum', () => {
    const { json } = synthStack({ distribution: { aliases: ['files.acme.example'], priceClass: 'PriceClass_All' } });
    expect(res(json, 'aws_acm_certificate', 'cdn_certificate')).toMatchObject({
      provider: 'aws.us_east_1',
      domain_name: 'files.acme.example',
      validation_method: 'DNS',
    });
    expect(res(json, 'aws_acm_certificate_validation', 'cdn_certificate_validation')).toMatchObject({ provider: 'aws.us_east_1' });
    const d = res(json, 'aws_cloudfront_distribution', 'cdn_distribution');
    expect(d.aliases).toEqual(['files.acme.example']);
    expect(d.price_class).toBe('PriceClass_All');
    expect(d.viewer_certificate).toEqual({
      acm_certificate_arn: '${aws_acm_certificate_validation.cdn_certificate_validation.certificate_arn}',
      ssl_support_method: 'sni-only',
      minimum_protocol_version: 'TLSv1.2_2021',
    });
    expect(json.output.certificate_validation.value).toContain('aws_acm_certificate.cdn_certificate.domain_validation_options');
  });

  it('aliases with a given certificate ARN and standard logging', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234';
    const { json } = synthStack({
      distribution: { aliases: ['files.acme.example'], certificateArn: arn, logging: { bucket: 'acme-logs', prefix: 'gk/' } },
    });
    expect(names(json, 'aws_acm_certificate')).toEqual([]);
    const d = res(json, 'aws_cloudfront_distribution', 'cdn_distribution');
    expect(d.viewer_certificate.acm_certificate_arn).toBe(arn);
    expect(d.logging_config).toEqual({ bucket: 'acme-logs.s3.amazonaws.com', prefix: 'gk/', include_cookies: false });
  });

  it('detached (destroy step 1): no function associations and the distribution disabled', () => {
    const { json } = synthStack({}, { detachEdge: true });
    const d = res(json, 'aws_cloudfront_distribution', 'cdn_distribution');
    expect(d.enabled).toBe(false);
    expect(d.default_cache_behavior.lambda_function_association ?? []).toEqual([]);
    expect(d.ordered_cache_behavior[0].lambda_function_association ?? []).toEqual([]);
    expect(names(json, 'aws_lambda_function')).toEqual(['edge_cosigner', 'edge_gate']);
  });
});

describe('3. Lambda@Edge', () => {
  it('both functions: us-east-1, nodejs22.x, published, no environment, code from the given zips', () => {
    const zips = dummyBundles();
    for (const [name, zip, memory, timeout] of [
      ['gate', zips.gate, 128, 5],
      ['cosigner', zips.cosigner, 256, 10],
    ] as const) {
      const f = res(base.json, 'aws_lambda_function', `edge_${name}`);
      expect(f).toMatchObject({
        provider: 'aws.us_east_1',
        function_name: `acme-gk-${name}`,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        publish: true,
        architectures: ['x86_64'],
        memory_size: memory,
        timeout,
        role: `\${aws_iam_role.edge_${name}_role.arn}`,
        source_code_hash: sha256b64(readFileSync(zip)),
      });
      expect(f.filename).toMatch(new RegExp(`^assets/edge_${name}_code/[0-9A-F]+/${name}\\.zip$`));
      expect(f.environment).toBeUndefined();
    }
    expect(base.text).toHaveResourceWithProperties(LambdaFunction, { function_name: 'acme-gk-gate', publish: true });
  });

  it('roles are trusted by lambda.amazonaws.com and edgelambda.amazonaws.com', () => {
    for (const name of ['gate', 'cosigner']) {
      const role = res(base.json, 'aws_iam_role', `edge_${name}_role`);
      expect(JSON.parse(role.assume_role_policy)).toEqual({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
      });
    }
  });

  it('least privilege: both audit and read the ACL; only the cosigner reads the signing key and lists the bucket', () => {
    const gate = policyOf(res(base.json, 'aws_iam_role_policy', 'edge_gate_policy')).Statement;
    const cosigner = policyOf(res(base.json, 'aws_iam_role_policy', 'edge_cosigner_policy')).Statement;
    const aclArns = [
      '${aws_secretsmanager_secret.secrets_acl.arn}',
      'arn:${data.aws_partition.partition.partition}:secretsmanager:us-east-1:${data.aws_caller_identity.caller.account_id}:secret:acme-gk-acl-??????',
      'arn:${data.aws_partition.partition.partition}:secretsmanager:ap-southeast-2:${data.aws_caller_identity.caller.account_id}:secret:acme-gk-acl-??????',
    ];
    for (const st of [gate, cosigner]) {
      expect(st.find((s) => s.Sid === 'Audit')).toEqual({
        Sid: 'Audit',
        Effect: 'Allow',
        Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: '${aws_kinesis_stream.audit_stream.arn}',
      });
      expect(st.find((s) => s.Sid === 'ReadAcl')).toEqual({ Sid: 'ReadAcl', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: aclArns });
    }
    expect(gate.map((s) => s.Sid)).toEqual(['Audit', 'ReadAcl', 'EdgeLogsInAnyRegion']);
    expect(JSON.stringify(gate)).not.toContain('signing_key');
    expect(JSON.stringify(gate)).not.toContain('s3:');
    expect(cosigner.find((s) => s.Sid === 'ReadSigningKey')?.Resource).toBe('${aws_secretsmanager_secret.secrets_signing_key.arn}');
    expect(cosigner.find((s) => s.Sid === 'ListDataBucket')).toMatchObject({ Action: 's3:ListBucket', Resource: '${aws_s3_bucket.data_bucket_store_bucket.arn}' });
  });

  it('logs to /aws/lambda/us-east-1.<name> in any region', () => {
    const gate = statement(res(base.json, 'aws_iam_role_policy', 'edge_gate_policy'), 'EdgeLogsInAnyRegion');
    const group = 'arn:${data.aws_partition.partition.partition}:logs:*:${data.aws_caller_identity.caller.account_id}:log-group:/aws/lambda/us-east-1.acme-gk-gate';
    expect(gate.Resource).toEqual([group, `${group}:*`]);
    expect(gate.Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('fullSynth copies the zips into the stack directory as assets', () => {
    const out = Testing.fullSynth(base.stack);
    try {
      const f = res(JSON.parse(readFileSync(join(out, 'stacks', 'gatekeeper', 'cdk.tf.json'), 'utf8')), 'aws_lambda_function', 'edge_gate');
      expect(readFileSync(join(out, 'stacks', 'gatekeeper', f.filename), 'utf8')).toBe('PK-gate-stand-in');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('4. Secrets Manager', () => {
  it('the ACL secret: fixed name, replicas, an initial document Terraform then leaves alone', () => {
    expect(base.text).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: 'acme-gk-acl',
      replica: [{ region: 'us-east-1' }, { region: 'ap-southeast-2' }],
      recovery_window_in_days: 7,
    });
    const v = res(base.json, 'aws_secretsmanager_secret_version', 'secrets_acl_initial');
    expect(v.secret_id).toBe('${aws_secretsmanager_secret.secrets_acl.id}');
    expect(v.lifecycle).toEqual({ ignore_changes: ['secret_string'] });
    expect(JSON.parse(v.secret_string)).toEqual({
      version: 'initial',
      mode: 'enforce',
      vendorKeys: [{ kid: 'vendor-2026-12', publicKey: VENDOR_KEY.publicKey }],
      gatekeeperKeys: [{ kid: 'gk-2026-12', publicKey: GK_KEY.publicKey }],
      countries: { allow: ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'], deny: [] },
      ips: { allow: ['0.0.0.0/0', '::/0'], deny: [] },
      revoked: { jti: [], kid: [] },
      maxGrantTtlSeconds: 900,
      cosignTtlSeconds: 300,
      clockSkewSeconds: 30,
    });
    expect(parseAclText(v.secret_string).ok).toBe(true);
  });

  it('the signing-key secret has no version in Terraform, and no private key is anywhere in the JSON', () => {
    expect(res(base.json, 'aws_secretsmanager_secret', 'secrets_signing_key').name).toBe('acme-gk-signing-key');
    expect(names(base.json, 'aws_secretsmanager_secret_version')).toEqual(['secrets_acl_initial']);
    for (const seed of [GK_KEY.privateKey, VENDOR_KEY.privateKey]) expect(base.text).not.toContain(seed);
    expect(base.text).not.toMatch(/privateKey\\?"\s*:/);
  });

  it('the signing-key secret has a resource policy: GetSecretValue denied to every principal but the cosigner\'s role', () => {
    // Prepare
    const sp = res(base.json, 'aws_secretsmanager_secret_policy', 'secrets_signing_key_policy');
    // Assess
    expect(sp.secret_arn).toBe('${aws_secretsmanager_secret.secrets_signing_key.arn}');
    expect(sp.block_public_policy).toBe(true);
    expect(policyOf(sp).Statement).toEqual([
      {
        Sid: 'OnlyTheCosignerReadsTheKey',
        Effect: 'Deny',
        Principal: '*',
        // Only the read: the account can still describe, write (put-signing-key.sh), re-policy and delete it.
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': '${aws_iam_role.edge_cosigner_role.arn}' } },
      },
    ]);
    // The ACL secret, read by both functions and the runbooks, has no such policy.
    expect(names(base.json, 'aws_secretsmanager_secret_policy')).toEqual(['secrets_signing_key_policy']);
  });

  it('the build config names exactly the resources the stack creates', () => {
    const bc = buildConfigFor(parseStackConfig(stackInput({ acl: { replicaRegions: ['us-east-1', 'ap-southeast-2'] } })));
    expect(bc.aclSecretId).toBe(res(base.json, 'aws_secretsmanager_secret', 'secrets_acl').name);
    expect(bc.aclSecretRegions).toEqual(['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    expect(bc.signingKeySecretId).toBe(res(base.json, 'aws_secretsmanager_secret', 'secrets_signing_key').name);
    expect(bc.signingKeySecretRegion).toBe('eu-west-1');
    expect(bc.auditStreamName).toBe(res(base.json, 'aws_kinesis_stream', 'audit_stream').name);
    expect(bc.auditStreamRegion).toBe('eu-west-1');
    expect(bc.bucket).toBe(res(base.json, 'aws_s3_bucket', 'data_bucket_store_bucket').bucket);
    expect(bc.vendorOrigins).toEqual(['https://reports.vendor.example']);
    expect(bc.gatekeeperId).toBe('acme-prod');
  });
});

describe('5. audit pipeline', () => {
  it('Kinesis: on-demand, KMS-encrypted', () => {
    expect(base.text).toHaveResourceWithProperties(KinesisStream, {
      name: 'acme-gk-audit',
      stream_mode_details: { stream_mode: 'ON_DEMAND' },
      encryption_type: 'KMS',
      kms_key_id: 'alias/aws/kinesis',
    });
  });

  it('Firehose: reads the stream, converts JSON to Parquet through the Glue table, 64 MiB buffer, dt prefix', () => {
    expect(base.text).toHaveResourceWithProperties(KinesisFirehoseDeliveryStream, {
      destination: 'extended_s3',
      kinesis_source_configuration: { kinesis_stream_arn: '${aws_kinesis_stream.audit_stream.arn}', role_arn: '${aws_iam_role.audit_firehose_role.arn}' },
    });
    const s3 = res(base.json, 'aws_kinesis_firehose_delivery_stream', 'audit_firehose').extended_s3_configuration;
    expect(s3).toMatchObject({
      bucket_arn: '${aws_s3_bucket.audit_store_bucket.arn}',
      prefix: 'audit/dt=!{timestamp:yyyy-MM-dd}/',
      error_output_prefix: 'audit-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
      buffering_size: 64,
      buffering_interval: 300,
      compression_format: 'UNCOMPRESSED',
      data_format_conversion_configuration: {
        enabled: true,
        input_format_configuration: { deserializer: { open_x_json_ser_de: { case_insensitive: false } } },
        output_format_configuration: { serializer: { parquet_ser_de: { compression: 'SNAPPY' } } },
        schema_configuration: {
          database_name: '${aws_glue_catalog_database.audit_database.name}',
          table_name: '${aws_glue_catalog_table.audit_table.name}',
          region: 'eu-west-1',
        },
      },
    });
  });

  it('the audit bucket is private, encrypted, versioned and under compliance-mode Object Lock', () => {
    expect(res(base.json, 'aws_s3_bucket', 'audit_store_bucket')).toMatchObject({ bucket_prefix: 'acme-gk-audit-', object_lock_enabled: true, force_destroy: false });
    expect(base.text).toHaveResourceWithProperties(S3BucketObjectLockConfigurationA, {
      bucket: '${aws_s3_bucket.audit_store_bucket.id}',
      rule: { default_retention: { mode: 'COMPLIANCE', days: 400 } },
    });
    expect(res(base.json, 'aws_s3_bucket_public_access_block', 'audit_store_public_access_block')).toMatchObject({ restrict_public_buckets: true });
    expect(res(base.json, 'aws_s3_bucket_versioning', 'audit_store_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    const { json } = synthStack({ audit: { retentionDays: 2555, bufferingSizeMb: 128, bufferingIntervalSeconds: 900 } });
    expect(res(json, 'aws_s3_bucket_object_lock_configuration', 'audit_store_object_lock').rule.default_retention.days).toBe(2555);
    expect(res(json, 'aws_kinesis_firehose_delivery_stream', 'audit_firehose').extended_s3_configuration).toMatchObject({ buffering_size: 128, buffering_interval: 900 });
  });

  it('the audit bucket policy: no one may delete, re-lock or expire a record, and only Firehose\'s role may write', () => {
    // Prepare
    const arn = '${aws_s3_bucket.audit_store_bucket.arn}';
    const firehoseRole = '${aws_iam_role.audit_firehose_role.arn}';
    // Act
    const p = policyOf(res(base.json, 'aws_s3_bucket_policy', 'audit_store_policy'));
    // Assess
    expect(p.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        Sid: 'DenyAuditRecordRemoval',
        Effect: 'Deny',
        Principal: '*',
        Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention'],
        Resource: `${arn}/*`,
      },
      { Sid: 'DenyLifecycleExpiry', Effect: 'Deny', Principal: '*', Action: 's3:PutLifecycleConfiguration', Resource: arn },
      {
        Sid: 'OnlyFirehoseWritesRecords',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `${arn}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': firehoseRole } },
      },
    ]);
    // Firehose's delivery role is the one exempted, and nothing it needs is denied to it unconditionally.
    expect(res(base.json, 'aws_kinesis_firehose_delivery_stream', 'audit_firehose').extended_s3_configuration.role_arn).toBe(firehoseRole);
    const firehoseNeeds = statement(res(base.json, 'aws_iam_role_policy', 'audit_firehose_policy'), 'WriteAuditObjects').Action as string[];
    expect(firehoseNeeds).toEqual(expect.arrayContaining(['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket']));
    const unconditional = p.Statement.filter((s) => s.Effect === 'Deny' && s.Condition === undefined).flatMap((s) => [s.Action].flat());
    expect(firehoseNeeds.filter((a) => unconditional.includes(a) || unconditional.includes('s3:*'))).toEqual([]);
    // No lifecycle rule expires audit records; only the recomputable Athena results expire.
    expect(names(base.json, 'aws_s3_bucket_lifecycle_configuration')).not.toContain('audit_store_lifecycle');
  });

  it('the Firehose role is assumable by Firehose for this account only', () => {
    const trust = JSON.parse(res(base.json, 'aws_iam_role', 'audit_firehose_role').assume_role_policy as string);
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: ['firehose.amazonaws.com'] },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': '${data.aws_caller_identity.caller.account_id}' },
          StringEqualsIfExists: { 'aws:SourceAccount': '${data.aws_caller_identity.caller.account_id}' },
        },
      },
    ]);
  });

  it('the Glue table has exactly PROTOCOL\'s audit columns and partition projection on dt', () => {
    expect(base.text).toHaveResourceWithProperties(GlueCatalogTable, { name: 'audit', table_type: 'EXTERNAL_TABLE' });
    const t = res(base.json, 'aws_glue_catalog_table', 'audit_table');
    expect(t.storage_descriptor.columns).toEqual(AUDIT_COLUMNS.map((name) => ({ name, type: AUDIT_COLUMN_TYPES[name] })));
    expect(t.partition_keys).toEqual([{ name: 'dt', type: 'string', comment: 'UTC day, YYYY-MM-DD' }]);
    expect(t.parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2026-01-01,NOW',
      // `$${dt}` is Terraform's escape for the literal `${dt}` Athena expects.
      'storage.location.template': 's3://${aws_s3_bucket.audit_store_bucket.bucket}/audit/dt=$${dt}/',
    });
    expect(t.storage_descriptor.location).toBe('s3://${aws_s3_bucket.audit_store_bucket.bucket}/audit/');
    expect(t.storage_descriptor.ser_de_info.serialization_library).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
  });

  it('an Athena workgroup that enforces encrypted results in their own bucket', () => {
    expect(base.text).toHaveResourceWithProperties(AthenaWorkgroup, {
      name: 'acme-gk-audit',
      configuration: {
        engine_version: { selected_engine_version: 'Athena engine version 3' },
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        result_configuration: {
          output_location: 's3://${aws_s3_bucket.audit_results_bucket.bucket}/results/',
          encryption_configuration: { encryption_option: 'SSE_S3' },
        },
      },
    });
    expect(res(base.json, 'aws_s3_bucket', 'audit_results_bucket')).toMatchObject({ bucket_prefix: 'acme-gk-athena-' });
    expect(res(base.json, 'aws_s3_bucket_policy', 'audit_results_policy')).toBeDefined();
  });

  it('one named query per infra/queries/*.sql file, defaults rendered', () => {
    const saved = listSavedQueries();
    expect(saved.length).toBeGreaterThanOrEqual(1);
    const queries = Object.values(base.json.resource.aws_athena_named_query as Record<string, Record<string, string>>);
    expect(queries.map((q) => q.name).sort()).toEqual(saved.map((q) => q.name).sort());
    for (const q of saved) {
      const r = res(base.json, 'aws_athena_named_query', `audit_query_${q.name}`);
      expect(r).toMatchObject({
        description: q.description,
        database: '${aws_glue_catalog_database.audit_database.name}',
        workgroup: '${aws_athena_workgroup.audit_workgroup.name}',
      });
      expect(r.query.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{')).toBe(renderSavedQuery(q));
      expect(r.query).not.toMatch(/\{\{/);
    }
    expect(base.text).toHaveResource(AthenaNamedQuery);
  });

  it('the named queries follow whatever files the queries directory holds', () => {
    const dir = tempDir('gk-queries-');
    writeFileSync(join(dir, 'only_one.sql'), "-- description: One query\n-- param: ip = 203.0.113.9\nSELECT * FROM audit WHERE viewer_ip = {{ip}} AND request_id <> '${x}'\n");
    const { json } = synthStack({}, { queriesDir: dir });
    expect(names(json, 'aws_athena_named_query')).toEqual(['audit_query_only_one']);
    // Rendered with its default, and `${` escaped so Terraform keeps it literal.
    expect(res(json, 'aws_athena_named_query', 'audit_query_only_one').query).toBe(
      "-- description: One query\n-- param: ip = 203.0.113.9\nSELECT * FROM audit WHERE viewer_ip = '203.0.113.9' AND request_id <> '$${x}'\n",
    );
  });
});

describe('6. outputs', () => {
  it('distribution domain, ACL secret ARN, stream name, Athena workgroup and database', () => {
    expect(base.json.output).toMatchObject({
      distribution_domain: { value: '${aws_cloudfront_distribution.cdn_distribution.domain_name}' },
      acl_secret_arn: { value: '${aws_secretsmanager_secret.secrets_acl.arn}' },
      audit_stream_name: { value: '${aws_kinesis_stream.audit_stream.name}' },
      athena_workgroup: { value: '${aws_athena_workgroup.audit_workgroup.name}' },
      athena_database: { value: '${aws_glue_catalog_database.audit_database.name}' },
      gatekeeper_id: { value: 'acme-prod' },
      signing_key_secret_arn: { value: '${aws_secretsmanager_secret.secrets_signing_key.arn}' },
      data_bucket: { value: '${aws_s3_bucket.data_bucket_store_bucket.bucket}' },
      audit_bucket: { value: '${aws_s3_bucket.audit_store_bucket.bucket}' },
    });
  });
});
