/**
 * The local Secrets Manager: a small HTTP server on 127.0.0.1 that answers
 * GetSecretValue (the AWS JSON 1.1 protocol the SDK speaks) from files, so the
 * bundles fetch their ACL and signing key exactly as they do in AWS.
 *
 * Each file is read again on every request: an edit reaches the gatekeeper at
 * its next refresh, i.e. within the bundles' ACL TTL, as a `put-secret-value`
 * would in AWS. The server does not validate what it serves (Secrets Manager
 * does not either); the bundles keep their last good document when an edit is
 * invalid, and `watchAclFile` tells the person editing the file at once.
 *
 * Access mirrors IAM: every request must carry a valid SigV4 signature of a
 * known principal (random per run, see sigv4.ts), and each principal reads
 * only the secrets named for it: in the stack the signing key goes to the
 * cosigner's role alone, the ACL to both functions. A Host header other than
 * 127.0.0.1:<port> or localhost:<port> (DNS rebinding) is refused first.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseAclText } from '../../edge/core/acl';
import { isLoopbackHost, keyIdHint, verifySigV4, type Credentials } from './sigv4';
import { closeOnce, listenLocal } from './listen';

export interface LocalSecretsOptions {
  /** Secret id (name) → the file holding its SecretString. */
  secrets: Record<string, string>;
  region?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** The only keys accepted (signature checked), each with the secret names it may read. */
  principals: readonly SecretsPrincipal[];
  log?: (line: string) => void;
}

export interface SecretsPrincipal {
  /** For error messages and logs: the role name (`gatekeeper-local-gate`). */
  name: string;
  credentials: Credentials;
  /** Secret names (not ARNs) this principal may read with GetSecretValue. */
  secrets: readonly string[];
}

export interface LocalSecrets {
  endpoint: string;
  port: number;
  /** The ARN the server reports for a secret name. */
  arnOf(name: string): string;
  stop(): Promise<void>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';
const TARGET = 'secretsmanager.GetSecretValue';
const MAX_REQUEST_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': createHash('sha256').update(`${Date.now()}${Math.random()}`).digest('hex').slice(0, 32),
  };
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

function fail(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: type, message, Message: message }, type);
}

/**
 * A stable VersionId for a content: the same text always has the same id, an
 * edit gets a new one (Secrets Manager gives each put a new UUID).
 */
export function versionIdOf(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSecrets(opts: LocalSecretsOptions): Promise<LocalSecrets> {
  const region = opts.region ?? 'us-east-1';
  // A real ARN ends in a random 6-character suffix; a fixed one per name is enough locally.
  const arnOf = (name: string): string =>
    `arn:aws:secretsmanager:${region}:${LOCAL_ACCOUNT_ID}:secret:${name}-${createHash('sha256').update(name).digest('base64url').slice(0, 6)}`;
  const byId = new Map<string, { name: string; file: string }>();
  for (const [name, file] of Object.entries(opts.secrets)) {
    byId.set(name, { name, file });
    byId.set(arnOf(name), { name, file });
  }

  const byKeyId = new Map<string, SecretsPrincipal>();
  for (const p of opts.principals) byKeyId.set(p.credentials.accessKeyId, p);
  let port = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!isLoopbackHost(req.headers.host, port)) {
      req.resume();
      opts.log?.(`secrets: refused a request with a foreign Host header (${req.socket.remoteAddress ?? '?'})`);
      fail(res, 400, 'InvalidRequestException', 'The Host header must name this server on the loopback.');
      return;
    }
    if (req.method !== 'POST' || req.url !== '/') {
      req.resume();
      fail(res, 404, 'UnknownOperationException', 'only POST / is served');
      return;
    }
    const body = await readBody(req);
    if (body === null) {
      fail(res, 413, 'InvalidRequestException', 'request body too large');
      return;
    }
    const check = verifySigV4('POST', '/', req.headers, {
      service: 'secretsmanager',
      region,
      secretOf: (id) => byKeyId.get(id)?.credentials.secretAccessKey,
      body,
    });
    if (!check.ok) {
      const who = check.accessKeyId === null ? 'unsigned' : keyIdHint(check.accessKeyId);
      opts.log?.(`secrets: refused a request (${who}: ${check.reason})`);
      if (check.reason === 'missing' || check.reason === 'unknown_key') {
        fail(res, 400, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      } else {
        fail(res, 400, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
      }
      return;
    }
    const principal = byKeyId.get(check.accessKeyId)!;
    if (req.headers['x-amz-target'] !== TARGET) {
      fail(res, 400, 'UnknownOperationException', 'only GetSecretValue is served locally');
      return;
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(body.toString('utf8')) as { SecretId?: unknown }).SecretId;
    } catch {
      secretId = undefined;
    }
    if (typeof secretId !== 'string' || secretId === '') {
      fail(res, 400, 'InvalidParameterException', 'SecretId is required');
      return;
    }
    // IAM is decided before the secret is looked up: an id this principal may
    // not read is AccessDenied whether or not it exists.
    const entry = byId.get(secretId);
    if (entry === undefined || !principal.secrets.includes(entry.name)) {
      opts.log?.(`secrets: AccessDenied for ${principal.name} on ${JSON.stringify(secretId.slice(0, 200))}`);
      fail(
        res,
        400,
        'AccessDeniedException',
        `User: arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${principal.name}/local is not authorized to perform: ` +
          `secretsmanager:GetSecretValue on resource: ${secretId.slice(0, 200)} because no identity-based policy allows the secretsmanager:GetSecretValue action`,
      );
      return;
    }
    let text: string;
    let created: number;
    try {
      text = await readFile(entry.file, 'utf8');
      created = Math.floor(statSync(entry.file).mtimeMs) / 1000;
    } catch {
      fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret value.");
      return;
    }
    send(res, 200, {
      ARN: arnOf(entry.name),
      Name: entry.name,
      SecretString: text,
      VersionId: versionIdOf(text),
      VersionStages: ['AWSCURRENT'],
      CreatedDate: created,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.(`secrets: ${(err as Error).name}`);
      if (!res.headersSent) fail(res, 500, 'InternalServiceError', 'local secrets server error');
      else res.destroy();
    });
  });
  port = await listenLocal(server, opts.port ?? 0, '127.0.0.1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    arnOf,
    stop: closeOnce(server),
  };
}

/**
 * Watches the ACL file and reports each change: valid (with its version) or
 * invalid (with PROTOCOL's field-named errors, and that the running
 * gatekeeper keeps its last good ACL). Returns the function that stops it.
 */
export function watchAclFile(file: string, log: (line: string) => void, intervalMs = 500): () => void {
  let last: string | null = null;
  try {
    last = readFileSync(file, 'utf8');
  } catch {
    last = null;
  }
  const checkText = (): void => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      log(`acl: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); the gatekeeper keeps its last good ACL`);
      return;
    }
    if (text === last) return;
    last = text;
    const v = parseAclText(text);
    if (v.ok) {
      log(`acl: ${file} changed, valid (version ${JSON.stringify(v.acl.version)}, mode ${v.acl.mode}); in effect within the ACL TTL`);
    } else {
      const shown = v.errors.slice(0, 10).join('; ');
      const more = v.errors.length > 10 ? ` (+${v.errors.length - 10} more)` : '';
      log(`acl: ${file} changed but is INVALID: ${shown}${more}; the gatekeeper keeps its last good ACL`);
    }
  };
  const check = (cur: Stats): void => {
    if (cur.nlink === 0 && cur.size === 0 && cur.mtimeMs === 0) {
      log(`acl: ${file} was removed; the gatekeeper keeps its last good ACL`);
      last = null;
      return;
    }
    checkText();
  };
  watchFile(file, { interval: intervalMs, persistent: false }, check);
  // The watcher's first stat is its baseline: an edit made before it was
  // taken raises no event, so look once more after it.
  const first = setTimeout(checkText, intervalMs * 2);
  first.unref();
  return () => {
    clearTimeout(first);
    unwatchFile(file, check);
  };
}
