/**
 * The private origin of the local stack: s3rver on 127.0.0.1 behind a gate
 * that stands in for the bucket policy of the AWS stack ("only the
 * distribution, through OAC, may read or write").
 *
 * s3rver verifies neither SigV4 signatures nor, for unsigned requests,
 * anything at all: it serves anonymous requests. So every request must carry
 * an AWS4-HMAC-SHA256 Authorization header for the local origin key id, or it
 * is refused with S3's own 403 AccessDenied before s3rver sees it; s3rver
 * itself knows only that key id (its built-in S3RVER pair is revoked). A
 * client that does not know the key id (a browser pointed at the S3 port,
 * another local tool) is therefore refused, as a viewer going around
 * CloudFront would be.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeOnce, listenLocal } from './listen';

/**
 * The origin key pair of the local stack (the role of OAC's signing identity).
 * Not a secret: s3rver does not check signatures, only the key id, which the
 * gate above also enforces. It is deliberately not s3rver's default `S3RVER`.
 */
export const LOCAL_ORIGIN_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIAGKLOCALORIGIN001',
  secretAccessKey: 'gatekeeper-local-origin-secret-not-a-real-key',
});

export const LOCAL_REGION = 'us-east-1';

export interface LocalS3Options {
  /** Where s3rver keeps buckets and objects (created when absent). */
  directory: string;
  bucket: string;
  /** 0 (default): any free port. */
  port?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  log?: (line: string) => void;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` (path-style: `/<bucket>/<key>`). */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  logger: { close(): void; exceptions?: { unhandle(): void } };
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;
interface AwsAccountModule {
  registry: Map<string, unknown>;
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
}

// s3rver ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as S3rverCtor;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AWSAccount = require('s3rver/lib/models/account') as AwsAccountModule;

/** The key id of a SigV4 Authorization header, or null for anything else (unsigned, SigV2, presigned). */
export function sigV4KeyId(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const m = /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\//.exec(authorization);
  return m === null ? null : m[1];
}

function accessDenied(res: ServerResponse): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts s3rver on 127.0.0.1 with the bucket created, reachable only with the origin key id. */
export async function startS3(opts: LocalS3Options): Promise<LocalS3> {
  const creds = opts.credentials ?? LOCAL_ORIGIN_CREDENTIALS;
  mkdirSync(opts.directory, { recursive: true });
  // The account registry is global to the s3rver module: the default pair goes
  // for every instance in this process, which only ever uses the origin key.
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(creds.accessKeyId, creds.secretAccessKey);

  const s3 = new S3rver({
    address: '127.0.0.1',
    silent: true,
    directory: opts.directory,
    // A Host of 127.0.0.1:<port> must never be read as a bucket name.
    vhostBuckets: false,
    configureBuckets: [{ name: opts.bucket, configs: [] }],
  });
  await s3.configureBuckets();
  const app = s3.callback();
  const server: Server = createServer((req, res) => {
    if (sigV4KeyId(req.headers.authorization) !== creds.accessKeyId) {
      opts.log?.(`s3: refused ${req.method ?? '?'} without the origin key (${req.socket.remoteAddress ?? '?'})`);
      req.resume();
      accessDenied(res);
      return;
    }
    app(req, res);
  });
  server.keepAliveTimeout = 5000;
  const port = await listenLocal(server, opts.port ?? 0, '127.0.0.1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: closeOnce(server, () => {
      try {
        s3.logger.close();
      } catch {
        // The logger is s3rver's; a failure to close it changes nothing for us.
      }
    }),
  };
}
