/**
 * The demo vendor app: its own origin, a fixed demo user, and a grant API.
 * It signs grants with the vendor key (sdk/vendor.ts) and serves the report
 * page; it never reads, proxies or stores an object.
 *
 *   GET  /                  the report page
 *   GET  /gatekeeper-client.js  the built browser client (scripts/build-browser.ts)
 *   POST /api/grants        get grants for the report's objects, a list grant
 *                           and a get grant for the attachments prefix
 *   POST /api/upload-grant  {name, size, contentType, sha256} → a put grant
 *                           bound to that size, type and digest
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { GrantSigner, loadVendorKey } from '../../../sdk/vendor';
import { BROWSER_BUNDLE, DEFAULT_BROWSER_OUT } from '../../build-browser';
import { CLIENT_SCRIPT_PATH, demoPageHtml } from './page';
import { DEMO_ATTACHMENTS_PREFIX, DEMO_OBJECTS, DEMO_REPORT_ID, DEMO_REPORT_TITLE, DEMO_USER } from './report';
import { closeOnce, listenLocal } from '../listen';

export interface DemoOptions {
  /** A loopback address (default 127.0.0.1); another one lets an ACL deny the vendor's own address. */
  host?: string;
  /** 0: any free port. */
  port?: number;
  gatekeeperUrl: string;
  gatekeeperId: string;
  vendorKey: { kid: string; privateKey: string };
  /** The built browser client it serves to the page (default dist/browser/gatekeeper-client.js). */
  clientBundle?: string;
  /** Lifetime of the grants it signs (default 300 s). */
  grantTtlSeconds?: number;
  log?: (line: string) => void;
}

export interface DemoApp {
  url: string;
  origin: string;
  port: number;
  stop(): Promise<void>;
}

/** The largest upload the demo vendor grants. */
export const DEMO_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const MAX_API_BODY = 16 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_API_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_API_BODY) return resolve(null);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '') return resolve({});
      try {
        const v: unknown = JSON.parse(text);
        resolve(typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
      } catch {
        resolve(null);
      }
    });
    req.on('error', () => resolve(null));
  });
}

/** A file name as the last segment of an attachment key: no `/`, no dot segment, nothing odd. */
export function attachmentKey(name: string): string {
  let n = name.replace(/[^A-Za-z0-9._ -]/g, '_').trim().slice(0, 100);
  if (n === '' || /^\.+$/.test(n)) n = 'upload.bin';
  return DEMO_ATTACHMENTS_PREFIX + n;
}

export async function startDemo(o: DemoOptions): Promise<DemoApp> {
  const host = o.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new Error('demo host: must be a 127.x.y.z loopback address');
  const log = o.log ?? ((line: string) => console.log(line));
  const clientBundle = o.clientBundle ?? join(DEFAULT_BROWSER_OUT, BROWSER_BUNDLE);
  const signer = new GrantSigner(loadVendorKey(o.vendorKey), { audience: o.gatekeeperId, ttlSeconds: o.grantTtlSeconds ?? 300 });
  let origin = '';

  function grants(): unknown {
    const sub = DEMO_USER;
    const perKey = signer.grantsForReport(
      DEMO_OBJECTS.map((d) => d.key),
      { sub },
    );
    return {
      user: sub,
      gatekeeper: o.gatekeeperUrl,
      report: {
        id: DEMO_REPORT_ID,
        title: DEMO_REPORT_TITLE,
        objects: DEMO_OBJECTS.map((d) => ({ key: d.key, kind: d.kind, grant: perKey[d.key] })),
      },
      attachments: {
        prefix: DEMO_ATTACHMENTS_PREFIX,
        list: signer.grantList(DEMO_ATTACHMENTS_PREFIX, { sub }),
        get: signer.grantPrefix(DEMO_ATTACHMENTS_PREFIX, 'get', { sub }),
      },
    };
  }

  function uploadGrant(b: Record<string, unknown>): { status: number; body: unknown } {
    const { name, size, contentType, sha256 } = b;
    if (typeof name !== 'string' || name.length === 0 || name.length > 255) return { status: 400, body: { error: 'name: required, at most 255 chars' } };
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > DEMO_MAX_UPLOAD_BYTES) {
      return { status: 400, body: { error: `size: an integer from 0 to ${DEMO_MAX_UPLOAD_BYTES}` } };
    }
    if (typeof contentType !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(contentType)) {
      return { status: 400, body: { error: 'contentType: 1-255 printable ASCII characters' } };
    }
    if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) return { status: 400, body: { error: 'sha256: 64 hex digits' } };
    const key = attachmentKey(name);
    const grant = signer.grantPut(key, { sub: DEMO_USER, maxBytes: size, contentType, sha256 });
    log(`demo: upload grant for ${key} (${size} bytes, ${contentType}) to ${DEMO_USER}`);
    return { status: 200, body: { key, grant, maxBytes: size, contentType } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      req.resume();
      const nonce = randomBytes(16).toString('base64');
      const html = demoPageHtml({ gatekeeper: o.gatekeeperUrl, reportTitle: DEMO_REPORT_TITLE, user: DEMO_USER }, nonce);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(html),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // The page may talk to itself and to the gatekeeper only; images
        // (the chart, attachment thumbnails) come from the gatekeeper.
        'content-security-policy':
          `default-src 'none'; script-src 'nonce-${nonce}' 'self'; style-src 'nonce-${nonce}'; ` +
          `connect-src 'self' ${o.gatekeeperUrl}; img-src blob: ${o.gatekeeperUrl}; form-action 'none'; base-uri 'none'; frame-ancestors 'none'`,
      });
      res.end(html);
      return;
    }
    if (req.method === 'GET' && path === CLIENT_SCRIPT_PATH) {
      req.resume();
      const script = await readFile(clientBundle).catch(() => null);
      if (script === null) {
        log(`demo: ${clientBundle} is missing; build it with npx tsx scripts/build-browser.ts`);
        return json(res, 503, { error: 'the browser client is not built' });
      }
      res.writeHead(200, {
        'content-type': 'text/javascript; charset=utf-8',
        'cache-control': 'no-cache',
        'content-length': script.length,
        'x-content-type-options': 'nosniff',
      });
      res.end(script);
      return;
    }
    if (req.method === 'POST' && (path === '/api/grants' || path === '/api/upload-grant')) {
      // JSON only, and from this origin only: another site cannot get a form post through.
      const ct = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const from = req.headers.origin;
      if (ct !== 'application/json' || (from !== undefined && from !== origin)) {
        req.resume();
        return json(res, 403, { error: 'JSON from this origin only' });
      }
      const body = await readJson(req);
      if (body === null) return json(res, 400, { error: 'body: a JSON object' });
      if (path === '/api/grants') {
        log(`demo: report grants for ${DEMO_USER}`);
        return json(res, 200, grants());
      }
      const r = uploadGrant(body);
      return json(res, r.status, r.body);
    }
    req.resume();
    json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`demo: error ${(err as Error).message}`);
      if (!res.headersSent) json(res, 500, { error: 'demo app error' });
      else res.destroy();
    });
  });
  const port = await listenLocal(server, o.port ?? 0, host);
  origin = `http://${host}:${port}`;
  return {
    url: `${origin}/`,
    origin,
    port,
    stop: closeOnce(server),
  };
}
