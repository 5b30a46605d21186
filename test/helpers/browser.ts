/**
 * Real-browser test support: Debian's Chromium through playwright-core, the
 * browser client bundle, a page origin that loads it, and a fake gatekeeper
 * on another loopback port (so every call is a real cross-origin request with
 * CORS preflights). The fake answers PROTOCOL's cosign, list and object
 * requests with real tokens; signature and ACL checks are stubbed, scope and
 * token placement are checked so that a client bug shows.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { errorBody, STATUS_OF, type ErrorCode } from '../../edge/core/codes';
import { EXPOSED_HEADERS } from '../../edge/core/decide/preflight';
import { keyFromUri } from '../../edge/core/objectKey';
import { grantHash, parseCosig, parseGrant, type GrantPayload } from '../../edge/core/tokens';
import { buildBrowserClient, BROWSER_BUNDLE } from '../../scripts/build-browser';
import { cosigFor, grant as signedGrant } from './world';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Jest has no runtime skip: suites call `describeIfChromium` and say why they were skipped. */
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const describeIfChromium: jest.Describe = HAS_CHROMIUM ? describe : describe.skip;
if (!HAS_CHROMIUM) process.stderr.write(`browser tests skipped: ${CHROMIUM} is absent (apt-get install chromium)\n`);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Builds the client bundle into a fresh temporary directory and returns its text. */
export async function bundleText(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gk-browser-'));
  try {
    const { file } = await buildBrowserClient(dir);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Logged {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface StoredObject {
  body: Buffer;
  type: string;
  etag: string;
}

export interface FakeGatekeeper {
  url: string;
  /** The origin of the test page (allowed by the fake's CORS). */
  pageOrigin: string;
  /** Every request but preflights, in arrival order. */
  log: Logged[];
  preflights: Logged[];
  /** The grants of each cosign call. */
  cosignCalls: string[][];
  objects: Map<string, StoredObject>;
  /** Lifetime of the cosigs it signs (capped by the grant's exp). */
  cosignTtl: number;
  /** Per-grant cosign refusal: a code, or null to cosign. */
  cosignRule: (g: GrantPayload) => ErrorCode | null;
  /** The whole cosign call fails with this code (and its PROTOCOL status). */
  cosignWhole: ErrorCode | null;
  /** Answer cosign with a body of the wrong shape. */
  cosignBadShape: boolean;
  /** Codes answered, one each, to the next object requests (GET/HEAD/PUT) before any check. */
  objectFailures: ErrorCode[];
  /** A grant signed by the test vendor key, valid for 300 s from now. */
  grant(over: Partial<GrantPayload>): string;
  objectRequests(): Logged[];
  reset(): void;
  close(): Promise<void>;
}

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8"><title>gk test</title></head><body>
<script type="module">import * as gk from '/${BROWSER_BUNDLE}'; window.gk = gk; window.gkReady = true;</script></body></html>`;

/** Request headers the real preflight allows for objects (edge/core/decide/preflight.ts). */
const OBJECT_HEADERS = 'x-gk-grant, x-gk-cosig, content-type, x-amz-checksum-sha256, range, if-match, if-none-match, if-modified-since, if-unmodified-since';

function listen(server: Server): Promise<string> {
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => ok(Buffer.concat(parts)));
    req.on('error', fail);
  });
}

export async function startFakeGatekeeper(bundle: string): Promise<FakeGatekeeper> {
  const page = createServer((req, res) => {
    if (req.url === `/${BROWSER_BUNDLE}`) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
    }
  });
  const pageOrigin = await listen(page);

  let requestNo = 0;
  const fake: FakeGatekeeper = {
    url: '',
    pageOrigin,
    log: [],
    preflights: [],
    cosignCalls: [],
    objects: new Map(),
    cosignTtl: 300,
    cosignRule: () => null,
    cosignWhole: null,
    cosignBadShape: false,
    objectFailures: [],
    grant(over) {
      const now = Math.floor(Date.now() / 1000);
      // world's default payload has a key; a prefix grant must not keep it.
      return signedGrant({ iat: now, exp: now + 300, ...(over.prefix !== undefined ? { key: undefined } : {}), ...over });
    },
    objectRequests() {
      return fake.log.filter((l) => !l.path.startsWith('/_gatekeeper/'));
    },
    reset() {
      fake.log.length = 0;
      fake.preflights.length = 0;
      fake.cosignCalls.length = 0;
      fake.objects.clear();
      fake.cosignTtl = 300;
      fake.cosignRule = () => null;
      fake.cosignWhole = null;
      fake.cosignBadShape = false;
      fake.objectFailures = [];
    },
    close: async () => {
      await new Promise((ok) => gate.close(ok));
      await new Promise((ok) => page.close(ok));
    },
  };

  const cors = (req: IncomingMessage): Record<string, string> =>
    req.headers.origin === pageOrigin
      ? { 'access-control-allow-origin': pageOrigin, vary: 'Origin', 'access-control-expose-headers': EXPOSED_HEADERS.join(', ') }
      : {};
  const fail = (req: IncomingMessage, res: ServerResponse, code: ErrorCode): void => {
    requestNo += 1;
    res
      .writeHead(STATUS_OF[code], { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors(req) })
      .end(errorBody(code, `fake-${requestNo}`));
  };
  const json = (req: IncomingMessage, res: ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors(req) }).end(JSON.stringify(body));
  };

  const cosign = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const grants = (JSON.parse(body.toString('utf8')) as { grants: string[] }).grants;
    fake.cosignCalls.push(grants);
    if (req.headers['content-type'] !== 'application/json' || grants.length < 1 || grants.length > 50) {
      return fail(req, res, 'malformed_request');
    }
    if (fake.cosignWhole !== null) return fail(req, res, fake.cosignWhole);
    if (fake.cosignBadShape) return json(req, res, { results: [] });
    const now = Math.floor(Date.now() / 1000);
    const results = grants.map((g) => {
      const p = parseGrant(g);
      if (!p.ok) return { error: { code: 'malformed_token', message: 'A token is malformed.' } };
      const refused = fake.cosignRule(p.value.payload);
      if (refused !== null) return { error: { code: refused, message: `fake refusal: ${refused}` } };
      const exp = Math.min(p.value.payload.exp, now + fake.cosignTtl);
      return { cosig: cosigFor(g, { ip: '127.0.0.1', iat: now, exp }), exp };
    });
    json(req, res, { results });
  };

  /** Both tokens valid, bound together, in one place only, covering the op and key. */
  const tokensFor = (l: Logged, key: string): { grant: GrantPayload } | ErrorCode => {
    const inQuery = l.query.has('gk_grant') || l.query.has('gk_cosig');
    const inHeaders = l.headers['x-gk-grant'] !== undefined || l.headers['x-gk-cosig'] !== undefined;
    if (inQuery && inHeaders) return 'malformed_request';
    const g = inQuery ? l.query.get('gk_grant') : (l.headers['x-gk-grant'] as string | undefined);
    const c = inQuery ? l.query.get('gk_cosig') : (l.headers['x-gk-cosig'] as string | undefined);
    if (!g || !c) return 'missing_token';
    const pg = parseGrant(g);
    const pc = parseCosig(c);
    if (!pg.ok || !pc.ok) return 'malformed_token';
    if (pc.value.payload.gh !== grantHash(g)) return 'bad_cosignature';
    if (pc.value.payload.exp < Date.now() / 1000) return 'expired';
    const p = pg.value.payload;
    const opOk = p.op === 'get' ? l.method === 'GET' || l.method === 'HEAD' : p.op === 'put' && l.method === 'PUT';
    const keyOk = p.key !== undefined ? p.key === key : p.prefix !== undefined && key.startsWith(p.prefix);
    return opOk && keyOk ? { grant: p } : 'scope_mismatch';
  };

  const object = (req: IncomingMessage, res: ServerResponse, l: Logged): void => {
    const failure = fake.objectFailures.shift();
    if (failure !== undefined) return fail(req, res, failure);
    const key = keyFromUri(l.path);
    if (key === null) return fail(req, res, 'malformed_request');
    const t = tokensFor(l, key);
    if (typeof t === 'string') return fail(req, res, t);
    if (l.method === 'PUT') {
      const type = (req.headers['content-type'] as string | undefined) ?? 'binary/octet-stream';
      if (t.grant.contentType !== undefined && type !== t.grant.contentType) return fail(req, res, 'content_type_mismatch');
      if (t.grant.maxBytes !== undefined && Number(req.headers['content-length']) > t.grant.maxBytes) return fail(req, res, 'too_large');
      const digest = createHash('sha256').update(l.body).digest('base64');
      if (t.grant.sha256 !== undefined) {
        if (req.headers['x-amz-checksum-sha256'] !== Buffer.from(t.grant.sha256, 'hex').toString('base64')) {
          return fail(req, res, 'scope_mismatch');
        }
      }
      const etag = `"${createHash('md5').update(l.body).digest('hex')}"`;
      fake.objects.set(key, { body: l.body, type, etag });
      res.writeHead(200, { etag, 'x-amz-checksum-sha256': digest, ...cors(req) }).end();
      return;
    }
    const o = fake.objects.get(key);
    if (o === undefined) {
      res
        .writeHead(404, { 'content-type': 'application/xml', ...cors(req) })
        .end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec((req.headers.range as string | undefined) ?? '');
    const head = { 'content-type': o.type, etag: o.etag, 'last-modified': new Date(0).toUTCString(), ...cors(req) };
    if (range !== null) {
      const [a, b] = [Number(range[1]), Math.min(Number(range[2]), o.body.length - 1)];
      const part = o.body.subarray(a, b + 1);
      res.writeHead(206, { ...head, 'content-range': `bytes ${a}-${b}/${o.body.length}`, 'content-length': String(part.length) });
      res.end(l.method === 'HEAD' ? undefined : part);
      return;
    }
    res.writeHead(200, { ...head, 'content-length': String(o.body.length) }).end(l.method === 'HEAD' ? undefined : o.body);
  };

  const list = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const b = JSON.parse(body.toString('utf8')) as { grant: string; cosig: string; prefix: string; continuationToken?: string; maxKeys?: number };
    const pg = parseGrant(b.grant);
    const pc = parseCosig(b.cosig);
    if (!pg.ok || !pc.ok) return fail(req, res, 'malformed_token');
    if (pc.value.payload.gh !== grantHash(b.grant)) return fail(req, res, 'bad_cosignature');
    const p = pg.value.payload;
    if (p.op !== 'list' || p.prefix === undefined || !b.prefix.startsWith(p.prefix)) return fail(req, res, 'scope_mismatch');
    const after = b.continuationToken !== undefined ? Buffer.from(b.continuationToken, 'base64url').toString('utf8') : '';
    const keys = [...fake.objects.keys()].filter((k) => k.startsWith(b.prefix) && k > after).sort();
    const page = keys.slice(0, b.maxKeys ?? 1000);
    const out: Record<string, unknown> = {
      objects: page.map((k) => {
        const o = fake.objects.get(k) as StoredObject;
        return { key: k, size: o.body.length, lastModified: '2026-12-01T10:00:00.000Z', etag: o.etag };
      }),
    };
    if (page.length < keys.length) out.nextContinuationToken = Buffer.from(page[page.length - 1]).toString('base64url');
    json(req, res, out);
  };

  const gate = createServer((req, res) => {
    void readBody(req).then((body) => {
      const u = new URL(req.url ?? '/', 'http://fake');
      const l: Logged = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body };
      if (req.method === 'OPTIONS') {
        fake.preflights.push(l);
        const gk = u.pathname.startsWith('/_gatekeeper/');
        res
          .writeHead(204, {
            'access-control-allow-origin': pageOrigin,
            'access-control-allow-methods': gk ? 'POST' : 'GET, HEAD, PUT',
            'access-control-allow-headers': gk ? 'content-type' : OBJECT_HEADERS,
            'access-control-max-age': '600',
            vary: 'Origin',
          })
          .end();
        return;
      }
      fake.log.push(l);
      if (u.pathname === '/_gatekeeper/v1/cosign' && req.method === 'POST') return cosign(req, res, body);
      if (u.pathname === '/_gatekeeper/v1/list' && req.method === 'POST') return list(req, res, body);
      if (['GET', 'HEAD', 'PUT'].includes(req.method ?? '')) return object(req, res, l);
      fail(req, res, 'method_not_allowed');
    });
  });
  fake.url = await listen(gate);
  return fake;
}

/** A page of the fake's page origin with the bundle loaded as `window.gk`. */
export async function openClientPage(browser: Browser, fake: FakeGatekeeper): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(fake.pageOrigin + '/');
  await page.waitForFunction(() => (window as unknown as { gkReady?: boolean }).gkReady === true);
  return page;
}

export type ClientModule = typeof import('../../sdk/browser');

export interface PageError {
  name: string;
  isGatekeeperError: boolean;
  code?: string;
  status?: number;
  requestId?: string;
  message: string;
}

export type PageResult<T> = { ok: T } | { err: PageError };

/**
 * Runs `fn(gk, arg)` in the page, where `gk` is the bundled module. `fn` is
 * sent as source text, so it may use only its parameters; thrown errors come
 * back as plain data.
 */
export async function inPage<T, A>(page: Page, fn: (gk: ClientModule, arg: A) => Promise<T>, arg: A): Promise<PageResult<T>> {
  return page.evaluate(
    async ({ src, a }) => {
      const w = window as unknown as { gk: ClientModule };
      // eslint-disable-next-line no-eval
      const f = (0, eval)(`(${src})`) as (gk: ClientModule, arg: unknown) => Promise<unknown>;
      try {
        return { ok: await f(w.gk, a) };
      } catch (e) {
        const x = e as { name: string; code?: string; status?: number; requestId?: string; message: string };
        return {
          err: {
            name: x.name,
            isGatekeeperError: e instanceof w.gk.GatekeeperError,
            code: x.code,
            status: x.status,
            requestId: x.requestId,
            message: x.message,
          },
        };
      }
    },
    { src: fn.toString(), a: arg as unknown },
  ) as Promise<PageResult<T>>;
}

export function expectOk<T>(r: PageResult<T>): T {
  if ('err' in r) throw new Error(`page call failed: ${r.err.name} ${r.err.code ?? ''} ${r.err.message}`);
  return r.ok;
}

export function expectErr<T>(r: PageResult<T>): PageError {
  if ('ok' in r) throw new Error(`page call succeeded, expected an error: ${JSON.stringify(r.ok).slice(0, 200)}`);
  return r.err;
}
