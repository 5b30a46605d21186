/**
 * The browser client of the S3 Gatekeeper (PROTOCOL v1). The page gets grants
 * from its vendor, has the customer's gatekeeper countersign them, then reads
 * and writes objects straight on the customer's domain: object data never
 * passes through the vendor. Browser APIs only (fetch, XMLHttpRequest for
 * upload progress, crypto.subtle for digests), bundled as ESM by
 * scripts/build-browser.ts into dist/browser/gatekeeper-client.js.
 *
 *   import { GatekeeperClient, GatekeeperError } from './gatekeeper-client.js';
 *
 *   const gk = new GatekeeperClient({
 *     gatekeeperUrl: 'https://files.customer.example',
 *     // Optional: asked for grants the client lacks or that are about to expire.
 *     fetchGrants: async (wanted) => (await (await fetch('/api/grants', {
 *       method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(wanted),
 *     })).json()).grants,
 *     refreshMarginSeconds: 30,          // default 30
 *   });
 *   gk.addGrants(grantsFromVendor);      // tokens; payloads are read, not verified
 *   await gk.cosignAll();                // optional warm-up: one call per 50 grants
 *   const res = await gk.getObject('reports/q3/summary.json');          // a fetch Response
 *   img.src = await gk.objectUrl('reports/q3/chart.png');               // gk_grant / gk_cosig in the query
 *   await gk.putObject('reports/q3/uploads/a.pdf', file, { onProgress: (sent, total) => {} });
 *   const { objects } = await gk.list('reports/q3/uploads/');
 *
 * Behaviour:
 * - Cosigs are cached until `refreshMarginSeconds` before their expiry (at
 *   most half their lifetime early), measured from the cosig's own iat so a
 *   wrong browser clock does not matter. Concurrent calls share one cosign
 *   call (batches of at most 50 grants) and one `fetchGrants` call.
 * - An object, list or upload answer of `ip_mismatch` or `expired` makes the
 *   client cosign again (and, for an expired grant, ask `fetchGrants`) and
 *   retry exactly once.
 * - Every failure is a GatekeeperError, except what `fetchGrants` itself
 *   throws, which passes through unchanged. `code` is the PROTOCOL code when the
 *   gatekeeper answered one (a per-grant refusal of the cosign call included,
 *   with the status PROTOCOL gives that code). A grant refused at cosign is
 *   remembered: calls needing it fail with that error without asking again
 *   until the next `cosignAll()` (or a fresh grant from `fetchGrants`, unless
 *   the refusal is about the viewer: ip_denied, country_denied, deny_all,
 *   origin_not_allowed). Codes made in the browser (status 0 unless noted):
 *   `no_grant` (no grant covers the request), `network_error`, `bad_response`
 *   (an answer that is not PROTOCOL's), `unsupported` (no crypto.subtle), and
 *   checks made before a byte is sent: `malformed_token` from addGrants,
 *   `malformed_request` (400) for a key PROTOCOL does not allow, and for an
 *   upload the grant's own limits: `content_type_mismatch` (403), `too_large`
 *   (413), `scope_mismatch` (403, the body's SHA-256 is not the grant's). A
 *   non-gatekeeper error answer (S3's own, e.g. 404) has S3's `<Code>`
 *   (`NoSuchKey`) or `http_error`, with the HTTP status.
 * - Object requests use `cache: 'no-store'` and no credentials: the customer's
 *   data is not left in the browser's disk cache, and no cookie is sent.
 */
import { STATUS_OF } from '../edge/core/codes';
import { canonicalKeyUri, isValidObjectKey } from '../edge/core/objectKey';
// The wire shape of a listing, shared with the edge (type-only: nothing more is bundled).
import type { ListedObject, ListResult } from '../edge/core/types';

export type { ListedObject, ListResult };

export type Op = 'get' | 'put' | 'list';

/** What the client asks `fetchGrants` for: `key` for get and put, `prefix` for list. */
export interface GrantRequest {
  op: Op;
  key?: string;
  prefix?: string;
}

export interface GatekeeperClientOptions {
  /** The customer's gatekeeper origin, e.g. `https://files.customer.example`. */
  gatekeeperUrl: string;
  fetchGrants?: (wanted: GrantRequest[]) => Promise<string[]>;
  refreshMarginSeconds?: number;
  fetch?: typeof fetch;
}

export interface PutOptions {
  /** Defaults to the grant's contentType, then the Blob's type, then application/octet-stream. */
  contentType?: string;
  onProgress?: (sent: number, total: number) => void;
}

export class GatekeeperError extends Error {
  readonly code: string;
  /** The HTTP status of the refusal; 0 when no answer was involved. */
  readonly status: number;
  readonly requestId?: string;

  constructor(code: string, status: number, message: string, requestId?: string) {
    super(message);
    this.name = 'GatekeeperError';
    this.code = code;
    this.status = status;
    if (requestId !== undefined) this.requestId = requestId;
  }
}

interface Entry {
  token: string;
  op: Op;
  key?: string;
  prefix?: string;
  /** The grant's exp (unix seconds). */
  exp: number;
  contentType?: string;
  maxBytes?: number;
  sha256?: string;
  cosig?: string;
  /** Local ms after which the cosig is refreshed before use. */
  until: number;
  error?: GatekeeperError;
  pending?: Promise<void>;
}

type Json = Record<string, unknown>;

const COSIGN_PATH = '/_gatekeeper/v1/cosign';
const LIST_PATH = '/_gatekeeper/v1/list';
const MAX_BATCH = 50;
/** Refusals about the viewer, not the grant: a fresh grant would be refused the same way. */
const VIEWER_REFUSALS = ['ip_denied', 'country_denied', 'deny_all', 'origin_not_allowed'];

const nowS = (): number => Date.now() / 1000;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const badResponse = (): GatekeeperError => new GatekeeperError('bad_response', 0, 'The gatekeeper gave an unexpected answer.');
const networkError = (): GatekeeperError => new GatekeeperError('network_error', 0, 'The gatekeeper could not be reached.');

/** The JSON payload of a token, read without verification (the gatekeeper verifies). */
function payloadOf(token: unknown): Json | null {
  if (typeof token !== 'string') return null;
  const m = /^([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/.exec(token);
  if (m === null) return null;
  try {
    const bin = atob(m[1].replace(/-/g, '+').replace(/_/g, '/'));
    const o: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
    return isObj(o) ? o : null;
  } catch {
    return null;
  }
}

function entryOf(token: string): Entry | null {
  const p = payloadOf(token);
  if (p === null || (p.op !== 'get' && p.op !== 'put' && p.op !== 'list') || typeof p.exp !== 'number') return null;
  if ((typeof p.key === 'string') === (typeof p.prefix === 'string')) return null;
  const e: Entry = { token, op: p.op, exp: p.exp, until: 0 };
  if (typeof p.key === 'string') e.key = p.key;
  if (typeof p.prefix === 'string') e.prefix = p.prefix;
  if (typeof p.contentType === 'string') e.contentType = p.contentType;
  if (typeof p.maxBytes === 'number') e.maxBytes = p.maxBytes;
  if (typeof p.sha256 === 'string') e.sha256 = p.sha256;
  return e;
}

const scopeOf = (e: GrantRequest): string => `${e.op} ${e.key !== undefined ? 'k' + e.key : 'p' + e.prefix}`;

/** PROTOCOL's error body when there is one, else S3's XML `<Code>`, else `http_error`. */
function errorOf(status: number, text: string): GatekeeperError {
  try {
    const e: unknown = (JSON.parse(text) as Json).error;
    if (isObj(e) && typeof e.code === 'string') {
      return new GatekeeperError(
        e.code,
        status,
        typeof e.message === 'string' ? e.message : e.code,
        typeof e.requestId === 'string' ? e.requestId : undefined,
      );
    }
  } catch {
    // not JSON: an answer from S3 or from something in between
  }
  const m = /<Code>([A-Za-z0-9_.-]{1,64})<\/Code>/.exec(text);
  return new GatekeeperError(m !== null ? m[1] : 'http_error', status, `The server answered ${status}.`);
}

async function sha256Base64(blob: Blob): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) throw new GatekeeperError('unsupported', 0, 'SHA-256 needs crypto.subtle (a secure context).');
  const digest = new Uint8Array(await subtle.digest('SHA-256', await blob.arrayBuffer()));
  return btoa(String.fromCharCode(...digest));
}

function hexToBase64(hex: string): string {
  return btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((h) => parseInt(h, 16))));
}

export class GatekeeperClient {
  private readonly base: string;
  private readonly margin: number;
  private readonly fetchFn: typeof fetch;
  private readonly fetchGrants?: (wanted: GrantRequest[]) => Promise<string[]>;
  /** One grant per scope (op and key or prefix): a newer grant replaces an older one. */
  private readonly entries = new Map<string, Entry>();
  private cosignQueue: [Entry, () => void, (err: unknown) => void][] = [];
  private askQueue: GrantRequest[] = [];
  private asking?: Promise<void>;

  constructor(opts: GatekeeperClientOptions) {
    if (!isObj(opts)) throw new TypeError('GatekeeperClient: options are required');
    let url: URL | undefined;
    try {
      url = new URL(opts.gatekeeperUrl);
    } catch {
      // reported below
    }
    // Object keys map to the whole path (PROTOCOL endpoints sit at the domain's root), so no path either.
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      throw new TypeError('GatekeeperClient: gatekeeperUrl must be an http(s) origin, without path, query, fragment or credentials');
    }
    const margin = opts.refreshMarginSeconds ?? 30;
    if (typeof margin !== 'number' || !(margin >= 0) || !Number.isFinite(margin)) {
      throw new TypeError('GatekeeperClient: refreshMarginSeconds must be a non-negative number');
    }
    if (opts.fetchGrants !== undefined && typeof opts.fetchGrants !== 'function') {
      throw new TypeError('GatekeeperClient: fetchGrants must be a function');
    }
    this.base = url.origin;
    this.margin = margin;
    const f = opts.fetch ?? globalThis.fetch;
    // Called unbound: window.fetch throws "Illegal invocation" when called as a method of another object.
    this.fetchFn = (input, init) => f(input, init);
    this.fetchGrants = opts.fetchGrants;
  }

  /** Indexes grants by op and key or prefix; all or none (a malformed one throws `malformed_token`). */
  addGrants(grants: string[]): void {
    if (!Array.isArray(grants)) throw new GatekeeperError('malformed_token', 0, 'addGrants: expected an array of grant tokens');
    const parsed = grants.map((g, i) => {
      const e = entryOf(g);
      if (e === null) throw new GatekeeperError('malformed_token', 0, `addGrants: grants[${i}] is not a grant token`);
      return e;
    });
    for (const e of parsed) {
      const old = this.entries.get(scopeOf(e));
      if (old === undefined || (old.token !== e.token && e.exp >= old.exp)) this.entries.set(scopeOf(e), e);
    }
  }

  /**
   * Cosigns every grant without a fresh cosig (asking `fetchGrants` first for
   * those about to expire) and forgets earlier per-grant refusals. Per-grant
   * refusals do not reject: they are thrown by the calls that need the grant.
   */
  async cosignAll(): Promise<void> {
    const stale = [...this.entries.values()].filter((e) => this.stale(e));
    if (this.fetchGrants !== undefined && stale.length > 0) await this.ask(stale);
    const todo = [...this.entries.values()].filter((e) => !this.fresh(e));
    for (const e of todo) e.error = undefined;
    await Promise.all(todo.map((e) => this.cosign(e)));
  }

  /** GET (or a range of) one object; tokens travel as x-gk-* headers. */
  getObject(key: string, init: { range?: string } = {}): Promise<Response> {
    return this.withGrant('get', key, async (e) => {
      const headers: Record<string, string> = { 'x-gk-grant': e.token, 'x-gk-cosig': e.cosig ?? '' };
      if (init.range !== undefined) headers.range = init.range;
      let res: Response;
      try {
        res = await this.fetchFn(this.base + canonicalKeyUri(key), { headers, credentials: 'omit', cache: 'no-store' });
      } catch {
        throw networkError();
      }
      if (!res.ok && res.status !== 304) throw errorOf(res.status, await res.text().catch(() => ''));
      return res;
    });
  }

  /** A URL carrying the tokens as gk_grant / gk_cosig, for `img` and `a`; valid until the cosig expires. */
  async objectUrl(key: string): Promise<string> {
    checkTarget('get', key);
    const e = await this.ready('get', key);
    return `${this.base}${canonicalKeyUri(key)}?gk_grant=${encodeURIComponent(e.token)}&gk_cosig=${encodeURIComponent(e.cosig ?? '')}`;
  }

  /** PUT one object with upload progress; sends x-amz-checksum-sha256 when the grant binds a digest. */
  putObject(key: string, body: Blob | ArrayBuffer | string, opts: PutOptions = {}): Promise<{ etag?: string }> {
    const blob = body instanceof Blob ? body : new Blob([body]);
    let digest: Promise<string> | undefined;
    return this.withGrant('put', key, async (e) => {
      const type = opts.contentType ?? e.contentType ?? (blob.type || 'application/octet-stream');
      if (e.contentType !== undefined && type !== e.contentType) {
        throw new GatekeeperError('content_type_mismatch', 403, 'The content type does not match the grant.');
      }
      if (e.maxBytes !== undefined && blob.size > e.maxBytes) {
        throw new GatekeeperError('too_large', 413, 'The body is larger than the grant allows.');
      }
      const headers: Record<string, string> = { 'content-type': type, 'x-gk-grant': e.token, 'x-gk-cosig': e.cosig ?? '' };
      if (e.sha256 !== undefined) {
        const sum = await (digest ??= sha256Base64(blob));
        if (sum !== hexToBase64(e.sha256)) {
          throw new GatekeeperError('scope_mismatch', 403, 'The body does not match the digest the grant binds.');
        }
        headers['x-amz-checksum-sha256'] = sum;
      }
      return upload(this.base + canonicalKeyUri(key), headers, blob, opts.onProgress);
    });
  }

  /** One page of a listing through POST /_gatekeeper/v1/list, with a list grant for `prefix` or a prefix of it. */
  list(prefix: string, opts: { continuationToken?: string; maxKeys?: number } = {}): Promise<ListResult> {
    return this.withGrant('list', prefix, async (e) => {
      const req: Json = { grant: e.token, cosig: e.cosig, prefix };
      if (opts.continuationToken !== undefined) req.continuationToken = opts.continuationToken;
      if (opts.maxKeys !== undefined) req.maxKeys = opts.maxKeys;
      const body = await this.post(LIST_PATH, req);
      if (!Array.isArray(body.objects)) throw badResponse();
      const out: ListResult = { objects: body.objects as ListedObject[] };
      if (typeof body.nextContinuationToken === 'string') out.nextContinuationToken = body.nextContinuationToken;
      return out;
    });
  }

  private fresh(e: Entry): boolean {
    return e.cosig !== undefined && Date.now() < e.until;
  }

  private stale(e: Entry): boolean {
    return e.exp - this.margin <= nowS();
  }

  /** Runs `act` with a cosigned grant; on ip_mismatch or expired, cosigns again and retries once. */
  private async withGrant<T>(op: Op, target: string, act: (e: Entry) => Promise<T>): Promise<T> {
    checkTarget(op, target);
    const e = await this.ready(op, target);
    const used = e.cosig;
    try {
      return await act(e);
    } catch (err) {
      if (!(err instanceof GatekeeperError) || (err.code !== 'ip_mismatch' && err.code !== 'expired')) throw err;
      // Another call may already have replaced the cosig this one used.
      if (e.cosig === used) e.cosig = undefined;
      if (err.code === 'expired' && this.fetchGrants !== undefined && this.stale(e)) e.error = err;
      return act(await this.ready(op, target));
    }
  }

  /** The best grant for the request, cosigned; asks `fetchGrants` at most once. */
  private async ready(op: Op, target: string): Promise<Entry> {
    let asked = this.fetchGrants === undefined;
    for (;;) {
      const all = this.candidates(op, target);
      const e = all.find((c) => c.error === undefined);
      const refusal = all.find((c) => c.error !== undefined)?.error;
      const viewerRefused = refusal !== undefined && VIEWER_REFUSALS.includes(refusal.code);
      if (!asked && !viewerRefused && (e === undefined || this.stale(e))) {
        asked = true;
        await this.ask([op === 'list' ? { op, prefix: target } : { op, key: target }]);
        continue;
      }
      if (e === undefined) {
        throw refusal ?? new GatekeeperError('no_grant', 0, `No ${op} grant covers this ${op === 'list' ? 'prefix' : 'key'}.`);
      }
      if (!this.fresh(e)) await this.cosign(e);
      if (e.error === undefined && e.cosig !== undefined) return e;
    }
  }

  /** Grants covering the request: fresh cosig first, then the latest expiry. */
  private candidates(op: Op, target: string): Entry[] {
    const out: Entry[] = [];
    for (const e of this.entries.values()) {
      if (e.op !== op) continue;
      const covers =
        op === 'list'
          ? e.prefix !== undefined && target.startsWith(e.prefix)
          : e.key === target || (op === 'get' && e.prefix !== undefined && target.startsWith(e.prefix));
      if (covers) out.push(e);
    }
    return out.sort((a, b) => Number(this.fresh(b)) - Number(this.fresh(a)) || b.exp - a.exp);
  }

  private ask(wanted: GrantRequest[]): Promise<void> {
    for (const w of wanted) {
      const r: GrantRequest = w.key !== undefined ? { op: w.op, key: w.key } : { op: w.op, prefix: w.prefix };
      if (!this.askQueue.some((q) => scopeOf(q) === scopeOf(r))) this.askQueue.push(r);
    }
    return (this.asking ??= new Promise((r) => setTimeout(r)).then(async () => {
      const batch = this.askQueue;
      this.askQueue = [];
      this.asking = undefined;
      const fetchGrants = this.fetchGrants as (wanted: GrantRequest[]) => Promise<string[]>;
      this.addGrants(await fetchGrants(batch));
    }));
  }

  /** Queues a grant for the next cosign call; concurrent requests share one call per 50 grants. */
  private cosign(e: Entry): Promise<void> {
    return (e.pending ??= new Promise<void>((ok, fail) => {
      if (this.cosignQueue.push([e, ok, fail]) === 1) setTimeout(() => this.flushCosign());
    }).finally(() => {
      e.pending = undefined;
    }));
  }

  private flushCosign(): void {
    const queue = this.cosignQueue;
    this.cosignQueue = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH) {
      const batch = queue.slice(i, i + MAX_BATCH);
      this.post(COSIGN_PATH, { grants: batch.map((b) => b[0].token) })
        .then((body) => {
          const results = body.results;
          if (!Array.isArray(results) || results.length !== batch.length) throw badResponse();
          batch.forEach(([e, ok], j) => {
            this.take(e, results[j]);
            ok();
          });
        })
        .catch((err: unknown) => batch.forEach((b) => b[2](err)));
    }
  }

  private take(e: Entry, r: unknown): void {
    if (isObj(r) && typeof r.cosig === 'string' && typeof r.exp === 'number') {
      const iat = payloadOf(r.cosig)?.iat;
      const life = r.exp - (typeof iat === 'number' ? iat : nowS());
      e.cosig = r.cosig;
      e.error = undefined;
      e.until = Date.now() + 1000 * Math.max(life - this.margin, life / 2);
    } else if (isObj(r) && isObj(r.error) && typeof r.error.code === 'string') {
      const code = r.error.code;
      const status = (STATUS_OF as Record<string, number>)[code] ?? 403;
      e.cosig = undefined;
      e.error = new GatekeeperError(code, status, typeof r.error.message === 'string' ? r.error.message : code);
    } else {
      throw badResponse();
    }
  }

  private async post(path: string, body: Json): Promise<Json> {
    let res: Response;
    try {
      res = await this.fetchFn(this.base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw networkError();
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) throw errorOf(res.status, text);
    try {
      const o: unknown = JSON.parse(text);
      if (isObj(o)) return o;
    } catch {
      // reported below
    }
    throw badResponse();
  }
}

/** A key PROTOCOL allows (so the browser's URL parser cannot rewrite it), or a non-empty prefix. */
function checkTarget(op: Op, target: string): void {
  const isKey = op !== 'list';
  if (typeof target !== 'string' || (isKey ? !isValidObjectKey(target) : target === '')) {
    throw new GatekeeperError('malformed_request', 400, isKey ? 'Not a valid object key.' : 'Not a valid prefix.');
  }
}

function upload(
  url: string,
  headers: Record<string, string>,
  blob: Blob,
  onProgress?: (sent: number, total: number) => void,
): Promise<{ etag?: string }> {
  return new Promise((ok, fail) => {
    const x = new XMLHttpRequest();
    x.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) x.setRequestHeader(k, v);
    if (onProgress !== undefined) x.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : blob.size);
    x.onload = () => {
      if (x.status < 200 || x.status > 299) return fail(errorOf(x.status, x.responseText));
      onProgress?.(blob.size, blob.size);
      const etag = x.getResponseHeader('etag');
      ok(etag !== null ? { etag } : {});
    };
    x.onerror = x.onabort = x.ontimeout = () => fail(networkError());
    x.send(blob);
  });
}
