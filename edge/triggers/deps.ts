import { parseAclText, compileAcl, type CompiledAcl } from '../core/acl';
import { b64uDecode } from '../core/b64u';
import { signerFromSeed, type Signer } from '../core/decide/context';
import { parseJsonObject } from '../core/json';
import { ed25519PrivateKey, isKid } from '../core/keys';
import { EDGE_BUDGET_MS, MIN_ACL_FETCH_MS, type BuildConfig } from '../config';
import { lazyKinesisClient, lazySecretsClients, makeClients, type Clients } from '../adapters/clients';
import { KinesisAuditSink } from '../adapters/kinesis';
import { defaultLogger } from '../adapters/log';
import { CachedSecret, type ParseResult } from '../adapters/secrets';
import { listObjects } from '../adapters/s3-list';
import type { CosignerDeps } from './cosigner';
import type { EdgeDeps } from './runtime';

/** The ACL secret's text to a compiled ACL; errors name fields, never content. */
export function parseAcl(text: string): ParseResult<CompiledAcl> {
  const v = parseAclText(text);
  return v.ok ? { ok: true, value: compileAcl(v.acl) } : { ok: false, errors: v.errors };
}

/** The signing-key secret: `{"kid": "...", "privateKey": "<b64u 32-byte seed>"}`. */
export function parseSigningKey(text: string): ParseResult<Signer> {
  const p = parseJsonObject(text);
  if (!p.ok) return { ok: false, errors: ['(root): not a JSON object'] };
  const { kid, privateKey, ...rest } = p.value;
  const errors: string[] = Object.keys(rest).map((k) => `${k}: unknown field`);
  if (!isKid(kid)) errors.push('kid: must be 1-64 chars of [A-Za-z0-9._-]');
  const seed = typeof privateKey === 'string' ? b64uDecode(privateKey) : null;
  if (seed === null || seed.length !== 32) errors.push('privateKey: not 32 bytes of base64url');
  if (errors.length > 0 || seed === null || !isKid(kid)) return { ok: false, errors };
  return { ok: true, value: signerFromSeed(kid, seed) };
}

/** Production wiring for the gate: real AWS clients, wall clock, console log. */
type GateClients = Pick<Clients, 'secrets' | 'kinesis'>;

/** Viewer-request budget minus the audit write, spread over the ACL regions (parseBuildConfig ensures ≥ MIN_ACL_FETCH_MS). */
export function aclFetchTimeoutMs(config: BuildConfig): number {
  const left = EDGE_BUDGET_MS - config.auditTimeoutMs;
  return Math.max(MIN_ACL_FETCH_MS, Math.min(1500, Math.floor(left / config.aclSecretRegions.length)));
}

// The gate's default clients leave S3 out, so esbuild drops the S3 client from
// the viewer-request bundle (smaller zip, faster cold start).
export function gateDeps(
  config: BuildConfig,
  clients: GateClients = { secrets: lazySecretsClients(config), kinesis: lazyKinesisClient(config) },
): EdgeDeps {
  const log = defaultLogger;
  const ownRegion = process.env.AWS_REGION;
  return {
    config,
    acl: new CachedSecret({
      secretId: config.aclSecretId,
      regions: config.aclSecretRegions,
      ownRegion,
      ttlMs: config.aclTtlSeconds * 1000,
      parse: parseAcl,
      client: (r) => clients.secrets(r),
      now: Date.now,
      log,
      fetchTimeoutMs: aclFetchTimeoutMs(config),
    }),
    sink: new KinesisAuditSink({ client: clients.kinesis(), streamName: config.auditStreamName, timeoutMs: config.auditTimeoutMs, log }),
    now: Date.now,
    hrtime: process.hrtime.bigint,
    log,
    edgeLocation: ownRegion ?? null,
  };
}

export function cosignerDeps(config: BuildConfig): CosignerDeps {
  const clients = makeClients(config);
  const base = gateDeps(config, clients);
  const secretId = config.signingKeySecretId;
  if (secretId === null) throw new Error('signingKeySecretId: required for the cosigner');
  return {
    ...base,
    signer: new CachedSecret({
      secretId,
      regions: [config.signingKeySecretRegion],
      ttlMs: config.aclTtlSeconds * 1000,
      parse: parseSigningKey,
      client: (r) => clients.secrets(r),
      now: Date.now,
      log: base.log,
    }),
    list: (q) => listObjects(clients.s3(), config.bucket, q, base.log),
  };
}
