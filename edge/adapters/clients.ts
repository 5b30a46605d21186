import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BuildConfig } from '../config';

export interface Clients {
  secrets(region: string): SecretsManagerClient;
  kinesis(): KinesisClient;
  s3(): S3Client;
}

/** Per-attempt HTTP timeouts (ms); CachedSecret and the audit sink also bound a whole call with their own deadline. */
export const SECRETS_REQUEST_TIMEOUT_MS = 1500;
export const S3_REQUEST_TIMEOUT_MS = 3000;
const CONNECTION_TIMEOUT_MS = 1000;

function handler(requestTimeout: number): NodeHttpHandler {
  // HTTP/1.1 on purpose: Kinesis defaults to an HTTP/2 handler, which local
  // emulators (kinesalite) do not speak. Without throwOnRequestTimeout the
  // handler only logs a warning when requestTimeout passes.
  return new NodeHttpHandler({ connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout, throwOnRequestTimeout: true });
}

/** Secrets Manager clients, one per region, each created on first use and then cached. */
export function lazySecretsClients(cfg: BuildConfig): (region: string) => SecretsManagerClient {
  const cache = new Map<string, SecretsManagerClient>();
  const endpoint = cfg.endpoints.secretsManager;
  return (region) => {
    let c = cache.get(region);
    if (c === undefined) {
      c = new SecretsManagerClient({
        region,
        maxAttempts: 2,
        requestHandler: handler(SECRETS_REQUEST_TIMEOUT_MS),
        ...(endpoint !== undefined ? { endpoint } : {}),
      });
      cache.set(region, c);
    }
    return c;
  };
}

/** The audit stream's client, created on first use and then cached. */
export function lazyKinesisClient(cfg: BuildConfig): () => KinesisClient {
  let cache: KinesisClient | undefined;
  const endpoint = cfg.endpoints.kinesis;
  return () =>
    (cache ??= new KinesisClient({
      region: cfg.auditStreamRegion,
      maxAttempts: 2,
      requestHandler: handler(cfg.auditTimeoutMs),
      ...(endpoint !== undefined ? { endpoint } : {}),
    }));
}

/** The data bucket's client, created on first use and then cached. */
export function lazyS3Client(cfg: BuildConfig): () => S3Client {
  let cache: S3Client | undefined;
  const endpoint = cfg.endpoints.s3;
  return () =>
    (cache ??= new S3Client({
      region: cfg.bucketRegion,
      maxAttempts: 2,
      requestHandler: handler(S3_REQUEST_TIMEOUT_MS),
      // An emulator endpoint has no per-bucket DNS names.
      ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : {}),
    }));
}

/**
 * The AWS clients of one function instance. Each is created on first use and
 * then cached for the life of the container (secrets: one per region), so a
 * warm invocation reuses its keep-alive connections and a cold start only pays
 * for the clients it touches.
 *
 * A bundle that never lists (the viewer-request gate) should build its pair
 * from lazySecretsClients and lazyKinesisClient instead: referencing
 * makeClients pulls the whole S3 client into the bundle (about 40 KB zipped).
 */
export function makeClients(cfg: BuildConfig): Clients {
  return { secrets: lazySecretsClients(cfg), kinesis: lazyKinesisClient(cfg), s3: lazyS3Client(cfg) };
}
