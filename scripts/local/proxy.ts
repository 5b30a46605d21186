/**
 * The CloudFront of the local stack. Each HTTP request becomes the real
 * Lambda@Edge event of its cache behaviour and goes through the same built
 * bundle as in production:
 *
 * - `/_gatekeeper/*`: origin-request event for the cosigner, with the body
 *   (include-body, truncated above 1 MB as CloudFront does), only the headers
 *   the gatekeeper origin request policy includes (plus Host and
 *   X-Forwarded-For, CloudFront's own) and `cloudfront-viewer-country` set
 *   from the geo map after any viewer-sent one is removed: at origin-request
 *   the header is CloudFront's own.
 * - everything else: viewer-request event for the gate, with the viewer's
 *   headers exactly as sent, a viewer-written `cloudfront-viewer-country`
 *   included (CloudFront passes it through at this stage; the gate must
 *   ignore it).
 *
 * A generated response goes back as is (within Lambda@Edge's size limits); a
 * returned request goes on to the S3 emulator signed with SigV4 as OAC signs
 * it, carrying only the headers the origin request policy forwards and no
 * query string (the policy forwards none), and S3's answer comes back with the
 * response headers policy applied. Methods the behaviours do not allow never
 * reach a function.
 *
 * Where CloudFront itself would answer (origin down or slow, a function
 * crashing or returning something invalid), the proxy answers a JSON error
 * in PROTOCOL's shape with a local code (`origin_unreachable`,
 * `origin_timeout`, `lambda_execution_error`, `lambda_validation_error`):
 * CloudFront's own pages are HTML, but a local tool reads JSON more easily.
 */
import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { EXPOSED_HEADERS, GATEKEEPER_ORIGIN_HEADERS, S3_ORIGIN_HEADERS, SECURITY_HEADERS } from '../../edge/core/http-policy';
import { compileIpSet, normalizeIp, parseCidr, type IpSet } from '../../edge/core/ip';
import type { CfHeaders, CfRequest, CfResponse } from '../../edge/triggers/cloudfront';
import { listenLocal } from './listen';
import { Sha256 } from './sha256';

/** A function: the event in, its result out; it should fail the invocation itself past `timeoutMs`. */
export type EdgeHandler = (event: unknown, opts?: { timeoutMs?: number }) => Promise<unknown>;

/** Lambda@Edge quotas the proxy enforces like CloudFront. */
export const EDGE_LIMITS = Object.freeze({
  /** A response generated at viewer-request, headers and body. */
  viewerRequestGeneratedBytes: 40 * 1024,
  /** A response generated at origin-request, headers and body. */
  originRequestGeneratedBytes: 1024 * 1024,
  /** include-body: CloudFront passes at most this much of the body, then sets inputTruncated. */
  originRequestBodyBytes: 1024 * 1024,
  viewerRequestTimeoutMs: 5_000,
  originRequestTimeoutMs: 30_000,
});

/** What the origin request policy forwards to S3 (everything else is dropped); infra deploys the same list. */
export const ORIGIN_HEADERS = S3_ORIGIN_HEADERS;

export { SECURITY_HEADERS };

export { GATEKEEPER_ORIGIN_HEADERS };

/** Headers CloudFront itself puts in an origin-request event, whatever the policy. */
const CLOUDFRONT_ORIGIN_HEADERS: readonly string[] = ['host', 'x-forwarded-for'];

/** The allowed methods of both cache behaviours; CloudFront refuses any other before a function runs. */
export const ALLOWED_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

export const GATEKEEPER_PREFIX = '/_gatekeeper/';
export const FLUSH_PATH = '/__local/audit/flush';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade']);

export interface ProxyOptions {
  /** 0 (default): any free port. Always bound to 127.0.0.1. */
  port?: number;
  gate: EdgeHandler;
  cosigner: EdgeHandler;
  origin: {
    /** `http://127.0.0.1:<port>` of the S3 emulator. */
    endpoint: string;
    bucket: string;
    region?: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** CIDR → country, longest prefix wins; an address in none gets no header. */
  geo: Record<string, string>;
  /** Origins the response headers policy answers with CORS headers. */
  vendorOrigins: readonly string[];
  /** `POST /__local/audit/flush`: makes every audit record sent so far queryable. */
  flush?: () => Promise<number>;
  log?: (line: string) => void;
  /** No response headers from the origin within this → 504 (default 5000). */
  originResponseTimeoutMs?: number;
  /** An origin body stalled this long is cut off (default 10000). */
  originIdleTimeoutMs?: number;
  distributionDomainName?: string;
  distributionId?: string;
  /** The functions' timeouts (defaults: EDGE_LIMITS, 5 s and 30 s). */
  edgeTimeoutsMs?: { viewerRequest?: number; originRequest?: number };
  /** How long stop() waits for invocations still running (default 6000): their audit records must reach Kinesis before the last flush. */
  drainTimeoutMs?: number;
}

export interface LocalProxy {
  url: string;
  port: number;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------- geo

export interface GeoMap {
  /** The country of an address, or null when no entry covers it. */
  lookup(ip: string): string | null;
}

/** Compiles `geo` (CIDR → country); an entry with host bits set or a bad country is refused, naming it. */
export function compileGeo(geo: Record<string, string>): GeoMap {
  const entries: { prefix: number; family: 4 | 6; set: IpSet; country: string }[] = [];
  for (const [cidr, country] of Object.entries(geo)) {
    const r = parseCidr(cidr);
    if (r === null) throw new Error(`geo["${cidr}"]: not a CIDR (or host bits are set)`);
    if (!/^[A-Z]{2}$/.test(country)) throw new Error(`geo["${cidr}"]: not an upper-case ISO 3166-1 alpha-2 code`);
    entries.push({ prefix: r.prefixLength, family: r.family, set: compileIpSet([cidr]), country });
  }
  entries.sort((a, b) => b.prefix - a.prefix);
  return {
    lookup(ip: string): string | null {
      const n = normalizeIp(ip);
      if (n === null) return null;
      for (const e of entries) if (e.set.has(n)) return e.country;
      return null;
    },
  };
}

// ---------------------------------------------------------------- events

/** Header keys as CloudFront writes the ones it adds. */
const CF_KEYS: Record<string, string> = { 'cloudfront-viewer-country': 'CloudFront-Viewer-Country' };

function titleCase(name: string): string {
  return CF_KEYS[name] ?? name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

/** The viewer's headers in CloudFront's form, duplicates and original spelling kept. */
export function cfHeadersOf(rawHeaders: readonly string[]): CfHeaders {
  const out: CfHeaders = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i];
    const name = key.toLowerCase();
    if (HOP_BY_HOP.has(name)) continue;
    (out[name] ??= []).push({ key, value: rawHeaders[i + 1] });
  }
  return out;
}

function setHeader(h: CfHeaders, name: string, value: string): void {
  h[name] = [{ key: titleCase(name), value }];
}

/** 56 characters, like CloudFront's request ids. */
export function newRequestId(): string {
  return randomBytes(42).toString('base64url');
}

function splitUrl(url: string): { uri: string; querystring: string } | null {
  if (!url.startsWith('/')) return null;
  const q = url.indexOf('?');
  return q < 0 ? { uri: url, querystring: '' } : { uri: url.slice(0, q), querystring: url.slice(q + 1) };
}

// ---------------------------------------------------------------- answers

function jsonError(res: ServerResponse, status: number, code: string, message: string, requestId: string, extra: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message, requestId } });
  res.writeHead(status, {
    ...extra,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    'x-amz-cf-id': requestId,
    'x-cache': 'Error from cloudfront',
  });
  res.end(body);
}

/** A viewer request's headers as the gatekeeper origin request policy passes them on (CloudFront's own added later). */
export function originPolicyHeaders(h: CfHeaders): CfHeaders {
  const out: CfHeaders = {};
  for (const name of GATEKEEPER_ORIGIN_HEADERS) if (h[name] !== undefined) out[name] = h[name];
  for (const name of CLOUDFRONT_ORIGIN_HEADERS) if (h[name] !== undefined) out[name] = h[name];
  return out;
}

function isResponse(r: unknown): r is CfResponse {
  return typeof r === 'object' && r !== null && 'status' in r;
}

function isRequest(r: unknown): r is CfRequest {
  if (typeof r !== 'object' || r === null) return false;
  const q = r as Partial<CfRequest>;
  return typeof q.uri === 'string' && q.uri.startsWith('/') && typeof q.headers === 'object' && q.headers !== null;
}

const READ_ONLY_RESPONSE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** A generated response as status, headers and body bytes, or why CloudFront would refuse it. */
export function renderGenerated(r: CfResponse): { status: number; headers: [string, string][]; body: Buffer; size: number } | string {
  const status = Number(r.status);
  if (!Number.isInteger(status) || status < 200 || status > 599) return 'invalid status';
  const headers: [string, string][] = [];
  let size = 0;
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object') return 'invalid headers';
    for (const [name, list] of Object.entries(r.headers)) {
      if (!Array.isArray(list)) return `invalid header ${name}`;
      for (const e of list) {
        if (typeof e?.value !== 'string') return `invalid header ${name}`;
        if ((e.key ?? name).toLowerCase() !== name.toLowerCase()) return `header key ${name} does not match`;
        if (READ_ONLY_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
        headers.push([e.key ?? name, e.value]);
        size += (e.key ?? name).length + e.value.length;
      }
    }
  }
  let body = Buffer.alloc(0);
  if (r.body !== undefined && r.body !== null) {
    if (typeof r.body !== 'string') return 'invalid body';
    body = r.bodyEncoding === 'base64' ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  }
  size += body.length;
  return { status, headers, body, size };
}

// ---------------------------------------------------------------- server

export async function startProxy(o: ProxyOptions): Promise<LocalProxy> {
  const log = o.log ?? ((line: string) => console.log(line));
  const geo = compileGeo(o.geo);
  const origin = new URL(o.origin.endpoint);
  const originPort = Number(origin.port || 80);
  const region = o.origin.region ?? 'us-east-1';
  const responseTimeoutMs = o.originResponseTimeoutMs ?? 5000;
  const viewerRequestTimeoutMs = o.edgeTimeoutsMs?.viewerRequest ?? EDGE_LIMITS.viewerRequestTimeoutMs;
  const originRequestTimeoutMs = o.edgeTimeoutsMs?.originRequest ?? EDGE_LIMITS.originRequestTimeoutMs;
  const drainTimeoutMs = o.drainTimeoutMs ?? 6000;
  /** Invocations not settled yet, whether or not their viewer is still connected. */
  const inflight = new Set<Promise<unknown>>();
  const idleTimeoutMs = o.originIdleTimeoutMs ?? 10_000;
  const domain = o.distributionDomainName ?? 'd0local0gatekeeper.cloudfront.net';
  const distributionId = o.distributionId ?? 'ELOCALGATEKEEPER';
  const s3Domain = `${o.origin.bucket}.s3.${region}.amazonaws.com`;
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials: o.origin.credentials,
    sha256: Sha256,
    // S3 signs the path as sent; every other service escapes it again.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });

  function eventOf(eventType: 'viewer-request' | 'origin-request', requestId: string, request: CfRequest): unknown {
    return {
      Records: [{ cf: { config: { distributionDomainName: domain, distributionId, eventType, requestId }, request } }],
    };
  }

  async function invoke(
    fn: 'gate' | 'cosigner',
    event: unknown,
    timeoutMs: number,
  ): Promise<{ ok: true; result: unknown } | { ok: false; status: number; code: string; message: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const handler = fn === 'gate' ? o.gate : o.cosigner;
      const call = handler(event, { timeoutMs });
      inflight.add(call);
      const settled = (): void => {
        inflight.delete(call);
      };
      call.then(settled, settled);
      // The race is a backstop for a handler that does not time itself out.
      const r = await Promise.race([call, timeout]);
      if (r === 'timeout') {
        log(`proxy: ${fn} did not answer within ${timeoutMs} ms (LambdaLimitExceeded)`);
        return { ok: false, status: 503, code: 'lambda_execution_error', message: 'The edge function timed out.' };
      }
      return { ok: true, result: r };
    } catch (err) {
      if ((err as Error)?.name === 'LambdaTimeoutError') {
        log(`proxy: ${fn} did not answer within ${timeoutMs} ms (LambdaLimitExceeded)`);
        return { ok: false, status: 503, code: 'lambda_execution_error', message: 'The edge function timed out.' };
      }
      log(`proxy: ${fn} threw ${(err as Error)?.name ?? 'a non-error'} (LambdaExecutionError)`);
      return { ok: false, status: 503, code: 'lambda_execution_error', message: 'The edge function failed.' };
    } finally {
      clearTimeout(timer);
    }
  }

  function sendGenerated(res: ServerResponse, r: CfResponse, limit: number, fn: string, requestId: string, head: boolean): void {
    const g = renderGenerated(r);
    if (typeof g === 'string') {
      log(`proxy: ${fn} returned an invalid response (${g}) (LambdaValidationError)`);
      jsonError(res, 502, 'lambda_validation_error', 'The edge function returned an invalid response.', requestId);
      return;
    }
    if (g.size > limit) {
      log(`proxy: ${fn} generated a ${g.size}-byte response, above the ${limit}-byte Lambda@Edge limit (LambdaValidationError)`);
      jsonError(res, 502, 'lambda_validation_error', 'The edge function response is too large.', requestId);
      return;
    }
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of g.headers) {
      const prev = headers[k];
      headers[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [String(prev), v];
    }
    headers['content-length'] = g.body.length;
    headers['x-amz-cf-id'] = requestId;
    headers['x-cache'] = 'LambdaGeneratedResponse from cloudfront';
    headers.via = '1.1 local.cloudfront.net (CloudFront)';
    res.writeHead(g.status, headers);
    res.end(head ? undefined : g.body);
  }

  function policyHeaders(viewer: IncomingHttpHeaders): Record<string, string> {
    const out: Record<string, string> = { ...SECURITY_HEADERS };
    const originHeader = viewer.origin;
    if (typeof originHeader === 'string' && o.vendorOrigins.includes(originHeader)) {
      out['access-control-allow-origin'] = originHeader;
      out['access-control-expose-headers'] = EXPOSED_HEADERS.join(', ');
    }
    return out;
  }

  async function forward(req: IncomingMessage, res: ServerResponse, fwd: CfRequest, requestId: string, bodyAlreadyRead: Buffer | null): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of ORIGIN_HEADERS) {
      const list = fwd.headers[name];
      if (!Array.isArray(list) || list.length === 0) continue;
      headers[name] = list.map((e) => e.value).join(',');
    }
    headers.host = `${origin.hostname}:${originPort}`;
    headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    // The origin request policy forwards no query string, whatever the
    // function left in the request (S3 `response-*` overrides, `versionId`...).
    const path = `/${o.origin.bucket}${fwd.uri}`;
    const signed = await signer.sign({
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: origin.hostname,
      port: originPort,
      path,
      query: {},
      headers,
    });
    const outHeaders: OutgoingHttpHeaders = { ...signed.headers };
    const hasBody = bodyAlreadyRead !== null || headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;

    await new Promise<void>((resolve) => {
      let settled = false;
      const done = (): void => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      const up = httpRequest({
        host: origin.hostname,
        port: originPort,
        method: req.method,
        path,
        headers: outHeaders,
        agent,
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = (what: string): void => {
        if (settled) return;
        log(`proxy: origin ${what} (${req.method} ${fwd.uri})`);
        if (!res.headersSent) jsonError(res, 504, 'origin_timeout', 'The origin did not answer in time.', requestId);
        else res.destroy();
        up.destroy();
        req.resume();
        done();
      };
      // CloudFront's origin response timeout runs from the end of the request, so an upload is not cut short.
      up.on('finish', () => {
        timer = setTimeout(() => timedOut(`did not answer within ${responseTimeoutMs} ms`), responseTimeoutMs);
      });
      // Inactivity on the connection in either direction: a stalled upload or a stalled body.
      up.setTimeout(idleTimeoutMs, () => timedOut(`connection idle for ${idleTimeoutMs} ms`));
      up.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (settled) return;
        if (!res.headersSent) {
          log(`proxy: origin unreachable (${err.code ?? err.name}) for ${req.method} ${fwd.uri}`);
          jsonError(res, 502, 'origin_unreachable', 'The origin could not be reached.', requestId);
        } else {
          res.destroy();
        }
        req.resume();
        done();
      });
      up.on('response', (s3: IncomingMessage) => {
        clearTimeout(timer);
        if (res.headersSent) {
          s3.resume();
          return done();
        }
        const out: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(s3.headers)) {
          if (v === undefined || HOP_BY_HOP.has(k) || k === 'transfer-encoding') continue;
          out[k] = v;
        }
        Object.assign(out, policyHeaders(req.headers));
        if (out['access-control-allow-origin'] !== undefined) out.vary = out.vary ? `${String(out.vary)}, Origin` : 'Origin';
        out['x-amz-cf-id'] = requestId;
        out['x-cache'] = 'Miss from cloudfront';
        out.via = '1.1 local.cloudfront.net (CloudFront)';
        res.writeHead(s3.statusCode ?? 502, out);
        s3.pipe(res);
        s3.on('end', done);
        s3.on('error', () => {
          res.destroy();
          done();
        });
        res.on('close', () => {
          if (!s3.complete) s3.destroy();
          done();
        });
      });
      req.on('aborted', () => up.destroy());
      if (bodyAlreadyRead !== null) {
        up.end(bodyAlreadyRead);
      } else if (hasBody) {
        req.pipe(up);
      } else {
        up.end();
        req.resume();
      }
    });
  }

  function readBody(req: IncomingMessage, max: number): Promise<{ data: Buffer; truncated: boolean }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      req.on('data', (c: Buffer) => {
        if (kept >= max) {
          truncated = true;
          return;
        }
        const room = max - kept;
        if (c.length > room) truncated = true;
        const part = c.length > room ? c.subarray(0, room) : c;
        chunks.push(part);
        kept += part.length;
      });
      req.on('end', () => resolve({ data: Buffer.concat(chunks), truncated }));
      req.on('error', reject);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const url = splitUrl(req.url ?? '');
    const clientIp = req.socket.remoteAddress;
    if (url === null || clientIp === undefined) {
      req.resume();
      jsonError(res, 400, 'malformed_request', 'The request is malformed.', requestId);
      return;
    }
    if (!ALLOWED_METHODS.includes(method)) {
      // CloudFront answers 403 here; the local answer uses PROTOCOL's code and status.
      req.resume();
      jsonError(res, 405, 'method_not_allowed', 'The distribution does not allow this method.', requestId, { allow: ALLOWED_METHODS.join(', ') });
      return;
    }
    if (url.uri === FLUSH_PATH) {
      req.resume();
      await localFlush(method, res, requestId);
      return;
    }
    const viewerHeaders = cfHeadersOf(req.rawHeaders);
    const head = method === 'HEAD';

    if (url.uri.startsWith(GATEKEEPER_PREFIX)) {
      const headers = originPolicyHeaders(viewerHeaders);
      // CloudFront's own country replaces whatever the viewer wrote.
      delete headers['cloudfront-viewer-country'];
      const country = geo.lookup(clientIp);
      if (country !== null) setHeader(headers, 'cloudfront-viewer-country', country);
      const xff = headers['x-forwarded-for']?.map((e) => e.value).join(', ');
      setHeader(headers, 'x-forwarded-for', xff ? `${xff}, ${clientIp}` : clientIp);
      setHeader(headers, 'host', s3Domain);
      const { data, truncated } = await readBody(req, EDGE_LIMITS.originRequestBodyBytes);
      const cf: CfRequest = {
        clientIp,
        method,
        uri: url.uri,
        querystring: url.querystring,
        headers,
        origin: { s3: { authMethod: 'origin-access-identity', customHeaders: {}, domainName: s3Domain, path: '', region } },
      };
      if (data.length > 0 || !(method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'DELETE')) {
        cf.body = { action: 'read-only', data: data.toString('base64'), encoding: 'base64', inputTruncated: truncated };
      }
      const r = await invoke('cosigner', eventOf('origin-request', requestId, cf), originRequestTimeoutMs);
      if (!r.ok) return jsonError(res, r.status, r.code, r.message, requestId);
      if (isResponse(r.result)) return sendGenerated(res, r.result, EDGE_LIMITS.originRequestGeneratedBytes, 'cosigner', requestId, head);
      if (isRequest(r.result)) return forward(req, res, r.result, requestId, data);
      log('proxy: cosigner returned neither a request nor a response (LambdaValidationError)');
      return jsonError(res, 502, 'lambda_validation_error', 'The edge function returned an invalid result.', requestId);
    }

    const cf: CfRequest = { clientIp, method, uri: url.uri, querystring: url.querystring, headers: viewerHeaders };
    const r = await invoke('gate', eventOf('viewer-request', requestId, cf), viewerRequestTimeoutMs);
    if (!r.ok) {
      req.resume();
      return jsonError(res, r.status, r.code, r.message, requestId);
    }
    if (isResponse(r.result)) {
      req.resume();
      return sendGenerated(res, r.result, EDGE_LIMITS.viewerRequestGeneratedBytes, 'gate', requestId, head);
    }
    if (isRequest(r.result)) return forward(req, res, r.result, requestId, null);
    req.resume();
    log('proxy: gate returned neither a request nor a response (LambdaValidationError)');
    return jsonError(res, 502, 'lambda_validation_error', 'The edge function returned an invalid result.', requestId);
  }

  async function localFlush(method: string, res: ServerResponse, requestId: string): Promise<void> {
    if (method !== 'POST') return jsonError(res, 405, 'method_not_allowed', 'POST to flush.', requestId);
    if (o.flush === undefined) return jsonError(res, 404, 'not_found', 'No audit pipeline in this proxy.', requestId);
    let n: number;
    try {
      n = await o.flush();
    } catch (err) {
      log(`proxy: audit flush failed: ${(err as Error).message}`);
      return jsonError(res, 500, 'flush_failed', 'The audit flush failed; see the stack log.', requestId);
    }
    const body = JSON.stringify({ flushed: n });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`proxy: internal error ${(err as Error)?.name ?? ''}: ${(err as Error)?.message ?? ''}`);
      jsonError(res, 502, 'proxy_error', 'The local proxy failed.', '');
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Node closes a CONNECT it has no listener for without a word; CloudFront refuses it like any other disallowed method.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    const requestId = newRequestId();
    const body = JSON.stringify({ error: { code: 'method_not_allowed', message: 'The distribution does not allow this method.', requestId } });
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncache-control: no-store\r\nallow: ${ALLOWED_METHODS.join(', ')}\r\n` +
        `x-amz-cf-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  /**
   * Waits for the invocations still running, until the deadline: each writes
   * its audit record to Kinesis before it settles, and the stack flushes the
   * Firehose only after this.
   */
  async function drain(deadline: number): Promise<void> {
    while (inflight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        log(`proxy: ${inflight.size} edge function invocation(s) still running after ${drainTimeoutMs} ms; their audit records may miss the last flush`);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inflight]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left);
        }),
      ]);
      clearTimeout(timer);
    }
  }

  const port = await listenLocal(server, o.port ?? 0, '127.0.0.1');
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop(): Promise<void> {
      const deadline = Date.now() + drainTimeoutMs;
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests get a moment to finish, then their sockets go.
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 1000).unref();
      })
        .then(() => drain(deadline))
        .then(() => agent.destroy());
      return stopped;
    },
  };
}
