import { readFileSync } from 'node:fs';
import { parseBuildConfig, type BuildConfig } from '../edge/config';
import { parseAclText } from '../edge/core/acl';
import { initialAclDocument } from './acl-document';

/**
 * The one file a customer edits: everything the stack needs, typed and
 * validated at construction, with errors that name the field
 * (`dataBucket.lifecycle.expireAfterDays: must be ...`). Every resource name is
 * derived from it deterministically, so the edge build config (Lambda@Edge has
 * no environment variables) can be computed before any resource exists.
 */
export interface PublicKeyEntry {
  kid: string;
  /** b64u, 32 raw bytes (Ed25519). */
  publicKey: string;
}

export interface DataBucketLifecycle {
  /** Move objects to STANDARD_IA after this many days (S3 requires at least 30). */
  infrequentAccessAfterDays: number | null;
  /** Expire current versions after this many days. */
  expireAfterDays: number | null;
  /** Delete noncurrent versions this many days after they stop being current. */
  noncurrentExpireAfterDays: number | null;
}

export interface StackConfig {
  /** The cdktf stack name: `cdktf.out/stacks/<stackName>`. */
  stackName: string;
  /** Prefix of every resource name; 3-24 chars of [a-z0-9-]. */
  prefix: string;
  /** Home region: data bucket, secrets, audit pipeline. Lambda@Edge and ACM are always us-east-1. */
  region: string;
  /** The `aud` every grant must carry; handed to the vendor. */
  gatekeeperId: string;
  /** Exact browser origins of the vendor's app (scheme://host[:port]). */
  vendorOrigins: string[];
  /** Vendor public keys for the initial ACL (may be empty and pushed later). */
  vendorKeys: PublicKeyEntry[];
  /** Public halves of this gatekeeper's cosigning keys for the initial ACL. */
  gatekeeperKeys: PublicKeyEntry[];
  acl: {
    countriesAllow: string[];
    maxGrantTtlSeconds: number;
    cosignTtlSeconds: number;
    clockSkewSeconds: number;
    /** Seconds an edge keeps the ACL in memory before refreshing it. */
    refreshSeconds: number;
    /** Extra regions holding a replica of the ACL secret (the edge reads the nearest listed). */
    replicaRegions: string[];
  };
  dataBucket: {
    name: string;
    /** true: the bucket exists already; the stack only adds its policy. */
    existing: boolean;
    /**
     * The customer's explicit consent, required with `existing`: the stack's
     * bucket policy replaces the bucket's whole policy (Terraform owns it).
     */
    replaceExistingPolicy: boolean;
    /** Region of the bucket; only an existing bucket may differ from `region`. */
    region: string;
    encryption: 'AES256' | 'aws:kms';
    lifecycle: DataBucketLifecycle;
  };
  distribution: {
    priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
    aliases: string[];
    /** ACM certificate in us-east-1 for the aliases; null with aliases: the stack requests one (DNS validation). */
    certificateArn: string | null;
    /** Standard (legacy) access logging into an existing bucket that has ACLs enabled. */
    logging: { bucket: string; prefix: string } | null;
  };
  audit: {
    /** Object Lock (compliance mode) retention of every audit object, in days. */
    retentionDays: number;
    /** Firehose buffer; format conversion needs at least 64 MiB. */
    bufferingSizeMb: number;
    bufferingIntervalSeconds: number;
    streamRetentionHours: number;
    /** Edge wait for Kinesis before failing closed. */
    timeoutMs: number;
    failOpen: boolean;
    athenaResultsExpireDays: number;
  };
  /** Recovery window of the two secrets when destroyed (0 deletes at once). */
  secretRecoveryWindowDays: number;
  tags: Record<string, string>;
  /** Optional remote state; without it cdktf keeps local state files. */
  backend: { s3: { bucket: string; key: string; region: string; useLockfile: boolean } } | null;
}

export class StackConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'StackConfigError';
  }
}

const AUDIT_TIMEOUT_MIN_MS = 50;

export const DEFAULT_COUNTRIES = ['US', 'CA', 'GB', 'AU', 'NZ', 'IE', 'NL'] as const;

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const PREFIX_RE = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
const KID_RE = /^[A-Za-z0-9._-]{1,64}$/;
const B64U_RE = /^[A-Za-z0-9_-]+$/;
const ORIGIN_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOST_RE = /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;
const ACM_ARN_RE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[A-Za-z0-9-]+$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function path(base: string, f: string): string {
  return base ? `${base}.${f}` : f;
}

function obj(v: unknown, field: string, known: readonly string[]): Obj {
  if (!isObj(v)) throw new StackConfigError(field || '(root)', 'must be a JSON object');
  for (const k of Object.keys(v)) {
    if (!known.includes(k)) throw new StackConfigError(path(field, k), 'unknown field');
  }
  return v;
}

function optObj(o: Obj, f: string, base: string, known: readonly string[]): Obj {
  return o[f] === undefined ? {} : obj(o[f], path(base, f), known);
}

function str(o: Obj, f: string, base: string, re: RegExp, what: string, dflt?: string): string {
  const v = o[f] ?? dflt;
  if (typeof v !== 'string' || !re.test(v)) throw new StackConfigError(path(base, f), `must be ${what}`);
  return v;
}

function int(o: Obj, f: string, base: string, dflt: number, min: number, max: number): number {
  const v = o[f] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new StackConfigError(path(base, f), `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function optInt(o: Obj, f: string, base: string, min: number, max: number): number | null {
  if (o[f] === undefined || o[f] === null) return null;
  return int(o, f, base, 0, min, max);
}

function bool(o: Obj, f: string, base: string, dflt: boolean): boolean {
  const v = o[f] ?? dflt;
  if (typeof v !== 'boolean') throw new StackConfigError(path(base, f), 'must be true or false');
  return v;
}

function list(o: Obj, f: string, base: string, dflt: readonly string[] | undefined, re: RegExp, what: string): string[] {
  const v = o[f] ?? dflt;
  const field = path(base, f);
  if (!Array.isArray(v)) throw new StackConfigError(field, 'must be a list');
  const seen = new Set<string>();
  return v.map((x, i) => {
    if (typeof x !== 'string' || !re.test(x)) throw new StackConfigError(`${field}[${i}]`, `must be ${what}`);
    if (seen.has(x)) throw new StackConfigError(`${field}[${i}]`, `duplicate ${x}`);
    seen.add(x);
    return x;
  });
}

/** A 32-byte key in canonical b64u (no padding, no stray trailing bits). */
export function isB64uKey32(s: string): boolean {
  if (!B64U_RE.test(s) || s.length !== 43) return false;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.length === 32 && bytes.toString('base64url') === s;
}

function keys(o: Obj, f: string, base: string): PublicKeyEntry[] {
  const v = o[f] ?? [];
  const field = path(base, f);
  if (!Array.isArray(v)) throw new StackConfigError(field, 'must be a list of {kid, publicKey}');
  const kids = new Set<string>();
  return v.map((e, i) => {
    const at = `${field}[${i}]`;
    const k = obj(e, at, ['kid', 'publicKey']);
    const kid = str(k, 'kid', at, KID_RE, '1-64 chars of [A-Za-z0-9._-]');
    if (kids.has(kid)) throw new StackConfigError(`${at}.kid`, `duplicate kid ${kid}`);
    kids.add(kid);
    const publicKey = k.publicKey;
    if (typeof publicKey !== 'string' || !isB64uKey32(publicKey)) {
      throw new StackConfigError(`${at}.publicKey`, 'must be 32 bytes in canonical b64u (43 chars)');
    }
    return { kid, publicKey };
  });
}

const TOP = [
  '$schema',
  'stackName',
  'prefix',
  'region',
  'gatekeeperId',
  'vendorOrigins',
  'vendorKeys',
  'gatekeeperKeys',
  'acl',
  'dataBucket',
  'distribution',
  'audit',
  'secretRecoveryWindowDays',
  'tags',
  'backend',
] as const;

/** Validates a parsed stack config, fills defaults; throws StackConfigError naming the first bad field. */
export function parseStackConfig(input: unknown): StackConfig {
  const o = obj(input, '', TOP);
  const region = str(o, 'region', '', REGION_RE, 'an AWS region such as eu-west-1');
  const prefix = str(o, 'prefix', '', PREFIX_RE, '3-24 chars of [a-z0-9-], starting with a letter');

  const vendorOrigins = list(o, 'vendorOrigins', '', undefined, ORIGIN_RE, 'scheme://host[:port] with no path or trailing slash');
  if (vendorOrigins.length === 0) throw new StackConfigError('vendorOrigins', 'must list at least one origin');
  const gatekeeperKeys = keys(o, 'gatekeeperKeys', '');
  if (gatekeeperKeys.length === 0) {
    throw new StackConfigError('gatekeeperKeys', 'must hold at least one key (scripts/infra/keygen.sh prints one)');
  }

  const a = optObj(o, 'acl', '', [
    'countriesAllow',
    'maxGrantTtlSeconds',
    'cosignTtlSeconds',
    'clockSkewSeconds',
    'refreshSeconds',
    'replicaRegions',
  ]);
  const replicaRegions = list(a, 'replicaRegions', 'acl', [], REGION_RE, 'an AWS region');
  replicaRegions.forEach((r, i) => {
    if (r === region) throw new StackConfigError(`acl.replicaRegions[${i}]`, 'must differ from the home region');
  });

  const d = obj(o.dataBucket, 'dataBucket', ['name', 'existing', 'replaceExistingPolicy', 'region', 'encryption', 'lifecycle']);
  const existing = bool(d, 'existing', 'dataBucket', false);
  const replaceExistingPolicy = bool(d, 'replaceExistingPolicy', 'dataBucket', false);
  const bucketRegion = str(d, 'region', 'dataBucket', REGION_RE, 'an AWS region', region);
  if (!existing && bucketRegion !== region) {
    throw new StackConfigError('dataBucket.region', 'may differ from region only for an existing bucket');
  }
  const encryption = d.encryption ?? 'AES256';
  if (encryption !== 'AES256' && encryption !== 'aws:kms') {
    throw new StackConfigError('dataBucket.encryption', 'must be "AES256" or "aws:kms"');
  }
  const l = optObj(d, 'lifecycle', 'dataBucket', ['infrequentAccessAfterDays', 'expireAfterDays', 'noncurrentExpireAfterDays']);
  const lifecycle: DataBucketLifecycle = {
    infrequentAccessAfterDays: optInt(l, 'infrequentAccessAfterDays', 'dataBucket.lifecycle', 30, 36500),
    expireAfterDays: optInt(l, 'expireAfterDays', 'dataBucket.lifecycle', 1, 36500),
    noncurrentExpireAfterDays: optInt(l, 'noncurrentExpireAfterDays', 'dataBucket.lifecycle', 1, 36500),
  };
  if (
    lifecycle.infrequentAccessAfterDays !== null &&
    lifecycle.expireAfterDays !== null &&
    lifecycle.expireAfterDays <= lifecycle.infrequentAccessAfterDays
  ) {
    throw new StackConfigError('dataBucket.lifecycle.expireAfterDays', 'must be later than infrequentAccessAfterDays');
  }
  if (existing && (encryption !== 'AES256' || Object.values(lifecycle).some((v) => v !== null))) {
    throw new StackConfigError('dataBucket.existing', 'an existing bucket gets only policy statements: drop encryption and lifecycle');
  }
  if (existing && !replaceExistingPolicy) {
    throw new StackConfigError(
      'dataBucket.replaceExistingPolicy',
      "must be true with an existing bucket: the stack's bucket policy replaces the bucket's whole policy " +
        '(save it first and merge in any statement you need to keep); set it to true to agree',
    );
  }
  if (!existing && replaceExistingPolicy) {
    throw new StackConfigError('dataBucket.replaceExistingPolicy', 'applies only with dataBucket.existing: true');
  }

  const t = optObj(o, 'distribution', '', ['priceClass', 'aliases', 'certificateArn', 'logging']);
  const priceClass = t.priceClass ?? 'PriceClass_100';
  if (priceClass !== 'PriceClass_100' && priceClass !== 'PriceClass_200' && priceClass !== 'PriceClass_All') {
    throw new StackConfigError('distribution.priceClass', 'must be PriceClass_100, PriceClass_200 or PriceClass_All');
  }
  const aliases = list(t, 'aliases', 'distribution', [], HOST_RE, 'a lower-case DNS name');
  let certificateArn: string | null = null;
  if (t.certificateArn !== undefined && t.certificateArn !== null) {
    certificateArn = str(t, 'certificateArn', 'distribution', ACM_ARN_RE, 'an ACM certificate ARN in us-east-1');
    if (aliases.length === 0) throw new StackConfigError('distribution.certificateArn', 'needs distribution.aliases');
  }
  let logging: StackConfig['distribution']['logging'] = null;
  if (t.logging !== undefined && t.logging !== null) {
    const g = obj(t.logging, 'distribution.logging', ['bucket', 'prefix']);
    logging = {
      bucket: str(g, 'bucket', 'distribution.logging', BUCKET_RE, 'an S3 bucket name'),
      prefix: str(g, 'prefix', 'distribution.logging', /^[A-Za-z0-9!_.*'()\/-]{0,512}$/, 'an S3 key prefix', 'cloudfront/'),
    };
  }

  const u = optObj(o, 'audit', '', [
    'retentionDays',
    'bufferingSizeMb',
    'bufferingIntervalSeconds',
    'streamRetentionHours',
    'timeoutMs',
    'failOpen',
    'athenaResultsExpireDays',
  ]);

  const b = o.backend;
  let backend: StackConfig['backend'] = null;
  if (b !== undefined && b !== null) {
    const s3 = obj(obj(b, 'backend', ['s3']).s3, 'backend.s3', ['bucket', 'key', 'region', 'useLockfile']);
    backend = {
      s3: {
        bucket: str(s3, 'bucket', 'backend.s3', BUCKET_RE, 'an S3 bucket name'),
        key: str(s3, 'key', 'backend.s3', /^[A-Za-z0-9!_.*'()\/-]{1,1024}$/, 'an S3 key'),
        region: str(s3, 'region', 'backend.s3', REGION_RE, 'an AWS region', region),
        useLockfile: bool(s3, 'useLockfile', 'backend.s3', true),
      },
    };
  }

  const tagsIn = o.tags ?? {};
  if (!isObj(tagsIn)) throw new StackConfigError('tags', 'must be an object of strings');
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(tagsIn)) {
    if (!/^[\p{L}\p{N}\s_.:/=+@-]{1,128}$/u.test(k) || k.startsWith('aws:')) throw new StackConfigError(`tags.${k}`, 'not a valid tag key');
    if (typeof v !== 'string' || v.length > 256) throw new StackConfigError(`tags.${k}`, 'must be a string of at most 256 chars');
    tags[k] = v;
  }

  const config: StackConfig = {
    stackName: str(o, 'stackName', '', /^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a stack name ([A-Za-z][A-Za-z0-9_-]*)', 'gatekeeper'),
    prefix,
    region,
    gatekeeperId: str(o, 'gatekeeperId', '', /^[A-Za-z0-9._:-]{1,128}$/, '1-128 chars of [A-Za-z0-9._:-]'),
    vendorOrigins,
    vendorKeys: keys(o, 'vendorKeys', ''),
    gatekeeperKeys,
    acl: {
      countriesAllow: list(a, 'countriesAllow', 'acl', DEFAULT_COUNTRIES, COUNTRY_RE, 'an upper-case ISO 3166-1 alpha-2 code'),
      maxGrantTtlSeconds: int(a, 'maxGrantTtlSeconds', 'acl', 900, 1, 86400),
      cosignTtlSeconds: int(a, 'cosignTtlSeconds', 'acl', 300, 1, 3600),
      clockSkewSeconds: int(a, 'clockSkewSeconds', 'acl', 30, 0, 300),
      refreshSeconds: int(a, 'refreshSeconds', 'acl', 60, 1, 3600),
      replicaRegions,
    },
    dataBucket: {
      name: str(d, 'name', 'dataBucket', BUCKET_RE, 'an S3 bucket name'),
      existing,
      replaceExistingPolicy,
      region: bucketRegion,
      encryption,
      lifecycle,
    },
    distribution: { priceClass, aliases, certificateArn, logging },
    audit: {
      retentionDays: int(u, 'retentionDays', 'audit', 400, 1, 36500),
      bufferingSizeMb: int(u, 'bufferingSizeMb', 'audit', 64, 64, 128),
      bufferingIntervalSeconds: int(u, 'bufferingIntervalSeconds', 'audit', 300, 60, 900),
      streamRetentionHours: int(u, 'streamRetentionHours', 'audit', 24, 24, 8760),
      timeoutMs: int(u, 'timeoutMs', 'audit', 1500, AUDIT_TIMEOUT_MIN_MS, 4000),
      failOpen: bool(u, 'failOpen', 'audit', false),
      athenaResultsExpireDays: int(u, 'athenaResultsExpireDays', 'audit', 30, 1, 3650),
    },
    secretRecoveryWindowDays: ((): number => {
      const w = int(o, 'secretRecoveryWindowDays', '', 7, 0, 30);
      if (w > 0 && w < 7) throw new StackConfigError('secretRecoveryWindowDays', 'must be 0 or from 7 to 30');
      return w;
    })(),
    tags,
    backend,
  };
  checkEdgeTimeBudget(config);
  // The initial ACL must pass the very validation the edge applies (e.g. no key in both key lists).
  const acl = parseAclText(JSON.stringify(initialAclDocument(config)));
  if (!acl.ok) throw new StackConfigError('(initial ACL)', acl.errors.join('; '));
  return config;
}

/**
 * The gate runs at viewer-request, where Lambda@Edge allows 5 s. The edge
 * keeps 500 ms of that for itself and splits the rest between the audit put
 * (`audit.timeoutMs`) and one ACL fetch per region that holds the ACL (home +
 * replicas), each given at least 300 ms: per-region timeout =
 * max(300, min(1500, floor((4500 - auditTimeoutMs) / regions))), the same
 * rule as edge/config.ts parseBuildConfig.
 */
export const EDGE_TIME_BUDGET_MS = 4500;
export const MIN_ACL_FETCH_MS = 300;

function checkEdgeTimeBudget(c: StackConfig): void {
  const regions = 1 + c.acl.replicaRegions.length;
  const audit = c.audit.timeoutMs;
  if (audit + MIN_ACL_FETCH_MS * regions <= EDGE_TIME_BUDGET_MS) return;
  const maxReplicas = Math.floor((EDGE_TIME_BUDGET_MS - AUDIT_TIMEOUT_MIN_MS) / MIN_ACL_FETCH_MS) - 1;
  if (c.acl.replicaRegions.length > maxReplicas) {
    throw new StackConfigError(
      'acl.replicaRegions',
      `at most ${maxReplicas} replicas fit the gate's ${EDGE_TIME_BUDGET_MS} ms budget (${MIN_ACL_FETCH_MS} ms per ACL region plus audit.timeoutMs)`,
    );
  }
  throw new StackConfigError(
    'audit.timeoutMs',
    `must be at most ${EDGE_TIME_BUDGET_MS - MIN_ACL_FETCH_MS * regions} with ${regions} ACL regions (home + acl.replicaRegions): ` +
      `audit.timeoutMs + ${MIN_ACL_FETCH_MS} ms per region must fit the gate's ${EDGE_TIME_BUDGET_MS} ms budget`,
  );
}

/** Reads and validates a stack config file; a JSON syntax error names the file. */
export function loadStackConfig(file: string): StackConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new StackConfigError('(file)', `cannot read ${file} (copy infra/gatekeeper.stack.example.json)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StackConfigError('(file)', `${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseStackConfig(parsed);
}

/** Glue table every audit query reads (Athena and the local DuckDB tool alike). */
export const AUDIT_TABLE = 'audit';

/** Every name derived from the config, so scripts and the edge build agree with the stack. */
export interface StackNames {
  aclSecret: string;
  signingKeySecret: string;
  auditStream: string;
  firehose: string;
  firehoseRole: string;
  firehoseLogGroup: string;
  gateFunction: string;
  cosignerFunction: string;
  gateRole: string;
  cosignerRole: string;
  glueDatabase: string;
  glueTable: string;
  athenaWorkgroup: string;
  auditBucketPrefix: string;
  athenaResultsBucketPrefix: string;
  originAccessControl: string;
  s3OriginRequestPolicy: string;
  gatekeeperOriginRequestPolicy: string;
  responseHeadersPolicy: string;
  dataBucketKeyAlias: string;
}

export function stackNames(c: Pick<StackConfig, 'prefix'>): StackNames {
  const p = c.prefix;
  return {
    aclSecret: `${p}-acl`,
    signingKeySecret: `${p}-signing-key`,
    auditStream: `${p}-audit`,
    firehose: `${p}-audit`,
    firehoseRole: `${p}-audit-firehose`,
    firehoseLogGroup: `/aws/kinesisfirehose/${p}-audit`,
    gateFunction: `${p}-gate`,
    cosignerFunction: `${p}-cosigner`,
    gateRole: `${p}-gate-edge`,
    cosignerRole: `${p}-cosigner-edge`,
    glueDatabase: `${p.replace(/-/g, '_')}_audit`,
    glueTable: AUDIT_TABLE,
    athenaWorkgroup: `${p}-audit`,
    auditBucketPrefix: `${p}-audit-`,
    athenaResultsBucketPrefix: `${p}-athena-`,
    originAccessControl: `${p}-data`,
    s3OriginRequestPolicy: `${p}-s3-origin`,
    gatekeeperOriginRequestPolicy: `${p}-gatekeeper-origin`,
    responseHeadersPolicy: `${p}-headers`,
    dataBucketKeyAlias: `alias/${p}-data`,
  };
}

/** The build config baked into both edge bundles, derived from the stack config alone. */
export function buildConfigFor(c: StackConfig): BuildConfig {
  const n = stackNames(c);
  return parseBuildConfig({
    gatekeeperId: c.gatekeeperId,
    aclSecretId: n.aclSecret,
    aclSecretRegions: [c.region, ...c.acl.replicaRegions],
    aclTtlSeconds: c.acl.refreshSeconds,
    signingKeySecretId: n.signingKeySecret,
    signingKeySecretRegion: c.region,
    auditStreamName: n.auditStream,
    auditStreamRegion: c.region,
    auditTimeoutMs: c.audit.timeoutMs,
    auditFailOpen: c.audit.failOpen,
    vendorOrigins: c.vendorOrigins,
    bucket: c.dataBucket.name,
    bucketRegion: c.dataBucket.region,
  });
}
