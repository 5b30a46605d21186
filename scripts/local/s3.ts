/**
 * The private origin of the local stack: s3rver on 127.0.0.1 behind a gate
 * that stands in for the bucket policy and IAM of the AWS stack ("only the
 * distribution, through OAC, may read or write objects; only the cosigner's
 * role may list").
 *
 * s3rver serves anonymous requests and, for SigV4, checks only that the key
 * id exists. So the gate in front of it verifies the whole SigV4 signature
 * against per-run random key pairs (sigv4.ts) and then what each key may do:
 *
 * - `objects` (the proxy's origin key, as OAC signs): GET, HEAD and PUT of
 *   `/<bucket>/<key>`, no query string at all;
 * - `list` (the cosigner's role): ListObjectsV2, i.e. GET `/<bucket>[/]` with
 *   `list-type=2` and only ListObjectsV2 parameters;
 * - `admin` (the customer's own administrator, held by the stack process
 *   alone to seed the demo objects): anything.
 *
 * Everything else is S3's own 403 AccessDenied before s3rver sees it, and a
 * Host header other than 127.0.0.1:<port> or localhost:<port> (a browser
 * driven through DNS rebinding) a 400.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeOnce, listenLocal } from './listen';
import { isLoopbackHost, keyIdHint, verifySigV4, type Credentials } from './sigv4';

export const LOCAL_REGION = 'us-east-1';

export type S3Access = 'objects' | 'list' | 'admin';

export interface S3Principal {
  credentials: Credentials;
  access: S3Access;
}

export interface LocalS3Options {
  /** Where s3rver keeps buckets and objects (created when absent). */
  directory: string;
  bucket: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The only keys accepted, each with what it may do. */
  principals: readonly S3Principal[];
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

/** The query parameters of ListObjectsV2; anything else would make s3rver do something else. */
const LIST_PARAMS = new Set(['list-type', 'prefix', 'continuation-token', 'max-keys', 'start-after', 'delimiter', 'encoding-type', 'fetch-owner']);

/** Whether a key with `access` may send this request (the bucket policy and IAM, in one function). */
export function s3Allows(access: S3Access, method: string, rawUrl: string, bucket: string): boolean {
  if (access === 'admin') return true;
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (access === 'objects') {
    return q < 0 && (method === 'GET' || method === 'HEAD' || method === 'PUT') && path.startsWith(`/${bucket}/`) && path.length > bucket.length + 2;
  }
  if (method !== 'GET' || (path !== `/${bucket}` && path !== `/${bucket}/`) || q < 0) return false;
  const params = rawUrl
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { name: part, value: '' } : { name: part.slice(0, eq), value: part.slice(eq + 1) };
    });
  const names = params.map((p) => p.name);
  return (
    new Set(names).size === names.length &&
    names.every((n) => LIST_PARAMS.has(n)) &&
    params.some((p) => p.name === 'list-type' && p.value === '2')
  );
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts s3rver on 127.0.0.1 with the bucket created, reachable only by the principals given. */
export async function startS3(opts: LocalS3Options): Promise<LocalS3> {
  mkdirSync(opts.directory, { recursive: true });
  const byKeyId = new Map<string, S3Principal>();
  for (const p of opts.principals) byKeyId.set(p.credentials.accessKeyId, p);
  // The account registry is global to the s3rver module: its default pair
  // goes for every instance in this process, and each of our keys is added
  // (s3rver wants the key id known; the gate below checks the rest).
  AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  for (const p of opts.principals) AWSAccount.DUMMY_ACCOUNT.createKeyPair(p.credentials.accessKeyId, p.credentials.secretAccessKey);

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
  let port = 0;
  const server: Server = createServer((req, res) => {
    const method = req.method ?? '';
    const url = req.url ?? '';
    if (!isLoopbackHost(req.headers.host, port)) {
      opts.log?.(`s3: refused ${method} with a foreign Host header (${req.socket.remoteAddress ?? '?'})`);
      req.resume();
      s3Error(res, 400, 'InvalidHostHeader', 'The Host header must name this emulator on the loopback.');
      return;
    }
    const check = verifySigV4(method, url, req.headers, {
      service: 's3',
      region: LOCAL_REGION,
      secretOf: (id) => byKeyId.get(id)?.credentials.secretAccessKey,
    });
    const principal = check.ok ? byKeyId.get(check.accessKeyId) : undefined;
    if (principal === undefined || !s3Allows(principal.access, method, url, opts.bucket)) {
      const why = check.ok ? `not allowed for the ${principal?.access ?? '?'} key` : check.reason;
      const who = check.accessKeyId === null ? 'unsigned' : keyIdHint(check.accessKeyId);
      opts.log?.(`s3: refused ${method} (${who}: ${why}) from ${req.socket.remoteAddress ?? '?'}`);
      req.resume();
      s3Error(res, 403, 'AccessDenied', 'Access Denied');
      return;
    }
    app(req, res);
  });
  server.keepAliveTimeout = 5000;
  port = await listenLocal(server, opts.port ?? 0, '127.0.0.1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: closeOnce(server, () => {
      for (const p of opts.principals) AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(p.credentials.accessKeyId);
      try {
        s3.logger.close();
      } catch {
        // The logger is s3rver's; a failure to close it changes nothing for us.
      }
    }),
  };
}
