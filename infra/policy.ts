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
  | 'audit-bucket-policy'
  | 'firehose-parquet'
  | 'signing-key-policy'
  | 'edge-association';

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

/** What CloudFront (through the OAC) may do on the data bucket: serve and store objects, nothing else. */
const CLOUDFRONT_DATA_ACTIONS = ['s3:GetObject', 's3:PutObject'];
/** What the cosigner's role may do on the data bucket (the `list` endpoint). */
const COSIGNER_DATA_ACTIONS = ['s3:ListBucket'];
/** PROTOCOL: the behaviour whose requests the cosigner answers. */
const GATEKEEPER_PATH = '/_gatekeeper/*';
/**
 * Denied to everyone on every audit object: a DeleteObject without a version
 * id is not stopped by Object Lock (it writes a delete marker and hides the
 * record from Athena); the others would unlock or re-lock a record.
 */
const AUDIT_OBJECT_DENIES = ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention'];
/** Denied to everyone on the audit bucket: lifecycle expiry writes delete markers too. */
const AUDIT_BUCKET_DENIES = ['s3:PutLifecycleConfiguration'];
/** What Firehose does on its destination bucket; no unconditional Deny may cover any of it. */
const FIREHOSE_S3_ACTIONS = ['s3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:PutObject'];

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

/** IAM wildcard matching (`*`, `?`); actions compare case-insensitively, ARNs exactly. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

function coversAction(s: Statement, action: string): boolean {
  return s.NotAction === undefined && arr(s.Action).some((a) => typeof a === 'string' && globMatches(a, action, true));
}

function coversResource(s: Statement, resource: string): boolean {
  return s.NotResource === undefined && arr(s.Resource).some((r) => typeof r === 'string' && globMatches(r, resource, false));
}

function principalIsEveryone(s: Statement): boolean {
  return s.NotPrincipal === undefined && (s.Principal === '*' || (isObj(s.Principal) && arr(s.Principal.AWS).includes('*')));
}

function hasCondition(s: Statement): boolean {
  return isObj(s.Condition) && Object.keys(s.Condition).length > 0;
}

/**
 * True when the statement's only condition is "the caller is not this role"
 * (`ArnNotEquals`/`ArnNotLike` on `aws:PrincipalArn` with exactly that ARN), so
 * it applies to every other principal.
 */
function exemptsOnly(s: Statement, roleArn: string): boolean {
  if (!isObj(s.Condition)) return false;
  const ops = Object.entries(s.Condition);
  if (ops.length !== 1) return false;
  const [op, keys] = ops[0];
  if ((op !== 'ArnNotEquals' && op !== 'ArnNotLike') || !isObj(keys)) return false;
  const entries = Object.entries(keys);
  if (entries.length !== 1 || entries[0][0].toLowerCase() !== 'aws:principalarn') return false;
  const values = arr(entries[0][1]);
  return values.length === 1 && values[0] === roleArn;
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

interface Association {
  distribution: string;
  /** `default` or the behaviour's path pattern. */
  behaviour: string;
  eventType: unknown;
  includeBody: unknown;
  /** The aws_lambda_function it references, if any. */
  fn: string | null;
}

function associations(doc: Doc): Association[] {
  const out: Association[] = [];
  for (const [dname, d] of doc.all('aws_cloudfront_distribution')) {
    const behaviours: [string, Obj][] = [
      ...blocks(d.default_cache_behavior).map((b): [string, Obj] => ['default', b]),
      ...blocks(d.ordered_cache_behavior).map((b): [string, Obj] => [String(b.path_pattern), b]),
    ];
    for (const [behaviour, b] of behaviours) {
      for (const a of blocks(b.lambda_function_association)) {
        const r = refOf(a.lambda_arn);
        out.push({ distribution: dname, behaviour, eventType: a.event_type, includeBody: a.include_body, fn: r && r.type === 'aws_lambda_function' ? r.name : null });
      }
    }
  }
  return out;
}

function roleOfFunction(doc: Doc, fn: string | null): string | null {
  const r = fn === null ? null : refOf(doc.get('aws_lambda_function', fn)?.role);
  return r && r.type === 'aws_iam_role' ? r.name : null;
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
  // The cosigner is whatever runs at origin-request on /_gatekeeper/* (without that association, e.g. detached for
  // destroy, any function's role); the role of anything at viewer-request (the gate) is never a data-bucket principal.
  const assoc = associations(doc);
  const gateRoles = new Set(assoc.filter((a) => a.eventType === 'viewer-request').map((a) => roleOfFunction(doc, a.fn)));
  const cosignerRoles = new Set(
    assoc.filter((a) => a.eventType === 'origin-request' && a.behaviour === GATEKEEPER_PATH).map((a) => roleOfFunction(doc, a.fn)),
  );
  const candidates = cosignerRoles.size > 0 ? [...cosignerRoles] : [...functionRoles];
  const listerRoles = new Set(candidates.filter((r): r is string => r !== null && !gateRoles.has(r)));
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
      if (s.NotAction !== undefined) {
        out.push({ rule: 'data-bucket-principal', address, message: 'an Allow statement on the data bucket must list its actions (no NotAction)' });
        continue;
      }
      const actions = arr(s.Action).map(String);
      for (const [kind, values] of Object.entries(s.Principal)) {
        for (const v of arr(values)) {
          if (kind === 'Service' && v === 'cloudfront.amazonaws.com') {
            const eq = isObj(s.Condition) && isObj(s.Condition.StringEquals) ? s.Condition.StringEquals['AWS:SourceArn'] : undefined;
            const r = refOf(eq);
            if (!r || r.type !== 'aws_cloudfront_distribution' || r.attr !== 'arn') {
              out.push({ rule: 'data-bucket-principal', address, message: 'the CloudFront principal needs AWS:SourceArn equal to this stack\'s distribution' });
            }
            const extra = actions.filter((a) => !CLOUDFRONT_DATA_ACTIONS.includes(a));
            if (extra.length > 0) {
              out.push({ rule: 'data-bucket-principal', address, message: `CloudFront may only ${CLOUDFRONT_DATA_ACTIONS.join(' and ')}, not ${extra.join(', ')}` });
            }
            continue;
          }
          const r = refOf(v);
          if (kind === 'AWS' && r && r.type === 'aws_iam_role' && r.attr === 'arn' && listerRoles.has(r.name)) {
            const extra = actions.filter((a) => !COSIGNER_DATA_ACTIONS.includes(a));
            if (extra.length > 0) {
              out.push({ rule: 'data-bucket-principal', address, message: `the cosigner's role may only ${COSIGNER_DATA_ACTIONS.join(', ')}, not ${extra.join(', ')}` });
            }
            continue;
          }
          const why = kind === 'AWS' && r && r.type === 'aws_iam_role' && gateRoles.has(r.name) ? " (the gate's role must not appear)" : '';
          out.push({ rule: 'data-bucket-principal', address, message: `principal ${kind}:${String(v)} is neither CloudFront nor the cosigner's role${why}` });
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

/**
 * An enabled distribution serves objects unchecked unless the gate runs at
 * viewer-request on every object behaviour and the cosigner answers
 * `/_gatekeeper/*` at origin-request with the body (that behaviour reaches
 * the bucket too).
 */
function checkEdgeAssociations(doc: Doc, out: Violation[]): void {
  const all = associations(doc);
  for (const [name, d] of doc.all('aws_cloudfront_distribution')) {
    if (d.enabled === false) continue;
    const address = `aws_cloudfront_distribution.${name}`;
    const mine = all.filter((a) => a.distribution === name);
    const gate = mine.find((a) => a.behaviour === 'default' && a.eventType === 'viewer-request' && a.fn !== null);
    if (!gate) {
      out.push({ rule: 'edge-association', address, message: 'an enabled distribution needs the gate at viewer-request on the default behaviour, or objects are served unchecked' });
    }
    const behaviours = blocks(d.ordered_cache_behavior);
    const gk = behaviours.find((b) => b.path_pattern === GATEKEEPER_PATH);
    if (!gk) {
      out.push({ rule: 'edge-association', address, message: `an enabled distribution needs the ${GATEKEEPER_PATH} behaviour for the cosigner` });
    } else if (!mine.some((a) => a.behaviour === GATEKEEPER_PATH && a.eventType === 'origin-request' && a.includeBody === true && a.fn !== null)) {
      out.push({ rule: 'edge-association', address, message: `${GATEKEEPER_PATH} needs the cosigner at origin-request with include_body, or its requests reach the bucket unchecked` });
    }
    for (const b of behaviours) {
      if (b.path_pattern === GATEKEEPER_PATH || !gate) continue;
      if (!mine.some((a) => a.behaviour === String(b.path_pattern) && a.eventType === 'viewer-request' && a.fn === gate.fn)) {
        out.push({ rule: 'edge-association', address, message: `behaviour ${String(b.path_pattern)} needs the gate at viewer-request, or its objects are served unchecked` });
      }
    }
  }
}

/**
 * A secret that exactly one role may read through IAM (the cosigning key)
 * must also say so itself: a resource policy denying GetSecretValue to every
 * other principal (an admin's broad IAM grant included), with no Allow. Once
 * such a policy exists, no other role may be granted the read either.
 */
function checkSecretReaders(doc: Doc, out: Violation[]): void {
  const readers = new Map<string, Set<string>>();
  // With a role policy that cannot be read (reported by checkPolicyDocuments), "one reader" cannot be told.
  let complete = true;
  for (const [, rp] of doc.all('aws_iam_role_policy')) {
    const role = refOf(rp.role);
    const statements = parsePolicy(rp.policy);
    if (statements === null) complete = false;
    if (!role || role.type !== 'aws_iam_role' || statements === null) continue;
    for (const s of statements) {
      if (s.Effect !== 'Allow' || !coversAction(s, 'secretsmanager:GetSecretValue')) continue;
      for (const res of arr(s.Resource)) {
        const r = refOf(res);
        if (!r || r.type !== 'aws_secretsmanager_secret' || r.attr !== 'arn') continue;
        const set = readers.get(r.name) ?? new Set<string>();
        set.add(role.name);
        readers.set(r.name, set);
      }
    }
  }
  const policies = new Map<string, Statement[]>();
  const add = (secret: string, text: unknown): void => {
    const st = parsePolicy(text);
    if (st) policies.set(secret, [...(policies.get(secret) ?? []), ...st]);
  };
  for (const [name, sec] of doc.all('aws_secretsmanager_secret')) if (sec.policy !== undefined) add(name, sec.policy);
  for (const [, sp] of doc.all('aws_secretsmanager_secret_policy')) {
    const r = refOf(sp.secret_arn);
    if (r && r.type === 'aws_secretsmanager_secret' && (r.attr === 'arn' || r.attr === 'id')) add(r.name, sp.policy);
  }
  for (const [name] of doc.all('aws_secretsmanager_secret')) {
    const address = `aws_secretsmanager_secret.${name}`;
    const roles = [...(readers.get(name) ?? [])];
    const statements = policies.get(name) ?? [];
    const onlyReader = (s: Statement): string | null => {
      if (s.Effect !== 'Deny' || !principalIsEveryone(s) || !coversAction(s, 'secretsmanager:GetSecretValue')) return null;
      if (!arr(s.Resource).some((x) => x === '*' || x === `\${aws_secretsmanager_secret.${name}.arn}`)) return null;
      const role = [...doc.all('aws_iam_role')].map(([n]) => n).find((n) => exemptsOnly(s, `\${aws_iam_role.${n}.arn}`));
      return role ?? null;
    };
    const restrictedTo = statements.map(onlyReader).filter((r): r is string => r !== null);
    if (roles.length === 1 && complete) {
      if (!restrictedTo.includes(roles[0])) {
        out.push({
          rule: 'signing-key-policy',
          address,
          message: `only aws_iam_role.${roles[0]} reads this secret: it needs a secret policy denying secretsmanager:GetSecretValue to every other principal (ArnNotEquals aws:PrincipalArn)`,
        });
      }
    }
    if (restrictedTo.length > 0) {
      for (const r of roles.filter((x) => !restrictedTo.includes(x))) {
        out.push({ rule: 'signing-key-policy', address, message: `aws_iam_role.${r} is granted GetSecretValue on a secret only aws_iam_role.${restrictedTo[0]} may read` });
      }
    }
    if ((roles.length === 1 || restrictedTo.length > 0) && statements.some((s) => s.Effect === 'Allow')) {
      out.push({ rule: 'signing-key-policy', address, message: 'the secret policy of a single-reader secret must not Allow anything' });
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
    checkAuditBucketPolicy(doc, out, bucket.name, s3);
  }
}

/** The fixed part of a Firehose prefix, before its first `!{...}` expression. */
function staticPrefix(p: unknown): string | null {
  return typeof p === 'string' ? p.split('!{')[0] : null;
}

/**
 * Object Lock keeps every version, but a record can still be hidden (a
 * delete marker, a lifecycle expiry) or forged (anyone with s3:PutObject
 * writing Parquet under `audit/`). The audit bucket's policy must deny those
 * to everyone, except the writes of Firehose's own role, and must leave
 * Firehose everything it needs.
 */
function checkAuditBucketPolicy(doc: Doc, out: Violation[], bucket: string, s3: Obj): void {
  const address = `aws_s3_bucket.${bucket}`;
  const bucketArn = `\${aws_s3_bucket.${bucket}.arn}`;
  const role = refOf(s3.role_arn);
  const roleArn = role && role.type === 'aws_iam_role' && role.attr === 'arn' ? String(s3.role_arn) : null;
  const statements = doc
    .all('aws_s3_bucket_policy')
    .filter(([, p]) => bucketKeyOfRef(p.bucket) === `r:${bucket}`)
    .flatMap(([, p]) => parsePolicy(p.policy) ?? []);
  if (statements.length === 0) {
    out.push({ rule: 'audit-bucket-policy', address, message: 'the audit bucket needs a bucket policy that protects its records' });
    return;
  }
  const objects = [staticPrefix(s3.prefix), staticPrefix(s3.error_output_prefix)]
    .filter((x): x is string => x !== null)
    .map((x) => `${bucketArn}/${x}gk-probe`);
  const everyone = statements.filter((s) => s.Effect === 'Deny' && principalIsEveryone(s));
  const unconditional = everyone.filter((s) => !hasCondition(s));

  const undeniedOnObjects = AUDIT_OBJECT_DENIES.filter((a) => !objects.every((o) => unconditional.some((s) => coversAction(s, a) && coversResource(s, o))));
  const undeniedOnBucket = AUDIT_BUCKET_DENIES.filter((a) => !unconditional.some((s) => coversAction(s, a) && coversResource(s, bucketArn)));
  const undenied = [...undeniedOnObjects, ...undeniedOnBucket];
  if (undenied.length > 0) {
    out.push({ rule: 'audit-bucket-policy', address, message: `needs an unconditional Deny for every principal of ${undenied.join(', ')} (records could be hidden)` });
  }
  if (roleArn === null) {
    out.push({ rule: 'audit-bucket-policy', address, message: "Firehose's role must be an aws_iam_role of this stack, so writes can be limited to it" });
  } else {
    const guarded = objects.every((o) => everyone.some((s) => coversAction(s, 's3:PutObject') && coversResource(s, o) && exemptsOnly(s, roleArn)));
    if (!guarded) {
      out.push({
        rule: 'audit-bucket-policy',
        address,
        message: `needs a Deny of s3:PutObject on the Firehose prefixes for every principal but ${roleArn} (ArnNotEquals aws:PrincipalArn), or records could be forged`,
      });
    }
  }
  const blocked = FIREHOSE_S3_ACTIONS.filter((a) =>
    unconditional.some((s) => coversAction(s, a) && (coversResource(s, bucketArn) || objects.some((o) => coversResource(s, o)))),
  );
  if (blocked.length > 0) {
    out.push({ rule: 'audit-bucket-policy', address, message: `an unconditional Deny blocks Firehose's ${blocked.join(', ')}` });
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
  checkEdgeAssociations(doc, out);
  checkSecretReaders(doc, out);
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
