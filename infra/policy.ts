import type { IValidation } from 'constructs';
import { CACHING_DISABLED_POLICY_ID, EDGE_REGION } from './tf';

/**
 * Policy checks over synthesized Terraform JSON (cdk.tf.json). They read the
 * JSON rather than the constructs, so they judge exactly what `terraform
 * apply` would get, whoever wrote it. The stack runs them at every synth
 * (PolicyValidation); the tests run them on good and deliberately bad JSON.
 */
export type PolicyRule =
  | 'bucket-public-access'
  | 'bucket-encryption'
  | 'bucket-policy-tls'
  | 'data-bucket-principal'
  | 'iam-wildcard'
  | 'policy-unreadable'
  | 'edge-region'
  | 'edge-unpublished'
  | 'edge-environment'
  | 'cache-behaviour-caches'
  | 'audit-object-lock'
  | 'firehose-parquet';

export interface Violation {
  rule: PolicyRule;
  /** Terraform address, e.g. `aws_s3_bucket.audit_store_bucket`. */
  address: string;
  message: string;
}

/**
 * The documented exceptions to `iam-wildcard`. Anything else with `Action: *`
 * or `Resource: *` in an Allow statement is a violation.
 */
export const POLICY_EXCEPTIONS: readonly { rule: PolicyRule; resourceTypes: readonly string[]; field: 'Resource'; reason: string }[] = [
  {
    rule: 'iam-wildcard',
    resourceTypes: ['aws_kms_key', 'aws_kms_key_policy'],
    field: 'Resource',
    reason: 'in a KMS key policy, "Resource": "*" means the key the policy is attached to',
  },
];

const POLICY_FIELDS: Record<string, readonly string[]> = {
  aws_iam_role_policy: ['policy'],
  aws_iam_policy: ['policy'],
  aws_iam_user_policy: ['policy'],
  aws_iam_group_policy: ['policy'],
  aws_iam_role: ['assume_role_policy'],
  aws_s3_bucket_policy: ['policy'],
  aws_kms_key: ['policy'],
  aws_kms_key_policy: ['policy'],
  aws_secretsmanager_secret: ['policy'],
  aws_secretsmanager_secret_policy: ['policy'],
  aws_kinesis_resource_policy: ['policy'],
};

const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
const MIN_PARQUET_BUFFER_MB = 64;

type Obj = Record<string, unknown>;
interface Ref {
  type: string;
  name: string;
  attr: string;
  data: boolean;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A block may be synthesized as one object or as a list of them. */
function blocks(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj);
  return isObj(v) ? [v] : [];
}

function first(v: unknown): Obj | undefined {
  return blocks(v)[0];
}

function arr(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

const REF_RE = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/;

/** `${aws_s3_bucket.x.id}` as a whole string; anything else is not a plain reference. */
function refOf(v: unknown): Ref | null {
  if (typeof v !== 'string') return null;
  const m = REF_RE.exec(v);
  return m ? { data: m[1] !== undefined, type: m[2], name: m[3], attr: m[4] } : null;
}

class Doc {
  readonly resources: Record<string, Record<string, Obj>>;
  readonly data: Record<string, Record<string, Obj>>;
  readonly providers: Obj[];

  constructor(readonly tf: Obj) {
    this.resources = this.table(tf.resource);
    this.data = this.table(tf.data);
    const p = isObj(tf.provider) ? tf.provider.aws : undefined;
    this.providers = blocks(p);
  }

  private table(v: unknown): Record<string, Record<string, Obj>> {
    const out: Record<string, Record<string, Obj>> = {};
    if (!isObj(v)) return out;
    for (const [type, byName] of Object.entries(v)) {
      if (!isObj(byName)) continue;
      out[type] = {};
      for (const [name, body] of Object.entries(byName)) if (isObj(body)) out[type][name] = body;
    }
    return out;
  }

  all(type: string): [string, Obj][] {
    return Object.entries(this.resources[type] ?? {});
  }

  get(type: string, name: string): Obj | undefined {
    return this.resources[type]?.[name];
  }

  /** Region a resource is created in: its own `region` or its provider's. */
  regionOf(r: Obj): string | null {
    if (typeof r.region === 'string') return r.region;
    const alias = typeof r.provider === 'string' ? r.provider.replace(/^aws\./, '') : null;
    const p = this.providers.find((x) => (alias === null || alias === 'aws' ? x.alias === undefined : x.alias === alias));
    return p && typeof p.region === 'string' ? p.region : null;
  }
}

interface Statement {
  Effect?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

function parsePolicy(text: unknown): Statement[] | null {
  if (typeof text !== 'string') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObj(parsed)) return null;
  return arr(parsed.Statement).filter(isObj) as Statement[];
}

/** Bucket identity as `r:<resource name>` or `n:<literal bucket name>`. */
function bucketKeyOfRef(v: unknown): string | null {
  const r = refOf(v);
  if (r && !r.data && r.type === 'aws_s3_bucket') return `r:${r.name}`;
  if (typeof v === 'string' && /^[a-z0-9][a-z0-9.-]+$/.test(v)) return `n:${v}`;
  return null;
}

function bucketKeyOfOriginDomain(v: unknown): string | null {
  const r = refOf(v);
  if (r && r.type === 'aws_s3_bucket') return `r:${r.name}`;
  const m = typeof v === 'string' ? /^([a-z0-9][a-z0-9.-]+)\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/.exec(v) : null;
  return m ? `n:${m[1]}` : null;
}

function checkBuckets(doc: Doc, out: Violation[]): void {
  const pab = doc.all('aws_s3_bucket_public_access_block');
  const sse = doc.all('aws_s3_bucket_server_side_encryption_configuration');
  for (const [name] of doc.all('aws_s3_bucket')) {
    const address = `aws_s3_bucket.${name}`;
    const blocksFor = pab.filter(([, b]) => bucketKeyOfRef(b.bucket) === `r:${name}`).map(([, b]) => b);
    const full = blocksFor.some(
      (b) => b.block_public_acls === true && b.block_public_policy === true && b.ignore_public_acls === true && b.restrict_public_buckets === true,
    );
    if (!full) out.push({ rule: 'bucket-public-access', address, message: 'needs a public access block with all four settings true' });
    const enc = sse
      .filter(([, e]) => bucketKeyOfRef(e.bucket) === `r:${name}`)
      .some(([, e]) => blocks(e.rule).some((r) => SSE_ALGORITHMS.has(String(first(r.apply_server_side_encryption_by_default)?.sse_algorithm))));
    if (!enc) out.push({ rule: 'bucket-encryption', address, message: 'needs default encryption (AES256 or aws:kms)' });
  }
}

function isTlsDeny(s: Statement): boolean {
  const principalAll = s.Principal === '*' || (isObj(s.Principal) && arr(s.Principal.AWS).includes('*'));
  const actions = arr(s.Action);
  const cond = isObj(s.Condition) && isObj(s.Condition.Bool) ? s.Condition.Bool['aws:SecureTransport'] : undefined;
  return s.Effect === 'Deny' && principalAll && (actions.includes('s3:*') || actions.includes('*')) && (cond === 'false' || cond === false);
}

function checkBucketPolicies(doc: Doc, out: Violation[]): void {
  const origins = new Set<string>();
  for (const [, d] of doc.all('aws_cloudfront_distribution')) {
    for (const o of blocks(d.origin)) {
      const k = bucketKeyOfOriginDomain(o.domain_name);
      if (k) origins.add(k);
    }
  }
  const functionRoles = new Set<string>();
  for (const [, f] of doc.all('aws_lambda_function')) {
    const r = refOf(f.role);
    if (r && r.type === 'aws_iam_role') functionRoles.add(r.name);
  }
  const withPolicy = new Set<string>();
  for (const [name, p] of doc.all('aws_s3_bucket_policy')) {
    const address = `aws_s3_bucket_policy.${name}`;
    const statements = parsePolicy(p.policy);
    if (statements === null) continue; // reported by checkPolicyDocuments
    if (!statements.some(isTlsDeny)) {
      out.push({ rule: 'bucket-policy-tls', address, message: 'needs a Deny of s3:* for every principal when aws:SecureTransport is false' });
    }
    const key = bucketKeyOfRef(p.bucket);
    if (key === null || !origins.has(key)) continue;
    withPolicy.add(key);
    for (const s of statements) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotPrincipal !== undefined || !isObj(s.Principal)) {
        out.push({ rule: 'data-bucket-principal', address, message: 'an Allow statement must name its principal (no "*" or NotPrincipal)' });
        continue;
      }
      for (const [kind, values] of Object.entries(s.Principal)) {
        for (const v of arr(values)) {
          if (kind === 'Service' && v === 'cloudfront.amazonaws.com') {
            const eq = isObj(s.Condition) && isObj(s.Condition.StringEquals) ? s.Condition.StringEquals['AWS:SourceArn'] : undefined;
            const r = refOf(eq);
            if (!r || r.type !== 'aws_cloudfront_distribution' || r.attr !== 'arn') {
              out.push({ rule: 'data-bucket-principal', address, message: 'the CloudFront principal needs AWS:SourceArn equal to this stack\'s distribution' });
            }
            continue;
          }
          const r = refOf(v);
          if (kind === 'AWS' && r && r.type === 'aws_iam_role' && r.attr === 'arn' && functionRoles.has(r.name)) continue;
          out.push({ rule: 'data-bucket-principal', address, message: `principal ${kind}:${String(v)} is neither CloudFront nor the cosigner's role` });
        }
      }
    }
  }
  for (const k of origins) {
    if (!withPolicy.has(k)) {
      out.push({ rule: 'bucket-policy-tls', address: k.startsWith('r:') ? `aws_s3_bucket.${k.slice(2)}` : `bucket ${k.slice(2)}`, message: 'the data bucket has no bucket policy' });
    }
  }
}

function checkPolicyDocuments(doc: Doc, out: Violation[]): void {
  for (const [type, fields] of Object.entries(POLICY_FIELDS)) {
    for (const [name, r] of doc.all(type)) {
      const address = `${type}.${name}`;
      for (const field of fields) {
        if (r[field] === undefined) continue;
        const statements = parsePolicy(r[field]);
        if (statements === null) {
          out.push({ rule: 'policy-unreadable', address, message: `${field} is not a literal JSON policy, so it cannot be checked` });
          continue;
        }
        for (const s of statements) {
          if (s.Effect !== 'Allow') continue;
          if (s.NotAction !== undefined || s.NotResource !== undefined) {
            out.push({ rule: 'iam-wildcard', address, message: 'an Allow with NotAction/NotResource grants nearly everything' });
          }
          if (arr(s.Action).some((a) => a === '*')) out.push({ rule: 'iam-wildcard', address, message: 'Allow with Action "*"' });
          const excused = POLICY_EXCEPTIONS.some((e) => e.rule === 'iam-wildcard' && e.field === 'Resource' && e.resourceTypes.includes(type));
          if (!excused && arr(s.Resource).some((x) => x === '*')) out.push({ rule: 'iam-wildcard', address, message: 'Allow with Resource "*"' });
        }
      }
    }
  }
}

function checkEdgeFunctions(doc: Doc, out: Violation[]): void {
  const edge = new Set<string>();
  for (const [dname, d] of doc.all('aws_cloudfront_distribution')) {
    for (const b of [...blocks(d.default_cache_behavior), ...blocks(d.ordered_cache_behavior)]) {
      for (const a of blocks(b.lambda_function_association)) {
        const r = refOf(a.lambda_arn);
        if (r && r.type === 'aws_lambda_function') {
          edge.add(r.name);
          if (r.attr !== 'qualified_arn') {
            out.push({ rule: 'edge-unpublished', address: `aws_cloudfront_distribution.${dname}`, message: `${a.event_type} must use ${r.name}.qualified_arn (a published version)` });
          }
        } else if (typeof a.lambda_arn !== 'string' || !/:\d+$/.test(a.lambda_arn)) {
          out.push({ rule: 'edge-unpublished', address: `aws_cloudfront_distribution.${dname}`, message: `${String(a.event_type)} must reference a published version` });
        }
      }
    }
  }
  for (const [name, f] of doc.all('aws_lambda_function')) {
    const role = refOf(f.role);
    const trust = role && role.type === 'aws_iam_role' ? doc.get('aws_iam_role', role.name)?.assume_role_policy : undefined;
    if (typeof trust === 'string' && trust.includes('edgelambda.amazonaws.com')) edge.add(name);
  }
  for (const name of edge) {
    const address = `aws_lambda_function.${name}`;
    const f = doc.get('aws_lambda_function', name);
    if (!f) continue;
    const region = doc.regionOf(f);
    if (region !== EDGE_REGION) out.push({ rule: 'edge-region', address, message: `Lambda@Edge must be created in ${EDGE_REGION}, not ${region ?? 'an unknown region'}` });
    if (f.publish !== true) out.push({ rule: 'edge-unpublished', address, message: 'Lambda@Edge needs publish = true' });
    if (f.environment !== undefined) out.push({ rule: 'edge-environment', address, message: 'Lambda@Edge cannot have environment variables' });
  }
}

function cachePolicyCaches(doc: Doc, id: unknown): boolean {
  if (id === CACHING_DISABLED_POLICY_ID) return false;
  const r = refOf(id);
  if (r && !r.data && r.type === 'aws_cloudfront_cache_policy') {
    const p = doc.get(r.type, r.name);
    return !(p && p.min_ttl === 0 && p.default_ttl === 0 && p.max_ttl === 0);
  }
  if (r && r.data && r.type === 'aws_cloudfront_cache_policy') {
    return doc.data[r.type]?.[r.name]?.name !== 'Managed-CachingDisabled';
  }
  return true;
}

function checkCacheBehaviours(doc: Doc, out: Violation[]): void {
  for (const [name, d] of doc.all('aws_cloudfront_distribution')) {
    const all = [...blocks(d.default_cache_behavior), ...blocks(d.ordered_cache_behavior)];
    for (const b of all) {
      const where = typeof b.path_pattern === 'string' ? `behaviour ${b.path_pattern}` : 'default behaviour';
      const caches =
        b.cache_policy_id !== undefined ? cachePolicyCaches(doc, b.cache_policy_id) : !(b.min_ttl === 0 && b.default_ttl === 0 && b.max_ttl === 0);
      if (caches) out.push({ rule: 'cache-behaviour-caches', address: `aws_cloudfront_distribution.${name}`, message: `${where} uses a cache policy that caches` });
    }
  }
}

function checkAudit(doc: Doc, out: Violation[]): void {
  for (const [name, f] of doc.all('aws_kinesis_firehose_delivery_stream')) {
    const address = `aws_kinesis_firehose_delivery_stream.${name}`;
    const s3 = first(f.extended_s3_configuration);
    const dfc = s3 ? first(s3.data_format_conversion_configuration) : undefined;
    const serializer = dfc ? first(first(dfc.output_format_configuration)?.serializer) : undefined;
    const deserializer = dfc ? first(first(dfc.input_format_configuration)?.deserializer) : undefined;
    const schema = dfc ? first(dfc.schema_configuration) : undefined;
    if (f.destination !== 'extended_s3' || !s3 || !dfc || dfc.enabled === false || !serializer || first(serializer.parquet_ser_de) === undefined || !deserializer || !schema) {
      out.push({ rule: 'firehose-parquet', address, message: 'needs extended_s3 with an enabled JSON-to-Parquet data_format_conversion_configuration' });
    } else if (typeof s3.buffering_size !== 'number' || s3.buffering_size < MIN_PARQUET_BUFFER_MB) {
      out.push({ rule: 'firehose-parquet', address, message: `format conversion needs buffering_size of at least ${MIN_PARQUET_BUFFER_MB} MiB` });
    }
    if (!s3) continue;
    const bucket = refOf(s3.bucket_arn);
    if (!bucket || bucket.type !== 'aws_s3_bucket') {
      out.push({ rule: 'audit-object-lock', address, message: 'the audit bucket must be defined in this stack so its Object Lock can be checked' });
      continue;
    }
    const b = doc.get('aws_s3_bucket', bucket.name);
    const locked = doc
      .all('aws_s3_bucket_object_lock_configuration')
      .filter(([, l]) => bucketKeyOfRef(l.bucket) === `r:${bucket.name}`)
      .some(([, l]) => {
        const ret = first(first(l.rule)?.default_retention);
        const days = Number(ret?.days ?? 0) + Number(ret?.years ?? 0);
        return ret?.mode === 'COMPLIANCE' && days > 0;
      });
    if (!b || b.object_lock_enabled !== true || !locked) {
      out.push({ rule: 'audit-object-lock', address: `aws_s3_bucket.${bucket.name}`, message: 'the audit bucket needs Object Lock with a COMPLIANCE default retention' });
    }
  }
}

/** Every violation in a synthesized stack (parsed cdk.tf.json); empty when it passes. */
export function checkPolicy(tf: unknown): Violation[] {
  if (!isObj(tf)) return [{ rule: 'policy-unreadable', address: '(root)', message: 'not a Terraform JSON object' }];
  const doc = new Doc(tf);
  const out: Violation[] = [];
  checkBuckets(doc, out);
  checkBucketPolicies(doc, out);
  checkPolicyDocuments(doc, out);
  checkEdgeFunctions(doc, out);
  checkCacheBehaviours(doc, out);
  checkAudit(doc, out);
  return out;
}

export function formatViolation(v: Violation): string {
  return `[${v.rule}] ${v.address}: ${v.message}`;
}

/** Fails synth when the stack's own JSON breaks a rule. */
export class PolicyValidation implements IValidation {
  constructor(private readonly synthesize: () => unknown) {}

  validate(): string[] {
    return checkPolicy(this.synthesize()).map(formatViolation);
  }
}
