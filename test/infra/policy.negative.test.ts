import { checkPolicy, type PolicyRule, type Violation } from '../../infra/policy';
import { synthStack, type Json } from './fixture';

/** A fresh deep copy of a known-good stack (SSE-KMS so a key policy is present too). */
const good = synthStack({ dataBucket: { name: 'acme-gk-data', encryption: 'aws:kms' } }).json;
function fresh(): Json {
  return JSON.parse(JSON.stringify(good)) as Json;
}

function rules(vs: Violation[]): string[] {
  return vs.map((v) => `${v.rule} ${v.address}`);
}

function editPolicy(r: Json, edit: (statements: Json[]) => void, field = 'policy'): void {
  const doc = JSON.parse(r[field]);
  edit(doc.Statement);
  r[field] = JSON.stringify(doc);
}

const R = (tf: Json): Json => tf.resource;

type Case = [string, (tf: Json) => void, PolicyRule, string];

const cases: Case[] = [
  // Buckets
  ['bucket without a public access block', (tf) => delete R(tf).aws_s3_bucket_public_access_block.audit_store_public_access_block, 'bucket-public-access', 'aws_s3_bucket.audit_store_bucket'],
  ['public access block with one setting off', (tf) => (R(tf).aws_s3_bucket_public_access_block.data_bucket_store_public_access_block.restrict_public_buckets = false), 'bucket-public-access', 'aws_s3_bucket.data_bucket_store_bucket'],
  ['bucket without encryption', (tf) => delete R(tf).aws_s3_bucket_server_side_encryption_configuration.audit_results_encryption, 'bucket-encryption', 'aws_s3_bucket.audit_results_bucket'],
  [
    'encryption rule without an algorithm we accept',
    (tf) => (R(tf).aws_s3_bucket_server_side_encryption_configuration.audit_store_encryption.rule = [{ bucket_key_enabled: true }]),
    'bucket-encryption',
    'aws_s3_bucket.audit_store_bucket',
  ],
  // Data bucket policy
  ['data bucket policy without the TLS deny', (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => s.shift()), 'bucket-policy-tls', 'aws_s3_bucket_policy.data_bucket_store_policy'],
  ['data bucket without any policy', (tf) => delete R(tf).aws_s3_bucket_policy.data_bucket_store_policy, 'bucket-policy-tls', 'aws_s3_bucket.data_bucket_store_bucket'],
  [
    'an account principal on the data bucket',
    (tf) =>
      editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) =>
        s.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-gk-data/*' }),
      ),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    'Principal "*" allowed on the data bucket',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => s.push({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'x' })),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    'CloudFront without the AWS:SourceArn condition',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => delete s[1].Condition),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    'a role that no gatekeeper function uses',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => (s[2].Principal = { AWS: '${aws_iam_role.audit_firehose_role.arn}' })),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    'CloudFront allowed to delete objects',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => s[1].Action.push('s3:DeleteObject')),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  ['CloudFront allowed s3:*', (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => (s[1].Action = 's3:*')), 'data-bucket-principal', 'aws_s3_bucket_policy.data_bucket_store_policy'],
  [
    'CloudFront allowed to list the bucket',
    (tf) =>
      editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) =>
        s.push({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:ListBucket', Resource: s[2].Resource, Condition: s[1].Condition }),
      ),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    "the gate's role listing the data bucket",
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => (s[2].Principal = { AWS: '${aws_iam_role.edge_gate_role.arn}' })),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    "the gate's role next to the cosigner's",
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => (s[2].Principal = { AWS: [s[2].Principal.AWS, '${aws_iam_role.edge_gate_role.arn}'] })),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  [
    "the cosigner's role reading objects",
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.data_bucket_store_policy, (s) => (s[2].Action = ['s3:ListBucket', 's3:GetObject'])),
    'data-bucket-principal',
    'aws_s3_bucket_policy.data_bucket_store_policy',
  ],
  // Edge associations of an enabled distribution
  [
    'no gate on the default behaviour',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.default_cache_behavior.lambda_function_association = []),
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'the gate at origin-request (after the cache)',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.default_cache_behavior.lambda_function_association[0].event_type = 'origin-request'),
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'no cosigner on /_gatekeeper/*',
    (tf) => delete R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0].lambda_function_association,
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'the cosigner without the body',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0].lambda_function_association[0].include_body = false),
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'the cosigner at viewer-request (country header forgeable)',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0].lambda_function_association[0].event_type = 'viewer-request'),
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'the gatekeeper behaviour under another path',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0].path_pattern = '/_gk/*'),
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'another object behaviour without the gate',
    (tf) => {
      const d = R(tf).aws_cloudfront_distribution.cdn_distribution;
      d.ordered_cache_behavior.push({ ...d.default_cache_behavior, path_pattern: '/public/*', lambda_function_association: [] });
    },
    'edge-association',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  // Signing-key secret
  ['no resource policy on the signing key', (tf) => delete R(tf).aws_secretsmanager_secret_policy, 'signing-key-policy', 'aws_secretsmanager_secret.secrets_signing_key'],
  [
    "the secret policy exempting the gate's role",
    (tf) => editPolicy(R(tf).aws_secretsmanager_secret_policy.secrets_signing_key_policy, (s) => (s[0].Condition.ArnNotEquals['aws:PrincipalArn'] = '${aws_iam_role.edge_gate_role.arn}')),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  [
    'the secret policy exempting a second role',
    (tf) =>
      editPolicy(R(tf).aws_secretsmanager_secret_policy.secrets_signing_key_policy, (s) => {
        const c = s[0].Condition.ArnNotEquals;
        c['aws:PrincipalArn'] = [c['aws:PrincipalArn'], '${aws_iam_role.audit_firehose_role.arn}'];
      }),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  [
    'the secret policy denying DescribeSecret instead of the read',
    (tf) => editPolicy(R(tf).aws_secretsmanager_secret_policy.secrets_signing_key_policy, (s) => (s[0].Action = 'secretsmanager:DescribeSecret')),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  [
    'the secret policy deny narrowed by a second condition',
    (tf) => editPolicy(R(tf).aws_secretsmanager_secret_policy.secrets_signing_key_policy, (s) => (s[0].Condition.StringEquals = { 'aws:RequestedRegion': 'eu-west-1' })),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  [
    'the secret policy also allowing an account',
    (tf) =>
      editPolicy(R(tf).aws_secretsmanager_secret_policy.secrets_signing_key_policy, (s) =>
        s.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
      ),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  [
    "the gate's role granted the signing key in IAM",
    (tf) =>
      editPolicy(R(tf).aws_iam_role_policy.edge_gate_policy, (s) =>
        s.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '${aws_secretsmanager_secret.secrets_signing_key.arn}' }),
      ),
    'signing-key-policy',
    'aws_secretsmanager_secret.secrets_signing_key',
  ],
  // IAM wildcards
  ['Action "*"', (tf) => editPolicy(R(tf).aws_iam_role_policy.edge_gate_policy, (s) => (s[0].Action = '*')), 'iam-wildcard', 'aws_iam_role_policy.edge_gate_policy'],
  ['Resource "*"', (tf) => editPolicy(R(tf).aws_iam_role_policy.audit_firehose_policy, (s) => (s[0].Resource = ['*'])), 'iam-wildcard', 'aws_iam_role_policy.audit_firehose_policy'],
  ['NotAction in an Allow', (tf) => editPolicy(R(tf).aws_iam_role_policy.edge_cosigner_policy, (s) => s.push({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'x' })), 'iam-wildcard', 'aws_iam_role_policy.edge_cosigner_policy'],
  ['Action "*" in a bucket policy', (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => s.push({ Effect: 'Allow', Principal: { AWS: 'x' }, Action: '*', Resource: 'y' })), 'iam-wildcard', 'aws_s3_bucket_policy.audit_store_policy'],
  ['a policy built by an expression', (tf) => (R(tf).aws_iam_role_policy.edge_gate_policy.policy = '${data.aws_iam_policy_document.x.json}'), 'policy-unreadable', 'aws_iam_role_policy.edge_gate_policy'],
  // Lambda@Edge
  ['an edge function outside us-east-1', (tf) => delete R(tf).aws_lambda_function.edge_gate.provider, 'edge-region', 'aws_lambda_function.edge_gate'],
  ['an edge function with its own region', (tf) => (R(tf).aws_lambda_function.edge_cosigner.region = 'eu-west-1'), 'edge-region', 'aws_lambda_function.edge_cosigner'],
  ['an unpublished edge function', (tf) => (R(tf).aws_lambda_function.edge_cosigner.publish = false), 'edge-unpublished', 'aws_lambda_function.edge_cosigner'],
  [
    'an association to the unqualified ARN',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.default_cache_behavior.lambda_function_association[0].lambda_arn = '${aws_lambda_function.edge_gate.arn}'),
    'edge-unpublished',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'an association to $LATEST',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0].lambda_function_association[0].lambda_arn = 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST'),
    'edge-unpublished',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  ['environment variables on an edge function', (tf) => (R(tf).aws_lambda_function.edge_gate.environment = { variables: { A: 'b' } }), 'edge-environment', 'aws_lambda_function.edge_gate'],
  // Cache behaviours
  [
    'the managed CachingOptimized policy',
    (tf) => (R(tf).aws_cloudfront_distribution.cdn_distribution.default_cache_behavior.cache_policy_id = '658327ea-f89d-4fab-a63d-7e88639e58f6'),
    'cache-behaviour-caches',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'legacy forwarded values with TTLs',
    (tf) => {
      const b = R(tf).aws_cloudfront_distribution.cdn_distribution.ordered_cache_behavior[0];
      delete b.cache_policy_id;
      Object.assign(b, { forwarded_values: { query_string: false, cookies: { forward: 'none' } }, min_ttl: 0, default_ttl: 3600, max_ttl: 86400 });
    },
    'cache-behaviour-caches',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  [
    'a custom cache policy with a TTL',
    (tf) => {
      R(tf).aws_cloudfront_cache_policy = { mine: { name: 'mine', min_ttl: 0, default_ttl: 60, max_ttl: 60 } };
      R(tf).aws_cloudfront_distribution.cdn_distribution.default_cache_behavior.cache_policy_id = '${aws_cloudfront_cache_policy.mine.id}';
    },
    'cache-behaviour-caches',
    'aws_cloudfront_distribution.cdn_distribution',
  ],
  // Audit storage
  ['the audit bucket without Object Lock', (tf) => (R(tf).aws_s3_bucket.audit_store_bucket.object_lock_enabled = false), 'audit-object-lock', 'aws_s3_bucket.audit_store_bucket'],
  ['the audit bucket in governance mode', (tf) => (R(tf).aws_s3_bucket_object_lock_configuration.audit_store_object_lock.rule.default_retention.mode = 'GOVERNANCE'), 'audit-object-lock', 'aws_s3_bucket.audit_store_bucket'],
  ['the audit bucket without a lock configuration', (tf) => delete R(tf).aws_s3_bucket_object_lock_configuration, 'audit-object-lock', 'aws_s3_bucket.audit_store_bucket'],
  // Audit bucket policy: records can be neither hidden nor forged, and Firehose still writes
  ['the audit bucket without a policy', (tf) => delete R(tf).aws_s3_bucket_policy.audit_store_policy, 'audit-bucket-policy', 'aws_s3_bucket.audit_store_bucket'],
  [
    'deletes of audit records allowed',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => s.splice(s.findIndex((x: Json) => x.Sid === 'DenyAuditRecordRemoval'), 1)),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'DeleteObject (a delete marker) allowed, versions still protected',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[1].Action = s[1].Action.filter((a: string) => a !== 's3:DeleteObject'))),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'retention changes allowed',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[1].Action = ['s3:DeleteObject', 's3:DeleteObjectVersion'])),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'the delete deny covering audit/ but not the error prefix',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[1].Resource = '${aws_s3_bucket.audit_store_bucket.arn}/audit/*')),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'the delete deny made conditional',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[1].Condition = { StringNotEquals: { 'aws:PrincipalAccount': '111122223333' } })),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'lifecycle rules (expiry markers) allowed',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => s.splice(s.findIndex((x: Json) => x.Sid === 'DenyLifecycleExpiry'), 1)),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'anyone may write under audit/',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => s.splice(s.findIndex((x: Json) => x.Sid === 'OnlyFirehoseWritesRecords'), 1)),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    "writes exempted for the gate's role instead of Firehose's",
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[3].Condition = { ArnNotEquals: { 'aws:PrincipalArn': '${aws_iam_role.edge_gate_role.arn}' } })),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'writes exempted for a second principal',
    (tf) =>
      editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => {
        s[3].Condition.ArnNotEquals['aws:PrincipalArn'] = [s[3].Condition.ArnNotEquals['aws:PrincipalArn'], 'arn:aws:iam::111122223333:root'];
      }),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'the write guard covering the error prefix only',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[3].Resource = '${aws_s3_bucket.audit_store_bucket.arn}/audit-errors/*')),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'an unconditional Deny that would stop Firehose',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => s.push({ Effect: 'Deny', Principal: '*', Action: 's3:AbortMultipartUpload', Resource: '${aws_s3_bucket.audit_store_bucket.arn}/*' })),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  [
    'a catch-all Deny of s3:*',
    (tf) => editPolicy(R(tf).aws_s3_bucket_policy.audit_store_policy, (s) => (s[1].Action = 's3:*')),
    'audit-bucket-policy',
    'aws_s3_bucket.audit_store_bucket',
  ],
  // Firehose
  ['Firehose without format conversion', (tf) => delete R(tf).aws_kinesis_firehose_delivery_stream.audit_firehose.extended_s3_configuration.data_format_conversion_configuration, 'firehose-parquet', 'aws_kinesis_firehose_delivery_stream.audit_firehose'],
  ['Firehose with conversion disabled', (tf) => (R(tf).aws_kinesis_firehose_delivery_stream.audit_firehose.extended_s3_configuration.data_format_conversion_configuration.enabled = false), 'firehose-parquet', 'aws_kinesis_firehose_delivery_stream.audit_firehose'],
  [
    'Firehose converting to ORC',
    (tf) => (R(tf).aws_kinesis_firehose_delivery_stream.audit_firehose.extended_s3_configuration.data_format_conversion_configuration.output_format_configuration = { serializer: { orc_ser_de: {} } }),
    'firehose-parquet',
    'aws_kinesis_firehose_delivery_stream.audit_firehose',
  ],
  ['Firehose with a 5 MiB buffer', (tf) => (R(tf).aws_kinesis_firehose_delivery_stream.audit_firehose.extended_s3_configuration.buffering_size = 5), 'firehose-parquet', 'aws_kinesis_firehose_delivery_stream.audit_firehose'],
];

describe('checkPolicy finds each violation', () => {
  it('starts from a clean stack', () => {
    expect(checkPolicy(fresh())).toEqual([]);
  });

  it.each(cases)('%s', (_name, mutate, rule, address) => {
    // Prepare
    const tf = fresh();
    mutate(tf);
    // Act
    const found = checkPolicy(tf);
    // Assess
    expect(rules(found)).toContain(`${rule} ${address}`);
  });
});

describe('checkPolicy on hand-written fragments', () => {
  const lambdaOnly = (fn: Json): Json => ({
    provider: { aws: [{ region: 'eu-west-1' }, { alias: 'us_east_1', region: 'us-east-1' }] },
    resource: {
      aws_iam_role: { r: { assume_role_policy: '{"Statement":[{"Effect":"Allow","Principal":{"Service":"edgelambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' } },
      aws_lambda_function: { f: { role: '${aws_iam_role.r.arn}', ...fn } },
    },
  });

  it('an edge function (found by its role trust) is judged even when not attached', () => {
    expect(rules(checkPolicy(lambdaOnly({ provider: 'aws.us_east_1', publish: true })))).toEqual([]);
    expect(rules(checkPolicy(lambdaOnly({ publish: true })))).toEqual(['edge-region aws_lambda_function.f']);
    expect(rules(checkPolicy(lambdaOnly({ provider: 'aws.us_east_1' })))).toEqual(['edge-unpublished aws_lambda_function.f']);
  });

  it('a bare bucket breaks both bucket rules', () => {
    expect(rules(checkPolicy({ resource: { aws_s3_bucket: { b: { bucket: 'x' } } } }))).toEqual([
      'bucket-public-access aws_s3_bucket.b',
      'bucket-encryption aws_s3_bucket.b',
    ]);
  });

  it('a Firehose stream writing to a bucket defined elsewhere cannot be trusted', () => {
    const tf = { resource: { aws_kinesis_firehose_delivery_stream: { f: { destination: 'extended_s3', extended_s3_configuration: { bucket_arn: 'arn:aws:s3:::elsewhere', buffering_size: 64 } } } } };
    expect(rules(checkPolicy(tf))).toEqual(['firehose-parquet aws_kinesis_firehose_delivery_stream.f', 'audit-object-lock aws_kinesis_firehose_delivery_stream.f']);
  });

  it('KMS key policies may use Resource "*" (the documented exception), IAM policies may not', () => {
    const allowAll = '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}';
    expect(rules(checkPolicy({ resource: { aws_kms_key_policy: { k: { policy: allowAll } } } }))).toEqual([]);
    expect(rules(checkPolicy({ resource: { aws_iam_policy: { p: { policy: allowAll } } } }))).toEqual(['iam-wildcard aws_iam_policy.p']);
  });

  it('a Deny with wildcards is not a grant', () => {
    const deny = '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}';
    expect(checkPolicy({ resource: { aws_iam_policy: { p: { policy: deny } } } })).toEqual([]);
  });

  it('a disabled distribution (destroy step 1) needs no associations, an enabled one does', () => {
    const d = (enabled: boolean): Json => ({
      resource: { aws_cloudfront_distribution: { d: { enabled, default_cache_behavior: { cache_policy_id: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' } } } },
    });
    expect(rules(checkPolicy(d(false)))).toEqual([]);
    expect(rules(checkPolicy(d(true)))).toEqual(['edge-association aws_cloudfront_distribution.d', 'edge-association aws_cloudfront_distribution.d']);
  });

  it('a secret read by two roles needs no resource policy; read by one, it does', () => {
    const allow = (secret: string): string => JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `\${aws_secretsmanager_secret.${secret}.arn}` }] });
    const tf = {
      resource: {
        aws_iam_role: { a: { assume_role_policy: '{"Statement":[]}' }, b: { assume_role_policy: '{"Statement":[]}' } },
        aws_iam_role_policy: { pa: { role: '${aws_iam_role.a.id}', policy: allow('shared') }, pb: { role: '${aws_iam_role.b.id}', policy: allow('shared') }, pk: { role: '${aws_iam_role.b.id}', policy: allow('key') } },
        aws_secretsmanager_secret: { shared: { name: 'shared' }, key: { name: 'key' } },
      },
    };
    expect(rules(checkPolicy(tf))).toEqual(['signing-key-policy aws_secretsmanager_secret.key']);
    const deny = { Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': '${aws_iam_role.b.arn}' } } };
    const fixed = { resource: { ...tf.resource, aws_secretsmanager_secret_policy: { kp: { secret_arn: '${aws_secretsmanager_secret.key.arn}', policy: JSON.stringify({ Statement: [deny] }) } } } };
    expect(rules(checkPolicy(fixed))).toEqual([]);
  });

  it('not a Terraform document at all', () => {
    expect(rules(checkPolicy('nope'))).toEqual(['policy-unreadable (root)']);
  });
});
