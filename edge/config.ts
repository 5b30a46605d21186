/**
 * The build config: one validated document baked into each bundle at build
 * time, because Lambda@Edge has no environment variables. The ACL is not part
 * of it (fetched at run time from Secrets Manager).
 */
export interface BuildConfig {
  /** The `aud` every grant must carry. */
  gatekeeperId: string;
  /** Secrets Manager id (name or ARN) of the ACL document. */
  aclSecretId: string;
  /** Regions holding the ACL secret (primary first, then replicas). The function's own region is tried first when listed. */
  aclSecretRegions: string[];
  /** Seconds an ACL stays fresh in memory before a refresh. */
  aclTtlSeconds: number;
  /** Secrets Manager id of the cosigning key; only the cosigner bundle gets it. */
  signingKeySecretId: string | null;
  signingKeySecretRegion: string;
  auditStreamName: string;
  auditStreamRegion: string;
  /** Milliseconds to wait for Kinesis before failing closed. */
  auditTimeoutMs: number;
  /** Customer's opt-in: answer anyway when the audit sink fails (the record still goes to the log). */
  auditFailOpen: boolean;
  /** Exact origins (scheme://host[:port]) allowed to call from a browser. */
  vendorOrigins: string[];
  /** The data bucket, for the cosigner's listing. */
  bucket: string;
  bucketRegion: string;
  /** Service endpoints for the local stack; absent in AWS. */
  endpoints: { secretsManager?: string; kinesis?: string; s3?: string };
}

/** What the gate may spend on I/O of its 5 s viewer-request limit. */
export const EDGE_BUDGET_MS = 4500;
/** The shortest per-region ACL fetch timeout worth trying. */
export const MIN_ACL_FETCH_MS = 300;

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const ID_RE = /^[A-Za-z0-9._:\/+=@-]{1,2048}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ORIGIN_RE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

type Obj = Record<string, unknown>;

function str(o: Obj, f: string, re: RegExp, what: string): string {
  const v = o[f];
  if (typeof v !== 'string' || !re.test(v)) throw new ConfigError(f, `must be ${what}`);
  return v;
}

function int(o: Obj, f: string, dflt: number, min: number, max: number): number {
  const v = o[f] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(f, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

const KNOWN = new Set([
  '$schema',
  'gatekeeperId',
  'aclSecretId',
  'aclSecretRegions',
  'aclTtlSeconds',
  'signingKeySecretId',
  'signingKeySecretRegion',
  'auditStreamName',
  'auditStreamRegion',
  'auditTimeoutMs',
  'auditFailOpen',
  'vendorOrigins',
  'bucket',
  'bucketRegion',
  'endpoints',
]);

/** Validates a parsed build config; throws ConfigError naming the first bad field. */
export function parseBuildConfig(input: unknown): BuildConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('(root)', 'must be a JSON object');
  }
  const o = input as Obj;
  for (const k of Object.keys(o)) if (!KNOWN.has(k)) throw new ConfigError(k, 'unknown field');

  const gatekeeperId = str(o, 'gatekeeperId', /^[A-Za-z0-9._:-]{1,128}$/, '1-128 chars of [A-Za-z0-9._:-]');
  const aclSecretId = str(o, 'aclSecretId', ID_RE, 'a Secrets Manager name or ARN');
  const regions = o.aclSecretRegions;
  if (!Array.isArray(regions) || regions.length === 0) throw new ConfigError('aclSecretRegions', 'must be a non-empty list of regions');
  regions.forEach((r, i) => {
    if (typeof r !== 'string' || !REGION_RE.test(r)) throw new ConfigError(`aclSecretRegions[${i}]`, 'not an AWS region');
  });
  let signingKeySecretId: string | null = null;
  if (o.signingKeySecretId !== undefined && o.signingKeySecretId !== null) {
    signingKeySecretId = str(o, 'signingKeySecretId', ID_RE, 'a Secrets Manager name or ARN');
  }
  const origins = o.vendorOrigins;
  if (!Array.isArray(origins)) throw new ConfigError('vendorOrigins', 'must be a list of origins');
  origins.forEach((v, i) => {
    if (typeof v !== 'string' || !ORIGIN_RE.test(v)) {
      throw new ConfigError(`vendorOrigins[${i}]`, 'must be scheme://host[:port] with no path or trailing slash');
    }
  });
  if (o.auditFailOpen !== undefined && typeof o.auditFailOpen !== 'boolean') {
    throw new ConfigError('auditFailOpen', 'must be true or false');
  }
  const endpoints: BuildConfig['endpoints'] = {};
  if (o.endpoints !== undefined) {
    if (typeof o.endpoints !== 'object' || o.endpoints === null || Array.isArray(o.endpoints)) {
      throw new ConfigError('endpoints', 'must be an object');
    }
    for (const [k, v] of Object.entries(o.endpoints as Obj)) {
      if (k !== 'secretsManager' && k !== 'kinesis' && k !== 's3') throw new ConfigError(`endpoints.${k}`, 'unknown field');
      if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v)) throw new ConfigError(`endpoints.${k}`, 'must be an http(s) URL');
      endpoints[k] = v;
    }
  }
  const auditTimeoutMs = int(o, 'auditTimeoutMs', 1500, 50, 4000);
  // The gate has 5 s at viewer-request: the ACL fetch (at least
  // MIN_ACL_FETCH_MS per region) and the audit write must fit with room to spare.
  if (auditTimeoutMs + MIN_ACL_FETCH_MS * regions.length > EDGE_BUDGET_MS) {
    throw new ConfigError(
      'auditTimeoutMs',
      `with ${regions.length} ACL region(s) must be at most ${EDGE_BUDGET_MS - MIN_ACL_FETCH_MS * regions.length} (the viewer-request budget is 5 s)`,
    );
  }
  return {
    gatekeeperId,
    aclSecretId,
    aclSecretRegions: regions as string[],
    aclTtlSeconds: int(o, 'aclTtlSeconds', 60, 1, 3600),
    signingKeySecretId,
    signingKeySecretRegion:
      o.signingKeySecretRegion === undefined ? (regions[0] as string) : str(o, 'signingKeySecretRegion', REGION_RE, 'an AWS region'),
    auditStreamName: str(o, 'auditStreamName', /^[A-Za-z0-9_.-]{1,128}$/, 'a Kinesis stream name'),
    auditStreamRegion: str(o, 'auditStreamRegion', REGION_RE, 'an AWS region'),
    auditTimeoutMs,
    auditFailOpen: o.auditFailOpen === true,
    vendorOrigins: origins as string[],
    bucket: str(o, 'bucket', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name'),
    bucketRegion: o.bucketRegion === undefined ? (regions[0] as string) : str(o, 'bucketRegion', REGION_RE, 'an AWS region'),
    endpoints,
  };
}
